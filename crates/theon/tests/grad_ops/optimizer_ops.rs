//! The ops the optimizer introduces under gradient checks: `logsumexp`,
//! the fused softmax cross-entropy (labels and dense targets),
//! `gemm`/`gemv`/`ger`, and the inplace variants (`ElemwiseInplace`,
//! `IncSubtensorInplace`), whose rules delegate to their non-inplace ops.
//! Besides `verify_grad`/`verify_rop`, gradients are compared with plain
//! loops (tolerance 1e-12, float64) and with the non-inplace op's.

use super::{assert_close, check, grad1, randn, run, strided, uniform};
use theon::graph::Grad;
use theon::ops::elemwise::{
    BinaryOp, Composite, CompositeNode, Elemwise, ElemwiseInplace, ElemwiseKernel, ScalarOp,
    UnaryOp,
};
use theon::ops::indexing::{try_update_index, IncMode, IncSubtensor, IncSubtensorInplace};
use theon::ops::nnet::{softmax_crossentropy, try_softmax_crossentropy};
use theon::ops::products::{try_gemm, try_gemv, try_ger};
use theon::ops::reduce::{logsumexp, try_logsumexp};
use theon::prelude::*;

/// A random float64 scalar (rank 0).
fn scalar_point(seed: u64) -> Tensor {
    randn(&[], seed)
}

/// Plain-loop row softmax of a C-order `(n, k)` matrix.
fn row_softmax(values: &[f64], k: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(values.len());
    for row in values.chunks(k) {
        let m = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let total: f64 = row.iter().map(|v| (v - m).exp()).sum();
        out.extend(row.iter().map(|v| (v - m).exp() / total));
    }
    out
}

#[test]
fn logsumexp_gradients_on_all_axis_forms() {
    let points = [
        randn(&[3, 4], 1100),
        strided(&[3, 4], 1101),
        randn(&[1, 4], 1102),
    ];
    for p in &points {
        for keep in [false, true] {
            for axis in [vec![-1i64], vec![0], vec![0, 1]] {
                let what = format!("logsumexp {axis:?} keepdims={keep}");
                let fun = |v: &[Var]| try_logsumexp(&v[0], axis.clone(), keep);
                check(&what, fun, &[p.clone()]);
            }
            let all = |v: &[Var]| try_logsumexp(&v[0], Axis::All, keep);
            check("logsumexp all", all, &[p.clone()]);
        }
    }
    let p3 = strided(&[2, 3, 4], 1103);
    let fun = |v: &[Var]| try_logsumexp(&v[0], vec![0i64, 2], false);
    check("3-d axes (0, 2)", fun, &[p3.clone()]);
    check(
        "3-d axis -2 keepdims",
        |v| try_logsumexp(&v[0], -2i64, true),
        &[p3],
    );
    check(
        "zero rows",
        |v| try_logsumexp(&v[0], 1i64, false),
        &[randn(&[0, 3], 1104)],
    );
}

#[test]
fn logsumexp_gradient_is_the_softmax_even_for_huge_logits() {
    let x = matrix("x", F64);
    let w = vector("w", F64);
    let cost = (logsumexp(&x, 1i64, false) * &w).sum(Axis::All);
    let g = grad1(&cost, &x);
    let mut values = randn(&[3, 4], 1105).to_f64_vec();
    values[..4].copy_from_slice(&[1000.0, 1000.0, -1000.0, 999.0]);
    let xv = Tensor::from_vec(values.clone(), &[3, 4]).unwrap();
    let wv = uniform(&[3], 0.5, 1.5, 1106);
    let out = run(&[x, w], &[g], &[xv, wv.clone()]);
    let weights = wv.to_f64_vec();
    let want: Vec<f64> = row_softmax(&values, 4)
        .iter()
        .enumerate()
        .map(|(i, p)| weights[i / 4] * p)
        .collect();
    assert!(out[0].iter().all(|v| v.is_finite()), "{:?}", out[0]);
    assert_close("w_i softmax(x_i)", &out[0], &want, 1e-12);
}

#[test]
fn second_derivatives_of_logsumexp() {
    let w = constant(randn(&[4], 1107));
    let fun = |v: &[Var]| {
        let cost = (logsumexp(&v[0], 0i64, false) * &w).sum(Axis::All).sin();
        Ok(grad1(&cost, &v[0]))
    };
    check("d2 logsumexp", fun, &[strided(&[3, 4], 1108)]);
}

