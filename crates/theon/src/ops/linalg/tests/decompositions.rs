//! cholesky, qr, svd, eigh/eigvalsh and eig, checked by identities.

use super::*;
use crate::dtype::DType::*;
use crate::ops::linalg::*;

#[test]
fn cholesky_factors_reconstruct_the_matrix() {
    for dtype in [F64, F32] {
        let a = spd(dtype, 5, 3);
        let l = eval1(&a, |x| cholesky(x, true));
        let u = eval1(&a, |x| cholesky(x, false));
        let (lv, uv) = (l.to_f64_vec(), u.to_f64_vec());
        for i in 0..5 {
            for j in i + 1..5 {
                assert_eq!(lv[i * 5 + j], 0.0, "L is lower triangular");
            }
        }
        assert_close(
            &matmul(&lv, &transpose(&lv, 5, 5), 5, 5, 5),
            &a.to_f64_vec(),
            tol(dtype) * 10.0,
            "L·Lᵀ",
        );
        assert_close(&uv, &transpose(&lv, 5, 5), tol(dtype), "U = Lᵀ");
    }
}

#[test]
fn cholesky_of_a_non_positive_definite_matrix_is_an_error() {
    let a = Tensor::from_vec(vec![1.0f64, 2.0, 2.0, 1.0], &[2, 2]).unwrap();
    let x = input_for("a", &a);
    let err = try_run(std::slice::from_ref(&x), &[a], &[cholesky(&x, true)])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("cholesky") && err.contains("not positive definite"),
        "{err}"
    );
}

fn check_qr(a: &Tensor, mode: QrMode) {
    let (m, n) = (a.shape()[0], a.shape()[1]);
    let k = m.min(n);
    let x = input_for("a", a);
    let outs = run(
        std::slice::from_ref(&x),
        std::slice::from_ref(a),
        &qr(&x, mode),
    );
    let r = outs.last().unwrap();
    let rows = if mode == QrMode::Complete { m } else { k };
    assert_eq!(r.shape(), &[rows, n]);
    let rv = r.to_f64_vec();
    for i in 0..rows {
        for j in 0..i.min(n) {
            assert_eq!(rv[i * n + j], 0.0, "R is upper triangular");
        }
    }
    if mode != QrMode::R {
        let q = outs[0].to_f64_vec();
        assert_eq!(outs[0].shape(), &[m, rows]);
        assert_close(&matmul(&q, &rv, m, rows, n), &a.to_f64_vec(), 1e-9, "Q·R");
        assert_close(
            &matmul(&transpose(&q, m, rows), &q, rows, m, rows),
            &identity(rows),
            1e-9,
            "QᵀQ",
        );
    }
}

#[test]
fn qr_in_every_mode_reconstructs_tall_wide_and_transposed_matrices() {
    for mode in [QrMode::Reduced, QrMode::Complete, QrMode::R] {
        check_qr(&Tensor::randn(F64, &[5, 3], 1), mode);
        check_qr(&Tensor::randn(F64, &[3, 5], 2), mode);
        check_qr(&crate::ops::extra::tests::transposed(3), mode);
    }
}

#[test]
fn svd_reconstructs_and_orders_singular_values() {
    for (m, n, full) in [(5usize, 3usize, false), (3, 5, true), (4, 4, true)] {
        let a = Tensor::randn(F64, &[2, m, n], (m * n) as u64);
        let x = input_for("a", &a);
        let outs = run(
            std::slice::from_ref(&x),
            std::slice::from_ref(&a),
            &svd(&x, full, true),
        );
        let s_only = run(
            std::slice::from_ref(&x),
            std::slice::from_ref(&a),
            &svd(&x, full, false),
        );
        let k = m.min(n);
        let (uc, vr) = if full { (m, n) } else { (k, k) };
        assert_eq!(
            (outs[0].shape(), outs[1].shape(), outs[2].shape()),
            (&[2, m, uc][..], &[2, k][..], &[2, vr, n][..])
        );
        for b in 0..2 {
            let (u, vh) = (mat(&outs[0], b), mat(&outs[2], b));
            let s = &outs[1].to_f64_vec()[b * k..(b + 1) * k];
            assert!(s.windows(2).all(|w| w[0] >= w[1]) && s[k - 1] >= 0.0);
            let us: Vec<f64> = (0..m * k)
                .map(|f| u[(f / k) * uc + f % k] * s[f % k])
                .collect();
            let vh_k: Vec<f64> = vh[..k * n].to_vec();
            assert_close(&matmul(&us, &vh_k, m, k, n), &mat(&a, b), 1e-9, "U·S·Vh");
            assert_close(
                &matmul(&transpose(&u, m, uc), &u, uc, m, uc),
                &identity(uc),
                1e-9,
                "UᵀU",
            );
            assert_close(
                &s_only[0].to_f64_vec()[b * k..(b + 1) * k],
                s,
                1e-12,
                "compute_uv=false",
            );
        }
    }
}

