//! One pass over the rows: the logistic-regression step (loss, its
//! gradients, the SGD update) becomes one `RowBlocked` node whose blocked
//! kernel agrees with its reference `perform`, with the graph compiled
//! without the rewrite, and with plain loops; graphs where the gradient
//! depends on the rows non-locally are left alone.

use super::compile;
use crate::backend::cpu::node::row_blocked::RowBlockedKernel;
use crate::grad::{grad, GradOptions};
use crate::graph::{toposort, Node, Op, PerformCtx, Var};
use crate::ops::control::RowBlocked;
use crate::ops::nnet::{categorical_crossentropy, softmax};
use crate::prelude::*;
use std::sync::Arc;

/// The W2 graph at a small size: `(loss, dW, db, probs)` of softmax
/// regression on `x` (N, d) with labels `y`, weights `w` (d, k), `b` (k).
fn logistic_step(dtype: DType) -> (Vec<Var>, Vec<Var>) {
    let x = matrix("x", dtype);
    let y = vector("y", I32);
    let w = matrix("w", dtype);
    let b = vector("b", dtype);
    let probs = softmax(&(x.dot(&w) + &b), -1);
    let loss = categorical_crossentropy(&probs, &y).mean(Axis::All);
    let grads = grad(&loss, &[w.clone(), b.clone()], &GradOptions::default()).unwrap();
    (
        vec![x, y, w, b],
        vec![loss, grads[0].clone(), grads[1].clone(), probs],
    )
}

fn args(dtype: DType, n: usize, d: usize, k: usize, seed: u64) -> Vec<Tensor> {
    vec![
        Tensor::rand_uniform(dtype, &[n, d], -1.0, 1.0, seed),
        Tensor::rand_int(I32, &[n], 0, k as i64, seed + 1),
        Tensor::randn(dtype, &[d, k], seed + 2),
        Tensor::randn(dtype, &[k], seed + 3),
    ]
}

/// `(loss, dW, db, probs)` by plain f64 loops.
fn expected(args: &[Tensor]) -> Vec<Vec<f64>> {
    let (x, y, w, b) = (&args[0], &args[1], &args[2], &args[3]);
    let (n, d, k) = (x.shape()[0], x.shape()[1], w.shape()[1]);
    let (xv, wv, bv) = (x.to_f64_vec(), w.to_f64_vec(), b.to_f64_vec());
    let (mut loss, mut dw, mut db, mut probs) =
        (0.0, vec![0.0; d * k], vec![0.0; k], vec![0.0; n * k]);
    for i in 0..n {
        let z: Vec<f64> = (0..k)
            .map(|j| bv[j] + (0..d).map(|l| xv[i * d + l] * wv[l * k + j]).sum::<f64>())
            .collect();
        let m = z.iter().cloned().fold(f64::MIN, f64::max);
        let total: f64 = z.iter().map(|v| (v - m).exp()).sum();
        let label = y.get(&[i]).as_i64() as usize;
        loss += m + total.ln() - z[label];
        for j in 0..k {
            let p = (z[j] - m).exp() / total;
            probs[i * k + j] = p;
            let g = (p - if j == label { 1.0 } else { 0.0 }) / n as f64;
            db[j] += g;
            for l in 0..d {
                dw[l * k + j] += xv[i * d + l] * g;
            }
        }
    }
    // The mean of no rows is NaN, as in NumPy.
    vec![vec![loss / n as f64], dw, db, probs]
}

fn row_blocked_nodes(f: &Function) -> Vec<Arc<Node>> {
    toposort(f.optimized_outputs())
        .into_iter()
        .filter(|n| n.op().is_some_and(|op| op.as_any().is::<RowBlocked>()))
        .collect()
}

#[track_caller]
fn assert_close(got: &Tensor, want: &[f64], tol: f64, what: &str) {
    let got = got.to_f64_vec();
    assert_eq!(got.len(), want.len(), "{what}");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let both_nan = g.is_nan() && w.is_nan();
        assert!(
            both_nan || (g - w).abs() <= tol * (1.0 + w.abs()),
            "{what}[{i}]: {g} vs {w}"
        );
    }
}

