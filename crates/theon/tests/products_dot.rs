//! `dot`, `matmul` and `outer` against plain-loop expectations on random
//! inputs: every rank combination, promotion, non-contiguous and size-0
//! inputs, and the errors for misaligned shapes (static and at run time).
//! Tolerances: float64 rtol 1e-12, float32 rtol 1e-5 (atol 1e-5); integer
//! and bool results are exact.

use theon::ops::products::{dot, matmul, outer, try_dot, try_matmul};
use theon::prelude::*;
use theon::tensor::unravel;

/// Compiles `out` as a function of `inputs` and runs it on `values`.
fn run(inputs: &[&Var], values: &[&Tensor], out: &Var) -> theon::Result<Tensor> {
    let vars: Vec<Var> = inputs.iter().map(|&v| v.clone()).collect();
    let f = function(&vars, std::slice::from_ref(out))?;
    let args: Vec<Tensor> = values.iter().map(|&t| t.clone()).collect();
    Ok(f.call(&args)?.remove(0))
}

/// A graph input with the value's rank and unknown dims.
fn input_like(name: &str, t: &Tensor) -> Var {
    tensor(name, t.dtype(), &vec![None; t.ndim()])
}

fn assert_close(got: &Tensor, shape: &[usize], want: &[f64], rtol: f64, atol: f64) {
    assert_eq!(got.shape(), shape, "shape");
    for (i, (g, w)) in got.to_f64_vec().iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= atol + rtol * w.abs(),
            "element {i}: got {g}, want {w}"
        );
    }
}

fn tol(dtype: DType) -> (f64, f64) {
    if dtype == F32 {
        (1e-5, 1e-5)
    } else {
        (1e-12, 1e-12)
    }
}

fn at(t: &Tensor, index: &[usize]) -> f64 {
    t.get(index).as_f64()
}

/// `np.dot` by its definition: plain loops over output positions.
fn naive_dot(a: &Tensor, b: &Tensor) -> (Vec<usize>, Vec<f64>) {
    if a.ndim() == 0 || b.ndim() == 0 {
        let (s, t) = if a.ndim() == 0 { (a, b) } else { (b, a) };
        let values = t
            .to_f64_vec()
            .iter()
            .map(|v| v * s.item().as_f64())
            .collect();
        return (t.shape().to_vec(), values);
    }
    let (na, nb) = (a.ndim(), b.ndim());
    let k = a.shape()[na - 1];
    let lead = &a.shape()[..na - 1];
    let (pre, last): (&[usize], &[usize]) = if nb == 1 {
        (&[], &[])
    } else {
        (&b.shape()[..nb - 2], &b.shape()[nb - 1..])
    };
    let shape: Vec<usize> = lead.iter().chain(pre).chain(last).copied().collect();
    let n: usize = shape.iter().product();
    let mut values = Vec::with_capacity(n);
    for flat in 0..n {
        let idx = unravel(flat, &shape);
        let (ai, rest) = idx.split_at(lead.len());
        let (bp, bl) = rest.split_at(pre.len());
        let mut acc = 0.0;
        for kk in 0..k {
            let a_index: Vec<usize> = ai.iter().copied().chain([kk]).collect();
            let b_index: Vec<usize> = bp
                .iter()
                .copied()
                .chain([kk])
                .chain(bl.iter().copied())
                .collect();
            acc += at(a, &a_index) * at(b, &b_index);
        }
        values.push(acc);
    }
    (shape, values)
}

fn check_dot(a: &Tensor, b: &Tensor) {
    let (x, y) = (input_like("a", a), input_like("b", b));
    let got = run(&[&x, &y], &[a, b], &x.dot(&y)).unwrap();
    let (shape, want) = naive_dot(a, b);
    let (rtol, atol) = tol(got.dtype());
    assert_close(&got, &shape, &want, rtol, atol);
}

#[test]
fn dot_matches_loops_for_every_rank_combination() {
    let shapes: [(&[usize], &[usize]); 10] = [
        (&[], &[3, 4]),
        (&[2, 3], &[]),
        (&[5], &[5]),
        (&[3, 4], &[4]),
        (&[4], &[4, 3]),
        (&[3, 4], &[4, 5]),
        (&[2, 3, 4], &[4, 5]),
        (&[2, 3, 4], &[4]),
        (&[3, 4], &[2, 4, 5]),
        (&[2, 3, 4], &[3, 4, 2]),
    ];
    for (seed, (sa, sb)) in shapes.iter().enumerate() {
        for dtype in [F64, F32] {
            let a = Tensor::randn(dtype, sa, 10 + seed as u64);
            let b = Tensor::randn(dtype, sb, 50 + seed as u64);
            check_dot(&a, &b);
        }
    }
}

