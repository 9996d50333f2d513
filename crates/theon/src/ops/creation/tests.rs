//! Tests of the creation ops against plain-loop expectations.

// `&[x.clone()]` reads better than `std::slice::from_ref(&x)` in tests.
#![allow(clippy::cloned_ref_to_slice_refs)]

use crate::dtype::DType::*;
use crate::graph::{TensorType, Var};
use crate::ops::constructors::{scalar, tensor};
use crate::ops::creation::*;
use crate::ops::shape::tests::{
    assert_msg, assert_values, at, expect, run, run_err, strided, unknown,
};
use crate::ops::shape::Dim;
use crate::tensor::{Scalar, Tensor};

#[test]
fn zeros_ones_full_have_static_shapes_and_dtypes() {
    let z = zeros([2, 3], F32);
    let o = ones(vec![0, 4], I8);
    let f = full([3], 2.5, F64);
    assert_eq!(z.ty(), &TensorType::known(F32, &[2, 3]));
    assert_eq!(o.ty(), &TensorType::known(I8, &[0, 4]));
    assert_eq!(f.op().unwrap().name(), "alloc{1}");
    let out = run(&[], &[z, o, f], &[]);
    assert_values(&out[0], &[2, 3], &[0.0; 6]);
    assert_eq!(out[0].dtype(), F32);
    assert_eq!(out[1].shape(), &[0, 4]);
    assert_eq!(out[1].dtype(), I8);
    assert_values(&out[2], &[3], &[2.5; 3]);
}

#[test]
fn full_with_symbolic_shape_and_value() {
    let n = scalar("n", I64);
    let v = unknown("v", F32, 1);
    let y = full(vec![Dim::from(&n), Dim::from(4)], &v, F64);
    assert_eq!(y.ty().shape, vec![None, Some(4)]);
    assert_eq!(y.dtype(), F64);
    let vv = Tensor::randn(F32, &[4], 70);
    let out = run(&[n, v], &[y], &[Tensor::scalar(3i64), vv.clone()]);
    assert_values(&out[0], &[3, 4], &expect(&[3, 4], |i| at(&vv, &[i[1]])));
    assert!(out[0].is_contiguous());
}

#[test]
fn alloc_copies_a_broadcast_value_into_new_memory() {
    let x = unknown("x", F64, 2);
    let y = x.alloc(x.shape());
    let value = strided(&[1, 3], 71);
    let model = Var::input("m", TensorType::unknown(F64, 2));
    let z = alloc(&x, model.shape());
    let out = run(
        &[x.clone(), model],
        &[z],
        &[value.clone(), Tensor::randn(F64, &[2, 3], 72)],
    );
    assert_values(
        &out[0],
        &[2, 3],
        &expect(&[2, 3], |i| at(&value, &[0, i[1]])),
    );
    // The op copies; FAST_RUN would remove this alloc to x's own shape
    // (rule useless_alloc), so run it unoptimized.
    let f = crate::compile::Function::builder(&[x.clone()], &[y])
        .mode(crate::rewrite::Mode::no_optimization())
        .build()
        .unwrap();
    let out = f.call(std::slice::from_ref(&value)).unwrap();
    assert!(!out[0].shares_buffer(&value));
    assert_values(&out[0], &[1, 3], &value.to_f64_vec());
}

#[test]
fn alloc_errors_statically_and_at_run_time() {
    let v = tensor("v", F64, &[Some(2)]);
    let err = try_alloc(&v, [3, 3]).unwrap_err().to_string();
    assert_msg(&err, &["alloc{2}", "(2)", "(3, 3)"], file!());
    let err = try_alloc(&v, [2, -4]).unwrap_err().to_string();
    assert_msg(&err, &["alloc", "negative dimension -4"], file!());
    let x = unknown("x", F64, 1);
    let n = scalar("n", I32);
    let y = alloc(&x, vec![Dim::from(&n), Dim::from(3)]);
    let msg = run_err(
        &[x.clone(), n.clone()],
        &[y.clone()],
        &[Tensor::randn(F64, &[2], 1), Tensor::scalar(2i32)],
    );
    assert_msg(&msg, &["alloc", "[2]", "[2, 3]"], file!());
    let msg = run_err(
        &[x, n],
        &[y],
        &[Tensor::randn(F64, &[3], 1), Tensor::scalar(-1i32)],
    );
    assert_msg(&msg, &["alloc", "negative dimension -1"], file!());
    let f = unknown("f", I64, 1);
    let err = try_full(&f, 0, F64).unwrap_err().to_string();
    assert_msg(&err, &["alloc", "static length"], file!());
}

