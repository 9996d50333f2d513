//! `Mean` and `Variance` (var, std) against plain loops: NumPy's dtypes,
//! ddof, accuracy (large offsets, a million float32 values), empty inputs.

use super::helpers::{assert_close, buckets, eval, keepdims_shape, random_input};
use crate::dtype::{DType, ALL_DTYPES};
use crate::error::ErrorKind;
use crate::graph::{TensorType, Var};
use crate::ops::reduce::{mean, std_dev, try_mean, try_variance, variance, Axis, Dispersion};
use crate::tensor::Tensor;
use crate::DType::*;

fn tol(dtype: DType) -> f64 {
    match dtype {
        F16 => 2e-3,
        F32 => 2e-6,
        _ => 1e-12,
    }
}

/// Mean and variance of one group by the textbook loops.
fn loop_stats(group: &[f64], ddof: usize) -> (f64, f64) {
    let n = group.len() as f64;
    let mut total = 0.0;
    for &v in group {
        total += v;
    }
    let m = total / n;
    let mut squares = 0.0;
    for &v in group {
        squares += (v - m) * (v - m);
    }
    (m, squares / (n - ddof as f64).max(0.0))
}

#[test]
fn mean_var_std_match_loops_across_dtypes_axes_and_ddof() {
    for (seed, dtype) in [F64, F32, F16, I32, U8, Bool].into_iter().enumerate() {
        let x = random_input(dtype, &[4, 3, 5], 30 + seed as u64);
        let out = if dtype.is_float() { dtype } else { F64 };
        let axes_list: [(Axis, Vec<usize>); 4] = [
            (Axis::All, vec![0, 1, 2]),
            (Axis::from(-1), vec![2]),
            (Axis::from([0i64, 2]), vec![0, 2]),
            (Axis::from(1), vec![1]),
        ];
        for (axis, axes) in axes_list {
            let (shape, groups) = buckets(&x, &axes);
            let groups: Vec<Vec<f64>> = groups
                .iter()
                .map(|g| g.iter().map(|s| s.as_f64()).collect())
                .collect();
            for keepdims in [false, true] {
                let want_shape = if keepdims {
                    keepdims_shape(x.shape(), &axes)
                } else {
                    shape.clone()
                };
                let m = eval(&x, |v| mean(v, axis.clone(), keepdims));
                assert_eq!((m.dtype(), m.shape()), (out, want_shape.as_slice()));
                let want: Vec<f64> = groups.iter().map(|g| loop_stats(g, 0).0).collect();
                assert_close(&m, &want, tol(out), tol(out), "mean");
                for ddof in [0, 1, 2] {
                    let var = eval(&x, |v| variance(v, axis.clone(), ddof, keepdims));
                    let std = eval(&x, |v| std_dev(v, axis.clone(), ddof, keepdims));
                    assert_eq!((var.dtype(), var.shape()), (out, want_shape.as_slice()));
                    assert_eq!((std.dtype(), std.shape()), (out, want_shape.as_slice()));
                    let want: Vec<f64> = groups.iter().map(|g| loop_stats(g, ddof).1).collect();
                    assert_close(&var, &want, tol(out), 0.0, &format!("var ddof={ddof}"));
                    let want_std: Vec<f64> = want.iter().map(|v| v.sqrt()).collect();
                    assert_close(&std, &want_std, tol(out), 0.0, &format!("std ddof={ddof}"));
                }
            }
        }
    }
}

#[test]
fn result_dtypes_follow_numpy() {
    for dtype in ALL_DTYPES {
        let x = Var::input("x", TensorType::unknown(dtype, 2));
        let want = if dtype.is_float() { dtype } else { F64 };
        assert_eq!(x.mean(0).dtype(), want, "mean of {dtype}");
        assert_eq!(x.var(Axis::All).dtype(), want, "var of {dtype}");
        assert_eq!(x.std(1).dtype(), want, "std of {dtype}");
    }
}

