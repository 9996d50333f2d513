//! Products under gradient checks: `dot` for every rank combination,
//! `matmul` with 1-D operands and broadcast batch dims, `outer`,
//! `tensordot`, `batched_dot`, `batched_tensordot` and `einsum` (diagonals,
//! traces, sums, ellipsis broadcasting, three operands); second
//! derivatives of `matmul`.

use super::{check, grad1, randn, strided};
use theon::ops::products::{
    try_batched_dot, try_batched_tensordot, try_dot, try_einsum, try_matmul, try_outer,
    try_tensordot,
};
use theon::prelude::*;

/// A shape of rank `r` for one side of a dot, whose summed axis has size 3.
fn dot_shape(rank: usize, left: bool) -> Vec<usize> {
    match (rank, left) {
        (0, _) => vec![],
        (1, _) => vec![3],
        (2, true) => vec![2, 3],
        (2, false) => vec![3, 4],
        (_, true) => vec![2, 2, 3],
        (_, false) => vec![2, 3, 4],
    }
}

#[test]
fn dot_gradients_for_every_rank_combination() {
    for na in 0..=3 {
        for nb in 0..=3 {
            let (sa, sb) = (dot_shape(na, true), dot_shape(nb, false));
            let seed = 300 + (na * 4 + nb) as u64;
            let what = format!("dot rank {na} x {nb}");
            check(
                &what,
                |v| try_dot(&v[0], &v[1]),
                &[randn(&sa, seed), randn(&sb, seed + 50)],
            );
            check(
                &what,
                |v| try_dot(&v[0], &v[1]),
                &[strided(&sa, seed + 100), strided(&sb, seed + 150)],
            );
        }
    }
}

#[test]
fn matmul_gradients_with_vectors_and_broadcast_batches() {
    let cases: [(&[usize], &[usize]); 8] = [
        (&[2, 3], &[3, 4]),
        (&[3], &[3, 4]),
        (&[2, 3], &[3]),
        (&[3], &[3]),
        (&[5, 2, 3], &[3, 4]),
        (&[1, 2, 3], &[4, 3, 2]),
        (&[2, 1, 2, 3], &[5, 3, 2]),
        (&[3], &[2, 3, 4]),
    ];
    for (k, (sa, sb)) in cases.iter().enumerate() {
        let seed = 400 + k as u64 * 3;
        let what = format!("matmul {sa:?} @ {sb:?}");
        check(
            &what,
            |v| try_matmul(&v[0], &v[1]),
            &[randn(sa, seed), randn(sb, seed + 1)],
        );
        check(
            &what,
            |v| try_matmul(&v[0], &v[1]),
            &[strided(sa, seed + 2), randn(sb, seed)],
        );
    }
}

#[test]
fn outer_and_tensordot_gradients() {
    check(
        "outer",
        |v| try_outer(&v[0], &v[1]),
        &[strided(&[2, 3], 450), randn(&[4], 451)],
    );
    check(
        "outer scalar",
        |v| try_outer(&v[0], &v[1]),
        &[randn(&[], 452), randn(&[3], 453)],
    );
    check(
        "tensordot 2",
        |v| try_tensordot(&v[0], &v[1], 2i64),
        &[randn(&[2, 3, 4], 454), strided(&[3, 4, 5], 455)],
    );
    check(
        "tensordot pairs",
        |v| try_tensordot(&v[0], &v[1], ([0i64, 2], [2i64, 0])),
        &[randn(&[3, 2, 4], 456), randn(&[4, 5, 3], 457)],
    );
    check(
        "tensordot 0",
        |v| try_tensordot(&v[0], &v[1], 0i64),
        &[randn(&[2], 458), randn(&[3], 459)],
    );
}