#[test]
fn softmax_crossentropy_gradients_for_labels_and_dense_targets() {
    let labels = constant(Tensor::from_vec(vec![2i64, 0, 3], &[3]).unwrap());
    let labels32 = constant(Tensor::from_vec(vec![1i32, 1, 0], &[3]).unwrap());
    for (k, p) in [randn(&[3, 4], 1110), strided(&[3, 4], 1111)]
        .iter()
        .enumerate()
    {
        let fun = |v: &[Var]| try_softmax_crossentropy(&v[0], &labels);
        check("labels", fun, &[p.clone()]);
        let fun = |v: &[Var]| try_softmax_crossentropy(&v[0], &labels32);
        check("int32 labels", fun, &[p.clone()]);
        let targets = uniform(&[3, 4], 0.0, 1.0, 1112 + k as u64);
        let fun = |v: &[Var]| try_softmax_crossentropy(&v[0], &v[1]);
        check("dense", fun, &[p.clone(), targets]);
    }
    let no_labels = constant(Tensor::zeros(I64, &[0]));
    let fun = |v: &[Var]| try_softmax_crossentropy(&v[0], &no_labels);
    check("zero rows", fun, &[randn(&[0, 4], 1114)]);
}

#[test]
fn softmax_crossentropy_gradients_match_loops() {
    let (x, y, t, w) = (
        matrix("x", F64),
        vector("y", I64),
        matrix("t", F64),
        vector("w", F64),
    );
    let mut values = randn(&[3, 4], 1115).to_f64_vec();
    values[..4].copy_from_slice(&[1000.0, -1000.0, 999.0, 0.0]);
    let xv = Tensor::from_vec(values.clone(), &[3, 4]).unwrap();
    let yv = Tensor::from_vec(vec![1i64, 3, 0], &[3]).unwrap();
    let tv = uniform(&[3, 4], 0.0, 1.0, 1116);
    let wv = uniform(&[3], 0.5, 1.5, 1117);
    let (weights, targets) = (wv.to_f64_vec(), tv.to_f64_vec());
    let p = row_softmax(&values, 4);
    let log_p = |j: usize| {
        let row = &values[j / 4 * 4..j / 4 * 4 + 4];
        let m = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        values[j] - m - row.iter().map(|v| (v - m).exp()).sum::<f64>().ln()
    };
    // Labels: w_i (p_ij - [j == y_i]).
    let cost = (softmax_crossentropy(&x, &y) * &w).sum(Axis::All);
    let out = run(
        &[x.clone(), y.clone(), w.clone()],
        &[grad1(&cost, &x)],
        &[xv.clone(), yv.clone(), wv.clone()],
    );
    let labels = yv.to_vec::<i64>();
    let want: Vec<f64> = (0..12)
        .map(|j| weights[j / 4] * (p[j] - f64::from(labels[j / 4] == (j % 4) as i64)))
        .collect();
    assert_close("labels gx", &out[0], &want, 1e-12);
    // Dense: gx = w_i (p_ij Σ_k t_ik - t_ij), gt = -w_i log p_ij.
    let cost = (softmax_crossentropy(&x, &t) * &w).sum(Axis::All);
    let grads = [grad1(&cost, &x), grad1(&cost, &t)];
    let out = run(&[x, t, w], &grads, &[xv, tv, wv]);
    let row_total = |i: usize| targets[i * 4..i * 4 + 4].iter().sum::<f64>();
    let want_x: Vec<f64> = (0..12)
        .map(|j| weights[j / 4] * (p[j] * row_total(j / 4) - targets[j]))
        .collect();
    let want_t: Vec<f64> = (0..12).map(|j| -weights[j / 4] * log_p(j)).collect();
    assert_close("dense gx", &out[0], &want_x, 1e-12);
    assert_close("dense gt", &out[1], &want_t, 1e-12);
}

#[test]
fn softmax_crossentropy_labels_are_disconnected_and_second_derivatives_hold() {
    let out = softmax_crossentropy(&matrix("x", F64), &vector("y", I64));
    let op = out.op().unwrap();
    let grads = op
        .pullback(out.inputs(), &[out.clone()], &[vector("g", F64)])
        .unwrap();
    assert!(matches!(grads[0], Grad::Value(_)), "{grads:?}");
    assert!(matches!(grads[1], Grad::Disconnected), "{grads:?}");
    let labels = constant(Tensor::from_vec(vec![3i64, 0, 2], &[3]).unwrap());
    let fun = |v: &[Var]| {
        let cost = softmax_crossentropy(&v[0], &labels).sum(Axis::All).sin();
        Ok(grad1(&cost, &v[0]))
    };
    check("d2 labels", fun, &[randn(&[3, 4], 1118)]);
    let fun = |v: &[Var]| {
        let cost = softmax_crossentropy(&v[0], &v[1]).sum(Axis::All).sin();
        Ok(grad1(&cost, &v[0]) + grad1(&cost, &v[1]))
    };
    let targets = uniform(&[3, 4], 0.0, 1.0, 1119);
    check("d2 dense", fun, &[strided(&[3, 4], 1120), targets]);
}

