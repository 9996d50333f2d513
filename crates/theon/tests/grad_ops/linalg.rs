//! The linear-algebra ops under gradient checks, in float64 on random,
//! well-conditioned inputs: nonsingular matrices for inverses and solves,
//! symmetric positive-definite ones (with noise in the triangle the op does
//! not read) for cholesky and eigh, distinct singular values and real,
//! distinct eigenvalues for svd and eig. Eigenvectors and singular vectors
//! are only defined up to sign, so the checks fix each column's sign by
//! its first entry (`sign` has a zero derivative). Batches, non-contiguous
//! points, second derivatives, and the factors that are not unique (whose
//! gradients are undefined) are covered too.

use super::{assert_close, check, grad1, randn, run};
use theon::ops::extra::{triu, try_trace};
use theon::ops::indexing::IndexItem;
use theon::ops::linalg::{
    cholesky, det, eig, eigh, eigvalsh, expm, kron, lstsq, matrix_inverse, matrix_power, pinv, qr,
    slogdet, solve, solve_triangular, svd, try_norm, try_solve, NormOrd, QrMode, Structure,
};
use theon::prelude::*;

/// `n x n` matrices (with leading `batch` dims) from `f(b, i, j)`.
fn matrices(batch: &[usize], n: usize, f: impl Fn(usize, usize, usize) -> f64) -> Tensor {
    let count: usize = batch.iter().product();
    let values: Vec<f64> = (0..count)
        .flat_map(|b| (0..n * n).map(move |k| (b, k / n, k % n)))
        .map(|(b, i, j)| f(b, i, j))
        .collect();
    let mut shape = batch.to_vec();
    shape.extend([n, n]);
    Tensor::from_vec(values, &shape).unwrap()
}

/// Random matrices plus `n·I`: nonsingular, and so is either triangle.
fn nonsingular(batch: &[usize], n: usize, seed: u64) -> Tensor {
    let count: usize = batch.iter().product();
    let r = randn(&[count * n * n], seed).to_vec::<f64>();
    matrices(batch, n, |b, i, j| {
        r[b * n * n + i * n + j] + if i == j { n as f64 } else { 0.0 }
    })
}

/// `M·Mᵀ / n + I` (symmetric positive definite, eigenvalues distinct with
/// probability 1) plus noise above the diagonal, which ops reading the
/// lower triangle must ignore.
fn spd_lower(batch: &[usize], n: usize, seed: u64) -> Tensor {
    let count: usize = batch.iter().product();
    let r = randn(&[count * n * n], seed).to_vec::<f64>();
    let noise = randn(&[count * n * n], seed + 1).to_vec::<f64>();
    matrices(batch, n, |b, i, j| {
        let m = |p: usize, q: usize| r[b * n * n + p * n + q];
        let s: f64 = (0..n).map(|k| m(i, k) * m(j, k)).sum::<f64>() / n as f64;
        let above = if j > i {
            noise[b * n * n + i * n + j]
        } else {
            0.0
        };
        s + if i == j { 1.0 } else { 0.0 } + above
    })
}

/// The transpose of [`spd_lower`]: noise below the diagonal.
fn spd_upper(batch: &[usize], n: usize, seed: u64) -> Tensor {
    let t = spd_lower(batch, n, seed);
    let nd = t.ndim();
    let mut perm: Vec<usize> = (0..nd).collect();
    perm.swap(nd - 2, nd - 1);
    t.permute(&perm).unwrap().to_contiguous_copy()
}

/// `diag(1, 2.5, 4, ...)` plus small noise: real, well separated eigenvalues.
fn real_spectrum(n: usize, seed: u64) -> Tensor {
    let r = randn(&[n * n], seed).to_vec::<f64>();
    matrices(&[], n, |_, i, j| {
        0.05 * r[i * n + j] + if i == j { 1.0 + 1.5 * i as f64 } else { 0.0 }
    })
}

/// `c · t`.
fn scaled(t: Tensor, c: f64) -> Tensor {
    let values: Vec<f64> = t.to_vec::<f64>().iter().map(|x| c * x).collect();
    Tensor::from_vec(values, t.shape()).unwrap()
}

/// Swaps the last two axes.
fn mt(x: &Var) -> Var {
    let nd = x.ndim();
    let mut pattern: Vec<Option<usize>> = (0..nd).map(Some).collect();
    pattern.swap(nd - 2, nd - 1);
    x.dimshuffle(&pattern)
}

