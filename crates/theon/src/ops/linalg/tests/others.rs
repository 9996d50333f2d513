//! norm, kron, expm and trace against plain loops.

use super::*;
use crate::dtype::DType::*;
use crate::ops::linalg::*;

#[test]
fn vector_norms_match_loops_for_every_ord_and_axis() {
    let x = Tensor::randn(F64, &[3, 4], 1);
    for (ord, axis) in [
        (NormOrd::Default, -1i64),
        (NormOrd::p(1.0), 0),
        (NormOrd::p(3.0), 1),
        (NormOrd::p(0.0), 1),
        (NormOrd::Inf, -1),
        (NormOrd::NegInf, 0),
        (NormOrd::p(-1.5), 1),
    ] {
        let got = eval1(&x, |v| norm(v, ord, Some(&[axis]), false)).to_f64_vec();
        let a = ((axis + 2) % 2) as usize;
        let lanes = x.shape()[1 - a];
        assert_eq!(got.len(), lanes);
        for (l, &g) in got.iter().enumerate().take(lanes) {
            let lane: Vec<f64> = (0..x.shape()[a])
                .map(|i| {
                    if a == 0 {
                        x.get(&[i, l])
                    } else {
                        x.get(&[l, i])
                    }
                    .as_f64()
                })
                .collect();
            let want = match ord {
                NormOrd::Default => lane.iter().map(|v| v * v).sum::<f64>().sqrt(),
                NormOrd::Inf => lane.iter().fold(0.0, |m: f64, v| m.max(v.abs())),
                NormOrd::NegInf => lane.iter().fold(f64::INFINITY, |m: f64, v| m.min(v.abs())),
                NormOrd::P(p) if p.0 == 0.0 => lane.iter().filter(|v| **v != 0.0).count() as f64,
                NormOrd::P(p) => lane
                    .iter()
                    .map(|v| v.abs().powf(p.0))
                    .sum::<f64>()
                    .powf(1.0 / p.0),
                _ => unreachable!(),
            };
            assert!(
                (g - want).abs() < 1e-12 * want.max(1.0),
                "{ord:?} axis {axis}: {g} vs {want}"
            );
        }
    }
}

#[test]
fn matrix_norms_match_loops_and_singular_values() {
    let a = Tensor::randn(F64, &[3, 4], 2);
    let v = a.to_f64_vec();
    let col = |j: usize| (0..3).map(|i| v[i * 4 + j].abs()).sum::<f64>();
    let row = |i: usize| (0..4).map(|j| v[i * 4 + j].abs()).sum::<f64>();
    let cols: Vec<f64> = (0..4).map(col).collect();
    let rows: Vec<f64> = (0..3).map(row).collect();
    let s = eval1(&a, |x| svd(x, false, false).remove(0)).to_f64_vec();
    let max = |xs: &[f64]| xs.iter().cloned().fold(f64::MIN, f64::max);
    let min = |xs: &[f64]| xs.iter().cloned().fold(f64::MAX, f64::min);
    let cases = [
        (
            NormOrd::Default,
            v.iter().map(|x| x * x).sum::<f64>().sqrt(),
        ),
        (NormOrd::Fro, v.iter().map(|x| x * x).sum::<f64>().sqrt()),
        (NormOrd::Nuc, s.iter().sum()),
        (NormOrd::p(1.0), max(&cols)),
        (NormOrd::p(-1.0), min(&cols)),
        (NormOrd::p(2.0), s[0]),
        (NormOrd::p(-2.0), s[2]),
        (NormOrd::Inf, max(&rows)),
        (NormOrd::NegInf, min(&rows)),
    ];
    for (ord, want) in cases {
        let got = eval1(&a, |x| norm(x, ord, None, false)).item().as_f64();
        assert!(
            (got - want).abs() < 1e-12 * want,
            "{ord:?}: {got} vs {want}"
        );
    }
    let swapped = eval1(&a, |x| norm(x, NormOrd::p(1.0), Some(&[1, 0]), true));
    assert_eq!(swapped.shape(), &[1, 1]);
    assert!(
        (swapped.item().as_f64() - max(&rows)).abs() < 1e-12,
        "axis=(1, 0) swaps rows and columns"
    );
    let ints = Tensor::from_vec(vec![3i32, 4], &[2]).unwrap();
    let n = eval1(&ints, |x| norm(x, NormOrd::Default, None, false));
    assert_eq!((n.dtype(), n.item().as_f64()), (F64, 5.0));
    let t3 = Tensor::randn(F32, &[2, 3, 2], 4);
    let all = eval1(&t3, |x| norm(x, NormOrd::Default, None, false));
    let want = t3.to_f64_vec().iter().map(|x| x * x).sum::<f64>().sqrt();
    assert_eq!(all.dtype(), F32);
    assert!((all.item().as_f64() - want).abs() < 1e-5);
}

