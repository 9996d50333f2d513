//! The CPU backend's GEMM/GEMV and strided copies against plain loops on
//! random inputs of odd sizes and strides (transposed, sliced, negative
//! steps, broadcast), float32 and float64.

use theon::backend::cpu::copy::{contiguous, copy_to_contiguous, transpose};
use theon::backend::cpu::gemm::{gemm, gemm_into, gemv, MatRef};
use theon::prelude::*;

/// `alpha a b + beta c` by triple loop in f64 on the C-order values.
fn reference(alpha: f64, a: &Tensor, b: &Tensor, beta: f64, c: Option<&Tensor>) -> Vec<f64> {
    let (m, k, n) = (a.shape()[0], a.shape()[1], b.shape()[1]);
    let (av, bv) = (a.to_f64_vec(), b.to_f64_vec());
    let cv = c.map(|c| c.to_f64_vec());
    let mut out = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            let dot: f64 = (0..k).map(|p| av[i * k + p] * bv[p * n + j]).sum();
            out[i * n + j] = alpha * dot + cv.as_ref().map_or(0.0, |c| beta * c[i * n + j]);
        }
    }
    out
}

fn assert_close(got: &Tensor, want: &[f64], k: usize, dtype: DType) {
    let tol = if dtype == F32 { 1e-5 } else { 1e-12 } * (k as f64).sqrt().max(1.0);
    for (i, (&g, &w)) in got.to_f64_vec().iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * (1.0 + w.abs()),
            "element {i}: {g} vs {w}"
        );
    }
}

#[test]
fn gemm_matches_loops_for_odd_shapes_and_layouts() {
    for dtype in [F32, F64] {
        for (s, &(m, k, n)) in [
            (1, 1, 1),
            (7, 3, 5),
            (0, 4, 3),
            (5, 0, 2),
            (33, 17, 65),
            (130, 129, 67),
        ]
        .iter()
        .enumerate()
        {
            let seed = 10 * s as u64;
            let a = Tensor::randn(dtype, &[m, k], seed);
            let b = Tensor::randn(dtype, &[k, n], seed + 1);
            let c = Tensor::randn(dtype, &[m, n], seed + 2);
            let got = gemm(1.5, &a, &b, -0.5, Some(&c)).unwrap();
            assert_eq!(got.shape(), &[m, n]);
            assert_close(&got, &reference(1.5, &a, &b, -0.5, Some(&c)), k, dtype);
            // Transposed operands (views, read in place).
            let at = Tensor::randn(dtype, &[k, m], seed + 3).t();
            let bt = Tensor::randn(dtype, &[n, k], seed + 4).t();
            let got = gemm(0.7, &at, &bt, 0.0, None).unwrap();
            assert_close(&got, &reference(0.7, &at, &bt, 0.0, None), k, dtype);
        }
    }
}

#[test]
fn gemm_reads_strided_and_reversed_views() {
    for dtype in [F32, F64] {
        let big = Tensor::randn(dtype, &[23, 31], 5);
        let a = big
            .slice_axis(0, Some(1), None, 2)
            .unwrap()
            .slice_axis(1, None, None, -3)
            .unwrap();
        let b = Tensor::randn(dtype, &[21, 9], 6)
            .slice_axis(0, Some(20), None, -2)
            .unwrap();
        assert_eq!(a.shape()[1], b.shape()[0]);
        let c = Tensor::randn(dtype, &[a.shape()[0], 1], 7)
            .broadcast_to(&[a.shape()[0], 9])
            .unwrap();
        let got = gemm(2.0, &a, &b, 3.0, Some(&c)).unwrap();
        assert_close(
            &got,
            &reference(2.0, &a, &b, 3.0, Some(&c)),
            a.shape()[1],
            dtype,
        );
    }
}

#[test]
fn gemm_beta_zero_ignores_nan_in_c_and_alpha_propagates_nan() {
    let a = Tensor::randn(F64, &[4, 3], 1);
    let b = Tensor::randn(F64, &[3, 2], 2);
    let c = Tensor::full(F64, &[4, 2], f64::NAN);
    let got = gemm(1.0, &a, &b, 0.0, Some(&c)).unwrap();
    assert!(got.to_f64_vec().iter().all(|v| v.is_finite()));
    let mut an = a.to_vec::<f64>();
    an[0] = f64::NAN;
    let an = Tensor::from_vec(an, &[4, 3]).unwrap();
    let got = gemm(1.0, &an, &b, 0.0, None).unwrap().to_f64_vec();
    assert!(got[0].is_nan() && got[1].is_nan() && got[2].is_finite());
}

