//! Printing graphs for people: `debugprint` (an indented tree with ids for
//! shared subgraphs and the type of every variable).

mod debugprint;

pub use debugprint::{debugprint, debugprint_function};