#[test]
fn eigh_satisfies_a_v_equals_lambda_v_and_reads_one_triangle() {
    let a = spd(F64, 4, 5);
    let av = a.to_f64_vec();
    // Garbage in the strict upper triangle: UPLO='L' must ignore it.
    let mut messy = av.clone();
    for i in 0..4 {
        for j in i + 1..4 {
            messy[i * 4 + j] = 100.0 + (i * j) as f64;
        }
    }
    let messy = Tensor::from_vec(messy, &[4, 4]).unwrap();
    let x = input_for("a", &messy);
    let (w, v) = eigh(&x, true);
    let outs = run(
        std::slice::from_ref(&x),
        std::slice::from_ref(&messy),
        &[w, v, eigvalsh(&x, true), eigvalsh(&x, false)],
    );
    let (w, v) = (outs[0].to_f64_vec(), outs[1].to_f64_vec());
    assert!(w.windows(2).all(|p| p[0] <= p[1]), "ascending");
    let prod = matmul(&av, &v, 4, 4, 4);
    let scaled: Vec<f64> = (0..16).map(|f| v[f] * w[f % 4]).collect();
    assert_close(&prod, &scaled, 1e-9, "A·v = λ·v");
    assert_close(
        &matmul(&transpose(&v, 4, 4), &v, 4, 4, 4),
        &identity(4),
        1e-9,
        "vᵀv",
    );
    assert_close(&outs[2].to_f64_vec(), &w, 1e-10, "eigvalsh = eigh's w");
    assert!(
        (outs[3].to_f64_vec()[3] - w[3]).abs() > 1.0,
        "UPLO='U' reads the other triangle"
    );
}

#[test]
fn eig_of_a_triangular_matrix_has_its_diagonal_as_eigenvalues() {
    let t = Tensor::randn(F64, &[4, 4], 8).to_f64_vec();
    let tri: Vec<f64> = (0..16)
        .map(|f| if f % 4 >= f / 4 { t[f] } else { 0.0 })
        .collect();
    let a = Tensor::from_vec(tri.clone(), &[4, 4]).unwrap();
    let x = input_for("a", &a);
    let (w, v) = eig(&x);
    let outs = run(std::slice::from_ref(&x), &[a], &[w, v]);
    let (w, v) = (outs[0].to_f64_vec(), outs[1].to_f64_vec());
    let mut got = w.clone();
    let mut want: Vec<f64> = (0..4).map(|i| tri[i * 5]).collect();
    got.sort_by(|a, b| a.partial_cmp(b).unwrap());
    want.sort_by(|a, b| a.partial_cmp(b).unwrap());
    assert_close(&got, &want, 1e-9, "eigenvalues");
    let prod = matmul(&tri, &v, 4, 4, 4);
    let scaled: Vec<f64> = (0..16).map(|f| v[f] * w[f % 4]).collect();
    assert_close(&prod, &scaled, 1e-9, "A·v = λ·v");
    let norms: Vec<f64> = (0..4)
        .map(|j| (0..4).map(|i| v[i * 4 + j].powi(2)).sum::<f64>())
        .collect();
    assert_close(&norms, &[1.0; 4], 1e-12, "unit eigenvectors");
}

#[test]
fn eig_with_complex_eigenvalues_is_a_clear_error() {
    let rot = Tensor::from_vec(vec![0.0f64, -1.0, 1.0, 0.0], &[2, 2]).unwrap();
    let x = input_for("r", &rot);
    let (w, _) = eig(&x);
    let err = try_run(std::slice::from_ref(&x), &[rot], &[w])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("eig") && err.contains("complex eigenvalue"),
        "{err}"
    );
}
