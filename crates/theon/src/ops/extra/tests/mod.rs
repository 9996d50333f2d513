//! Tests of the extra ops against expectations computed with plain loops.

mod counting;
mod diagonals;
mod misc;
mod sorting;

use crate::compile::function;
use crate::error::Result;
use crate::graph::{TensorType, Var};
use crate::tensor::Tensor;

/// An input of the value's dtype and rank with unknown dims.
pub fn input_for(name: &str, value: &Tensor) -> Var {
    Var::input(name, TensorType::unknown(value.dtype(), value.ndim()))
}

/// Compiles `outputs` of `inputs` and runs it on `values`.
pub fn try_run(inputs: &[Var], values: &[Tensor], outputs: &[Var]) -> Result<Vec<Tensor>> {
    function(inputs, outputs)?.call(values)
}

/// Like [`try_run`], panicking on error.
#[track_caller]
pub fn run(inputs: &[Var], values: &[Tensor], outputs: &[Var]) -> Vec<Tensor> {
    try_run(inputs, values, outputs).unwrap_or_else(|e| panic!("{e}"))
}

/// Builds `build(x)` on an input shaped like `value` and runs it.
#[track_caller]
pub fn eval1(value: &Tensor, build: impl FnOnce(&Var) -> Var) -> Tensor {
    let x = input_for("x", value);
    let y = build(&x);
    run(&[x], std::slice::from_ref(value), &[y]).remove(0)
}

/// A 3x4 float64 matrix viewed transposed (4x3, non-contiguous).
pub fn transposed(seed: u64) -> Tensor {
    let t = Tensor::randn(crate::DType::F64, &[3, 4], seed).t();
    assert!(!t.is_contiguous());
    t
}