#[test]
fn fill_and_like_constructors_follow_the_model() {
    let x = tensor("x", F32, &[None, Some(3)]);
    let xv = strided(&[2, 3], 73).cast(F32);
    let zl = zeros_like(&x, None);
    let ol = x.ones_like();
    let fl = full_like(&x, 7, Some(I16));
    let fi = x.fill(0.5);
    let fw = fill(&x, 2);
    assert_eq!(zl.ty(), x.ty());
    assert_eq!(fl.dtype(), I16);
    assert_eq!(fi.dtype(), F32);
    assert_eq!(fw.dtype(), F32);
    assert_eq!(fi.op().unwrap().name(), "second");
    let out = run(&[x], &[zl, ol, fl, fi, fw], &[xv]);
    for (t, v) in out.iter().zip([0.0, 1.0, 7.0, 0.5, 2.0]) {
        assert_values(t, &[2, 3], &[v; 6]);
    }
    assert_eq!(out[2].dtype(), I16);
}

#[test]
fn second_broadcasts_both_shapes_and_checks_at_run_time() {
    let a = tensor("a", F64, &[None, Some(1)]);
    let b = tensor("b", I32, &[Some(1), None]);
    let y = second(&a, &b);
    assert_eq!(y.ty(), &TensorType::new(I32, vec![None, None]));
    let bv = Tensor::rand_int(I32, &[1, 4], -20, 20, 74);
    let out = run(
        &[a.clone(), b.clone()],
        &[y],
        &[Tensor::randn(F64, &[3, 1], 75), bv.clone()],
    );
    assert_values(&out[0], &[3, 4], &expect(&[3, 4], |i| at(&bv, &[0, i[1]])));
    let c = unknown("c", F64, 1);
    let d = unknown("d", F64, 1);
    let msg = run_err(
        &[c.clone(), d.clone()],
        &[second(&c, &d)],
        &[Tensor::randn(F64, &[3], 1), Tensor::randn(F64, &[2], 2)],
    );
    assert_msg(&msg, &["second", "[3]", "[2]"], file!());
    let e = tensor("e", F64, &[Some(2)]);
    let f = tensor("f", F64, &[Some(3)]);
    let err = try_second(&e, &f).unwrap_err().to_string();
    assert_msg(&err, &["second", "(2), (3)"], file!());
}

/// NumPy's arange for integers, by stepping (independent of the length rule).
fn int_range(start: i64, stop: i64, step: i64) -> Vec<f64> {
    let mut out = Vec::new();
    let mut v = start;
    while (step > 0 && v < stop) || (step < 0 && v > stop) {
        out.push(v as f64);
        v += step;
    }
    out
}

#[test]
fn arange_integer_lengths_match_stepping() {
    let cases = [
        (0, 10, 3),
        (5, -7, -4),
        (3, 3, 1),
        (4, 1, 1),
        (-2, 9, 1),
        (10, 0, -1),
        (0, 1, 5),
    ];
    for (start, stop, step) in cases {
        let y = arange(start, stop, step, None);
        let want = int_range(start, stop, step);
        assert_eq!(y.ty(), &TensorType::known(I64, &[want.len()]));
        let out = run(&[], &[y], &[]);
        assert_values(&out[0], &[want.len()], &want);
    }
}

