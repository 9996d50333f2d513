//! sort, argsort, searchsorted and unique against plain loops.

use super::*;
use crate::dtype::DType::*;
use crate::ops::extra::*;
use crate::tensor::Scalar;

/// Plain insertion sort of (value, original index) pairs: stable, NaN last.
fn insertion_sort(values: &[f64]) -> Vec<(f64, usize)> {
    let key = |v: f64| if v.is_nan() { f64::INFINITY } else { v };
    let after = |a: f64, b: f64| (a.is_nan() && !b.is_nan()) || key(a) > key(b);
    let mut out: Vec<(f64, usize)> = Vec::new();
    for (i, &v) in values.iter().enumerate() {
        let mut pos = out.len();
        while pos > 0 && after(out[pos - 1].0, v) {
            pos -= 1;
        }
        out.insert(pos, (v, i));
    }
    out
}

/// Elements of `x` along `axis` at the other coordinates in C order.
fn lane_of(x: &Tensor, axis: usize, mut other: Vec<usize>) -> Vec<f64> {
    other.insert(axis, 0);
    (0..x.shape()[axis])
        .map(|i| {
            other[axis] = i;
            x.get(&other).as_f64()
        })
        .collect()
}

fn check_sort_3d(x: &Tensor, axis: i64) {
    let a = if axis < 0 {
        (axis + 3) as usize
    } else {
        axis as usize
    };
    let sorted = eval1(x, |v| sort(v, axis));
    let order = eval1(x, |v| argsort(v, axis));
    assert_eq!(sorted.shape(), x.shape());
    let mut rest: Vec<usize> = x.shape().to_vec();
    rest.remove(a);
    for i in 0..rest[0] {
        for j in 0..rest[1] {
            let expect = insertion_sort(&lane_of(x, a, vec![i, j]));
            let got = lane_of(&sorted, a, vec![i, j]);
            let got_idx = lane_of(&order, a, vec![i, j]);
            for (k, (v, idx)) in expect.iter().enumerate() {
                assert!(
                    got[k] == *v || (got[k].is_nan() && v.is_nan()),
                    "axis {axis}: {got:?} vs {expect:?}"
                );
                assert_eq!(got_idx[k] as usize, *idx, "argsort is stable");
            }
        }
    }
}

#[test]
fn sort_and_argsort_match_a_stable_insertion_sort_on_every_axis() {
    let floats = Tensor::randn(F64, &[3, 4, 5], 11);
    let ties = Tensor::rand_int(I32, &[3, 4, 5], -3, 3, 12);
    for axis in [0, 1, 2, -1, -3] {
        check_sort_3d(&floats, axis);
        check_sort_3d(&ties, axis);
    }
}

#[test]
fn nans_sort_last_and_float32_keeps_its_dtype() {
    let mut v = Tensor::randn(F32, &[7], 3).to_vec::<f32>();
    v[1] = f32::NAN;
    v[4] = f32::NAN;
    let x = Tensor::from_vec(v.clone(), &[7]).unwrap();
    let sorted = eval1(&x, |x| sort(x, -1));
    assert_eq!(sorted.dtype(), F32);
    let got = sorted.to_vec::<f32>();
    let expect = insertion_sort(&v.iter().map(|&f| f as f64).collect::<Vec<_>>());
    for (g, (e, _)) in got.iter().zip(&expect) {
        assert!((*g as f64) == *e || (g.is_nan() && e.is_nan()));
    }
    assert!(got[5].is_nan() && got[6].is_nan() && !got[4].is_nan());
    let idx = eval1(&x, |x| argsort(x, 0)).to_vec::<i64>();
    assert_eq!(&idx[5..], &[1, 4]);
}

#[test]
fn axis_none_sorts_the_flattened_array_and_handles_views_and_empties() {
    let x = transposed(5);
    let got = eval1(&x, |v| sort(v, None));
    let expect = insertion_sort(&x.to_f64_vec());
    assert_eq!(got.shape(), &[12]);
    assert_eq!(
        got.to_vec::<f64>(),
        expect.iter().map(|p| p.0).collect::<Vec<_>>()
    );
    let flat_idx = eval1(&x, |v| argsort(v, None)).to_vec::<i64>();
    assert_eq!(
        flat_idx,
        expect.iter().map(|p| p.1 as i64).collect::<Vec<_>>()
    );
    let empty = Tensor::randn(F64, &[0, 3], 1);
    assert_eq!(eval1(&empty, |v| sort(v, 0)).shape(), &[0, 3]);
    assert_eq!(eval1(&empty, |v| argsort(v, -1)).shape(), &[0, 3]);
}

