//! diagonal, diag, trace, fill_diagonal, tril and triu against loops.

use super::*;
use crate::dtype::DType::*;
use crate::ops::extra::*;

#[test]
fn diagonal_matches_loops_for_offsets_and_axes_and_is_a_view() {
    let x = Tensor::randn(F64, &[3, 4, 5], 21);
    for (offset, a1, a2) in [
        (0i64, 0i64, 1i64),
        (1, 1, 2),
        (-2, -1, 0),
        (3, 0, 2),
        (-4, 1, 2),
        (9, 0, 1),
    ] {
        let got = eval1(&x, |v| diagonal(v, offset, a1, a2));
        let (p, q) = ((a1 + 3) as usize % 3, (a2 + 3) as usize % 3);
        let other = 3 - p - q;
        let (rows, cols) = (x.shape()[p] as i64, x.shape()[q] as i64);
        let mut expect = Vec::new();
        for o in 0..x.shape()[other] {
            for i in 0..rows {
                let j = i + offset;
                if j >= 0 && j < cols {
                    let mut idx = [0usize; 3];
                    idx[other] = o;
                    idx[p] = i as usize;
                    idx[q] = j as usize;
                    expect.push(x.get(&idx).as_f64());
                }
            }
        }
        let len = diagonal_len(rows as usize, cols as usize, offset);
        assert_eq!(got.shape(), &[x.shape()[other], len]);
        assert_eq!(
            got.to_vec::<f64>(),
            expect,
            "offset {offset}, axes ({a1}, {a2})"
        );
    }
    let t = transposed(4);
    let d = eval1(&t, |v| diagonal(v, -1, 0, 1));
    assert_eq!(
        d.to_vec::<f64>(),
        vec![
            t.get(&[1, 0]).as_f64(),
            t.get(&[2, 1]).as_f64(),
            t.get(&[3, 2]).as_f64()
        ]
    );
    let m = crate::ops::constructors::matrix("m", F64);
    let err = try_diagonal(&m, 0, 0, 2).unwrap_err().to_string();
    assert!(err.contains("diagonal") && err.contains("axis 2"), "{err}");
    assert!(try_diagonal(&m, 0, 1, -1)
        .unwrap_err()
        .to_string()
        .contains("same"));
}

#[test]
fn diag_builds_a_matrix_from_a_vector_and_reads_one_back() {
    let v = Tensor::rand_int(I32, &[3], -9, 9, 2);
    for k in [0i64, 2, -1] {
        let m = eval1(&v, |x| diag(x, k));
        let n = 3 + k.unsigned_abs() as usize;
        assert_eq!((m.shape(), m.dtype()), (&[n, n][..], I32));
        for r in 0..n {
            for c in 0..n {
                let i = if k >= 0 { r } else { c };
                let on = c as i64 - r as i64 == k;
                let want = if on { v.get(&[i]).as_i64() } else { 0 };
                assert_eq!(m.get(&[r, c]).as_i64(), want);
            }
        }
        let back = eval1(&v, |x| diag(&diag(x, k), k));
        assert_eq!(back.to_vec::<i32>(), v.to_vec::<i32>());
    }
    let t = crate::ops::constructors::tensor3("t", F64);
    assert!(try_diag(&t, 0)
        .unwrap_err()
        .to_string()
        .contains("vector or a matrix"));
}

#[test]
fn trace_sums_the_diagonal_with_numpy_sum_dtypes() {
    let x = Tensor::rand_int(I32, &[4, 6], -50, 50, 8);
    for k in [0i64, 2, -3] {
        let got = eval1(&x, |v| v.trace(k));
        assert_eq!(got.dtype(), I64);
        let mut want = 0i64;
        for i in 0..4i64 {
            if (0..6).contains(&(i + k)) {
                want += x.get(&[i as usize, (i + k) as usize]).as_i64();
            }
        }
        assert_eq!(got.item().as_i64(), want);
    }
    let b = Tensor::randn(F32, &[2, 3, 3], 1);
    let got = eval1(&b, |v| trace(v, 0, 1, 2));
    for n in 0..2 {
        let want: f64 = (0..3).map(|i| b.get(&[n, i, i]).as_f64()).sum();
        assert!((got.get(&[n]).as_f64() - want).abs() < 1e-5);
    }
    let e = Tensor::randn(F64, &[0, 0], 1);
    assert_eq!(eval1(&e, |v| v.trace(0)).item().as_f64(), 0.0);
}

#[test]
fn fill_diagonal_sets_the_diagonal_of_tall_wide_and_cubic_arrays() {
    let val = Tensor::scalar(7.5f64);
    for shape in [vec![3usize, 5], vec![5, 3], vec![3, 3, 3]] {
        let a = Tensor::randn(F32, &shape, 3);
        let (av, vv) = (input_for("a", &a), input_for("v", &val));
        let got = run(
            &[av.clone(), vv.clone()],
            &[a.clone(), val.clone()],
            &[fill_diagonal(&av, &vv)],
        )
        .remove(0);
        assert_eq!(got.dtype(), F32);
        for flat in 0..a.size() {
            let idx = crate::tensor::unravel(flat, &shape);
            let on = idx.iter().all(|&i| i == idx[0]);
            let want = if on { 7.5 } else { a.get(&idx).as_f64() };
            assert_eq!(got.get(&idx).as_f64(), want);
        }
    }
    let a = transposed(6);
    let (av, vv) = (input_for("a", &a), input_for("v", &val));
    let got = run(
        &[av.clone(), vv.clone()],
        &[a.clone(), val.clone()],
        &[fill_diagonal_offset(&av, &vv, -1)],
    )
    .remove(0);
    for r in 0..4 {
        for c in 0..3 {
            let want = if r == c + 1 {
                7.5
            } else {
                a.get(&[r, c]).as_f64()
            };
            assert_eq!(got.get(&[r, c]).as_f64(), want);
        }
    }
    let bad = Tensor::randn(F64, &[2, 3, 2], 1);
    let (bv, vv) = (input_for("b", &bad), input_for("v", &val));
    let err = try_run(
        &[bv.clone(), vv.clone()],
        &[bad, val],
        &[fill_diagonal(&bv, &vv)],
    )
    .unwrap_err();
    assert!(err.to_string().contains("all dims equal"), "{err}");
}

#[test]
fn tril_and_triu_keep_the_right_triangle_of_batched_matrices() {
    let x = Tensor::randn(F64, &[2, 4, 5], 13);
    for k in [0i64, 1, -2] {
        let lo = eval1(&x, |v| tril(v, k));
        let up = eval1(&x, |v| triu(v, k));
        for b in 0..2 {
            for i in 0..4 {
                for j in 0..5 {
                    let v = x.get(&[b, i, j]).as_f64();
                    let d = j as i64 - i as i64;
                    assert_eq!(lo.get(&[b, i, j]).as_f64(), if d <= k { v } else { 0.0 });
                    assert_eq!(up.get(&[b, i, j]).as_f64(), if d >= k { v } else { 0.0 });
                }
            }
        }
    }
    let t = transposed(1);
    let lo = eval1(&t, |v| tril(v, 0));
    assert_eq!(lo.get(&[0, 1]).as_f64(), 0.0);
    assert_eq!(lo.get(&[3, 1]).as_f64(), t.get(&[3, 1]).as_f64());
    let v = crate::ops::constructors::vector("v", F64);
    assert!(Var::apply1(Tri { upper: true, k: 0 }, &[v])
        .unwrap_err()
        .to_string()
        .contains("at least 2 dims"));
}
