//! softmax, log_softmax and the one-hot categorical cross-entropy under
//! gradient checks, their second derivatives, and the stable rules on
//! logits where a naive formula overflows.

use super::{assert_close, check, grad1, randn, run, strided, uniform};
use theon::ops::nnet::{
    categorical_crossentropy, log_softmax, softmax, try_log_softmax, try_softmax,
};
use theon::prelude::*;

#[test]
fn softmax_and_log_softmax_gradients() {
    for axis in [-1i64, 0, 1] {
        let points = [
            randn(&[3, 4], 200),
            strided(&[3, 4], 201),
            randn(&[1, 4], 202),
        ];
        for p in &points {
            check("softmax", |v| try_softmax(&v[0], axis), &[p.clone()]);
            check(
                "log_softmax",
                |v| try_log_softmax(&v[0], axis),
                &[p.clone()],
            );
        }
    }
    let p3 = strided(&[2, 3, 4], 203);
    check("softmax 3-d", |v| try_softmax(&v[0], 1), &[p3.clone()]);
    check("log_softmax 3-d", |v| try_log_softmax(&v[0], 2), &[p3]);
}

#[test]
fn second_derivatives_of_softmax_and_log_softmax() {
    let w = constant(randn(&[3, 4], 204));
    let soft = |v: &[Var]| {
        Ok(grad1(
            &(softmax(&v[0], -1) * &w).sum(Axis::All).sin(),
            &v[0],
        ))
    };
    check("d2 softmax", soft, &[randn(&[3, 4], 205)]);
    let logsoft = |v: &[Var]| {
        Ok(grad1(
            &(log_softmax(&v[0], 0) * &w).sum(Axis::All).sin(),
            &v[0],
        ))
    };
    check("d2 log_softmax", logsoft, &[strided(&[3, 4], 206)]);
}

#[test]
fn gradients_stay_finite_for_huge_logits() {
    let x = matrix("x", F64);
    let labels = constant(Tensor::from_vec(vec![0i64, 1], &[2]).unwrap());
    let cost = categorical_crossentropy(&softmax(&x, -1), &labels).sum(Axis::All)
        + log_softmax(&x, -1).sum(Axis::All);
    let g = grad1(&cost, &x);
    let xv = Tensor::from_vec(vec![1000.0, 0.0, -1000.0, 0.0, 1000.0, 999.0], &[2, 3]).unwrap();
    let out = run(&[x], &[g], &[xv]);
    // Row 0: softmax ≈ (1, 0, 0): d(-log p0)/dx = p - e0 = 0, d(Σ log_softmax)/dx = 1 - 3p.
    // Row 1: softmax = (0, s, 1-s) with s = 1/(1+e^-1).
    let s = 1.0 / (1.0 + (-1.0f64).exp());
    let want = [
        0.0 + 1.0 - 3.0,
        0.0 + 1.0,
        0.0 + 1.0,
        0.0 + 1.0,
        (s - 1.0) + 1.0 - 3.0 * s,
        (1.0 - s) + 1.0 - 3.0 * (1.0 - s),
    ];
    assert_close("huge logits", &out[0], &want, 1e-12);
}

#[test]
fn crossentropy_gradient_reaches_the_labelled_entries() {
    let labels = Tensor::from_vec(vec![2i64, 0, 3], &[3]).unwrap();
    let fun = |v: &[Var]| Ok(categorical_crossentropy(&v[0], &constant(labels.clone())));
    check("crossentropy", fun, &[uniform(&[3, 4], 0.1, 1.0, 207)]);
    check(
        "crossentropy strided",
        fun,
        &[uniform(&[4, 3], 0.1, 1.0, 208).t()],
    );
    let through_softmax = |v: &[Var]| {
        Ok(categorical_crossentropy(
            &softmax(&v[0], -1),
            &constant(labels.clone()),
        ))
    };
    check(
        "crossentropy of softmax",
        through_softmax,
        &[randn(&[3, 4], 209)],
    );
    // Symbolic (integer) labels are disconnected, not an error.
    let p = matrix("p", F64);
    let y = vector("y", I64);
    let g = grad1(&categorical_crossentropy(&p, &y).sum(Axis::All), &p);
    let pv = uniform(&[2, 3], 0.1, 1.0, 210);
    let out = run(
        &[p, y],
        &[g],
        &[pv.clone(), Tensor::from_vec(vec![1i64, 2], &[2]).unwrap()],
    );
    let pv = pv.to_vec::<f64>();
    let want = [0.0, -1.0 / pv[1], 0.0, 0.0, 0.0, -1.0 / pv[5]];
    assert_close("d crossentropy", &out[0], &want, 1e-14);
}