#[test]
fn sorting_along_a_missing_axis_is_an_error_naming_the_op_and_line() {
    let x = crate::ops::constructors::matrix("x", F64);
    let err = try_sort(&x, SortKind::Values, Some(2)).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("sort") && msg.contains("axis 2") && msg.contains("rank 2"),
        "{msg}"
    );
    assert!(msg.contains("sorting.rs"), "{msg}");
    assert!(try_sort(&x, SortKind::Indices, Some(-3)).is_err());
}

#[test]
fn searchsorted_left_and_right_match_linear_scans() {
    let a = eval1(&Tensor::rand_int(I64, &[9], 0, 6, 4), |x| sort(x, 0));
    let v = Tensor::rand_int(I64, &[2, 5], -1, 8, 5);
    let (av, vv) = (input_for("a", &a), input_for("v", &v));
    let outs = run(
        &[av.clone(), vv.clone()],
        &[a.clone(), v.clone()],
        &[
            searchsorted(&av, &vv, Side::Left),
            searchsorted(&av, &vv, Side::Right),
        ],
    );
    let sorted = a.to_vec::<i64>();
    for (k, &x) in v.to_vec::<i64>().iter().enumerate() {
        let left = sorted.iter().filter(|&&s| s < x).count() as i64;
        let right = sorted.iter().filter(|&&s| s <= x).count() as i64;
        assert_eq!(outs[0].to_vec::<i64>()[k], left);
        assert_eq!(outs[1].to_vec::<i64>()[k], right);
    }
    assert_eq!(outs[0].shape(), &[2, 5]);
    let m = crate::ops::constructors::matrix("m", F64);
    let err = try_searchsorted(&m, &vv, Side::Left)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("searchsorted") && err.contains("vector"),
        "{err}"
    );
}

#[test]
fn searchsorted_puts_nan_after_numbers_and_compares_in_the_promoted_dtype() {
    let a = Tensor::from_vec(vec![1.0f64, 2.5, f64::NAN], &[3]).unwrap();
    let v = Tensor::from_vec(vec![2i32, 3, 1], &[3]).unwrap();
    let (av, vv) = (input_for("a", &a), input_for("v", &v));
    let got = run(
        &[av.clone(), vv.clone()],
        &[a, v],
        &[searchsorted(&av, &vv, Side::Right)],
    );
    assert_eq!(got[0].to_vec::<i64>(), vec![1, 2, 1]);
}

#[test]
fn unique_returns_sorted_values_first_indices_inverse_and_counts() {
    let x = Tensor::rand_int(I32, &[3, 5], -4, 4, 9);
    let xv = input_for("x", &x);
    let outs = run(
        std::slice::from_ref(&xv),
        std::slice::from_ref(&x),
        &unique(&xv, true, true, true),
    );
    let flat = x.to_vec::<i32>();
    let mut expect: Vec<i32> = Vec::new();
    for &v in &flat {
        if !expect.contains(&v) {
            expect.push(v);
        }
    }
    expect.sort();
    assert_eq!(outs[0].to_vec::<i32>(), expect);
    for (k, &u) in expect.iter().enumerate() {
        let first = flat.iter().position(|&v| v == u).unwrap() as i64;
        let count = flat.iter().filter(|&&v| v == u).count() as i64;
        assert_eq!(outs[1].to_vec::<i64>()[k], first);
        assert_eq!(outs[3].to_vec::<i64>()[k], count);
    }
    assert_eq!(
        outs[2].shape(),
        &[3, 5],
        "NumPy 2: the inverse has the input's shape"
    );
    for (i, &inv) in outs[2].to_vec::<i64>().iter().enumerate() {
        assert_eq!(expect[inv as usize], flat[i]);
    }
}

#[test]
fn unique_collapses_nans_and_accepts_empty_and_transposed_inputs() {
    let x = Tensor::from_vec(vec![f64::NAN, 2.0, f64::NAN, -1.0, 2.0], &[5]).unwrap();
    let v = eval1(&x, |x| unique(x, false, false, false).remove(0)).to_vec::<f64>();
    assert_eq!(v.len(), 3);
    assert_eq!(&v[..2], &[-1.0, 2.0]);
    assert!(v[2].is_nan());
    let empty = Tensor::randn(F32, &[0], 1);
    let e = eval1(&empty, |x| unique(x, false, false, false).remove(0));
    assert_eq!((e.shape(), e.dtype()), (&[0usize][..], F32));
    let t = transposed(3);
    let u = eval1(&t, |x| unique(x, true, false, false).remove(1)).to_vec::<i64>();
    let flat = t.to_f64_vec();
    let min_pos = (0..flat.len())
        .min_by(|&i, &j| flat[i].partial_cmp(&flat[j]).unwrap())
        .unwrap();
    assert_eq!(u[0], min_pos as i64, "index refers to C order of the view");
    assert_eq!(Scalar::Int(u.len() as i64), Scalar::Int(12));
}