/// The sign of each column's first entry, as a row `(..., 1, k)`.
fn column_signs(v: &Var) -> Var {
    v.at(&[
        IndexItem::Ellipsis,
        IndexItem::from(0i64),
        IndexItem::full(),
    ])
    .sign()
    .expand_dims(-2)
}

/// `v` with each column's sign fixed by its first entry.
fn gauge_fixed(v: &Var) -> Var {
    v * column_signs(v)
}

#[test]
fn inverse_det_and_slogdet_gradients() {
    for p in [
        nonsingular(&[], 3, 400),
        nonsingular(&[2], 3, 401),
        nonsingular(&[], 4, 402).t(),
    ] {
        check(
            "matrix_inverse",
            |v| Ok(matrix_inverse(&v[0])),
            &[p.clone()],
        );
        check("det", |v| Ok(det(&v[0])), &[p.clone()]);
        check("slogdet", |v| Ok(slogdet(&v[0]).1), &[p]);
    }
    // The sign is piecewise constant: no gradient through it.
    let a = matrix("a", F64);
    let (sign, log) = slogdet(&a);
    let g = grad1(&(sign * 5.0 + log), &a);
    let inv_t = mt(&matrix_inverse(&a));
    let out = run(&[a], &[g, inv_t], &[nonsingular(&[], 3, 403)]);
    assert_close("d slogdet", &out[0], &out[1], 1e-12);
}

#[test]
fn matrix_power_gradients() {
    for n in [-2i64, -1, 0, 1, 3] {
        let fun = |v: &[Var]| Ok(matrix_power(&v[0], n));
        check(
            &format!("matrix_power n={n}"),
            fun,
            &[nonsingular(&[2], 3, 410)],
        );
    }
    let fun = |v: &[Var]| Ok(matrix_power(&v[0], 4));
    check(
        "matrix_power n=4",
        fun,
        &[scaled(randn(&[3, 3], 411), 0.5).t()],
    );
}

#[test]
fn pinv_gradients_for_tall_wide_and_batched() {
    for shape in [[4usize, 3], [3, 5]] {
        check(
            &format!("pinv {shape:?}"),
            |v| Ok(pinv(&v[0], 1e-15)),
            &[randn(&shape, 420)],
        );
    }
    check(
        "pinv batched",
        |v| Ok(pinv(&v[0], 1e-15)),
        &[randn(&[2, 4, 3], 421)],
    );
}

#[test]
fn solve_gradients_for_every_structure() {
    let general = nonsingular(&[], 4, 430);
    check(
        "solve matrix",
        |v| Ok(solve(&v[0], &v[1])),
        &[general.clone(), randn(&[4, 2], 431)],
    );
    check(
        "solve vector",
        |v| Ok(solve(&v[0], &v[1])),
        &[general.t(), randn(&[4], 432)],
    );
    check(
        "solve batched",
        |v| Ok(solve(&v[0], &v[1])),
        &[nonsingular(&[2], 3, 433), randn(&[2, 3, 2], 434)],
    );
    for lower in [true, false] {
        let spd = match lower {
            true => spd_lower(&[], 4, 435),
            false => spd_upper(&[], 4, 435),
        };
        for structure in [Structure::Symmetric, Structure::PositiveDefinite] {
            let fun = |v: &[Var]| try_solve(&v[0], &v[1], structure, lower);
            let what = format!("solve {structure:?} lower={lower}");
            check(&what, fun, &[spd.clone(), randn(&[4, 3], 436)]);
        }
        let fun = |v: &[Var]| Ok(solve_triangular(&v[0], &v[1], lower));
        check(
            &format!("solve_triangular lower={lower}"),
            fun,
            &[nonsingular(&[], 4, 437), randn(&[4], 438)],
        );
    }
}

#[test]
fn lstsq_gradients_of_solution_residuals_and_singular_values() {
    for (a_shape, b_shape) in [
        ([5usize, 3usize], vec![5usize]),
        ([5, 3], vec![5, 2]),
        ([3, 5], vec![3, 2]),
    ] {
        let points = [randn(&a_shape, 440), randn(&b_shape, 441)];
        let what = format!("lstsq {a_shape:?} {b_shape:?}");
        for out in [0usize, 3] {
            let fun = |v: &[Var]| Ok(lstsq(&v[0], &v[1], None).remove(out));
            check(&format!("{what} output {out}"), fun, &points);
        }
        if a_shape[0] > a_shape[1] {
            let fun = |v: &[Var]| Ok(lstsq(&v[0], &v[1], None).remove(1));
            check(&format!("{what} residuals"), fun, &points);
        }
    }
}

