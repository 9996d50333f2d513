//! Test helpers: evaluate a one-input graph on a value, and group a
//! tensor's elements by output position with plain index loops.

use crate::compile::function;
use crate::error::Result;
use crate::graph::{TensorType, Var};
use crate::tensor::{unravel, Scalar, Tensor};

/// Builds `build(x)` for an input `x` of the value's dtype and rank (dims
/// unknown), compiles it and runs it on `value`.
#[track_caller]
pub fn eval(value: &Tensor, build: impl FnOnce(&Var) -> Var) -> Tensor {
    try_eval(value, build).unwrap_or_else(|e| panic!("{e}"))
}

/// Like [`eval`], returning the runtime error instead of panicking.
#[track_caller]
pub fn try_eval(value: &Tensor, build: impl FnOnce(&Var) -> Var) -> Result<Tensor> {
    let x = Var::input("x", TensorType::unknown(value.dtype(), value.ndim()));
    let y = build(&x);
    let f = function(std::slice::from_ref(&x), &[y])?;
    Ok(f.call(std::slice::from_ref(value))?.remove(0))
}

/// The elements of `x` bucketed by output position of a reduction over
/// `axes` (sorted), visiting the input in C order with `Tensor::get`, so
/// each bucket is in C order of the reduced axes. Also returns the output
/// shape (reduced axes dropped).
pub fn buckets(x: &Tensor, axes: &[usize]) -> (Vec<usize>, Vec<Vec<Scalar>>) {
    let out_shape: Vec<usize> = (0..x.ndim())
        .filter(|a| !axes.contains(a))
        .map(|a| x.shape()[a])
        .collect();
    let n_out: usize = out_shape.iter().product();
    let mut groups = vec![Vec::new(); n_out];
    for flat in 0..x.size() {
        let index = unravel(flat, x.shape());
        let mut out = 0usize;
        for (a, &i) in index.iter().enumerate() {
            if !axes.contains(&a) {
                out = out * x.shape()[a] + i;
            }
        }
        groups[out].push(x.get(&index));
    }
    (out_shape, groups)
}

/// `shape` with `axes` set to 1 (the keepdims shape).
pub fn keepdims_shape(shape: &[usize], axes: &[usize]) -> Vec<usize> {
    shape
        .iter()
        .enumerate()
        .map(|(a, &d)| if axes.contains(&a) { 1 } else { d })
        .collect()
}

/// Asserts `got` (any float dtype) matches `want` elementwise within
/// `rtol * |want| + atol`, NaN matching NaN.
#[track_caller]
pub fn assert_close(got: &Tensor, want: &[f64], rtol: f64, atol: f64, what: &str) {
    let got = got.to_f64_vec();
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let ok = (g.is_nan() && w.is_nan()) || g == w || (g - w).abs() <= atol + rtol * w.abs();
        assert!(ok, "{what}: element {i}: got {g}, want {w}");
    }
}

/// A random test input of `dtype`: normal floats, small ints (so sums are
/// exact and ties happen), or random booleans.
pub fn random_input(dtype: crate::DType, shape: &[usize], seed: u64) -> Tensor {
    use crate::DType::*;
    match dtype {
        F16 | F32 | F64 => Tensor::randn(dtype, shape, seed),
        Bool => Tensor::rand_int(Bool, shape, 0, 2, seed),
        U8 | U16 | U32 | U64 => Tensor::rand_int(dtype, shape, 0, 100, seed),
        _ => Tensor::rand_int(dtype, shape, -50, 50, seed),
    }
}
