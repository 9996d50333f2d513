//! Softmax, cross-entropy and log-sum-exp rules: each fires, agrees with
//! the unrewritten graph on random inputs, and is finite for logits of
//! ±1000 where the original graph gives `inf`.

use super::{check_rule, compile, ops};
use crate::prelude::*;

fn logits(seed: u64) -> Tensor {
    Tensor::rand_uniform(F64, &[5, 4], -3.0, 3.0, seed)
}

fn extreme() -> Tensor {
    let v: Vec<f64> = (0..20)
        .map(|i| if i % 3 == 0 { 1000.0 } else { -1000.0 })
        .collect();
    Tensor::from_vec(v, &[5, 4]).unwrap()
}

fn one_hot(labels: &Tensor, k: usize) -> Tensor {
    let l = labels.to_vec::<i64>();
    let mut v = vec![0.0f64; l.len() * k];
    for (i, &c) in l.iter().enumerate() {
        v[i * k + c as usize] = 1.0;
    }
    Tensor::from_vec(v, &[l.len(), k]).unwrap()
}

#[test]
fn log_of_softmax_becomes_log_softmax() {
    let x = matrix("x", F64);
    let y = nnet::softmax(&x, -1).log();
    let f = check_rule(
        "log_softmax",
        &[x.clone()],
        &[y.clone()],
        &[logits(1)],
        1e-12,
    );
    assert_eq!(ops(&f), vec!["log_softmax{axis=1}"]);
    let out = compile(&[x.clone()], &[y], Mode::fast_run())
        .call(&[extreme()])
        .unwrap();
    assert!(
        out[0].to_f64_vec().iter().all(|v| v.is_finite()),
        "{:?}",
        out[0]
    );
}

#[test]
fn softmax_crossentropy_with_labels_is_one_stable_op() {
    let x = matrix("x", F64);
    let y = vector("y", I64);
    let labels = Tensor::rand_int(I64, &[5], 0, 4, 2);
    let loss = nnet::categorical_crossentropy(&nnet::softmax(&x, -1), &y);
    let f = check_rule(
        "softmax_crossentropy_labels",
        &[x.clone(), y.clone()],
        &[loss.clone()],
        &[logits(3), labels.clone()],
        1e-12,
    );
    assert_eq!(ops(&f), vec!["softmax_crossentropy{labels}"]);
    let fast = compile(&[x.clone(), y.clone()], &[loss.clone()], Mode::fast_run());
    let out = fast.call(&[extreme(), labels.clone()]).unwrap()[0].to_f64_vec();
    let raw = compile(&[x.clone(), y.clone()], &[loss], Mode::no_optimization());
    let unstable = raw.call(&[extreme(), labels.clone()]).unwrap()[0].to_f64_vec();
    let xv = extreme().to_f64_vec();
    for (i, &o) in out.iter().enumerate() {
        let row = &xv[i * 4..i * 4 + 4];
        let m = row.iter().copied().fold(f64::MIN, f64::max);
        let lse = m + row.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
        let want = lse - row[labels.to_vec::<i64>()[i] as usize];
        assert!((o - want).abs() < 1e-9, "row {i}: {o} vs {want}");
    }
    assert!(
        unstable.iter().any(|v| v.is_infinite()),
        "the raw graph overflows"
    );
}

#[test]
fn softmax_crossentropy_with_one_hot_rows_is_one_stable_op() {
    let x = matrix("x", F64);
    let t = matrix("t", F64);
    let labels = Tensor::rand_int(I64, &[5], 0, 4, 4);
    let loss = nnet::categorical_crossentropy(&nnet::softmax(&x, -1), &t);
    let args = [logits(5), one_hot(&labels, 4)];
    let f = check_rule(
        "softmax_crossentropy_dense",
        &[x.clone(), t.clone()],
        &[loss.clone()],
        &args,
        1e-12,
    );
    assert_eq!(ops(&f), vec!["softmax_crossentropy{dense}"]);
    let fast = compile(&[x.clone(), t.clone()], &[loss], Mode::fast_run());
    let out = fast.call(&[extreme(), one_hot(&labels, 4)]).unwrap()[0].to_f64_vec();
    assert!(out.iter().all(|v| v.is_finite()), "{out:?}");
    // A broadcast target row is not fused (the op needs t of x's type).
    let row = tensor("r", F64, &[Some(1), None]);
    let loss = nnet::categorical_crossentropy(&nnet::softmax(&x, -1), &row);
    let f = compile(&[x.clone(), row.clone()], &[loss], super::no_fusion());
    assert_eq!(f.compile_profile().hits("softmax_crossentropy_dense"), 0);
}

#[test]
fn log_sum_exp_subtracts_the_max() {
    let x = matrix("x", F64);
    for (y, name) in [
        (x.exp().sum(1).log(), "logsumexp{axis=(1)}"),
        (
            x.exp().sum_keepdims(Axis::All).log(),
            "logsumexp{axis=(0,1), keepdims}",
        ),
    ] {
        let f = check_rule("logsumexp", &[x.clone()], &[y.clone()], &[logits(6)], 1e-12);
        assert_eq!(ops(&f), vec![name.to_string()]);
        let out = compile(&[x.clone()], &[y], Mode::fast_run())
            .call(&[extreme()])
            .unwrap();
        assert!(
            out[0].to_f64_vec().iter().all(|v| v.is_finite()),
            "{:?}",
            out[0]
        );
    }
    // Integer inputs keep the plain form.
    let i = matrix("i", I64);
    let f = compile(&[i.clone()], &[i.exp().sum(1).log()], super::no_fusion());
    assert_eq!(f.compile_profile().hits("logsumexp"), 0);
}
