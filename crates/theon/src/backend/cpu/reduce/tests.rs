//! Reductions against plain f64 loops on random data of odd sizes, both
//! dtypes, with NaN/inf propagation as NumPy.

use super::*;
use crate::tensor::Tensor;
use crate::DType;

const SIZES: [usize; 8] = [0, 1, 7, 15, 17, 1023, 4099, 300_001];

fn data<T: Real>(n: usize, seed: u64) -> Vec<T> {
    Tensor::randn(T::DTYPE, &[n], seed).to_vec::<T>()
}

fn tol<T: Real>() -> f64 {
    if T::DTYPE == DType::F32 {
        2e-6
    } else {
        1e-13
    }
}

fn close(got: f64, want: f64, scale: f64, tol: f64) -> bool {
    (got.is_nan() && want.is_nan()) || got == want || (got - want).abs() <= tol * scale.max(1.0)
}

fn check_whole<T: Real>() {
    for (s, &n) in SIZES.iter().enumerate() {
        let x: Vec<T> = data(n, 10 + s as u64);
        let xf: Vec<f64> = x.iter().map(|v| v.to_f64().unwrap()).collect();
        let abs: f64 = xf.iter().map(|v| v.abs()).sum();
        let want: f64 = xf.iter().sum();
        assert!(
            close(sum(&x).to_f64().unwrap(), want, abs, tol::<T>()),
            "sum n={n}"
        );
        let mx = xf.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let mn = xf.iter().cloned().fold(f64::INFINITY, f64::min);
        assert_eq!(max(&x).map(|v| v.to_f64().unwrap()), (n > 0).then_some(mx));
        assert_eq!(min(&x).map(|v| v.to_f64().unwrap()), (n > 0).then_some(mn));
        assert_eq!(argmax(&x), xf.iter().position(|&v| v == mx));
        let lse = mx + xf.iter().map(|v| (v - mx).exp()).sum::<f64>().ln();
        let got = logsumexp(&x).to_f64().unwrap();
        assert!(
            if n == 0 {
                got == f64::NEG_INFINITY
            } else {
                close(got, lse, lse.abs(), tol::<T>() * 4.0)
            },
            "lse n={n}: {got} vs {lse}"
        );
    }
}

#[test]
fn whole_slice_reductions_match_loops() {
    check_whole::<f32>();
    check_whole::<f64>();
}

#[test]
fn f32_sum_is_pairwise_accurate() {
    // 2^24 + many small terms: naive f32 accumulation loses them all.
    let x = vec![0.1f32; 3_000_001];
    let got = sum(&x) as f64;
    let want = 0.1f32 as f64 * 3_000_001.0;
    assert!((got - want).abs() / want < 1e-6, "{got} vs {want}");
}

fn check_nan_inf<T: Real>() {
    for &n in &[1usize, 17, 5000, 300_001] {
        let mut x: Vec<T> = data(n, 3);
        let at = n * 2 / 3;
        x[at] = T::nan();
        assert!(max(&x).unwrap().is_nan() && min(&x).unwrap().is_nan() && sum(&x).is_nan());
        if at + 1 < n {
            x[at + 1] = T::nan();
        }
        assert_eq!(argmax(&x), Some(at), "first NaN wins, n={n}");
        assert!(logsumexp(&x).is_nan());
        let mut y: Vec<T> = data(n, 4);
        y[n / 2] = T::infinity();
        assert_eq!(max(&y), Some(T::infinity()));
        assert_eq!(logsumexp(&y), T::infinity());
        let z = vec![T::neg_infinity(); n];
        assert_eq!(logsumexp(&z), T::neg_infinity());
        assert_eq!(argmax(&z), Some(0));
    }
}

#[test]
fn nan_and_inf_propagate_as_numpy() {
    check_nan_inf::<f32>();
    check_nan_inf::<f64>();
}