#[test]
fn dot_of_non_contiguous_views() {
    for dtype in [F64, F32] {
        let a = Tensor::randn(dtype, &[5, 4], 1).t(); // (4, 5), transposed
        let b = Tensor::randn(dtype, &[5, 6], 2)
            .slice_axis(1, None, None, -2)
            .unwrap(); // (5, 3), reversed
        check_dot(&a, &b);
        let v = Tensor::randn(dtype, &[10], 3)
            .slice_axis(0, Some(1), None, 2)
            .unwrap(); // (5,), strided
        check_dot(&a, &v);
        check_dot(&v, &b);
        let c = Tensor::randn(dtype, &[3, 5, 4], 4)
            .permute(&[2, 0, 1])
            .unwrap(); // (4, 3, 5)
        check_dot(&c, &b);
    }
}

#[test]
fn dot_keeps_integer_and_bool_dtypes() {
    let a = Tensor::rand_int(I32, &[3, 4], -9, 9, 5);
    let b = Tensor::rand_int(I32, &[4, 2], -9, 9, 6);
    let (x, y) = (input_like("a", &a), input_like("b", &b));
    let z = x.dot(&y);
    assert_eq!(z.dtype(), I32);
    let got = run(&[&x, &y], &[&a, &b], &z).unwrap();
    let (shape, want) = naive_dot(&a, &b);
    assert_close(&got, &shape, &want, 0.0, 0.0);

    // Mixed: int8 · float32 promotes like NumPy (float32); uint8 · int8 -> int16.
    assert_eq!(dot(&matrix("p", I8), &matrix("q", F32)).dtype(), F32);
    assert_eq!(dot(&matrix("p", U8), &matrix("q", I8)).dtype(), I16);

    let p = Tensor::rand_int(Bool, &[3, 4], 0, 2, 7);
    let q = Tensor::rand_int(Bool, &[4, 2], 0, 2, 8);
    let (x, y) = (input_like("p", &p), input_like("q", &q));
    let got = run(&[&x, &y], &[&p, &q], &dot(&x, &y)).unwrap();
    assert_eq!(got.dtype(), Bool);
    for i in 0..3 {
        for j in 0..2 {
            let want = (0..4).any(|k| p.get(&[i, k]).as_bool() && q.get(&[k, j]).as_bool());
            assert_eq!(got.get(&[i, j]).as_bool(), want, "({i}, {j})");
        }
    }
}

#[test]
fn integer_dot_wraps_like_numpy() {
    let a = Tensor::from_vec(vec![100i8, 100], &[2]).unwrap();
    let x = input_like("a", &a);
    let got = run(&[&x], &[&a], &x.dot(&x)).unwrap();
    // 100*100 + 100*100 = 20000 wraps modulo 256 to 32 in int8.
    assert_eq!(got.to_vec::<i8>(), vec![(20000i32 as i8)]);
}

#[test]
fn dot_with_size_zero_dims() {
    for dtype in [F64, F32, I64] {
        let cases: [(&[usize], &[usize]); 4] = [
            (&[3, 0], &[0, 4]),
            (&[0, 3], &[3, 2]),
            (&[0], &[0]),
            (&[2, 0, 3], &[3, 0]),
        ];
        for (sa, sb) in cases {
            let a = Tensor::rand_int(dtype, sa, 1, 5, 1);
            let b = Tensor::rand_int(dtype, sb, 1, 5, 2);
            check_dot(&a, &b);
        }
    }
}

#[test]
fn misaligned_dot_names_op_shapes_and_line_statically() {
    let x = tensor("x", F64, &[Some(2), Some(3)]);
    let y = tensor("y", F64, &[Some(4), Some(5)]);
    let msg = try_dot(&x, &y).unwrap_err().to_string();
    assert!(
        msg.contains("dot") && msg.contains("(2, 3)") && msg.contains("(4, 5)"),
        "{msg}"
    );
    assert!(msg.contains("products_dot.rs"), "{msg}");
}