#[test]
fn cholesky_gradients_read_one_triangle() {
    for p in [spd_lower(&[], 4, 450), spd_lower(&[2], 3, 451)] {
        for lower in [true, false] {
            check(
                &format!("cholesky lower={lower}"),
                |v| Ok(cholesky(&v[0], lower)),
                &[p.clone()],
            );
        }
    }
    let w = constant(randn(&[3, 3], 452));
    let second = |v: &[Var]| {
        let cost = (cholesky(&v[0], true) * &w).sum(Axis::All).sin();
        Ok(grad1(&cost, &v[0]))
    };
    check("d2 cholesky", second, &[spd_lower(&[], 3, 453)]);
}

#[test]
fn qr_gradients_for_tall_square_and_wide() {
    for shape in [vec![5usize, 3], vec![3, 3], vec![3, 5], vec![2, 4, 3]] {
        let p = randn(&shape, 460);
        for out in [0usize, 1] {
            let fun = |v: &[Var]| Ok(qr(&v[0], QrMode::Reduced).remove(out));
            check(&format!("qr {shape:?} output {out}"), fun, &[p.clone()]);
        }
        let fun = |v: &[Var]| Ok(qr(&v[0], QrMode::R).remove(0));
        check(&format!("qr r {shape:?}"), fun, &[p]);
    }
    // A complete Q is unique for a wide matrix of known shape.
    for out in [0usize, 1] {
        let fun = |v: &[Var]| {
            let a = v[0].specify_shape(&[Some(3), Some(4)]);
            Ok(qr(&a, QrMode::Complete).remove(out))
        };
        check(
            &format!("qr complete wide output {out}"),
            fun,
            &[randn(&[3, 4], 461)],
        );
    }
}

#[test]
fn complete_qr_of_a_tall_matrix_has_no_gradient_through_q() {
    let options = theon::grad::VerifyGradOptions::default();
    let r_only = |v: &[Var]| Ok(qr(&v[0], QrMode::Complete).remove(1));
    theon::grad::verify_grad(r_only, &[randn(&[5, 3], 462)], &options).unwrap();
    let a = matrix("a", F64);
    let q = qr(&a, QrMode::Complete).remove(0);
    let err = grad(&q.sum(Axis::All), &[a], &GradOptions::default()).unwrap_err();
    assert!(err.to_string().contains("not unique"), "{err}");
}

#[test]
fn svd_gradients_with_fixed_signs() {
    for shape in [vec![4usize, 3], vec![3, 5], vec![2, 3, 3]] {
        let p = randn(&shape, 470);
        check(
            &format!("singular values {shape:?}"),
            |v| Ok(svd(&v[0], false, false).remove(0)),
            &[p.clone()],
        );
        check(
            &format!("svd s {shape:?}"),
            |v| Ok(svd(&v[0], false, true).remove(1)),
            &[p.clone()],
        );
        let u = |v: &[Var]| Ok(gauge_fixed(&svd(&v[0], false, true)[0]));
        check(&format!("svd u {shape:?}"), u, &[p.clone()]);
        let vh = |v: &[Var]| {
            let usv = svd(&v[0], false, true);
            Ok(&usv[2] * mt(&column_signs(&usv[0])))
        };
        check(&format!("svd vh {shape:?}"), vh, &[p]);
    }
    let full_square = |v: &[Var]| {
        let a = v[0].specify_shape(&[Some(3), Some(3)]);
        let usv = svd(&a, true, true);
        Ok(gauge_fixed(&usv[0]) + mt(&(&usv[2] * mt(&column_signs(&usv[0])))))
    };
    check("svd full square", full_square, &[randn(&[3, 3], 471)]);
    // Full factors of a rectangular matrix are not unique.
    let a = matrix("a", F64);
    let u = svd(&a, true, true).remove(0);
    let err = grad(&u.sum(Axis::All), &[a], &GradOptions::default()).unwrap_err();
    assert!(err.to_string().contains("not unique"), "{err}");
}

#[test]
fn eigh_gradients_read_one_triangle() {
    for (lower, p) in [
        (true, spd_lower(&[], 4, 480)),
        (false, spd_upper(&[2], 3, 481)),
    ] {
        check(
            &format!("eigvalsh lower={lower}"),
            |v| Ok(eigvalsh(&v[0], lower)),
            &[p.clone()],
        );
        check(
            &format!("eigh values lower={lower}"),
            |v| Ok(eigh(&v[0], lower).0),
            &[p.clone()],
        );
        check(
            &format!("eigh vectors lower={lower}"),
            |v| Ok(gauge_fixed(&eigh(&v[0], lower).1)),
            &[p],
        );
    }
}

