//! Printing graphs for people: `debugprint` (an indented tree with ids for
//! shared subgraphs and the type of every variable), `pp` (math-like) and
//! `dot` (Graphviz, for drawing).

mod debugprint;
mod dot;
mod pp;

pub use debugprint::{debugprint, debugprint_function};
pub use dot::{dot, dot_function};
pub use pp::{pp, pp_function};
