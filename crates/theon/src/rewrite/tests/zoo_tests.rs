//! Golden dumps of optimized graphs for a small model zoo (insta
//! snapshots in `snapshots/`): any change in what the optimizer produces
//! shows in review as a snapshot diff. Each model is also run on random
//! data, FAST_RUN against no optimization.
//!
//! The logistic-regression and MLP steps write the backward pass of `dot`
//! and `softmax` by hand: those ops' pullbacks are not in main yet. When
//! they land, these models should take their gradients with `grad` and the
//! snapshots be regenerated (`INSTA_UPDATE=always cargo test zoo`).

use crate::grad::{grad, GradOptions};
use crate::graph::Var;
use crate::prelude::*;

/// Both printings of the FAST_RUN graph, after checking it computes what
/// the unoptimized graph does.
fn golden(
    inputs: &[Var],
    outputs: &[Var],
    updates: &[(SharedVar, Var)],
    args: &[Tensor],
    tol: f64,
) -> String {
    let build = |mode: Mode| {
        Function::builder(inputs, outputs)
            .updates(updates.iter().cloned())
            .mode(mode)
            .build()
            .unwrap()
    };
    let fast = build(Mode::fast_run());
    let plain = build(Mode::no_optimization());
    let shared: Vec<Tensor> = updates.iter().map(|(s, _)| s.get_value()).collect();
    let a = fast.call(args).unwrap();
    let new_a: Vec<Tensor> = updates.iter().map(|(s, _)| s.get_value()).collect();
    for ((s, _), v) in updates.iter().zip(&shared) {
        s.set_value(v.clone()).unwrap();
    }
    let b = plain.call(args).unwrap();
    let new_b: Vec<Tensor> = updates.iter().map(|(s, _)| s.get_value()).collect();
    for (x, y) in a.iter().chain(&new_a).zip(b.iter().chain(&new_b)) {
        assert!(x.allclose(y, tol, tol), "{x:?} vs {y:?}");
    }
    format!("{}\n{}", fast.pp(), fast.debugprint())
}

#[test]
fn elementwise_chain() {
    let x = vector("x", F64);
    let y = vector("y", F64);
    let cost = ((&x * 2.0 + &y).exp().log1p() - y.sigmoid()).sum(0);
    let gx = grad(&cost, &[x.clone()], &GradOptions::default())
        .unwrap()
        .remove(0);
    let args = [Tensor::randn(F64, &[6], 1), Tensor::randn(F64, &[6], 2)];
    insta::assert_snapshot!(golden(&[x, y], &[cost, gx], &[], &args, 1e-12));
}

fn one_hot(k: usize, labels: &[usize]) -> Tensor {
    let mut v = vec![0.0f32; labels.len() * k];
    for (i, &c) in labels.iter().enumerate() {
        v[i * k + c] = 1.0;
    }
    Tensor::from_vec(v, &[labels.len(), k]).unwrap()
}

#[test]
fn softmax_crossentropy() {
    let x = matrix("x", F32);
    let y = vector("y", I64);
    let t = matrix("t", F32);
    let p = nnet::softmax(&x, -1);
    let by_label = nnet::categorical_crossentropy(&p, &y).mean(Axis::All);
    let by_row = nnet::categorical_crossentropy(&p, &t).mean(Axis::All);
    let args = [
        Tensor::randn(F32, &[4, 3], 3),
        Tensor::from_vec(vec![0i64, 2, 1, 2], &[4]).unwrap(),
        one_hot(3, &[0, 2, 1, 2]),
    ];
    insta::assert_snapshot!(golden(&[x, y, t], &[by_label, by_row], &[], &args, 1e-5));
}

/// `softmax(logits)` cross-entropy against one-hot `t`: the mean loss and
/// its gradient with respect to the logits, `(softmax - t) / n`.
fn loss_and_logit_grad(logits: &Var, t: &Var) -> (Var, Var) {
    let p = nnet::softmax(logits, -1);
    let loss = nnet::categorical_crossentropy(&p, t).mean(Axis::All);
    let n = logits.shape_i(0).cast(F32);
    (loss, (&p - t) / n)
}

#[test]
fn logistic_regression_step() {
    let (x, t) = (matrix("x", F32), matrix("t", F32));
    let w = SharedVar::new(Tensor::randn(F32, &[5, 3], 4), "W");
    let b = SharedVar::new(Tensor::randn(F32, &[3], 5), "b");
    let logits = dot(&x, &w.var()) + b.var();
    let (loss, g) = loss_and_logit_grad(&logits, &t);
    let lr = 0.1f32;
    let updates = [
        (w.clone(), w.var() - dot(&x.t(), &g) * lr),
        (b.clone(), b.var() - g.sum(0) * lr),
    ];
    let args = [Tensor::randn(F32, &[4, 5], 6), one_hot(3, &[1, 0, 2, 2])];
    insta::assert_snapshot!(golden(&[x, t], &[loss], &updates, &args, 1e-5));
}

#[test]
fn mlp_step() {
    let (x, t) = (matrix("x", F32), matrix("t", F32));
    let w1 = SharedVar::new(Tensor::randn(F32, &[5, 8], 7), "W1");
    let b1 = SharedVar::new(Tensor::randn(F32, &[8], 8), "b1");
    let w2 = SharedVar::new(Tensor::randn(F32, &[8, 3], 9), "W2");
    let b2 = SharedVar::new(Tensor::randn(F32, &[3], 10), "b2");
    let h = (dot(&x, &w1.var()) + b1.var()).tanh();
    let logits = dot(&h, &w2.var()) + b2.var();
    let (loss, g2) = loss_and_logit_grad(&logits, &t);
    let gh = dot(&g2, &w2.var().t()) * (1.0f32 - h.sqr());
    let lr = 0.05f32;
    let updates = [
        (w2.clone(), w2.var() - dot(&h.t(), &g2) * lr),
        (b2.clone(), b2.var() - g2.sum(0) * lr),
        (w1.clone(), w1.var() - dot(&x.t(), &gh) * lr),
        (b1.clone(), b1.var() - gh.sum(0) * lr),
    ];
    let args = [Tensor::randn(F32, &[4, 5], 11), one_hot(3, &[2, 1, 0, 1])];
    insta::assert_snapshot!(golden(&[x, t], &[loss], &updates, &args, 1e-5));
}