#[test]
fn batched_products_gradients() {
    let cases: [(&[usize], &[usize]); 4] = [
        (&[2, 3, 4], &[2, 4, 5]),
        (&[2, 3], &[2, 3]),
        (&[2, 3, 4], &[2, 4]),
        (&[2, 4], &[2, 4, 3]),
    ];
    for (k, (sa, sb)) in cases.iter().enumerate() {
        let seed = 500 + k as u64 * 2;
        check(
            "batched_dot",
            |v| try_batched_dot(&v[0], &v[1]),
            &[randn(sa, seed), strided(sb, seed + 1)],
        );
    }
    check(
        "batched_tensordot",
        |v| try_batched_tensordot(&v[0], &v[1], ([1i64, 3], [2i64, 1])),
        &[randn(&[2, 3, 5, 4], 510), randn(&[2, 4, 3, 2], 511)],
    );
}

#[test]
fn einsum_gradients() {
    let cases: [(&str, &[&[usize]]); 11] = [
        ("ij,jk->ik", &[&[2, 3], &[3, 4]]),
        ("ii->i", &[&[3, 3]]),
        ("ii", &[&[3, 3]]),
        ("iij->ji", &[&[2, 2, 3]]),
        ("ij->", &[&[2, 3]]),
        ("ij->j", &[&[2, 3]]),
        ("i,i", &[&[4], &[4]]),
        ("ijk,ikl->ijl", &[&[2, 3, 4], &[2, 4, 5]]),
        ("ij,jk,kl->il", &[&[2, 3], &[3, 4], &[4, 2]]),
        ("...ij,...jk->...ik", &[&[1, 2, 3], &[4, 3, 2]]),
        ("ij,kj->ikj", &[&[1, 3], &[2, 1]]),
    ];
    for (k, (subscripts, shapes)) in cases.iter().enumerate() {
        let points: Vec<Tensor> = shapes
            .iter()
            .enumerate()
            .map(|(i, s)| strided(s, 600 + 10 * k as u64 + i as u64))
            .collect();
        let fun = |v: &[Var]| {
            let refs: Vec<&Var> = v.iter().collect();
            try_einsum(subscripts, &refs)
        };
        check(subscripts, fun, &points);
    }
}

#[test]
fn second_derivatives_of_matmul() {
    // d/d(a, b) of d/da Σ sin(a @ b): products in the gradient of a gradient.
    let fun = |v: &[Var]| Ok(grad1(&matmul(&v[0], &v[1]).sin().sum(Axis::All), &v[0]));
    check(
        "d2 matmul",
        fun,
        &[randn(&[2, 3], 700), strided(&[3, 4], 701)],
    );
    let fun = |v: &[Var]| Ok(grad1(&matmul(&v[0], &v[1]).tanh().sum(Axis::All), &v[1]));
    check(
        "d2 batched matmul",
        fun,
        &[randn(&[1, 2, 3], 702), randn(&[3, 3, 2], 703)],
    );
}

#[test]
fn rop_of_a_broadcast_matmul_accepts_loosely_typed_eval_points() {
    let a = tensor("a", F64, &[Some(1), None, None]);
    let b = tensor3("b", F64);
    let (ta, tb) = (tensor3("ta", F64), tensor3("tb", F64));
    let jvp = rop(
        &[matmul(&a, &b)],
        &[a.clone(), b.clone()],
        &[ta.clone(), tb.clone()],
    )
    .unwrap()
    .remove(0);
    let values = [
        randn(&[1, 2, 3], 710),
        randn(&[4, 3, 2], 711),
        randn(&[1, 2, 3], 712),
        randn(&[4, 3, 2], 713),
    ];
    let got = super::run(&[a.clone(), b.clone(), ta, tb.clone()], &[jvp], &values);
    // The same product rule with the eval point declared like `a`.
    let ta_like_a = tensor("ta", F64, &[Some(1), None, None]);
    let both = [matmul(&ta_like_a, &b) + matmul(&a, &tb)];
    let want = super::run(&[a, b, ta_like_a, tb], &both, &values);
    super::assert_close("jvp", &got[0], &want[0], 1e-14);
}
