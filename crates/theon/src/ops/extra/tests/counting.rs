//! bincount, diff, to_one_hot and the index conversions against loops.

use super::*;
use crate::dtype::DType::*;
use crate::ops::extra::*;
use crate::tensor::unravel;

#[test]
fn bincount_counts_and_sums_weights_with_minlength() {
    let x = Tensor::rand_int(I32, &[20], 0, 7, 1);
    let w = Tensor::randn(F32, &[20], 2);
    let (xv, wv) = (input_for("x", &x), input_for("w", &w));
    let outs = run(
        &[xv.clone(), wv.clone()],
        &[x.clone(), w.clone()],
        &[bincount(&xv, None, 0), bincount(&xv, Some(&wv), 12)],
    );
    let xs = x.to_vec::<i32>();
    let ws = w.to_vec::<f32>();
    let max = *xs.iter().max().unwrap() as usize;
    assert_eq!((outs[0].dtype(), outs[0].shape()), (I64, &[max + 1][..]));
    assert_eq!((outs[1].dtype(), outs[1].shape()), (F64, &[12][..]));
    for b in 0..12 {
        let count = xs.iter().filter(|&&v| v as usize == b).count() as i64;
        let sum: f64 = xs
            .iter()
            .zip(&ws)
            .filter(|(&v, _)| v as usize == b)
            .map(|(_, &w)| w as f64)
            .sum();
        if b <= max {
            assert_eq!(outs[0].to_vec::<i64>()[b], count);
        }
        assert!((outs[1].to_vec::<f64>()[b] - sum).abs() < 1e-12);
    }
}

#[test]
fn bincount_rejects_negative_values_floats_and_length_mismatches() {
    let x = Tensor::from_vec(vec![1i64, -3, 2], &[3]).unwrap();
    let xv = input_for("x", &x);
    let err = try_run(std::slice::from_ref(&xv), &[x], &[bincount(&xv, None, 0)])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("bincount") && err.contains("-3") && err.contains("position 1"),
        "{err}"
    );
    assert!(err.contains("counting.rs"), "{err}");
    let f = crate::ops::constructors::vector("f", F64);
    assert!(try_bincount(&f, None, 0)
        .unwrap_err()
        .to_string()
        .contains("float64"));
    let x = Tensor::from_vec(vec![1i64, 0], &[2]).unwrap();
    let w = Tensor::randn(F64, &[3], 0);
    let (xv, wv) = (input_for("x", &x), input_for("w", &w));
    let err = try_run(
        &[xv.clone(), wv.clone()],
        &[x, w],
        &[bincount(&xv, Some(&wv), 0)],
    )
    .unwrap_err();
    assert!(err.to_string().contains("length 3"), "{err}");
    let empty = Tensor::rand_int(I64, &[0], 0, 1, 0);
    assert_eq!(
        eval1(&empty, |x| bincount(x, None, 4)).to_vec::<i64>(),
        vec![0; 4]
    );
}

/// The n-th difference along `axis` of a 3-d tensor, computed with index loops.
fn diff_loops(x: &Tensor, n: usize, axis: usize) -> (Vec<usize>, Vec<f64>) {
    let mut cur_shape = x.shape().to_vec();
    let mut cur: Vec<f64> = x.to_f64_vec();
    for _ in 0..n {
        let mut shape = cur_shape.clone();
        shape[axis] = shape[axis].saturating_sub(1);
        let size: usize = shape.iter().product();
        let strides = crate::tensor::c_strides(&cur_shape);
        let mut next = Vec::with_capacity(size);
        for flat in 0..size {
            let idx = unravel(flat, &shape);
            let pos: isize = idx
                .iter()
                .zip(&strides)
                .map(|(&i, &s)| i as isize * s)
                .sum();
            next.push(cur[(pos + strides[axis]) as usize] - cur[pos as usize]);
        }
        cur = next;
        cur_shape = shape;
    }
    (cur_shape, cur)
}

#[test]
fn diff_matches_loops_for_every_axis_and_order() {
    let x = Tensor::randn(F64, &[3, 4, 5], 7);
    for (n, axis) in [(1, 0i64), (2, 1), (3, -1), (0, 2), (6, -1)] {
        let a = if axis < 0 {
            (axis + 3) as usize
        } else {
            axis as usize
        };
        let got = eval1(&x, |v| diff(v, n, axis));
        let (shape, expect) = diff_loops(&x, n, a);
        assert_eq!(got.shape(), &shape[..]);
        for (g, e) in got.to_vec::<f64>().iter().zip(&expect) {
            assert!((g - e).abs() < 1e-12);
        }
    }
    let t = transposed(2);
    let (shape, expect) = diff_loops(&t.contiguous(), 1, 0);
    let got = eval1(&t, |v| diff(v, 1, 0));
    assert_eq!((got.shape(), got.to_vec::<f64>()), (&shape[..], expect));
}

