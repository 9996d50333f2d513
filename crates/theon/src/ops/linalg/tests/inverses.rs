//! matrix_inverse, pinv, matrix_power, det and slogdet.

use super::*;
use crate::dtype::DType::*;
use crate::graph::Var;
use crate::ops::constructors::{matrix, tensor3};
use crate::ops::linalg::*;

/// Determinant by Gaussian elimination with partial pivoting, plain loops.
fn det_loops(mut a: Vec<f64>, n: usize) -> f64 {
    let mut det = 1.0;
    for c in 0..n {
        let p = (c..n)
            .max_by(|&i, &j| a[i * n + c].abs().partial_cmp(&a[j * n + c].abs()).unwrap())
            .unwrap();
        if a[p * n + c] == 0.0 {
            return 0.0;
        }
        if p != c {
            for j in 0..n {
                a.swap(p * n + j, c * n + j);
            }
            det = -det;
        }
        det *= a[c * n + c];
        for i in c + 1..n {
            let f = a[i * n + c] / a[c * n + c];
            for j in c..n {
                a[i * n + j] -= f * a[c * n + j];
            }
        }
    }
    det
}

#[test]
fn inverse_times_matrix_is_identity_for_batches_and_both_float_dtypes() {
    for dtype in [F64, F32] {
        let a = well_conditioned(dtype, &[2, 3], 4, 1);
        let inv = eval1(&a, matrix_inverse);
        assert_eq!((inv.dtype(), inv.shape()), (dtype, &[2, 3, 4, 4][..]));
        for b in 0..6 {
            let prod = matmul(&mat(&a, b), &mat(&inv, b), 4, 4, 4);
            assert_close(&prod, &identity(4), tol(dtype), "A·inv(A)");
        }
    }
}

#[test]
fn inverse_of_a_transposed_view_integers_and_empty_matrices() {
    let a = well_conditioned(F64, &[], 3, 2).t();
    assert!(!a.is_contiguous());
    let inv = eval1(&a, matrix_inverse);
    assert_close(
        &matmul(&a.to_f64_vec(), &inv.to_f64_vec(), 3, 3, 3),
        &identity(3),
        1e-9,
        "transposed",
    );
    let ints = Tensor::from_vec(vec![2i32, 1, 1, 1], &[2, 2]).unwrap();
    let inv = eval1(&ints, matrix_inverse);
    assert_eq!(inv.dtype(), F64);
    assert_close(
        &inv.to_f64_vec(),
        &[1.0, -1.0, -1.0, 2.0],
        1e-12,
        "known inverse",
    );
    let empty = Tensor::randn(F64, &[0, 0], 1);
    assert_eq!(eval1(&empty, matrix_inverse).shape(), &[0, 0]);
    let no_batch = Tensor::randn(F64, &[0, 3, 3], 1);
    assert_eq!(eval1(&no_batch, matrix_inverse).shape(), &[0, 3, 3]);
}

#[test]
fn singular_and_non_square_inverses_are_errors_naming_the_op() {
    let s = Tensor::from_vec(vec![1.0f64, 2.0, 2.0, 4.0], &[2, 2]).unwrap();
    let x = input_for("a", &s);
    let err = try_run(std::slice::from_ref(&x), &[s], &[matrix_inverse(&x)])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("matrix_inverse") && err.contains("singular") && err.contains("inverses.rs"),
        "{err}"
    );
    let r = crate::ops::constructors::tensor("r", F64, &[Some(2), Some(3)]);
    let err = Var::apply1(MatrixInverse, &[r]).unwrap_err().to_string();
    assert!(
        err.contains("matrix_inverse") && err.contains("square"),
        "{err}"
    );
    let m = matrix("m", F64);
    let f = crate::compile::function(std::slice::from_ref(&m), &[det(&m)]).unwrap();
    let err = f
        .call(&[Tensor::randn(F64, &[2, 3], 0)])
        .unwrap_err()
        .to_string();
    assert!(err.contains("det") && err.contains("[2, 3]"), "{err}");
    let v = crate::ops::constructors::vector("v", F64);
    assert!(Var::apply1(Det, &[v])
        .unwrap_err()
        .to_string()
        .contains("at least 2 dims"));
    let h = matrix("h", F16);
    assert!(Var::apply1(Det, &[h])
        .unwrap_err()
        .to_string()
        .contains("float16"));
}

