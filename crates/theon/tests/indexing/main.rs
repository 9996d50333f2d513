//! Indexing ops against expectations computed with plain loops over the
//! inputs (read through `Tensor::get`, which has its own stride arithmetic).
//! Indexing moves values without arithmetic, so results must match exactly
//! for every dtype; `inc` on floats is compared with the same accumulation
//! order done in the test (exact too).

// One-input calls read best as `&[x.clone()]`.
#![allow(clippy::cloned_ref_to_slice_refs)]

mod advanced;
mod basic;
mod errors;
mod set_inc;

use theon::prelude::*;
use theon::Error;

/// Compiles `output` as a function of `inputs` and runs it on `args`.
pub fn run(inputs: &[Var], output: &Var, args: &[Tensor]) -> Tensor {
    let f = function(inputs, std::slice::from_ref(output)).unwrap();
    f.call(args).unwrap().remove(0)
}

/// Like [`run`], expecting the call to fail.
pub fn run_err(inputs: &[Var], output: &Var, args: &[Tensor]) -> Error {
    let f = function(inputs, std::slice::from_ref(output)).unwrap();
    f.call(args).unwrap_err()
}

/// Element `index` of `t` as f64.
pub fn at(t: &Tensor, index: &[usize]) -> f64 {
    t.get(index).as_f64()
}

/// Asserts shape and exact values (indexing copies values unchanged).
pub fn check(got: &Tensor, shape: &[usize], expected: &[f64]) {
    assert_eq!(got.shape(), shape, "shape");
    assert_eq!(got.to_f64_vec(), expected, "values");
}

/// NumPy's normalisation of a (valid) negative index.
pub fn norm(i: i64, size: usize) -> usize {
    if i < 0 {
        (i + size as i64) as usize
    } else {
        i as usize
    }
}

/// A scalar int64 tensor.
pub fn int(v: i64) -> Tensor {
    Tensor::scalar(v)
}