#[test]
fn logistic_step_becomes_one_row_blocked_node_and_agrees() {
    let (d, k) = (13, 4);
    for (dtype, tol) in [(F32, 2e-5), (F64, 1e-12)] {
        let (inputs, outputs) = logistic_step(dtype);
        let on = compile(&inputs, &outputs, Mode::fast_run());
        let off = compile(
            &inputs,
            &outputs,
            Mode::fast_run().excluding(["row_blocked"]),
        );
        assert_eq!(
            on.compile_profile().hits("row_blocked"),
            1,
            "{}",
            on.debugprint()
        );
        let nodes = row_blocked_nodes(&on);
        assert_eq!(nodes.len(), 1, "{}", on.debugprint());
        // The loss, dW (the einsum Xᵀ·G) and db are its sums; probs its rows.
        let name = nodes[0].op().unwrap().name();
        assert_eq!(name, "row_blocked{1 rows, 3 sums}", "{}", on.debugprint());
        let outside = super::ops(&on);
        assert!(
            !outside
                .iter()
                .any(|o| o.starts_with("einsum") || o == "dot"),
            "{outside:?}"
        );
        assert!(row_blocked_nodes(&off).is_empty());
        let kernels: Vec<String> = on
            .program()
            .kernel_names()
            .into_iter()
            .map(|(_, k)| k)
            .collect();
        assert!(
            kernels.iter().any(|k| k == "cpu.row_blocked"),
            "{kernels:?}"
        );
        for (n, seed) in [(0, 1), (1, 2), (7, 3), (300, 4)] {
            let a = args(dtype, n, d, k, seed);
            let want = expected(&a);
            let (got_on, got_off) = (on.call(&a).unwrap(), off.call(&a).unwrap());
            for (idx, name) in ["loss", "dW", "db", "probs"].iter().enumerate() {
                assert_close(
                    &got_on[idx],
                    &want[idx],
                    tol,
                    &format!("{dtype} n={n} {name} (on)"),
                );
                assert_close(
                    &got_off[idx],
                    &want[idx],
                    tol,
                    &format!("{dtype} n={n} {name} (off)"),
                );
            }
        }
    }
}

/// The values of the node's inputs, computed by the optimized graph.
fn node_inputs(node: &Node, inputs: &[Var], args: &[Tensor]) -> Vec<Tensor> {
    let f = Function::builder(inputs, &node.inputs)
        .mode(Mode::no_optimization())
        .on_unused_input(crate::compile::UnusedInput::Ignore)
        .build()
        .unwrap();
    f.call(args).unwrap()
}

#[test]
fn blocked_kernel_matches_the_reference_for_any_block_size() {
    let (d, k) = (11, 3);
    for (dtype, tol) in [(F32, 2e-5), (F64, 1e-12)] {
        let (inputs, outputs) = logistic_step(dtype);
        let f = compile(&inputs, &outputs, Mode::fast_run());
        let node = row_blocked_nodes(&f).remove(0);
        let op = node
            .op()
            .unwrap()
            .as_any()
            .downcast_ref::<RowBlocked>()
            .unwrap()
            .clone();
        for (n, seed) in [(0, 5), (1, 6), (2, 7), (37, 8), (101, 9)] {
            let mut values = node_inputs(&node, &inputs, &args(dtype, n, d, k, seed));
            // Column-major copies of the split matrices: strided rows.
            for (v, kind) in values.iter_mut().zip(&op.inputs) {
                if *kind == crate::ops::control::RowInput::Split && v.ndim() == 2 {
                    *v = v.t().contiguous().t();
                }
            }
            let in_types: Vec<_> = node.inputs.iter().map(|v| v.ty().clone()).collect();
            let ctx = PerformCtx {
                input_types: &in_types,
                output_types: &node.output_types,
            };
            let reference = op.perform(&values, &ctx).unwrap();
            for rows in [1, 3, 16, 1000] {
                let kernel = RowBlockedKernel::new(op.clone(), Some(rows));
                let got = kernel.run_blocks(&values).unwrap();
                assert_eq!(got.len(), reference.len());
                for (g, r) in got.iter().zip(&reference) {
                    assert_eq!(g.shape(), r.shape(), "n={n} rows={rows}");
                    assert_eq!(g.dtype(), r.dtype());
                    assert_close(
                        g,
                        &r.to_f64_vec(),
                        tol,
                        &format!("{dtype} n={n} rows={rows}"),
                    );
                }
            }
        }
    }
}