#[test]
fn gemm_gemv_and_ger_gradients() {
    let gemm = |v: &[Var]| try_gemm(&v[0], &v[1], &v[2], &v[3], &v[4]);
    for (k, seed) in [(5usize, 1130u64), (1, 1140), (0, 1150)] {
        let points = [
            randn(&[3, 4], seed),
            scalar_point(seed + 1),
            strided(&[3, k], seed + 2),
            randn(&[k, 4], seed + 3),
            scalar_point(seed + 4),
        ];
        check(&format!("gemm inner {k}"), gemm, &points);
    }
    let gemv = |v: &[Var]| try_gemv(&v[0], &v[1], &v[2], &v[3], &v[4]);
    let points = [
        randn(&[3], 1160),
        scalar_point(1161),
        strided(&[3, 5], 1162),
        randn(&[5], 1163),
        scalar_point(1164),
    ];
    check("gemv", gemv, &points);
    let ger = |v: &[Var]| try_ger(&v[0], &v[1], &v[2], &v[3]);
    let points = [
        strided(&[3, 4], 1170),
        scalar_point(1171),
        randn(&[3], 1172),
        randn(&[4], 1173),
    ];
    check("ger", ger, &points);
    let points = [
        randn(&[0, 4], 1174),
        scalar_point(1175),
        randn(&[0], 1176),
        randn(&[4], 1177),
    ];
    check("ger zero rows", ger, &points);
}

#[test]
fn gemm_gradients_match_loops() {
    let (z, alpha, x, y, beta) = (
        matrix("z", F64),
        scalar("alpha", F64),
        matrix("x", F64),
        matrix("y", F64),
        scalar("beta", F64),
    );
    let w = matrix("w", F64);
    let out = try_gemm(&z, &alpha, &x, &y, &beta).unwrap();
    let cost = (out * &w).sum(Axis::All);
    let wrt = [z.clone(), alpha.clone(), x.clone(), y.clone(), beta.clone()];
    let grads: Vec<Var> = wrt.iter().map(|v| grad1(&cost, v)).collect();
    let (m, k, n) = (3, 5, 4);
    let args = [
        randn(&[m, n], 1180),
        scalar_point(1181),
        strided(&[m, k], 1182),
        randn(&[k, n], 1183),
        scalar_point(1184),
        randn(&[m, n], 1185),
    ];
    let mut inputs = wrt.to_vec();
    inputs.push(w);
    let got = run(&inputs, &grads, &args);
    let [zv, av, xv, yv, bv, wv] = args.map(|a| a.to_f64_vec());
    let (a, b) = (av[0], bv[0]);
    let xy = |i: usize, j: usize| (0..k).map(|l| xv[i * k + l] * yv[l * n + j]).sum::<f64>();
    let gz: Vec<f64> = wv.iter().map(|w| b * w).collect();
    let galpha: f64 = (0..m * n).map(|e| wv[e] * xy(e / n, e % n)).sum();
    let gx: Vec<f64> = (0..m * k)
        .map(|e| {
            a * (0..n)
                .map(|j| wv[e / k * n + j] * yv[e % k * n + j])
                .sum::<f64>()
        })
        .collect();
    let gy: Vec<f64> = (0..k * n)
        .map(|e| {
            a * (0..m)
                .map(|i| xv[i * k + e / n] * wv[i * n + e % n])
                .sum::<f64>()
        })
        .collect();
    let gbeta: f64 = wv.iter().zip(&zv).map(|(w, z)| w * z).sum();
    assert_close("gz", &got[0], &gz, 1e-12);
    assert_close("galpha", &got[1], &[galpha], 1e-12);
    assert_close("gx", &got[2], &gx, 1e-12);
    assert_close("gy", &got[3], &gy, 1e-12);
    assert_close("gbeta", &got[4], &[gbeta], 1e-12);
}

#[test]
fn second_derivatives_of_gemm_gemv_and_ger() {
    let (alpha, beta) = (constant(scalar_point(1190)), constant(scalar_point(1191)));
    let fun = |v: &[Var]| {
        let out = try_gemm(&v[0], &alpha, &v[1], &v[2], &beta)?;
        let cost = out.sum(Axis::All).sin();
        Ok(grad1(&cost, &v[1]).sum(Axis::All) + grad1(&cost, &v[0]).sum(Axis::All))
    };
    let points = [
        randn(&[2, 3], 1192),
        randn(&[2, 4], 1193),
        strided(&[4, 3], 1194),
    ];
    check("d2 gemm", fun, &points);
    let fun = |v: &[Var]| {
        let cost = try_gemv(&v[0], &alpha, &v[1], &v[2], &beta)?
            .sum(Axis::All)
            .sin();
        Ok(grad1(&cost, &v[1]))
    };
    let points = [randn(&[2], 1195), randn(&[2, 3], 1196), randn(&[3], 1197)];
    check("d2 gemv", fun, &points);
    let fun = |v: &[Var]| {
        let cost = try_ger(&v[0], &alpha, &v[1], &v[2])?.sum(Axis::All).sin();
        Ok(grad1(&cost, &v[2]))
    };
    let points = [randn(&[2, 3], 1198), randn(&[2], 1199), randn(&[3], 1200)];
    check("d2 ger", fun, &points);
}