fn check_axes<T: Real>(rows: usize, cols: usize, seed: u64) {
    let x: Vec<T> = data(rows * cols, seed);
    let at = |i: usize, j: usize| x[i * cols + j].to_f64().unwrap();
    let t = tol::<T>();
    // Last axis.
    let mut s = vec![T::zero(); rows];
    sum_rows(&x, rows, cols, &mut s);
    let mut m = vec![T::zero(); rows];
    let mut l = vec![T::zero(); rows];
    let mut a = vec![0usize; rows];
    logsumexp_rows(&x, rows, cols, &mut l);
    if cols > 0 || rows == 0 {
        max_rows(&x, rows, cols, &mut m).unwrap();
        argmax_rows(&x, rows, cols, &mut a).unwrap();
    } else {
        assert!(max_rows(&x, rows, cols, &mut m)
            .unwrap_err()
            .to_string()
            .contains("max"));
    }
    for i in 0..rows {
        let row: Vec<f64> = (0..cols).map(|j| at(i, j)).collect();
        let want: f64 = row.iter().sum();
        assert!(close(
            s[i].to_f64().unwrap(),
            want,
            row.iter().map(|v| v.abs()).sum(),
            t
        ));
        if cols > 0 {
            let mx = row.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            assert_eq!(m[i].to_f64().unwrap(), mx);
            assert_eq!(a[i], row.iter().position(|&v| v == mx).unwrap());
            let lse = mx + row.iter().map(|v| (v - mx).exp()).sum::<f64>().ln();
            assert!(
                close(l[i].to_f64().unwrap(), lse, lse.abs(), 4.0 * t),
                "lse row {i}"
            );
        } else {
            assert_eq!(l[i], T::neg_infinity());
        }
    }
    // First axis.
    let mut s = vec![T::zero(); cols];
    sum_cols(&x, rows, cols, &mut s);
    let mut mn = vec![T::zero(); cols];
    let mut a = vec![0usize; cols];
    if rows > 0 || cols == 0 {
        min_cols(&x, rows, cols, &mut mn).unwrap();
        argmax_cols(&x, rows, cols, &mut a).unwrap();
    } else {
        assert!(argmax_cols(&x, rows, cols, &mut a).is_err());
    }
    for j in 0..cols {
        let col: Vec<f64> = (0..rows).map(|i| at(i, j)).collect();
        let want: f64 = col.iter().sum();
        assert!(close(
            s[j].to_f64().unwrap(),
            want,
            col.iter().map(|v| v.abs()).sum(),
            t
        ));
        if rows > 0 {
            assert_eq!(
                mn[j].to_f64().unwrap(),
                col.iter().cloned().fold(f64::INFINITY, f64::min)
            );
            let mx = col.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            assert_eq!(a[j], col.iter().position(|&v| v == mx).unwrap());
        }
    }
}

#[test]
fn row_and_column_reductions_match_loops() {
    for (k, &(r, c)) in [
        (0, 0),
        (0, 5),
        (3, 0),
        (1, 1),
        (7, 9),
        (33, 1023),
        (700, 600),
        (3, 70_001),
    ]
    .iter()
    .enumerate()
    {
        check_axes::<f32>(r, c, 100 + k as u64);
        check_axes::<f64>(r, c, 200 + k as u64);
    }
}

#[test]
fn column_extrema_propagate_nan() {
    let (rows, cols) = (600, 700);
    let mut x: Vec<f32> = data(rows * cols, 9);
    x[5 * cols + 3] = f32::NAN;
    x[9 * cols + 3] = f32::NAN;
    let (mut m, mut a) = (vec![0.0; cols], vec![0; cols]);
    max_cols(&x, rows, cols, &mut m).unwrap();
    argmax_cols(&x, rows, cols, &mut a).unwrap();
    assert!(m[3].is_nan() && !m[4].is_nan());
    assert_eq!(a[3], 5);
    let mut r = vec![0.0; rows];
    min_rows(&x, rows, cols, &mut r).unwrap();
    assert!(r[5].is_nan() && r[9].is_nan() && !r[6].is_nan());
}
