//! The optimizer: `FunctionGraph` (the compiler's mutable graph), the
//! rewrite engine (named, tagged rules; sweep and equilibrium drivers with
//! budgets), the rule database ordered into phases, the standard rules,
//! elementwise fusion, and the compile modes that query the database.
//!
//! `function()` imports the user's graph into a `FunctionGraph`, runs the
//! mode's phases on it, and builds its `Program` from the result. How to
//! add rules for a new op is described in [`rules`].

mod convert;
pub mod db;
pub mod destroy;
pub mod engine;
pub mod feature;
pub mod fgraph;
pub mod fused_reduce;
pub mod fusion;
pub mod mode;
pub mod pattern;
pub mod profile;
pub mod row_blocked;
pub mod row_local;
pub mod rules;
pub mod shape;

#[cfg(test)]
mod tests;

pub use db::{run_phases, standard_db, Phase, PhaseKind, Query, RewriteDb};
pub use destroy::{inplace_pass, DestroyHandler};
pub use engine::{equilibrium, sweep, Budget, GlobalPass, Rule, Tracks};
pub use feature::{Feature, ReplaceLog};
pub use fgraph::{Client, FNode, FunctionGraph, NodeId, VarId};
pub use mode::{Mode, Optimizer};
pub use pattern::{identity, identity_when};
pub use profile::{CompileProfile, PhaseReport, RuleFailure, RuleStats, StopReason};
pub use shape::ShapeFeature;
