//! solve (every structure, batched, vector right-hand sides) and lstsq.

use super::*;
use crate::dtype::DType::*;
use crate::ops::linalg::*;

fn solve_and_check(
    a: &Tensor,
    b: &Tensor,
    structure: Structure,
    lower: bool,
    effective: &[f64],
    tol: f64,
) {
    let (x, y) = (input_for("a", a), input_for("b", b));
    let out = run(
        &[x.clone(), y.clone()],
        &[a.clone(), b.clone()],
        &[try_solve(&x, &y, structure, lower).unwrap()],
    )
    .remove(0);
    assert_eq!(out.shape(), b.shape());
    let n = a.shape()[0];
    let k = if b.ndim() == 1 { 1 } else { b.shape()[1] };
    assert_close(
        &matmul(effective, &out.to_f64_vec(), n, n, k),
        &b.to_f64_vec(),
        tol,
        &format!("{structure:?}: A·x = b"),
    );
}

#[test]
fn solve_general_symmetric_positive_definite_and_triangular() {
    let n = 4;
    let g = well_conditioned(F64, &[], n, 1);
    let b = Tensor::randn(F64, &[n, 2], 2);
    solve_and_check(&g, &b, Structure::General, false, &g.to_f64_vec(), 1e-9);
    let bv = Tensor::randn(F64, &[n], 3);
    solve_and_check(&g, &bv, Structure::General, false, &g.to_f64_vec(), 1e-9);
    let s = spd(F64, n, 4);
    let sv = s.to_f64_vec();
    // Only the named triangle is read: spoil the other one.
    for lower in [true, false] {
        let spoiled: Vec<f64> = (0..n * n)
            .map(|f| {
                let (i, j) = (f / n, f % n);
                let outside = if lower { j > i } else { j < i };
                if outside {
                    -50.0
                } else {
                    sv[f]
                }
            })
            .collect();
        let spoiled = Tensor::from_vec(spoiled, &[n, n]).unwrap();
        solve_and_check(&spoiled, &b, Structure::Symmetric, lower, &sv, 1e-9);
        solve_and_check(&spoiled, &b, Structure::PositiveDefinite, lower, &sv, 1e-9);
        let gv = g.to_f64_vec();
        let tri: Vec<f64> = (0..n * n)
            .map(|f| {
                if (lower && f % n <= f / n) || (!lower && f % n >= f / n) {
                    gv[f]
                } else {
                    0.0
                }
            })
            .collect();
        solve_and_check(&g, &b, Structure::Triangular, lower, &tri, 1e-9);
    }
}

#[test]
fn solve_handles_batches_float32_and_transposed_inputs() {
    let a = well_conditioned(F32, &[3], 4, 5);
    let b = Tensor::randn(F32, &[3, 4, 2], 6);
    let (x, y) = (input_for("a", &a), input_for("b", &b));
    let out = run(
        &[x.clone(), y.clone()],
        &[a.clone(), b.clone()],
        &[solve(&x, &y)],
    )
    .remove(0);
    assert_eq!((out.dtype(), out.shape()), (F32, &[3, 4, 2][..]));
    for k in 0..3 {
        assert_close(
            &matmul(&mat(&a, k), &mat(&out, k), 4, 4, 2),
            &mat(&b, k),
            1e-4,
            "batched A·x = b",
        );
    }
    let at = well_conditioned(F64, &[], 3, 7).t();
    let bt = Tensor::randn(F64, &[2, 3], 8).t();
    solve_and_check(&at, &bt, Structure::General, false, &at.to_f64_vec(), 1e-9);
}

#[test]
fn singular_systems_and_mismatched_shapes_are_errors() {
    let s = Tensor::from_vec(vec![1.0f64, 2.0, 2.0, 4.0], &[2, 2]).unwrap();
    let b = Tensor::randn(F64, &[2], 1);
    let (x, y) = (input_for("a", &s), input_for("b", &b));
    for (structure, what) in [
        (Structure::General, "singular"),
        (Structure::PositiveDefinite, "not positive definite"),
    ] {
        let f = try_solve(&x, &y, structure, true).unwrap();
        let err = try_run(&[x.clone(), y.clone()], &[s.clone(), b.clone()], &[f])
            .unwrap_err()
            .to_string();
        assert!(err.contains("solve") && err.contains(what), "{err}");
    }
    let zero_diag = Tensor::from_vec(vec![1.0f64, 0.0, 3.0, 0.0], &[2, 2]).unwrap();
    let f = try_solve(&x, &y, Structure::Triangular, true).unwrap();
    let err = try_run(&[x.clone(), y.clone()], &[zero_diag, b.clone()], &[f])
        .unwrap_err()
        .to_string();
    assert!(err.contains("zero on the diagonal at 1"), "{err}");
    let a3 = crate::ops::constructors::tensor("a", F64, &[Some(3), Some(3)]);
    let b4 = crate::ops::constructors::tensor("b", F64, &[Some(4), None]);
    let err = try_solve(&a3, &b4, Structure::General, false)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("solve") && err.contains("input 1") && err.contains("float64(4, ?)"),
        "{err}"
    );
    let wrong = Tensor::randn(F64, &[3], 1);
    let err = try_run(&[x.clone(), y.clone()], &[s, wrong], &[solve(&x, &y)])
        .unwrap_err()
        .to_string();
    assert!(err.contains("solve") && err.contains("[3]"), "{err}");
}

#[test]
fn lstsq_solves_the_normal_equations_and_reports_residuals_rank_and_s() {
    let a = Tensor::randn(F64, &[6, 3], 11);
    let b = Tensor::randn(F64, &[6, 2], 12);
    let (x, y) = (input_for("a", &a), input_for("b", &b));
    let mut outs_v = lstsq(&x, &y, None);
    outs_v.push(svd(&x, false, false).remove(0));
    let outs = run(&[x.clone(), y.clone()], &[a.clone(), b.clone()], &outs_v);
    let (av, bv, xv) = (a.to_f64_vec(), b.to_f64_vec(), outs[0].to_f64_vec());
    let r: Vec<f64> = matmul(&av, &xv, 6, 3, 2)
        .iter()
        .zip(&bv)
        .map(|(p, q)| p - q)
        .collect();
    let normal = matmul(&transpose(&av, 6, 3), &r, 3, 6, 2);
    assert_close(&normal, &[0.0; 6], 1e-9, "Aᵀ(Ax - b) = 0");
    let sums: Vec<f64> = (0..2)
        .map(|j| (0..6).map(|i| r[i * 2 + j] * r[i * 2 + j]).sum())
        .collect();
    assert_close(&outs[1].to_f64_vec(), &sums, 1e-9, "residuals");
    assert_eq!(outs[2].item().as_i64(), 3);
    assert_close(
        &outs[3].to_f64_vec(),
        &outs[4].to_f64_vec(),
        1e-12,
        "singular values",
    );
    // Rank-deficient and vector b: the minimum-norm solution, no residuals.
    let d = Tensor::from_vec(vec![1.0f64, 2.0, 2.0, 4.0, 3.0, 6.0], &[3, 2]).unwrap();
    let bv = Tensor::from_vec(vec![1.0f64, 2.0, 3.0], &[3]).unwrap();
    let (x, y) = (input_for("a", &d), input_for("b", &bv));
    let outs = run(&[x.clone(), y.clone()], &[d, bv], &lstsq(&x, &y, None));
    assert_close(&outs[0].to_f64_vec(), &[0.2, 0.4], 1e-12, "minimum-norm x");
    assert_eq!(
        (outs[1].shape(), outs[2].item().as_i64()),
        (&[0usize][..], 1)
    );
}