/// `v`'s node rebuilt with the inplace variant of its op, overwriting
/// input `destroy` (as the optimizer's inplace pass would).
fn inplace_of(v: theon::Result<Var>, destroy: usize) -> theon::Result<Var> {
    let v = v?;
    let inputs = v.inputs();
    if let Some(e) = v.op_as::<Elemwise>() {
        let kernel = ElemwiseKernel::Scalar(e.op);
        return Var::apply1(ElemwiseInplace { kernel, destroy }, inputs);
    }
    if let Some(c) = v.op_as::<Composite>() {
        let kernel = ElemwiseKernel::Fused(c.clone());
        return Var::apply1(ElemwiseInplace { kernel, destroy }, inputs);
    }
    let inner = v
        .op_as::<IncSubtensor>()
        .expect("an op with an inplace variant");
    assert_eq!(destroy, 0, "set/inc_subtensor overwrites x only");
    Var::apply1(
        IncSubtensorInplace {
            inner: inner.clone(),
        },
        inputs,
    )
}

/// `sin(a) * b` as one fused composite.
fn sin_times(a: &Var, b: &Var) -> theon::Result<Var> {
    let body = vec![
        CompositeNode {
            op: ScalarOp::Unary(UnaryOp::Sin),
            args: vec![0],
            dtype: F64,
        },
        CompositeNode {
            op: ScalarOp::Binary(BinaryOp::Mul),
            args: vec![2, 1],
            dtype: F64,
        },
    ];
    let op = Composite::new(vec![F64, F64], body, vec![3])?;
    Var::apply1(op, &[a.clone(), b.clone()])
}

#[test]
fn elemwise_inplace_gradients_are_the_elemwise_ones() {
    let p = strided(&[3, 4], 1210);
    let q = randn(&[3, 4], 1211);
    let r = randn(&[1, 4], 1212);
    let sin = |v: &[Var]| inplace_of(Ok(v[0].sin()), 0);
    check("sin inplace", sin, &[p.clone()]);
    // The destroyed intermediate `2x` is read again by the gradient.
    let sin_mid = |v: &[Var]| inplace_of(Ok((&v[0] * 2.0).sin()), 0);
    check("sin of an intermediate inplace", sin_mid, &[p.clone()]);
    let mul = |v: &[Var]| inplace_of(Ok(&v[0] * &v[1]), 0);
    check("mul inplace, broadcast", mul, &[q.clone(), r.clone()]);
    let mul1 = |v: &[Var]| inplace_of(Ok(&v[1] * &v[0]), 1);
    check("mul inplace into input 1", mul1, &[q.clone(), r]);
    let fused = |v: &[Var]| inplace_of(sin_times(&v[0], &v[1]), 0);
    check("fused inplace", fused, &[p.clone(), q.clone()]);
    // The inplace op's gradient graph gives the same values as the op's.
    let (x, y) = (matrix("x", F64), matrix("y", F64));
    let plain = sin_times(&(&x * 2.0), &y).unwrap();
    let inplace = inplace_of(sin_times(&(&x * 2.0), &y), 0).unwrap();
    let both: Vec<Var> = [plain, inplace]
        .iter()
        .map(|o| grad1(&(o * &y).sum(Axis::All), &x))
        .collect();
    let f = Function::builder(&[x, y], &both)
        .accept_inplace(true)
        .build()
        .unwrap();
    let out = f.call(&[p, q]).unwrap();
    assert!(out[0].allclose(&out[1], 1e-12, 1e-12), "{out:?}");
}

#[test]
fn inc_subtensor_inplace_gradients_are_the_inc_subtensor_ones() {
    let p = strided(&[4, 3], 1220);
    for mode in [IncMode::Set, IncMode::Inc] {
        let update = |v: &[Var]| {
            let x = &v[0] * 1.5;
            inplace_of(try_update_index(&x, &s![1..3], &v[1], mode), 0)
        };
        check(
            &format!("{mode:?} rows inplace"),
            update,
            &[p.clone(), randn(&[2, 3], 1221)],
        );
        let broadcast = |v: &[Var]| inplace_of(try_update_index(&v[0], &s![.., 1], &v[1], mode), 0);
        check(
            &format!("{mode:?} column inplace, broadcast value"),
            broadcast,
            &[p.clone(), randn(&[1], 1222)],
        );
    }
}