#[test]
fn arange_float_and_symbolic_bounds() {
    let y = arange(0.0, 1.0, 0.1, F32);
    assert_eq!(y.ty().shape, vec![Some(10)]);
    let out = run(&[], &[y], &[]);
    let got = out[0].to_f64_vec();
    for (i, g) in got.iter().enumerate() {
        assert!((g - i as f64 * 0.1).abs() < 1e-6, "float32 tolerance");
    }
    assert_eq!(
        arange(1, 2.5, 0.5, None).ty(),
        &TensorType::known(F64, &[3])
    );
    let start = scalar("a", I32);
    let stop = scalar("b", I64);
    let z = arange(&start, &stop, 2, None);
    assert_eq!(z.ty(), &TensorType::new(I64, vec![None]));
    assert_eq!(z.op().unwrap().name(), "arange{dtype=int64}");
    let out = run(
        &[start, stop],
        &[z],
        &[Tensor::scalar(-3i32), Tensor::scalar(6i64)],
    );
    assert_values(&out[0], &[5], &int_range(-3, 6, 2));
}

#[test]
fn arange_rejects_zero_step_and_non_scalars() {
    let err = try_arange(0, 5, 0, None).unwrap_err().to_string();
    assert_msg(&err, &["arange", "step must not be zero"], file!());
    let step = scalar("s", I64);
    let y = arange(0, 5, &step, None);
    let msg = run_err(&[step.clone()], &[y], &[Tensor::scalar(0i64)]);
    assert_msg(&msg, &["arange", "step must not be zero"], file!());
    let v = unknown("v", I64, 1);
    let err = try_arange(0, &v, 1, None).unwrap_err().to_string();
    assert_msg(&err, &["arange", "input 1 must be a scalar"], file!());
}

#[test]
fn eye_places_ones_on_diagonal_k() {
    for (n, m, k) in [
        (3usize, 3usize, 0i64),
        (3, 5, 1),
        (4, 2, -1),
        (2, 3, 5),
        (0, 3, 0),
    ] {
        let y = eye(n as i64, m as i64, k, F32);
        assert_eq!(y.ty(), &TensorType::known(F32, &[n, m]));
        let want = expect(&[n, m], |i| ((i[1] as i64 - i[0] as i64) == k) as u8 as f64);
        let out = run(&[], &[y], &[]);
        assert_values(&out[0], &[n, m], &want);
    }
}

#[test]
fn eye_with_symbolic_sizes_identity_and_errors() {
    let n = scalar("n", I32);
    let k = scalar("k", I64);
    let y = eye(&n, 3, &k, I64);
    assert_eq!(y.ty().shape, vec![None, Some(3)]);
    let out = run(
        &[n.clone(), k.clone()],
        &[y.clone()],
        &[Tensor::scalar(2i32), Tensor::scalar(-1i64)],
    );
    assert_values(&out[0], &[2, 3], &[0.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
    let msg = run_err(
        &[n, k],
        &[y],
        &[Tensor::scalar(-2i32), Tensor::scalar(0i64)],
    );
    assert_msg(&msg, &["eye", "negative", "n=-2"], file!());
    let err = try_eye(-1, 2, 0, F64).unwrap_err().to_string();
    assert_msg(&err, &["eye", "n must not be negative"], file!());
    let err = try_eye(2.0, 2, 0, F64).unwrap_err().to_string();
    assert_msg(&err, &["eye", "n must be an integer"], file!());
    let id = identity(2, F64);
    let x = unknown("x", F32, 2);
    let il = identity_like(&x);
    assert_eq!(il.dtype(), F32);
    let out = run(&[x], &[id, il], &[Tensor::randn(F32, &[2, 3], 1)]);
    assert_values(&out[0], &[2, 2], &[1.0, 0.0, 0.0, 1.0]);
    assert_values(&out[1], &[2, 3], &[1.0, 0.0, 0.0, 0.0, 1.0, 0.0]);
    assert_eq!(out[1].get(&[1, 1]), Scalar::Float(1.0));
}