#[test]
fn split_inputs_with_different_row_counts_are_an_error() {
    let (inputs, outputs) = logistic_step(F64);
    let f = compile(&inputs, &outputs, Mode::fast_run());
    let node = row_blocked_nodes(&f).remove(0);
    let op = node
        .op()
        .unwrap()
        .as_any()
        .downcast_ref::<RowBlocked>()
        .unwrap()
        .clone();
    let mut values = node_inputs(&node, &inputs, &args(F64, 20, 5, 3, 1));
    let split = op
        .inputs
        .iter()
        .position(|k| *k == crate::ops::control::RowInput::Split);
    let at = split.unwrap();
    values[at] = values[at].slice_axis(0, Some(0), Some(19), 1).unwrap();
    let kernel = RowBlockedKernel::new(op.clone(), Some(4));
    let err = kernel.run_blocks(&values).unwrap_err().to_string();
    assert!(err.contains("row_blocked") && err.contains("19"), "{err}");
    // Through the function: mismatched x and y rows name the shapes.
    let mut a = args(F64, 20, 5, 3, 2);
    a[1] = Tensor::rand_int(I32, &[21], 0, 3, 3);
    let err = f.call(&a).unwrap_err().to_string();
    assert!(err.contains("21") || err.contains("20"), "{err}");
}

#[test]
fn does_not_fire_when_the_gradient_reads_the_rows_non_locally() {
    let x = matrix("x", F64);
    let w = matrix("w", F64);
    // Centred by the column mean: a sum over rows feeds G.
    let centred = &x - x.mean(0i64);
    let g1 = x.t().dot(&(centred.dot(&w)).tanh());
    // The transpose of x used as a whole operand: xᵀx.
    let g2 = x.t().dot(&x.dot(&x.t().dot(&x)).exp());
    for g in [g1, g2] {
        let f = compile(&[x.clone(), w.clone()], &[g.clone()], Mode::fast_run());
        assert_eq!(
            f.compile_profile().hits("row_blocked"),
            0,
            "{}",
            f.debugprint()
        );
        let a = [
            Tensor::randn(F64, &[9, 4], 1),
            Tensor::randn(F64, &[4, 4], 2),
        ];
        let plain = compile(&[x.clone(), w.clone()], &[g], Mode::no_optimization());
        let (p, q) = (&f.call(&a).unwrap()[0], &plain.call(&a).unwrap()[0]);
        assert!(p.allclose(q, 1e-10, 1e-10));
    }
}

#[test]
fn row_local_chains_and_several_sums_share_one_node() {
    // dot(xᵀ, tanh(x·w) * v) and sum(exp(x), 0) read x: one node, two sums.
    let x = matrix("x", F32);
    let w = matrix("w", F32);
    let v = vector("v", F32);
    let h = (x.dot(&w)).tanh() * &v;
    let g = x.t().dot(&h);
    let s = x.exp().sum(0i64);
    let f = compile(
        &[x.clone(), w.clone(), v.clone()],
        &[g, s, h],
        Mode::fast_run(),
    );
    assert_eq!(row_blocked_nodes(&f).len(), 1, "{}", f.debugprint());
    let (n, d, k) = (53, 6, 5);
    let a = [
        Tensor::randn(F32, &[d, n], 1).t(), // column-major x
        Tensor::randn(F32, &[d, k], 2),
        Tensor::randn(F32, &[k], 3),
    ];
    let out = f.call(&a).unwrap();
    let (xv, wv, vv) = (a[0].to_f64_vec(), a[1].to_f64_vec(), a[2].to_f64_vec());
    let mut hv = vec![0.0; n * k];
    for i in 0..n {
        for j in 0..k {
            let z: f64 = (0..d).map(|l| xv[i * d + l] * wv[l * k + j]).sum();
            hv[i * k + j] = z.tanh() * vv[j];
        }
    }
    let gv: Vec<f64> = (0..d * k)
        .map(|at| {
            (0..n)
                .map(|i| xv[i * d + at / k] * hv[i * k + at % k])
                .sum()
        })
        .collect();
    let sv: Vec<f64> = (0..d)
        .map(|l| (0..n).map(|i| xv[i * d + l].exp()).sum())
        .collect();
    assert_close(&out[0], &gv, 1e-4, "g");
    assert_close(&out[1], &sv, 1e-5, "s");
    assert_close(&out[2], &hv, 1e-5, "h");
}

