//! Gradient checks for every op family beyond the scalar ops: reductions
//! (mean, var/std, cumsum/cumprod), shape/layout ops, creation ops,
//! products, nnet ops, indexing and the ops the optimizer introduces
//! (logsumexp, the fused softmax cross-entropy, GEMMs, inplace variants).
//! Each differentiable op passes `verify_grad` (reverse mode) and
//! `verify_rop` (forward mode) in float64 on random inputs — several
//! shapes, broadcasting and non-contiguous points — and `registry` checks that every op theon defines is covered
//! here (or in the older gradient suites) or declares itself not
//! differentiable.
//!
//! Tolerances: `verify_grad`'s float64 defaults (central differences with
//! step 1e-6, absolute or relative error 1e-4) unless a test says why not.

// One-point calls read best as `&[p.clone()]`.
#![allow(clippy::cloned_ref_to_slice_refs)]

mod composite;
mod creation;
mod extra;
mod higher;
mod indexing;
mod linalg;
mod nnet;
mod optimizer_ops;
mod products;
mod reduce;
mod registry;
mod row_ops;
mod shape;
mod source_scan;

use theon::grad::{verify_grad, verify_rop, GradOptions, VerifyGradOptions};
use theon::prelude::*;

/// Runs `verify_grad` and `verify_rop` on `fun` at `points`; panics with
/// `what` and the worst mismatch.
pub fn check(what: &str, fun: impl Fn(&[Var]) -> theon::Result<Var>, points: &[Tensor]) {
    let options = VerifyGradOptions::default();
    if let Err(e) = verify_grad(&fun, points, &options) {
        panic!("{what}: {e}");
    }
    if let Err(e) = verify_rop(&fun, points, &options) {
        panic!("{what}: {e}");
    }
}

/// Uniform float64 values in `[lo, hi)`.
pub fn uniform(shape: &[usize], lo: f64, hi: f64, seed: u64) -> Tensor {
    Tensor::rand_uniform(F64, shape, lo, hi, seed)
}

/// Standard normal float64 values.
pub fn randn(shape: &[usize], seed: u64) -> Tensor {
    Tensor::randn(F64, shape, seed)
}

/// A non-contiguous point of `shape`: the transpose of a random array of
/// the reversed shape.
pub fn strided(shape: &[usize], seed: u64) -> Tensor {
    let reversed: Vec<usize> = shape.iter().rev().copied().collect();
    randn(&reversed, seed).t()
}

/// The same values with every static dim forgotten, so size-1 dims do not
/// broadcast statically (exercises run-time shape paths).
pub fn unknown_dims(x: &Var) -> theon::Result<Var> {
    let op = theon::ops::shape::Reshape {
        target: vec![None; x.ndim()],
    };
    Var::apply1(op, &[x.clone(), x.shape()])
}

/// `d cost / d x` with default options.
pub fn grad1(cost: &Var, x: &Var) -> Var {
    grad(cost, std::slice::from_ref(x), &GradOptions::default())
        .unwrap()
        .remove(0)
}

/// Compiles `outputs` of `inputs` and runs them on `args`, as f64 vectors.
pub fn run(inputs: &[Var], outputs: &[Var], args: &[Tensor]) -> Vec<Vec<f64>> {
    let f = function(inputs, outputs).unwrap();
    f.call(args)
        .unwrap()
        .iter()
        .map(Tensor::to_f64_vec)
        .collect()
}

/// Asserts `got` and `want` agree elementwise within `tol`.
pub fn assert_close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * (1.0 + w.abs()),
            "{what}: element {i}: got {g}, want {w}\n got {got:?}\nwant {want:?}"
        );
    }
}
