//! Tests of the shape/layout ops against plain-loop expectations on random
//! data (exact equality: these ops move values without arithmetic).

// `&[x.clone()]` reads better than `std::slice::from_ref(&x)` in tests.
#![allow(clippy::cloned_ref_to_slice_refs)]

mod broadcast_join;
mod reshape;
mod shape_of;
mod split_tile_repeat;
mod squeeze_flip_roll;

use crate::compile::function;
use crate::dtype::DType;
use crate::graph::{TensorType, Var};
use crate::tensor::{unravel, Tensor};

/// Compiles `outputs` of `inputs` and runs them on `args`.
pub fn run(inputs: &[Var], outputs: &[Var], args: &[Tensor]) -> Vec<Tensor> {
    let f = function(inputs, outputs).expect("compiles");
    f.call(args).expect("runs")
}

/// Compiles and runs, expecting a run-time error; returns its message.
pub fn run_err(inputs: &[Var], outputs: &[Var], args: &[Tensor]) -> String {
    let f = function(inputs, outputs).expect("compiles");
    match f.call(args) {
        Ok(_) => panic!("expected a run-time error"),
        Err(e) => e.to_string(),
    }
}

/// An input of `dtype` and rank `ndim` with every dim unknown.
pub fn unknown(name: &str, dtype: DType, ndim: usize) -> Var {
    Var::input(name, TensorType::unknown(dtype, ndim))
}

/// A non-contiguous random f64 tensor of `shape` (a transposed copy).
pub fn strided(shape: &[usize], seed: u64) -> Tensor {
    let rev: Vec<usize> = shape.iter().rev().copied().collect();
    Tensor::randn(DType::F64, &rev, seed).t()
}

/// The element of `t` at a multi-index, as f64 (computed from `to_f64_vec`
/// by explicit C-order index arithmetic, independent of the ops).
pub fn at(t: &Tensor, index: &[usize]) -> f64 {
    let flat = t.to_f64_vec();
    let pos = index
        .iter()
        .zip(t.shape())
        .fold(0, |acc, (&i, &d)| acc * d + i);
    flat[pos]
}

/// Builds the expected C-order values of `shape` from an index function.
pub fn expect(shape: &[usize], f: impl Fn(&[usize]) -> f64) -> Vec<f64> {
    let n: usize = shape.iter().product();
    (0..n).map(|i| f(&unravel(i, shape))).collect()
}

/// Asserts the value's shape and its C-order values (exact).
pub fn assert_values(got: &Tensor, shape: &[usize], want: &[f64]) {
    assert_eq!(got.shape(), shape, "shape");
    assert_eq!(got.to_f64_vec(), want, "values");
}

/// Asserts an error message names `parts` and this test file.
pub fn assert_msg(msg: &str, parts: &[&str], file: &str) {
    for p in parts {
        assert!(msg.contains(p), "{msg:?} lacks {p:?}");
    }
    assert!(msg.contains(file), "{msg:?} lacks the site {file}");
}