#[test]
fn invalid_norm_orders_and_axes_are_errors() {
    let m = crate::ops::constructors::matrix("m", F64);
    let v = crate::ops::constructors::vector("v", F64);
    let t = crate::ops::constructors::tensor3("t", F64);
    assert!(try_norm(&m, NormOrd::p(3.0), None, false)
        .unwrap_err()
        .to_string()
        .contains("invalid norm order"));
    assert!(try_norm(&v, NormOrd::Fro, None, false).is_err());
    assert!(try_norm(&t, NormOrd::Inf, None, false)
        .unwrap_err()
        .to_string()
        .contains("pass axis"));
    assert!(try_norm(&m, NormOrd::Default, Some(&[2]), false)
        .unwrap_err()
        .to_string()
        .contains("axis 2"));
}

#[test]
fn kron_matches_block_loops_for_mixed_ranks() {
    let a = Tensor::rand_int(I32, &[2, 3], -5, 5, 1);
    let b = Tensor::randn(F32, &[3], 2);
    let (x, y) = (input_for("a", &a), input_for("b", &b));
    let got = run(
        &[x.clone(), y.clone()],
        &[a.clone(), b.clone()],
        &[kron(&x, &y)],
    )
    .remove(0);
    assert_eq!((got.dtype(), got.shape()), (F64, &[2, 9][..]));
    for i in 0..2 {
        for j in 0..3 {
            for q in 0..3 {
                let want = a.get(&[i, j]).as_f64() * b.get(&[q]).as_f64();
                assert_eq!(got.get(&[i, j * 3 + q]).as_f64(), want);
            }
        }
    }
    let p = Tensor::randn(F64, &[2, 2], 3).t();
    let q = Tensor::randn(F64, &[3, 2], 4);
    let (x, y) = (input_for("p", &p), input_for("q", &q));
    let got = run(
        &[x.clone(), y.clone()],
        &[p.clone(), q.clone()],
        &[kron(&x, &y)],
    )
    .remove(0);
    assert_eq!(got.shape(), &[6, 4]);
    for f in 0..24 {
        let (r, c) = (f / 4, f % 4);
        let want = p.get(&[r / 3, c / 2]).as_f64() * q.get(&[r % 3, c % 2]).as_f64();
        assert_eq!(got.get(&[r, c]).as_f64(), want);
    }
}

/// `exp(A)` by its Taylor series with plain loops (for small `‖A‖`).
fn expm_taylor(a: &[f64], n: usize) -> Vec<f64> {
    let mut term = identity(n);
    let mut sum = identity(n);
    for k in 1..60 {
        term = matmul(&term, a, n, n, n)
            .iter()
            .map(|v| v / k as f64)
            .collect();
        sum = sum.iter().zip(&term).map(|(s, t)| s + t).collect();
    }
    sum
}

#[test]
fn expm_matches_the_taylor_series_and_inverts_with_minus_a() {
    for (scale, seed) in [(0.003, 1u64), (0.1, 2), (0.3, 3), (0.6, 4), (1.5, 5)] {
        let r = Tensor::randn(F64, &[4, 4], seed).to_f64_vec();
        let a = Tensor::from_vec(r.iter().map(|v| v * scale).collect(), &[4, 4]).unwrap();
        let got = eval1(&a, expm).to_f64_vec();
        assert_close(
            &got,
            &expm_taylor(&a.to_f64_vec(), 4),
            1e-12,
            &format!("scale {scale}"),
        );
    }
    let big = well_conditioned(F64, &[2], 3, 6);
    let neg = Tensor::from_f64s(
        F64,
        big.shape(),
        &big.to_f64_vec().iter().map(|v| -v).collect::<Vec<_>>(),
    )
    .unwrap();
    let (e, en) = (eval1(&big, expm), eval1(&neg, expm));
    for b in 0..2 {
        let prod = matmul(&mat(&e, b), &mat(&en, b), 3, 3, 3);
        assert_close(&prod, &identity(3), 1e-8, "expm(A)·expm(-A) = I");
    }
    let d = Tensor::from_vec(vec![1.0f32, 0.0, 0.0, -2.0], &[2, 2]).unwrap();
    let e = eval1(&d, expm);
    assert_eq!(e.dtype(), F32);
    assert_close(
        &e.to_f64_vec(),
        &[1f64.exp(), 0.0, 0.0, (-2f64).exp()],
        1e-6,
        "diagonal",
    );
}

#[test]
fn linalg_trace_is_the_diagonal_sum() {
    let a = Tensor::randn(F64, &[4, 4], 3);
    let want: f64 = (0..4).map(|i| a.get(&[i, i]).as_f64()).sum();
    assert!((eval1(&a, |x| trace(x, 0, 0, 1)).item().as_f64() - want).abs() < 1e-12);
}
