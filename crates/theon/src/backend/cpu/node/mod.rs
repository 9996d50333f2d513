//! Kernels for whole graph nodes beyond elementwise ones: reductions,
//! products, the softmax family, cumulative sums, sorting and repeat. Each module has a `select` that the
//! registry calls and a `Kernel` that reads `Tensor`s and calls the slice
//! kernels of this backend.

pub mod blas;
pub mod cumulative;
pub mod index;
pub mod nnet;
pub mod reduce;
pub mod repeat;
pub mod row_blocked;
pub mod softmax_pair;
pub mod sort;
mod sort_keys;
mod take;

#[cfg(test)]
mod hot_path_tests;
#[cfg(test)]
mod index_tests;
#[cfg(test)]
mod reduce_tests;
#[cfg(test)]
mod tests;

use crate::dtype::DType;
use crate::error::Error;
use crate::tensor::Tensor;

/// The error of a float32/float64 kernel handed input 0 of dtype `d`.
pub(crate) fn not_float(op_name: &str, d: DType) -> Error {
    Error::dtype(op_name, 0, d, "expects float32 or float64 here")
}

/// `x` itself when C-contiguous (a cheap handle), else a blocked copy.
pub(crate) fn dense(x: &Tensor) -> Tensor {
    if x.is_contiguous() {
        x.clone()
    } else {
        super::copy::contiguous(x)
    }
}
