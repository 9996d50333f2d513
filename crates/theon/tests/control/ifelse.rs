//! ifelse: lazy evaluation (the branch not taken never runs), values,
//! gradients, R-op and errors.

use super::{assert_close, eval};
use std::sync::atomic::{AtomicUsize, Ordering};
use theon::grad::{verify_grad, verify_rop, VerifyGradOptions};
use theon::graph::{Op, PerformCtx, TensorType};
use theon::ops::control::{ifelse, try_ifelse};
use theon::prelude::*;

static RUNS: AtomicUsize = AtomicUsize::new(0);

/// The identity, counting how often its kernel runs.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Counted;

impl Op for Counted {
    fn name(&self) -> String {
        "counted".into()
    }
    fn output_types(&self, inputs: &[TensorType]) -> theon::Result<Vec<TensorType>> {
        Ok(vec![inputs[0].clone()])
    }
    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> theon::Result<Vec<Tensor>> {
        RUNS.fetch_add(1, Ordering::SeqCst);
        Ok(vec![inputs[0].clone()])
    }
}

#[test]
fn only_the_branch_taken_runs() {
    let c = scalar("c", Bool);
    let x = vector("x", F64);
    let counted = Var::apply1(Counted, &[x.exp()]).unwrap();
    let y = ifelse(&c, &(counted * 2.0), &x.sin());
    let f = function(&[c, x], &[y]).unwrap();
    let xv = Tensor::randn(F64, &[4], 1);
    let before = RUNS.load(Ordering::SeqCst);
    let out = f.call(&[Tensor::scalar(false), xv.clone()]).unwrap();
    assert_eq!(
        RUNS.load(Ordering::SeqCst),
        before,
        "the then-branch must not run"
    );
    let want: Vec<f64> = xv.to_vec::<f64>().iter().map(|v| v.sin()).collect();
    assert_close(&out[0].to_vec::<f64>(), &want, 1e-12);
    let out = f.call(&[Tensor::scalar(true), xv.clone()]).unwrap();
    assert_eq!(RUNS.load(Ordering::SeqCst), before + 1);
    let want: Vec<f64> = xv.to_vec::<f64>().iter().map(|v| 2.0 * v.exp()).collect();
    assert_close(&out[0].to_vec::<f64>(), &want, 1e-12);
}

#[test]
fn a_branch_that_would_fail_is_not_run() {
    let c = scalar("c", I64);
    let x = vector("x", F64);
    let bad = x.at(&s![10i64]); // out of range for the data below
    let y = try_ifelse(&c, &[x.sum(Axis::All)], &[bad])
        .unwrap()
        .remove(0);
    let f = function(&[c, x], &[y]).unwrap();
    let xv = Tensor::randn(F64, &[3], 2);
    let out = f.call(&[Tensor::scalar(5i64), xv.clone()]).unwrap();
    assert_close(
        &out[0].to_vec::<f64>(),
        &[xv.to_vec::<f64>().iter().sum()],
        1e-12,
    );
    let err = f
        .call(&[Tensor::scalar(0i64), xv])
        .expect_err("the else-branch fails");
    assert!(err.to_string().contains("10"), "{err}");
}

#[test]
fn several_outputs_and_a_condition_computed_from_data() {
    let x = vector("x", F64);
    let y = matrix("y", F64);
    let cond = x.sum(Axis::All).gt(0.0);
    let outs = try_ifelse(&cond, &[x.exp(), y.t()], &[x.clone() * 3.0, y.clone()]).unwrap();
    // Static shapes merge where both branches agree.
    assert_eq!(outs[1].ty().shape, vec![None, None]);
    let yv = Tensor::randn(F64, &[2, 3], 3);
    for sign in [1.0, -1.0] {
        let xv = Tensor::from_vec(vec![sign * 1.5, sign * 0.5], &[2]).unwrap();
        let out = eval(&[x.clone(), y.clone()], &outs, &[xv.clone(), yv.clone()]);
        let xs = xv.to_vec::<f64>();
        if sign > 0.0 {
            assert_close(
                &out[0].to_vec::<f64>(),
                &xs.iter().map(|v| v.exp()).collect::<Vec<_>>(),
                1e-12,
            );
            assert_eq!(out[1].shape(), &[3, 2]);
            assert_close(&out[1].to_vec::<f64>(), &yv.t().to_vec::<f64>(), 0.0);
        } else {
            assert_close(
                &out[0].to_vec::<f64>(),
                &xs.iter().map(|v| 3.0 * v).collect::<Vec<_>>(),
                1e-12,
            );
            assert_eq!(out[1].shape(), &[2, 3]);
        }
    }
}

#[test]
fn gradient_and_rop_of_each_branch() {
    let f = |v: &[Var]| {
        let cond = v[0].sum(Axis::All).gt(0.0);
        let then = (&v[0] * &v[1]).tanh();
        let els = v[1].exp() * 2.0;
        Ok(ifelse(&cond, &then, &els))
    };
    let opts = VerifyGradOptions::default();
    for sign in [1.0, -1.0] {
        let x = Tensor::from_vec(vec![sign * 0.7, sign * 0.4, sign * 0.9], &[3]).unwrap();
        let points = [x, Tensor::randn(F64, &[3], 4)];
        verify_grad(f, &points, &opts).unwrap();
        verify_rop(f, &points, &opts).unwrap();
    }
    // Second derivative through the gradient's own ifelse.
    let g = |v: &[Var]| {
        let y = f(v)?.sum(Axis::All);
        Ok(grad(&y, &[v[1].clone()], &GradOptions::default())?.remove(0))
    };
    let points = [
        Tensor::from_vec(vec![0.7, 0.4, 0.9], &[3]).unwrap(),
        Tensor::randn(F64, &[3], 5),
    ];
    verify_grad(g, &points, &opts).unwrap();
}

#[test]
fn bad_conditions_and_branches() {
    let x = vector("x", F64);
    let msg = try_ifelse(&x, std::slice::from_ref(&x), std::slice::from_ref(&x))
        .expect_err("error")
        .to_string();
    assert!(msg.contains("condition must be a scalar"), "{msg}");
    let c = scalar("c", Bool);
    let msg = try_ifelse(&c, std::slice::from_ref(&x), &[x.sum(Axis::All)])
        .expect_err("error")
        .to_string();
    assert!(
        msg.contains("output 0") && msg.contains("float64(?,)") && msg.contains("float64()"),
        "{msg}"
    );
    let msg = try_ifelse(&c, std::slice::from_ref(&x), &[x.cast(F32)])
        .expect_err("error")
        .to_string();
    assert!(msg.contains("float32"), "{msg}");
    let msg = try_ifelse(&c, &[x.clone(), x.clone()], std::slice::from_ref(&x))
        .expect_err("error")
        .to_string();
    assert!(msg.contains("2 outputs") && msg.contains("has 1"), "{msg}");
}