#[test]
fn variance_is_two_pass_stable_under_a_large_offset() {
    // x = 1e9 + k/4 exactly (k small ints), so var(x) = var(k) / 16; the
    // one-pass formula E[x^2] - E[x]^2 loses everything at this offset.
    let k = Tensor::rand_int(I64, &[1000], -100, 100, 9).to_vec::<i64>();
    let x: Vec<f64> = k.iter().map(|&k| 1e9 + k as f64 / 4.0).collect();
    let small: Vec<f64> = k.iter().map(|&k| k as f64 / 4.0).collect();
    let (mean_small, want) = loop_stats(&small, 1);
    let t = Tensor::from_vec(x.clone(), &[1000]).unwrap();
    let got = eval(&t, |v| variance(v, 0, 1, false)).item().as_f64();
    assert!((got - want).abs() <= 1e-12 * want, "got {got}, want {want}");
    let m = eval(&t, |v| v.mean(0)).item().as_f64();
    assert!((m - (1e9 + mean_small)).abs() <= 1e-6, "mean {m}");
    let n = x.len() as f64;
    let one_pass = x.iter().map(|v| v * v).sum::<f64>() / n - (x.iter().sum::<f64>() / n).powi(2);
    assert!(
        (one_pass * n / (n - 1.0) - want).abs() > 1e-3 * want,
        "one-pass {one_pass}"
    );
    // Float32: 1e4 + k/4 is exact in float32, and so is the answer's scale.
    let t32 = Tensor::from_f64s(
        F32,
        &[1000],
        &k.iter().map(|&k| 1e4 + k as f64 / 4.0).collect::<Vec<_>>(),
    )
    .unwrap();
    let got32 = eval(&t32, |v| std_dev(v, 0, 1, false));
    assert_eq!(got32.dtype(), F32);
    assert_close(&got32, &[want.sqrt()], 1e-6, 0.0, "float32 std");
}

#[test]
fn float32_mean_of_a_million_is_accurate() {
    let x = Tensor::rand_uniform(F32, &[1000, 1000], 0.0, 1.0, 77);
    let exact = x.to_vec::<f32>().iter().map(|&v| v as f64).sum::<f64>() / 1e6;
    let got = eval(&x, |v| v.mean(Axis::All));
    assert_eq!(got.dtype(), F32);
    assert!((got.item().as_f64() - exact).abs() <= f32::EPSILON as f64 * exact);
    let ints = Tensor::rand_int(I32, &[1000], -1_000_000, 1_000_000, 5);
    let exact = ints.to_vec::<i32>().iter().map(|&v| v as i64).sum::<i64>() as f64 / 1000.0;
    let got = eval(&ints, |v| v.mean(0));
    assert_eq!(got.dtype(), F64);
    assert!((got.item().as_f64() - exact).abs() <= 1e-12 * exact.abs());
}

#[test]
fn empty_inputs_and_too_few_degrees_of_freedom_give_nan_or_inf() {
    let empty = Tensor::randn(F64, &[0, 3], 1);
    let m = eval(&empty, |v| v.mean(0));
    assert!(m.shape() == [3] && m.to_f64_vec().iter().all(|v| v.is_nan()));
    assert_eq!(eval(&empty, |v| v.var(1)).shape(), &[0]);
    let x = Tensor::randn(F64, &[2, 3], 4);
    // NumPy divides by max(n - ddof, 0): 0/0 for one element, s/0 beyond.
    let one = eval(&x.slice_axis(1, Some(0), Some(1), 1).unwrap(), |v| {
        variance(v, 1, 1, false)
    });
    assert!(one.to_f64_vec().iter().all(|v| v.is_nan()));
    let inf = eval(&x, |v| variance(v, 1, 5, false));
    assert!(
        inf.to_f64_vec().iter().all(|v| *v == f64::INFINITY),
        "{inf:?}"
    );
}

#[test]
fn non_contiguous_inputs() {
    let base = Tensor::randn(F64, &[6, 5], 12);
    let view = base.t().slice_axis(1, None, None, -2).unwrap();
    let (_, groups) = buckets(&view, &[1]);
    let groups: Vec<Vec<f64>> = groups
        .iter()
        .map(|g| g.iter().map(|s| s.as_f64()).collect())
        .collect();
    let want: Vec<f64> = groups.iter().map(|g| loop_stats(g, 1).1.sqrt()).collect();
    assert_close(
        &eval(&view, |v| std_dev(v, -1, 1, false)),
        &want,
        1e-12,
        0.0,
        "std of view",
    );
}

#[test]
fn names_and_errors() {
    let x = Var::input("x", TensorType::new(F32, vec![Some(2), None]));
    let v = variance(&x, -1, 1, true);
    assert_eq!(v.op().unwrap().name(), "var{axis=(1), ddof=1, keepdims}");
    assert_eq!(v.ty().shape, vec![Some(2), Some(1)]);
    assert_eq!(
        x.std(Axis::All).op().unwrap().name(),
        "std{axis=(0,1), ddof=0}"
    );
    assert_eq!(
        x.mean_keepdims(0).op().unwrap().name(),
        "mean{axis=(0), keepdims}"
    );
    let err = try_mean(&x, 2, false).unwrap_err();
    assert_eq!(
        err.kind,
        ErrorKind::Axis {
            op: "mean".into(),
            axis: 2,
            ndim: 2
        }
    );
    assert!(err.site.unwrap().file.ends_with("moments.rs"));
    let err = try_variance(&x, Dispersion::Std, [0i64, -2], 0, false).unwrap_err();
    assert!(err.to_string().contains("std: axis 0 is repeated"), "{err}");
}
