//! Control flow: loops ([`scan`], with `map`/`reduce`/`foldl`/`foldr`),
//! lazy conditionals ([`ifelse`]) and subgraphs as ops ([`OpFromGraph`]).
//! Each runs inner graphs compiled once into programs ([`Body`]) from its
//! reference `perform`; gradients are built from the same ops, so
//! gradients of gradients work.

pub mod body;
mod ifelse;
mod op_from_graph;
mod row_blocked;
pub mod scan;

pub use body::Body;
pub use ifelse::{ifelse, try_ifelse, IfElse};
pub use op_from_graph::{GradFn, OpFromGraph};
pub use row_blocked::{RowBlocked, RowInput, RowOutput};
pub use scan::{
    foldl, foldr, map, reduce, scan, OutputInfo, Scan, ScanResult, Seq, StepArgs, StepOutputs,
};