#[test]
fn a_row_local_gemm_inside_the_region_is_rebuilt_whole() {
    // r = x·w - t becomes Gemm(t, -1 ...) (row-local), read by the row sums
    // xᵀ·r and sum(r²): only the reducing gemm loses its z/alpha/beta.
    let x = matrix("x", F64);
    let w = matrix("w", F64);
    let t = matrix("t", F64);
    let r = x.dot(&w) - &t;
    let f = compile(
        &[x.clone(), w.clone(), t.clone()],
        &[w.clone() - x.t().dot(&r) * 0.1, r.sqr().sum(Axis::All)],
        Mode::fast_run(),
    );
    let (n, d, k) = (37, 6, 5);
    let a = [
        Tensor::randn(F64, &[n, d], 11),
        Tensor::randn(F64, &[d, k], 12),
        Tensor::randn(F64, &[n, k], 13),
    ];
    let out = f.call(&a).unwrap();
    let (xv, wv, tv) = (a[0].to_f64_vec(), a[1].to_f64_vec(), a[2].to_f64_vec());
    let rv: Vec<f64> = (0..n * k)
        .map(|at| {
            let (i, j) = (at / k, at % k);
            (0..d).map(|l| xv[i * d + l] * wv[l * k + j]).sum::<f64>() - tv[at]
        })
        .collect();
    let new_w: Vec<f64> = (0..d * k)
        .map(|at| {
            let g: f64 = (0..n)
                .map(|i| xv[i * d + at / k] * rv[i * k + at % k])
                .sum();
            wv[at] - 0.1 * g
        })
        .collect();
    let loss: f64 = rv.iter().map(|v| v * v).sum();
    assert_close(&out[0], &new_w, 1e-12, "w - 0.1·xᵀr");
    assert_close(&out[1], &[loss], 1e-12, "sum(r²)");
}

#[test]
fn the_op_refuses_bad_placeholders_outputs_and_inputs() {
    let known = Var::input("x", TensorType::new(F64, vec![Some(4), None]));
    let out = known.exp();
    let err = RowBlocked::new(
        &[(known.clone(), crate::ops::control::RowInput::Split)],
        &[(out, crate::ops::control::RowOutput::Concat)],
    )
    .unwrap_err();
    assert!(err.to_string().contains("unknown axis 0"), "{err}");
    let x = matrix("x", F64);
    let sum_int = x.sum(0i64).cast(I32);
    let err = RowBlocked::new(
        &[(x.clone(), crate::ops::control::RowInput::Split)],
        &[(sum_int, crate::ops::control::RowOutput::Sum)],
    )
    .unwrap_err();
    assert!(err.to_string().contains("Sum"), "{err}");
    let op = RowBlocked::new(
        &[(x.clone(), crate::ops::control::RowInput::Split)],
        &[(x.sum(0i64), crate::ops::control::RowOutput::Sum)],
    )
    .unwrap();
    let err = op.try_call(&[vector("v", F64)]).unwrap_err();
    assert!(err.to_string().contains("input 0"), "{err}");
    let err = op.try_call(&[]).unwrap_err();
    assert!(err.to_string().contains("takes 1 inputs"), "{err}");
    // The op's reference on its own: a column sum.
    let a = Tensor::randn(F64, &[6, 3], 4).t(); // (3, 6), strided
    let y = op.try_call(&[matrix("a", F64)]).unwrap();
    assert_eq!(y[0].ty(), &TensorType::unknown(F64, 1));
    let kernel = RowBlockedKernel::new(op.clone(), Some(2));
    let got = kernel.run_blocks(&[a.clone()]).unwrap();
    let want: Vec<f64> = (0..6)
        .map(|j| (0..3).map(|i| a.get(&[i, j]).as_f64()).sum())
        .collect();
    assert_close(&got[0], &want, 1e-12, "column sum");
}
