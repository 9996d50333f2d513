//! mean, var/std (with ddof) and cumsum/cumprod under gradient checks;
//! cumprod's gradient is exact with zeros in a lane.

use super::{assert_close, check, grad1, randn, run, strided, uniform};
use theon::ops::reduce::{
    cumprod, cumsum, mean, std_dev, try_cumulative, try_mean, try_variance, CumKind, Dispersion,
};
use theon::prelude::*;

fn axis_forms() -> Vec<Axis> {
    vec![
        Axis::All,
        Axis::from(1),
        Axis::from(-1),
        Axis::from([0i64, 2]),
    ]
}

#[test]
fn mean_gradients_on_all_axis_forms() {
    let points = [randn(&[2, 3, 4], 1), strided(&[2, 3, 4], 2)];
    for axis in axis_forms() {
        for keepdims in [false, true] {
            let fun = |v: &[Var]| try_mean(&v[0], axis.clone(), keepdims);
            for p in &points {
                check(
                    &format!("mean {axis} keepdims={keepdims}"),
                    fun,
                    &[p.clone()],
                );
            }
        }
    }
    // A size-1 (broadcastable) axis and a size-0 kept axis.
    check(
        "mean (1, 4)",
        |v| try_mean(&v[0], 0, false),
        &[randn(&[1, 4], 3)],
    );
    check(
        "mean size-0",
        |v| try_mean(&v[0], 1, false),
        &[randn(&[0, 3], 4)],
    );
}

#[test]
fn mean_gradient_is_one_over_n() {
    let x = matrix("x", F64);
    let g = grad1(&mean(&x, 1, false).sum(Axis::All), &x);
    let out = run(&[x], &[g], &[randn(&[2, 5], 5)]);
    assert_close("d mean", &out[0], &[0.2; 10], 1e-15);
}

#[test]
fn variance_and_std_gradients_with_ddof() {
    let points = [randn(&[2, 3, 4], 6), strided(&[2, 3, 4], 7)];
    for kind in [Dispersion::Var, Dispersion::Std] {
        for ddof in [0usize, 1] {
            for axis in axis_forms() {
                let keepdims = ddof == 1;
                let fun = |v: &[Var]| try_variance(&v[0], kind, axis.clone(), ddof, keepdims);
                for p in &points {
                    let what = format!("{kind:?} ddof={ddof} {axis}");
                    check(&what, fun, &[p.clone()]);
                }
            }
        }
    }
}

#[test]
fn std_gradient_matches_closed_form() {
    let x = vector("x", F64);
    let g = grad1(&std_dev(&x, Axis::All, 1, false), &x);
    let xv = randn(&[5], 8).to_vec::<f64>();
    let out = run(&[x], &[g], &[Tensor::from_vec(xv.clone(), &[5]).unwrap()]);
    let m = xv.iter().sum::<f64>() / 5.0;
    let s = (xv.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / 4.0).sqrt();
    let want: Vec<f64> = xv.iter().map(|v| (v - m) / (4.0 * s)).collect();
    assert_close("d std", &out[0], &want, 1e-12);
}

#[test]
fn cumsum_and_cumprod_gradients() {
    let axes = [Axis::from(0), Axis::from(-1), Axis::All];
    for kind in [CumKind::Sum, CumKind::Prod] {
        for axis in &axes {
            let fun = |v: &[Var]| try_cumulative(&v[0], kind, axis.clone());
            check(
                &format!("{kind:?} {axis}"),
                fun,
                &[uniform(&[3, 4], 0.5, 1.5, 9)],
            );
            check(
                &format!("{kind:?} {axis} strided"),
                fun,
                &[strided(&[3, 4], 10)],
            );
        }
    }
    check(
        "cumsum size-0",
        |v| Ok(cumsum(&v[0], 1)),
        &[randn(&[2, 0], 11)],
    );
}

/// Lanes with no zero, one zero, two zeros, and a zero first.
fn lanes_with_zeros() -> Tensor {
    let values = vec![
        0.7, -1.3, 1.1, 0.9, 1.4, //
        1.2, 0.0, 0.8, -1.5, 0.6, //
        0.9, 0.0, 1.3, 0.0, 1.7, //
        0.0, 1.1, -0.8, 1.2, 0.5,
    ];
    Tensor::from_vec(values, &[4, 5]).unwrap()
}

#[test]
fn cumprod_gradient_is_exact_with_zeros() {
    let point = lanes_with_zeros();
    check("cumprod zeros", |v| Ok(cumprod(&v[0], 1)), &[point.clone()]);
    check(
        "cumprod zeros flat",
        |v| Ok(cumprod(&v[0], Axis::All)),
        &[point.clone()],
    );
    check(
        "cumprod zeros axis 0",
        |v| Ok(cumprod(&v[0], 0)),
        &[point.t()],
    );
    // Against the definition: d/dx_j Σ_k w_k ∏_{i≤k} x_i = Σ_{k≥j} w_k ∏_{i≤k, i≠j} x_i.
    let x = matrix("x", F64);
    let w = randn(&[4, 5], 12).to_vec::<f64>();
    let weights = constant(Tensor::from_vec(w.clone(), &[4, 5]).unwrap());
    let g = grad1(&(cumprod(&x, 1) * weights).sum(Axis::All), &x);
    let out = run(&[x], &[g], &[point.clone()]);
    let xv = point.to_vec::<f64>();
    let mut want = vec![0.0; 20];
    for r in 0..4 {
        for j in 0..5 {
            for k in j..5 {
                let others: f64 = (0..=k).filter(|&i| i != j).map(|i| xv[r * 5 + i]).product();
                want[r * 5 + j] += w[r * 5 + k] * others;
            }
        }
    }
    assert_close("cumprod with zeros", &out[0], &want, 1e-12);
    assert!(out[0].iter().all(|v| v.is_finite()));
}
