//! `softmax_with_crossentropy`: the gradient of a softmax cross-entropy
//! loss needs the softmax of the logits the loss reads; one node computes
//! both, and its kernel agrees with the two reference ops.

use super::{check_rule, ops};
use crate::backend::cpu::node::softmax_pair;
use crate::compile::{Inputs, Kernel};
use crate::grad::{grad, GradOptions};
use crate::graph::{Op, PerformCtx, TensorType};
use crate::ops::nnet::{categorical_crossentropy, softmax, SoftmaxWithCrossentropy, Targets};
use crate::prelude::*;

#[test]
fn the_loss_and_its_gradient_share_one_softmax() {
    for (targets, t) in [
        (Targets::Labels, vector("y", I64)),
        (Targets::Dense, matrix("t", F64)),
    ] {
        let x = matrix("x", F64);
        let loss = categorical_crossentropy(&softmax(&x, -1), &t).mean(Axis::All);
        let gx = grad(&loss, &[x.clone()], &GradOptions::default())
            .unwrap()
            .remove(0);
        let (n, k) = (9, 4);
        let targets_value = match targets {
            Targets::Labels => Tensor::rand_int(I64, &[n], 0, k as i64, 2),
            Targets::Dense => Tensor::rand_uniform(F64, &[n, k], 0.0, 1.0, 2),
        };
        let args = [Tensor::randn(F64, &[n, k], 1), targets_value];
        let f = check_rule(
            "softmax_with_crossentropy",
            &[x, t],
            &[loss, gx],
            &args,
            1e-12,
        );
        let names = ops(&f);
        assert!(
            names
                .iter()
                .any(|o| o.starts_with("softmax_with_crossentropy")),
            "{names:?}"
        );
        assert!(
            !names.iter().any(|o| o.starts_with("softmax{")),
            "{names:?}"
        );
    }
}

fn run_kernel(
    op: &SoftmaxWithCrossentropy,
    x: &Tensor,
    t: &Tensor,
) -> crate::error::Result<Vec<Tensor>> {
    let types = [
        TensorType::unknown(x.dtype(), 2),
        TensorType::unknown(t.dtype(), t.ndim()),
    ];
    let kernel = softmax_pair::select(op, &types).expect("float logits take the kernel");
    let out_types = op.output_types(&types)?;
    let ctx = PerformCtx {
        input_types: &types,
        output_types: &out_types,
    };
    let mut slots = vec![Some(x.clone()), Some(t.clone())];
    let mut inputs = Inputs::new(&mut slots, &[0, 1], &[false, false]);
    let mut outputs = Vec::new();
    kernel.run(&mut inputs, &ctx, &mut outputs)?;
    Ok(outputs)
}

#[test]
fn the_kernel_matches_the_reference_ops() {
    for (dtype, tol) in [(F32, 1e-6), (F64, 1e-13)] {
        for (n, k) in [(0, 3), (1, 1), (7, 5), (3001, 10)] {
            // Transposed logits: the kernel reads a strided view.
            let x = Tensor::randn(dtype, &[k, n], 3).t();
            let labels = Tensor::rand_int(I32, &[n], 0, k as i64, 4);
            let dense = Tensor::rand_uniform(dtype, &[n, k], 0.0, 1.0, 5);
            for (targets, t) in [(Targets::Labels, labels), (Targets::Dense, dense)] {
                let op = SoftmaxWithCrossentropy { targets };
                let got = run_kernel(&op, &x, &t).unwrap();
                let types = [
                    TensorType::unknown(dtype, 2),
                    TensorType::unknown(t.dtype(), t.ndim()),
                ];
                let out_types = op.output_types(&types).unwrap();
                let ctx = PerformCtx {
                    input_types: &types,
                    output_types: &out_types,
                };
                let want = op.perform(&[x.clone(), t.clone()], &ctx).unwrap();
                for (g, w) in got.iter().zip(&want) {
                    assert_eq!(g.shape(), w.shape());
                    assert!(g.allclose(w, tol, tol), "{dtype} n={n} k={k} {targets:?}");
                }
            }
        }
    }
}

#[test]
fn the_kernel_names_a_bad_label_and_mismatched_rows() {
    let op = SoftmaxWithCrossentropy {
        targets: Targets::Labels,
    };
    let x = Tensor::randn(F32, &[4, 3], 1);
    let bad = Tensor::from_vec(vec![0i32, 1, 3, 2], &[4]).unwrap();
    let err = run_kernel(&op, &x, &bad).unwrap_err().to_string();
    assert!(
        err.contains("softmax_with_crossentropy") && err.contains('3'),
        "{err}"
    );
    let short = Tensor::from_vec(vec![0i32, 1], &[2]).unwrap();
    let err = run_kernel(&op, &x, &short).unwrap_err().to_string();
    assert!(err.contains("[4, 3]") && err.contains("[2]"), "{err}");
}
