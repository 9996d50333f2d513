//! The symbolic IR: types, nodes and variables, the `Op` trait, and walks
//! over graphs. Nothing here knows about rewrites or kernels.

mod filter;
mod node;
mod op;
mod traverse;
mod types;

pub use filter::{summary, Arg, Filter};
pub use node::{fresh_id, Node, NodeKind, SharedVar, Var};
pub use op::{Grad, Op, OpEq, PerformCtx};
pub use traverse::{clone_replace, depends_on, graph_inputs, graph_leaves, toposort};
pub use types::TensorType;
