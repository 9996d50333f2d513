//! Reduction fusion: a sum of an elementwise node read by nothing else
//! becomes one `ReduceOfElemwise` (run by `cpu.fused_sum_*`), with the same
//! results as the unfused graph; sums it must not touch stay as they are.

use super::{compile, ops};
use crate::ops::reduce::ReduceOfElemwise;
use crate::prelude::*;

fn fused_nodes(f: &Function) -> usize {
    crate::graph::toposort(f.optimized_outputs())
        .iter()
        .filter(|n| {
            n.op()
                .is_some_and(|op| op.as_any().is::<ReduceOfElemwise>())
        })
        .count()
}

/// Compiles with and without the pass; checks the structure and that the
/// outputs agree (and that they match `expect`, computed independently).
#[track_caller]
fn fires_and_agrees(inputs: &[Var], y: &Var, args: &[Tensor], expect: &[f64], rtol: f64) {
    let on = compile(inputs, &[y.clone()], Mode::fast_run());
    let off = compile(
        inputs,
        &[y.clone()],
        Mode::fast_run().excluding(["fused_reduce"]),
    );
    assert_eq!(
        on.compile_profile().hits("fused_reduce"),
        1,
        "{}",
        on.debugprint()
    );
    assert_eq!(fused_nodes(&on), 1, "{:?}", ops(&on));
    assert_eq!(fused_nodes(&off), 0);
    let kernels: Vec<String> = on
        .program()
        .kernel_names()
        .into_iter()
        .map(|(_, k)| k)
        .collect();
    assert!(
        kernels.iter().any(|k| k.starts_with("cpu.fused_sum")),
        "{kernels:?}"
    );
    let (a, b) = (&on.call(args).unwrap()[0], &off.call(args).unwrap()[0]);
    assert_eq!(a.shape(), b.shape());
    assert!(a.allclose(b, rtol, rtol), "{a:?} vs {b:?}");
    for (got, want) in a.to_f64_vec().iter().zip(expect) {
        assert!(
            (got - want).abs() <= rtol * (1.0 + want.abs()),
            "{got} vs {want}"
        );
    }
}

#[test]
fn sum_of_a_product_over_the_last_axis_fuses() {
    for dtype in [F32, F64] {
        let (x, y) = (matrix("x", dtype), matrix("y", dtype));
        let s = (&x * &y).sum(-1);
        let (a, b) = (
            Tensor::randn(dtype, &[37, 29], 1),
            Tensor::randn(dtype, &[37, 29], 2),
        );
        let (av, bv) = (a.to_f64_vec(), b.to_f64_vec());
        let expect: Vec<f64> = (0..37)
            .map(|i| (0..29).map(|j| av[i * 29 + j] * bv[i * 29 + j]).sum())
            .collect();
        let tol = if dtype == F32 { 1e-5 } else { 1e-12 };
        fires_and_agrees(&[x, y], &s, &[a, b], &expect, tol);
    }
}

#[test]
fn sum_of_shifted_exponentials_with_a_broadcast_column_fuses() {
    let x = matrix("x", F32);
    let m = x.max_keepdims(1);
    let s = (&x - &m).exp().sum(1);
    let a = Tensor::randn(F32, &[300, 5], 3).t(); // (5, 300), strided
    let av = a.to_f64_vec();
    let expect: Vec<f64> = (0..5)
        .map(|i| {
            let row = &av[i * 300..(i + 1) * 300];
            let mx = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            row.iter().map(|v| (v - mx).exp()).sum()
        })
        .collect();
    fires_and_agrees(&[x], &s, &[a], &expect, 1e-5);
}

#[test]
fn sums_over_leading_axes_and_all_axes_fuse() {
    let x = tensor3("x", F64);
    let s = (x.sqr() * 0.5).sum(vec![0i64, 1]);
    let a = Tensor::randn(F64, &[4, 6, 3], 4);
    let av = a.to_f64_vec();
    let expect: Vec<f64> = (0..3)
        .map(|k| {
            (0..24)
                .map(|ij| 0.5 * av[ij * 3 + k] * av[ij * 3 + k])
                .sum()
        })
        .collect();
    fires_and_agrees(&[x.clone()], &s, &[a.clone()], &expect, 1e-12);
    let all = x.exp().sum(Axis::All);
    let expect = [av.iter().map(|v| v.exp()).sum::<f64>()];
    fires_and_agrees(&[x], &all, &[a], &expect, 1e-12);
}

#[test]
fn shared_values_integer_sums_and_split_axes_are_left_alone() {
    let x = matrix("x", F32);
    let e = x.exp();
    // e is also an output: computing it inside the sum would do it twice.
    let f = compile(&[x.clone()], &[e.sum(1), e.clone()], Mode::fast_run());
    assert_eq!(fused_nodes(&f), 0, "{:?}", ops(&f));
    let i = matrix("i", I32);
    let f = compile(&[i.clone()], &[(&i * &i).sum(1)], Mode::fast_run());
    assert_eq!(fused_nodes(&f), 0, "{:?}", ops(&f));
    let t = tensor3("t", F64);
    let f = compile(
        &[t.clone()],
        &[t.exp().sum(vec![0i64, 2])],
        Mode::fast_run(),
    );
    assert_eq!(fused_nodes(&f), 0, "{:?}", ops(&f));
}
