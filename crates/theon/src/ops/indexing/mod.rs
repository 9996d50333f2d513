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
//!
//! ```
//! use theon::prelude::*;
//! let x = matrix("x", F64);
//! let i = vector("i", I64);
//! let rows = x.at(&s![&i, ..;-1]); // x[i, ::-1]
//! let bumped = x.inc_at(&s![&i], 1.0); // np.add.at(x, i, 1)
//! let f = function(&[x, i], &[rows, bumped]).unwrap();
//! let xv = Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], &[2, 2]).unwrap();
//! let iv = Tensor::from_vec(vec![1i64, 1, -2], &[3]).unwrap();
//! let out = f.call(&[xv, iv]).unwrap();
//! assert_eq!(out[0].to_vec::<f64>(), vec![4.0, 3.0, 4.0, 3.0, 2.0, 1.0]);
//! assert_eq!(out[1].to_vec::<f64>(), vec![2.0, 3.0, 5.0, 6.0]);
//! ```

mod advanced;
mod api;
mod basic;
mod infer;
mod inplace;
mod item;
mod lower;
mod mask;
mod plan;
mod rules;
mod set_inc;
mod spec;

pub use advanced::AdvancedSubtensor;
pub use api::*;
pub use basic::{basic_view, Subtensor};
pub use inplace::IncSubtensorInplace;
pub use item::{IndexItem, IntArg, SliceRange, ELLIPSIS, NEWAXIS};
pub use mask::Nonzero;
pub use plan::{gather, Gather};
pub(crate) use set_inc::check_value_runtime;
pub use set_inc::{IncMode, IncSubtensor};
pub use spec::{normalize_index, Item, Scal, SliceSpec};