#[test]
fn gemv_matches_loops() {
    for dtype in [F32, F64] {
        let a = Tensor::randn(dtype, &[37, 1023], 3).t(); // 1023 x 37, transposed
        let x = Tensor::randn(dtype, &[74], 4)
            .slice_axis(0, None, None, 2)
            .unwrap();
        let y = Tensor::randn(dtype, &[1023], 5);
        let got = gemv(0.5, &a, &x, 2.0, Some(&y)).unwrap();
        assert_eq!(got.shape(), &[1023]);
        let want = reference(0.5, &a, &x.expand_dims(1), 2.0, Some(&y.expand_dims(1)));
        assert_close(&got, &want, 37, dtype);
    }
}

#[test]
fn gemm_errors_name_the_op_and_input() {
    let a = Tensor::randn(F32, &[2, 3], 1);
    let err = gemm(1.0, &a, &Tensor::randn(F32, &[4, 2], 2), 0.0, None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("gemm") && err.contains("input 1") && err.contains("[4, 2]"),
        "{err}"
    );
    let err = gemm(1.0, &a, &Tensor::randn(F64, &[3, 2], 2), 0.0, None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("gemm") && err.contains("float64"), "{err}");
    let err = gemm(1.0, &a, &Tensor::randn(F32, &[3], 2), 0.0, None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("2-D"), "{err}");
    let c = Tensor::randn(F32, &[2, 3], 3);
    let err = gemm(1.0, &a, &Tensor::randn(F32, &[3, 2], 2), 1.0, Some(&c)).unwrap_err();
    assert!(err.to_string().contains("input 2"), "{err}");
    let data = [1.0f64; 6];
    let bad = MatRef {
        data: &data,
        offset: 2,
        rows: 2,
        cols: 3,
        rs: 3,
        cs: 1,
    };
    let mut out = [0.0; 4];
    let err = gemm_into(1.0, bad, MatRef::row_major(&data, 3, 2), 0.0, &mut out).unwrap_err();
    assert!(err.to_string().contains("reaches past"), "{err}");
}

#[test]
fn strided_copies_match_the_reference_walk() {
    for dtype in [F32, F64] {
        let base = Tensor::randn(dtype, &[5, 67, 1023], 8);
        let views = [
            base.clone(),
            base.t(),
            base.permute(&[0, 2, 1]).unwrap(),
            base.slice_axis(2, Some(1000), Some(1), -7).unwrap(),
            base.slice_axis(1, Some(3), None, 5)
                .unwrap()
                .permute(&[2, 0, 1])
                .unwrap(),
            base.index_axis(0, 2).t(),
            base.index_axis(0, 3), // contiguous at an offset: one memcpy
            Tensor::randn(dtype, &[1, 7], 9)
                .broadcast_to(&[33, 7])
                .unwrap()
                .t(),
            base.slice_axis(1, Some(5), Some(5), 1).unwrap(),
            Tensor::scalar(3.5f64).cast(dtype),
        ];
        for v in &views {
            let got = contiguous(v);
            assert!(
                got.is_contiguous() && got.bit_eq(&v.to_contiguous_copy()),
                "{:?}",
                v.shape()
            );
        }
    }
}

#[test]
fn transpose_of_odd_sizes() {
    for &(r, c) in &[(0usize, 3usize), (1, 1), (7, 1), (33, 65), (1023, 7)] {
        let src: Vec<f64> = Tensor::randn(F64, &[r * c], 1).to_vec();
        let mut dst = vec![0.0; r * c];
        transpose(&src, r, c, &mut dst);
        for i in 0..r {
            for j in 0..c {
                assert_eq!(dst[j * r + i], src[i * c + j]);
            }
        }
    }
}

#[test]
fn copy_rejects_views_outside_the_buffer() {
    let src = [1.0f32; 10];
    let mut dst = [0.0f32; 6];
    let err = copy_to_contiguous(&src, 5, &[2, 3], &[3, 1], &mut dst).unwrap_err();
    assert!(err.to_string().contains("reaches past"), "{err}");
    let err = copy_to_contiguous(&src, 2, &[2, 3], &[-3, 1], &mut dst);
    assert!(err.is_err());
    let mut short = [0.0f32; 5];
    assert!(copy_to_contiguous(&src, 0, &[2, 3], &[3, 1], &mut short).is_err());
    copy_to_contiguous(&src, 9, &[2, 3], &[-3, -1], &mut dst).unwrap();
}
