//! The two multi-output ops the optimizer builds for training steps under
//! gradient checks: `SoftmaxWithCrossentropy` (the loss and the softmax of
//! the same logits) and `RowBlocked` (a row-local inner graph run over
//! blocks of rows, with row sums and row-indexed outputs). Their rules
//! expand them into the ops they stand for; each output is weighted by a
//! fixed random tensor so every output's gradient takes part.

use super::{check, randn, strided, uniform};
use theon::ops::control::{RowBlocked, RowInput, RowOutput};
use theon::ops::nnet::{SoftmaxWithCrossentropy, Targets};
use theon::prelude::*;

/// `Σ_k sum(outputs[k] * weights[k])` as one cost.
fn weighted(outputs: &[Var], weights: &[Tensor]) -> theon::Result<Var> {
    let mut cost = (&outputs[0] * &constant(weights[0].clone())).sum(Axis::All);
    for (o, w) in outputs.iter().zip(weights).skip(1) {
        cost = cost + (o * &constant(w.clone())).sum(Axis::All);
    }
    Ok(cost)
}

#[test]
fn softmax_with_crossentropy_gradients_for_labels_and_dense_targets() {
    let labels = constant(Tensor::from_vec(vec![2i64, 0, 3], &[3]).unwrap());
    let weights = [randn(&[3], 1200), randn(&[3, 4], 1201)];
    for p in [randn(&[3, 4], 1202), strided(&[3, 4], 1203)] {
        let op = SoftmaxWithCrossentropy {
            targets: Targets::Labels,
        };
        let fun = |v: &[Var]| {
            weighted(
                &Var::apply(op.clone(), &[v[0].clone(), labels.clone()])?,
                &weights,
            )
        };
        check("labels", fun, &[p.clone()]);
        let op = SoftmaxWithCrossentropy {
            targets: Targets::Dense,
        };
        let targets = uniform(&[3, 4], 0.0, 1.0, 1204);
        let fun = |v: &[Var]| weighted(&Var::apply(op.clone(), v)?, &weights);
        check("dense", fun, &[p, targets]);
    }
}

/// A `RowBlocked` over split `x` (n, d) and whole `w` (d, k): outputs
/// `xᵀ·tanh(x·w)` (a row sum) and `tanh(x·w)` (row-indexed).
fn product_and_rows(x: &Var, w: &Var) -> theon::Result<Vec<Var>> {
    let xi = Var::input("x", TensorType::new(F64, vec![None, Some(3)]));
    let wi = matrix("w", F64);
    let h = xi.dot(&wi).tanh();
    let op = RowBlocked::new(
        &[(xi.clone(), RowInput::Split), (wi, RowInput::Whole)],
        &[(xi.t().dot(&h), RowOutput::Sum), (h, RowOutput::Concat)],
    )?;
    Var::apply(op, &[x.clone(), w.clone()])
}

#[test]
fn row_blocked_gradients_of_sums_and_rows() {
    let weights = [randn(&[3, 2], 1210), randn(&[5, 2], 1211)];
    let fun = |v: &[Var]| weighted(&product_and_rows(&v[0], &v[1])?, &weights);
    check("plain", fun, &[randn(&[5, 3], 1212), randn(&[3, 2], 1213)]);
    check(
        "strided",
        fun,
        &[strided(&[5, 3], 1214), strided(&[3, 2], 1215)],
    );
}