#[test]
fn diff_keeps_integer_dtypes_wrapping_and_uses_not_equal_for_bools() {
    let x = Tensor::from_vec(vec![0u8, 200, 10], &[3]).unwrap();
    assert_eq!(eval1(&x, |v| diff(v, 1, 0)).to_vec::<u8>(), vec![200, 66]);
    let b = Tensor::from_vec(vec![true, true, false, true], &[4]).unwrap();
    assert_eq!(
        eval1(&b, |v| diff(v, 1, 0)).to_vec::<bool>(),
        vec![false, true, true]
    );
    let s = crate::ops::constructors::scalar("s", F64);
    assert!(try_diff(&s, 1, 0)
        .unwrap_err()
        .to_string()
        .contains("one dimensional"));
    let m = crate::ops::constructors::matrix("m", F64);
    assert!(try_diff(&m, 1, -3)
        .unwrap_err()
        .to_string()
        .contains("axis -3"));
}

#[test]
fn to_one_hot_sets_one_column_per_row() {
    let y = Tensor::rand_int(I32, &[6], 0, 4, 3);
    let got = eval1(&y, |v| to_one_hot(v, 4, F32));
    assert_eq!((got.dtype(), got.shape()), (F32, &[6, 4][..]));
    for (i, &label) in y.to_vec::<i32>().iter().enumerate() {
        for c in 0..4 {
            let want = if c == label as usize { 1.0 } else { 0.0 };
            assert_eq!(got.get(&[i, c]).as_f64(), want);
        }
    }
    let bad = Tensor::from_vec(vec![1i64, 4], &[2]).unwrap();
    let yv = input_for("y", &bad);
    let err = try_run(
        std::slice::from_ref(&yv),
        &[bad],
        &[to_one_hot(&yv, 4, F64)],
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("index 4") && err.contains("size 4") && err.contains("position 1"),
        "{err}"
    );
}

#[test]
fn ravel_and_unravel_are_inverse_and_match_c_order_arithmetic() {
    let dims = [3usize, 4, 5];
    let i = Tensor::rand_int(I64, &[2, 3], 0, 3, 1);
    let j = Tensor::rand_int(I32, &[2, 3], 0, 4, 2);
    let k = Tensor::rand_int(I64, &[3], 0, 5, 3);
    let k = Tensor::from_vec(k.to_vec::<i64>(), &[1, 3]).unwrap();
    let vars: Vec<Var> = [&i, &j, &k].iter().map(|t| input_for("i", t)).collect();
    let kv = Var::input("k", crate::TensorType::new(I64, vec![Some(1), None]));
    let vars = vec![vars[0].clone(), vars[1].clone(), kv.clone()];
    let flat = ravel_multi_index(&vars, &dims);
    let back = unravel_index(&flat, &dims);
    let mut outs = vec![flat];
    outs.extend(back);
    let got = run(&vars, &[i.clone(), j.clone(), k.clone()], &outs);
    for r in 0..2 {
        for c in 0..3 {
            let (a, b, d) = (
                i.get(&[r, c]).as_i64(),
                j.get(&[r, c]).as_i64(),
                k.get(&[0, c]).as_i64(),
            );
            assert_eq!(got[0].get(&[r, c]).as_i64(), a * 20 + b * 5 + d);
            assert_eq!(
                (got[1].get(&[r, c]).as_i64(), got[2].get(&[r, c]).as_i64()),
                (a, b)
            );
            assert_eq!(got[3].get(&[r, c]).as_i64(), d);
        }
    }
}

#[test]
fn out_of_range_multi_and_flat_indices_are_errors() {
    let i = Tensor::from_vec(vec![0i64, 3], &[2]).unwrap();
    let j = Tensor::from_vec(vec![1i64, 1], &[2]).unwrap();
    let (iv, jv) = (input_for("i", &i), input_for("j", &j));
    let err = try_run(
        &[iv.clone(), jv.clone()],
        &[i, j],
        &[ravel_multi_index(&[iv, jv], &[3, 4])],
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("ravel_multi_index") && msg.contains("index 3") && msg.contains("axis 0"),
        "{msg}"
    );
    let f = Tensor::from_vec(vec![5i64, 12], &[2]).unwrap();
    let fv = input_for("f", &f);
    let outs = unravel_index(&fv, &[3, 4]);
    let msg = try_run(&[fv], &[f], &outs).unwrap_err().to_string();
    assert!(
        msg.contains("unravel_index") && msg.contains("index 12") && msg.contains("size 12"),
        "{msg}"
    );
    let g = crate::ops::constructors::vector("g", F64);
    assert!(try_unravel_index(&g, &[2]).is_err());
}