#[test]
fn eig_gradients_for_a_real_spectrum() {
    let p = real_spectrum(4, 490);
    check("eig values", |v| Ok(eig(&v[0]).0), &[p.clone()]);
    check("eig vectors", |v| Ok(gauge_fixed(&eig(&v[0]).1)), &[p]);
}

#[test]
fn norm_gradients_for_every_order() {
    let vector_ords = [
        NormOrd::Default,
        NormOrd::Inf,
        NormOrd::NegInf,
        NormOrd::p(1.0),
        NormOrd::p(2.0),
        NormOrd::p(3.0),
        NormOrd::p(-1.5),
    ];
    for ord in vector_ords {
        for keepdims in [false, true] {
            let fun = |v: &[Var]| try_norm(&v[0], ord, Some(&[-1]), keepdims);
            let what = format!("vector norm {ord:?} keepdims={keepdims}");
            check(&what, fun, &[randn(&[3, 4], 500)]);
        }
    }
    let matrix_ords = [
        NormOrd::Default,
        NormOrd::Fro,
        NormOrd::Nuc,
        NormOrd::Inf,
        NormOrd::NegInf,
        NormOrd::p(1.0),
        NormOrd::p(-1.0),
        NormOrd::p(2.0),
        NormOrd::p(-2.0),
    ];
    for ord in matrix_ords {
        for (axes, keepdims) in [(vec![0i64, 1], false), (vec![2, 0], true)] {
            let fun = |v: &[Var]| try_norm(&v[0], ord, Some(&axes), keepdims);
            let what = format!("matrix norm {ord:?} axes={axes:?}");
            check(&what, fun, &[randn(&[3, 2, 4], 501)]);
        }
    }
    // ord=0 counts non-zeros: piecewise constant.
    let x = vector("x", F64);
    let count = try_norm(&x, NormOrd::p(0.0), None, false).unwrap();
    let g = grad1(&(count + x.sum(Axis::All)), &x);
    let out = run(&[x], &[g], &[randn(&[3], 502)]);
    assert_close("d count", &out[0], &[1.0; 3], 0.0);
}

#[test]
fn kron_gradients_for_mixed_ranks() {
    for (sa, sb) in [
        (vec![2usize, 3], vec![3usize, 2]),
        (vec![3], vec![2, 2]),
        (vec![2, 1, 2], vec![3, 2]),
    ] {
        let points = [randn(&sa, 510), randn(&sb, 511)];
        check(
            &format!("kron {sa:?} {sb:?}"),
            |v| Ok(kron(&v[0], &v[1])),
            &points,
        );
    }
}

#[test]
fn expm_gradients_small_and_scaled() {
    check(
        "expm small",
        |v| Ok(expm(&v[0])),
        &[scaled(randn(&[3, 3], 520), 0.3)],
    );
    check(
        "expm batched",
        |v| Ok(expm(&v[0])),
        &[randn(&[2, 3, 3], 521)],
    );
    // A 1-norm above 5.4 takes the scaling-and-squaring path.
    check(
        "expm scaled",
        |v| Ok(expm(&v[0])),
        &[scaled(randn(&[3, 3], 522), 3.0)],
    );
}

#[test]
fn second_derivatives_of_det_inverse_and_expm() {
    let w = constant(randn(&[3, 3], 530));
    let of_det = |v: &[Var]| Ok(grad1(&det(&v[0]), &v[0]));
    check("d2 det", of_det, &[nonsingular(&[], 3, 531)]);
    let of_inverse = |v: &[Var]| {
        let cost = (matrix_inverse(&v[0]) * &w).sum(Axis::All);
        Ok(grad1(&cost, &v[0]))
    };
    check("d2 inverse", of_inverse, &[nonsingular(&[], 3, 532)]);
    let of_expm = |v: &[Var]| {
        let cost = try_trace(&(expm(&v[0]) * &w), 0, 0, 1)?;
        Ok(grad1(&cost, &v[0]))
    };
    check("d2 expm", of_expm, &[scaled(randn(&[3, 3], 533), 0.5)]);
    let of_upper = |v: &[Var]| Ok(grad1(&triu(&v[0], 0).sum(Axis::All).sin(), &v[0]));
    check("d2 triu", of_upper, &[randn(&[3, 3], 534)]);
}