#[test]
fn misaligned_dot_names_op_shapes_and_line_at_run_time() {
    let x = matrix("x", F64);
    let y = matrix("y", F64);
    let z = x.dot(&y);
    let err = run(
        &[&x, &y],
        &[
            &Tensor::randn(F64, &[2, 3], 1),
            &Tensor::randn(F64, &[4, 5], 2),
        ],
        &z,
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("dot") && msg.contains("(2, 3)") && msg.contains("(4, 5)"),
        "{msg}"
    );
    assert!(msg.contains("products_dot.rs"), "{msg}");
    // Matrix-vector: the vector's only axis must match.
    let v = vector("v", F64);
    let err = run(
        &[&x, &v],
        &[
            &Tensor::randn(F64, &[2, 3], 1),
            &Tensor::randn(F64, &[4], 2),
        ],
        &x.dot(&v),
    )
    .unwrap_err();
    assert!(err.to_string().contains("(4,)"), "{err}");
}

/// `np.matmul` by its definition, for float results.
fn naive_matmul(a: &Tensor, b: &Tensor) -> (Vec<usize>, Vec<f64>) {
    let a2 = if a.ndim() == 1 {
        a.expand_dims(0)
    } else {
        a.clone()
    };
    let b2 = if b.ndim() == 1 {
        b.expand_dims(1)
    } else {
        b.clone()
    };
    let (na, nb) = (a2.ndim(), b2.ndim());
    let (m, k, n) = (a2.shape()[na - 2], a2.shape()[na - 1], b2.shape()[nb - 1]);
    let nbatch = (na - 2).max(nb - 2);
    let batch_dim = |t: &Tensor, axis: usize| {
        let pad = nbatch - (t.ndim() - 2);
        if axis < pad {
            1
        } else {
            t.shape()[axis - pad]
        }
    };
    let batch: Vec<usize> = (0..nbatch)
        .map(|i| batch_dim(&a2, i).max(batch_dim(&b2, i)))
        .collect();
    let pick = |t: &Tensor, bi: &[usize]| -> Vec<usize> {
        let pad = nbatch - (t.ndim() - 2);
        bi[pad..]
            .iter()
            .zip(t.shape())
            .map(|(&i, &d)| if d == 1 { 0 } else { i })
            .collect()
    };
    let mut values = Vec::new();
    let nb_total: usize = batch.iter().product();
    for flat in 0..nb_total {
        let bi = unravel(flat, &batch);
        for i in 0..m {
            for j in 0..n {
                let mut acc = 0.0;
                for kk in 0..k {
                    let ai: Vec<usize> = pick(&a2, &bi).into_iter().chain([i, kk]).collect();
                    let bj: Vec<usize> = pick(&b2, &bi).into_iter().chain([kk, j]).collect();
                    acc += at(&a2, &ai) * at(&b2, &bj);
                }
                values.push(acc);
            }
        }
    }
    let mut shape = batch;
    if a.ndim() >= 2 {
        shape.push(m);
    }
    if b.ndim() >= 2 {
        shape.push(n);
    }
    (shape, values)
}

#[test]
fn matmul_matches_loops_with_batches_and_vectors() {
    // (shape a, shape b, static type of a) — a static 1 lets a batch dim broadcast.
    let cases: [(&[usize], &[usize]); 8] = [
        (&[3, 4], &[4, 5]),
        (&[2, 3, 4], &[2, 4, 5]),
        (&[2, 3, 4], &[4, 5]),
        (&[4], &[2, 4, 5]),
        (&[2, 3, 4], &[4]),
        (&[4], &[4]),
        (&[3, 4], &[4]),
        (&[2, 1, 3, 4], &[5, 4, 2]),
    ];
    for (seed, (sa, sb)) in cases.iter().enumerate() {
        for dtype in [F64, F32, I32] {
            let a = Tensor::rand_uniform(dtype, sa, -4.0, 4.0, 100 + seed as u64);
            let b = Tensor::rand_uniform(dtype, sb, -4.0, 4.0, 200 + seed as u64);
            // Dims of size 1 are typed as known 1, so they broadcast.
            let ty = |t: &Tensor| -> Vec<Option<usize>> {
                t.shape().iter().map(|&d| (d == 1).then_some(1)).collect()
            };
            let x = tensor("a", dtype, &ty(&a));
            let y = tensor("b", dtype, &ty(&b));
            let got = run(&[&x, &y], &[&a, &b], &x.matmul(&y)).unwrap();
            let (shape, want) = naive_matmul(&a, &b);
            let (rtol, atol) = tol(dtype);
            assert_close(&got, &shape, &want, rtol, atol);
        }
    }
}

