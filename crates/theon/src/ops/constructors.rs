//! Constructors for graph inputs, like Theano's `T.matrix('x')`, plus
//! `shared` and `constant`.

use crate::dtype::DType;
use crate::graph::{SharedVar, TensorType, Var};
use crate::tensor::Tensor;

/// A rank-0 input.
#[track_caller]
pub fn scalar(name: &str, dtype: DType) -> Var {
    Var::input(name, TensorType::unknown(dtype, 0))
}

/// A rank-1 input of unknown length.
#[track_caller]
pub fn vector(name: &str, dtype: DType) -> Var {
    Var::input(name, TensorType::unknown(dtype, 1))
}

/// A rank-2 input of unknown shape.
#[track_caller]
pub fn matrix(name: &str, dtype: DType) -> Var {
    Var::input(name, TensorType::unknown(dtype, 2))
}

/// A 1×n input (its first dim broadcasts).
#[track_caller]
pub fn row(name: &str, dtype: DType) -> Var {
    Var::input(name, TensorType::new(dtype, vec![Some(1), None]))
}

/// An n×1 input (its second dim broadcasts).
#[track_caller]
pub fn col(name: &str, dtype: DType) -> Var {
    Var::input(name, TensorType::new(dtype, vec![None, Some(1)]))
}

#[track_caller]
pub fn tensor3(name: &str, dtype: DType) -> Var {
    Var::input(name, TensorType::unknown(dtype, 3))
}

#[track_caller]
pub fn tensor4(name: &str, dtype: DType) -> Var {
    Var::input(name, TensorType::unknown(dtype, 4))
}

/// An input with a static shape: `None` for unknown dims.
#[track_caller]
pub fn tensor(name: &str, dtype: DType, shape: &[Option<usize>]) -> Var {
    Var::input(name, TensorType::new(dtype, shape.to_vec()))
}

/// A constant graph value.
#[track_caller]
pub fn constant(value: Tensor) -> Var {
    Var::constant(value)
}

/// Shared storage holding `value`, usable in graphs via `.var()`.
#[track_caller]
pub fn shared(value: Tensor, name: &str) -> SharedVar {
    SharedVar::new(value, name)
}
