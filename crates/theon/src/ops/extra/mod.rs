//! Theano's `extra_ops` and friends: sorting and searching (`sort`,
//! `argsort`, `searchsorted`, `unique`), counting (`bincount`), `diff`,
//! `to_one_hot`, diagonals (`diagonal`, `diag`, `trace`, `fill_diagonal`),
//! triangles (`tril`, `triu`), index conversion (`ravel_multi_index`,
//! `unravel_index`), `isclose` / `allclose`, `ptp`, `max_and_argmax`,
//! `nonzero_tuple` (one-argument `where`) and `choose`.
//!
//! Every op follows NumPy: dtypes, NaN ordering (last), negative axes,
//! empty inputs. Data-dependent output lengths (`unique`, `bincount`,
//! `nonzero_tuple`) are unknown dims in the output type.
//!
//! ```
//! use theon::prelude::*;
//! use theon::ops::extra::{sort, unique};
//! let x = vector("x", F64);
//! let outs = unique(&x, false, true, true);
//! let f = function(&[x.clone()], &[sort(&x, -1), outs[0].clone(), outs[2].clone()]).unwrap();
//! let value = Tensor::from_vec(vec![3.0f64, 1.0, 3.0, f64::NAN], &[4]).unwrap();
//! let out = f.call(&[value]).unwrap();
//! assert_eq!(out[0].to_vec::<f64>()[..3], [1.0, 3.0, 3.0]); // NaN sorts last
//! assert_eq!(out[1].shape(), &[3]);
//! assert_eq!(out[2].to_vec::<i64>(), vec![1, 2, 1]); // the counts
//! ```

mod bincount;
mod choose;
mod common;
mod compose;
mod diagonal;
mod diff;
mod fill_diagonal;
mod isclose;
mod nonzero;
mod one_hot;
mod ravel;
mod rules;
mod search;
mod sort;
mod tri;
mod unique;

pub use bincount::{bincount, try_bincount, Bincount};
pub use choose::{choose, try_choose, Choose, ChooseMode};
pub use common::{nan_last_cmp, FloatParam};
pub use compose::{max_and_argmax, ptp, try_max_and_argmax, try_ptp};
pub use diagonal::{
    diag, diagonal, diagonal_len, trace, try_diag, try_diagonal, try_trace, AllocDiag, Diagonal,
};
pub use diff::{diff, try_diff, Diff};
pub use fill_diagonal::{fill_diagonal, fill_diagonal_offset, try_fill_diagonal, FillDiagonal};
pub use isclose::{allclose, isclose, try_isclose, IsClose};
pub use nonzero::{nonzero_tuple, try_nonzero_tuple, NonzeroTuple};
pub use one_hot::{to_one_hot, try_to_one_hot, ToOneHot};
pub use ravel::{
    ravel_multi_index, try_ravel_multi_index, try_unravel_index, unravel_index, RavelMultiIndex,
    UnravelIndex,
};
pub use search::{searchsorted, try_searchsorted, SearchSorted, Side};
pub use sort::{argsort, sort, try_sort, Sort, SortKind};
pub use tri::{tril, triu, Tri};
pub use unique::{unique, Unique};

#[cfg(test)]
pub(crate) mod tests;
