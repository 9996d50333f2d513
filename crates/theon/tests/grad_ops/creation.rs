//! Creation ops under gradient checks: `alloc`/`full` pass the summed
//! gradient to their value; a float `arange` is differentiable in `start`
//! and `step`; `eye` and integer ranges are not differentiable.

use super::{assert_close, check, grad1, randn, run, unknown_dims};
use theon::ops::creation::{try_alloc, try_arange};
use theon::prelude::*;

#[test]
fn alloc_value_gets_the_summed_gradient() {
    let cases: [(&[usize], &[i64]); 4] = [
        (&[], &[2, 3]),
        (&[1, 3], &[4, 3]),
        (&[3], &[2, 2, 3]),
        (&[2, 3], &[2, 3]),
    ];
    for (k, (shape, target)) in cases.iter().enumerate() {
        let fun = |v: &[Var]| try_alloc(&v[0], *target);
        check("alloc", fun, &[randn(shape, 110 + k as u64)]);
        let runtime = |v: &[Var]| try_alloc(&unknown_dims(&v[0])?, *target);
        check("alloc run-time", runtime, &[randn(shape, 120 + k as u64)]);
    }
    // A symbolic shape: that of another input (disconnected from the cost).
    check(
        "alloc to shape",
        |v| try_alloc(&v[0], v[1].shape()),
        &[randn(&[1], 115), randn(&[2, 3], 116)],
    );
    let x = scalar("x", F64);
    let g = grad1(&full([2i64, 3], &x, F64).sum(Axis::All), &x);
    let out = run(&[x], &[g], &[Tensor::scalar(0.3f64)]);
    assert_close("d full", &out[0], &[6.0], 1e-15);
}

#[test]
fn float_arange_is_differentiable_in_start_and_step() {
    // start 0.3, stop 5, step 0.7: 7 elements, away from a length change.
    let fun = |v: &[Var]| try_arange(&v[0], 5.0, &v[1], None);
    let points = [Tensor::scalar(0.3f64), Tensor::scalar(0.7f64)];
    check("arange", fun, &points);
    let (start, step) = (scalar("start", F64), scalar("step", F64));
    let r = arange(&start, 5.0, &step, None);
    let weights: Vec<f64> = (0..7).map(|i| 1.0 + i as f64).collect();
    let cost = (&r * constant(Tensor::from_vec(weights.clone(), &[7]).unwrap())).sum(Axis::All);
    let g = grad(
        &cost,
        &[start.clone(), step.clone()],
        &GradOptions::default(),
    )
    .unwrap();
    let out = run(&[start, step], &g, &points);
    let d_start: f64 = weights.iter().sum();
    let d_step: f64 = weights.iter().enumerate().map(|(i, w)| i as f64 * w).sum();
    assert_close("d start", &out[0], &[d_start], 1e-14);
    assert_close("d step", &out[1], &[d_step], 1e-14);
}