#[test]
fn matmul_of_non_contiguous_and_empty_inputs() {
    for dtype in [F64, F32] {
        let a = Tensor::randn(dtype, &[4, 3, 2], 1)
            .permute(&[0, 2, 1])
            .unwrap(); // (4, 2, 3)
        let b = Tensor::randn(dtype, &[4, 3, 6], 2)
            .slice_axis(2, None, None, -2)
            .unwrap(); // (4, 3, 3)
        let (x, y) = (input_like("a", &a), input_like("b", &b));
        let got = run(&[&x, &y], &[&a, &b], &matmul(&x, &y)).unwrap();
        let (shape, want) = naive_matmul(&a, &b);
        let (rtol, atol) = tol(dtype);
        assert_close(&got, &shape, &want, rtol, atol);
        for (sa, sb) in [
            ([0usize, 2, 3], [0usize, 3, 4]),
            ([2, 0, 3], [2, 3, 4]),
            ([2, 2, 0], [2, 0, 4]),
        ] {
            let (a, b) = (Tensor::randn(dtype, &sa, 3), Tensor::randn(dtype, &sb, 4));
            let got = run(&[&x, &y], &[&a, &b], &matmul(&x, &y)).unwrap();
            let (shape, want) = naive_matmul(&a, &b);
            assert_close(&got, &shape, &want, 0.0, 0.0);
        }
    }
}

#[test]
fn matmul_errors_name_the_op_and_shapes() {
    let s = scalar("s", F64);
    let m = matrix("m", F64);
    let msg = try_matmul(&s, &m).unwrap_err().to_string();
    assert!(
        msg.contains("matmul") && msg.contains("scalar") && msg.contains("products_dot.rs"),
        "{msg}"
    );

    let x = tensor("x", F64, &[Some(2), Some(3), Some(4)]);
    let y = tensor("y", F64, &[Some(3), Some(4), Some(5)]);
    let msg = try_matmul(&x, &y).unwrap_err().to_string();
    assert!(
        msg.contains("matmul") && msg.contains("(2, 3, 4)") && msg.contains("(3, 4, 5)"),
        "{msg}"
    );

    // At run time: inner dims, and a batch dim of runtime size 1 that is not typed as 1.
    let (a, b) = (tensor3("a", F64), tensor3("b", F64));
    let z = matmul(&a, &b);
    for (sa, sb, text) in [
        ([2, 3, 4], [2, 5, 6], "(2, 5, 6)"),
        ([1, 3, 4], [2, 4, 6], "(1, 3, 4)"),
    ] {
        let err = run(
            &[&a, &b],
            &[&Tensor::randn(F64, &sa, 1), &Tensor::randn(F64, &sb, 2)],
            &z,
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("matmul") && msg.contains(text) && msg.contains("products_dot.rs"),
            "{msg}"
        );
    }
}

#[test]
fn outer_flattens_like_numpy() {
    for dtype in [F64, I32] {
        let a = Tensor::rand_int(dtype, &[2, 3], -5, 5, 1).t();
        let b = Tensor::rand_int(dtype, &[4], -5, 5, 2);
        let (x, y) = (input_like("a", &a), input_like("b", &b));
        let got = run(&[&x, &y], &[&a, &b], &outer(&x, &y)).unwrap();
        let (fa, fb) = (a.to_f64_vec(), b.to_f64_vec());
        let want: Vec<f64> = fa
            .iter()
            .flat_map(|p| fb.iter().map(move |q| p * q))
            .collect();
        assert_close(&got, &[6, 4], &want, 0.0, 0.0);
        let e = Tensor::rand_int(dtype, &[0, 3], -5, 5, 3);
        let got = run(&[&x, &y], &[&e, &b], &outer(&x, &y)).unwrap();
        assert_eq!(got.shape(), &[0, 4]);
    }
    let v = tensor("v", F32, &[Some(3)]);
    assert_eq!(outer(&v, &matrix("m", F32)).ty().shape, vec![Some(3), None]);
}