#[test]
fn det_and_slogdet_match_gaussian_elimination() {
    let a = Tensor::randn(F64, &[3, 5, 5], 7);
    let x = tensor3("a", F64);
    let (sign, logdet) = slogdet(&x);
    let got = run(
        std::slice::from_ref(&x),
        std::slice::from_ref(&a),
        &[det(&x), sign, logdet],
    );
    for b in 0..3 {
        let want = det_loops(mat(&a, b), 5);
        let d = got[0].to_f64_vec()[b];
        assert!(
            (d - want).abs() < 1e-9 * want.abs().max(1.0),
            "{d} vs {want}"
        );
        assert_eq!(got[1].to_f64_vec()[b], want.signum());
        assert!((got[2].to_f64_vec()[b] - want.abs().ln()).abs() < 1e-9);
    }
    let singular = Tensor::from_vec(vec![1.0f32, 2.0, 2.0, 4.0], &[2, 2]).unwrap();
    let y = input_for("s", &singular);
    let (sign, logdet) = slogdet(&y);
    let got = run(
        std::slice::from_ref(&y),
        &[singular],
        &[det(&y), sign, logdet],
    );
    assert_eq!(got[0].dtype(), F32);
    assert_eq!(got[0].item().as_f64(), 0.0, "det of a singular matrix is 0");
    assert_eq!(
        (got[1].item().as_f64(), got[2].item().as_f64()),
        (0.0, f64::NEG_INFINITY)
    );
    // A zero pivot before the last one (all ones): still exactly 0, not NaN.
    let ones = Tensor::from_vec(vec![1.0f64; 9], &[3, 3]).unwrap();
    assert_eq!(eval1(&ones, det).item().as_f64(), 0.0);
    let t = Tensor::randn(F64, &[4, 4], 3).t();
    assert!((eval1(&t, det).item().as_f64() - det_loops(t.to_f64_vec(), 4)).abs() < 1e-9);
    assert_eq!(
        eval1(&Tensor::randn(F64, &[0, 0], 1), det).item().as_f64(),
        1.0
    );
}

#[test]
fn pinv_satisfies_the_penrose_conditions_and_matches_normal_equations() {
    let a = Tensor::randn(F64, &[5, 3], 4);
    let p = eval1(&a, |x| pinv(x, 1e-15));
    assert_eq!(p.shape(), &[3, 5]);
    let (av, pv) = (a.to_f64_vec(), p.to_f64_vec());
    assert_close(
        &matmul(&matmul(&av, &pv, 5, 3, 5), &av, 5, 5, 3),
        &av,
        1e-9,
        "A·P·A",
    );
    assert_close(
        &matmul(&matmul(&pv, &av, 3, 5, 3), &pv, 3, 3, 5),
        &pv,
        1e-9,
        "P·A·P",
    );
    assert_close(
        &matmul(&pv, &av, 3, 5, 3),
        &identity(3),
        1e-9,
        "P·A = I (full column rank)",
    );
    let rank1 = Tensor::from_vec(vec![1.0f64, 2.0, 2.0, 4.0], &[2, 2]).unwrap();
    let p = eval1(&rank1, |x| pinv(x, 1e-15)).to_f64_vec();
    assert_close(
        &p,
        &[0.04, 0.08, 0.08, 0.16],
        1e-12,
        "pinv of a rank-1 matrix",
    );
}

#[test]
fn matrix_power_matches_repeated_products_and_inverts_for_negative_powers() {
    let a = well_conditioned(F64, &[2], 3, 9);
    for n in [0i64, 1, 2, 5, -1, -3] {
        let got = eval1(&a, |x| matrix_power(x, n));
        for b in 0..2 {
            let base = if n < 0 {
                mat(&eval1(&a, matrix_inverse), b)
            } else {
                mat(&a, b)
            };
            let mut want = identity(3);
            for _ in 0..n.unsigned_abs() {
                want = matmul(&want, &base, 3, 3, 3);
            }
            assert_close(&mat(&got, b), &want, 1e-9, &format!("A^{n}"));
        }
    }
    let s = Tensor::from_vec(vec![1.0f64, 2.0, 2.0, 4.0], &[2, 2]).unwrap();
    let x = input_for("s", &s);
    let err = try_run(std::slice::from_ref(&x), &[s], &[matrix_power(&x, -2)]).unwrap_err();
    assert!(err.to_string().contains("matrix_power") && err.to_string().contains("singular"));
}
