//! Indexing with NumPy semantics: basic indexing (`Subtensor`, a view),
//! advanced indexing with index arrays and boolean masks
//! (`AdvancedSubtensor`, a copy), `set_subtensor`/`inc_subtensor`
//! (`IncSubtensor`), `take` and `nonzero`.
//!
//! The user writes an index as `IndexItem`s (`s![1, 2..5, ..;-1, NEWAXIS]`);
//! lowering turns it into hashable `Item`s whose symbolic parts name the
//! node's index inputs. Indexing and set/inc share that description, so the
//! gradient of `x[items]` is `inc_subtensor` with the same items. Integer
//! indices are range-checked at graph construction when both the index and
//! the dim are static, and at run time otherwise; no kernel reads or writes
//! out of bounds.

mod advanced;
mod api;
mod basic;
mod item;
mod lower;
mod mask;
mod plan;
mod set_inc;
mod spec;

pub use advanced::AdvancedSubtensor;
pub use api::*;
pub use basic::{basic_view, Subtensor};
pub use item::{IndexItem, IntArg, SliceRange, ELLIPSIS, NEWAXIS};
pub use mask::Nonzero;
pub use plan::{gather, Gather};
pub use set_inc::{IncMode, IncSubtensor};
pub use spec::{Item, Scal, SliceSpec};
