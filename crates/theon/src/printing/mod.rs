//! Printing graphs for people: `debugprint` (an indented tree with ids for
//! shared subgraphs and the type of every variable) and `pp` (math-like).

mod debugprint;
mod pp;

pub use debugprint::{debugprint, debugprint_function};
pub use pp::{pp, pp_function};
