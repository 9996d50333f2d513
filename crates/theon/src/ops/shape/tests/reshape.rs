//! `reshape` (constant, symbolic and mixed shapes) and `flatten`.

use super::*;
use crate::dtype::DType::*;
use crate::ops::constructors::{scalar, tensor};
use crate::ops::shape::{reshape, try_flatten, try_reshape, Dim, Reshape};

/// Reshape keeps the C-order sequence of elements.
fn c_order(t: &Tensor) -> Vec<f64> {
    let mut out = Vec::new();
    for i in 0..t.size() {
        out.push(at(t, &unravel(i, t.shape())));
    }
    out
}

#[test]
fn reshape_with_minus_one_on_strided_input() {
    let x = unknown("x", F64, 2);
    let y = x.reshape(&[2, -1, 3]);
    assert_eq!(y.ty().shape, vec![Some(2), None, Some(3)]);
    assert_eq!(y.op().unwrap().name(), "reshape{3}");
    let value = strided(&[4, 3], 10);
    assert!(!value.is_contiguous());
    let out = run(&[x], &[y], std::slice::from_ref(&value));
    assert_values(&out[0], &[2, 2, 3], &c_order(&value));
}

#[test]
fn reshape_static_shape_resolves_minus_one() {
    let x = tensor("x", F32, &[Some(2), Some(6)]);
    let y = reshape(&x, [3, -1]);
    assert_eq!(y.ty(), &TensorType::known(F32, &[3, 4]));
    let value = Tensor::randn(F32, &[2, 6], 11);
    let out = run(&[x], &[y], std::slice::from_ref(&value));
    assert_values(&out[0], &[3, 4], &c_order(&value));
}

#[test]
fn reshape_to_another_variables_symbolic_shape() {
    let x = unknown("x", F64, 1);
    let y = tensor("y", F64, &[None, Some(5)]);
    let z = x.reshape_var(&y.shape());
    assert_eq!(z.ty().shape, vec![None, Some(5)]);
    let xv = Tensor::randn(F64, &[15], 12);
    let yv = Tensor::randn(F64, &[3, 5], 13);
    let out = run(&[x, y], &[z], &[xv.clone(), yv]);
    assert_values(&out[0], &[3, 5], &xv.to_f64_vec());
}

#[test]
fn reshape_with_mixed_symbolic_and_constant_dims() {
    let x = unknown("x", F64, 3);
    let n = scalar("n", I32);
    let y = reshape(&x, vec![Dim::from(&n), Dim::from(-1)]);
    assert_eq!(y.ty().shape, vec![None, None]);
    let xv = strided(&[2, 3, 4], 14);
    let out = run(&[x, n], &[y], &[xv.clone(), Tensor::scalar(6i32)]);
    assert_values(&out[0], &[6, 4], &c_order(&xv));
}

#[test]
fn reshape_handles_size_zero() {
    let x = unknown("x", F64, 2);
    let ys = [x.reshape(&[-1, 2]), x.reshape(&[2, 0, 5])];
    let out = run(&[x.clone()], &ys, &[Tensor::randn(F64, &[0, 4], 1)]);
    assert_eq!(out[0].shape(), &[0, 2]);
    assert_eq!(out[1].shape(), &[2, 0, 5]);
    let bad = x.reshape(&[0, -1]);
    let msg = run_err(&[x], &[bad], &[Tensor::randn(F64, &[0, 4], 1)]);
    assert_msg(&msg, &["reshape", "[0, 4]", "[0, -1]"], file!());
}

#[test]
fn reshape_size_mismatch_names_both_shapes_statically_and_at_run_time() {
    let known = tensor("k", F64, &[Some(2), Some(3)]);
    let err = try_reshape(&known, [4, 2]).unwrap_err().to_string();
    assert_msg(&err, &["reshape", "(2, 3)", "(4, 2)"], file!());
    let err = try_reshape(&known, [4, -1]).unwrap_err().to_string();
    assert_msg(&err, &["(2, 3)", "(4, -1)"], file!());
    let x = unknown("x", F64, 2);
    let y = x.reshape(&[4, -1]);
    let msg = run_err(&[x], &[y], &[Tensor::randn(F64, &[2, 3], 2)]);
    assert_msg(&msg, &["reshape{2}", "[2, 3]", "[4, -1]"], file!());
}

#[test]
fn reshape_rejects_two_unknown_dims_and_bad_shape_inputs() {
    let x = unknown("x", F64, 2);
    let err = try_reshape(&x, [-1, -1]).unwrap_err().to_string();
    assert_msg(&err, &["reshape", "one unknown"], file!());
    let err = try_reshape(&x, [-2, 3]).unwrap_err().to_string();
    assert_msg(&err, &["reshape", "-2"], file!());
    let float_shape = unknown("s", F64, 1);
    let err = try_reshape(&x, &float_shape).unwrap_err().to_string();
    assert_msg(&err, &["reshape", "integer vector", "float64"], file!());
    let unknown_len = unknown("s", I64, 1);
    let err = try_reshape(&x, &unknown_len).unwrap_err().to_string();
    assert_msg(&err, &["reshape", "static length"], file!());
}

#[test]
fn reshape_checks_a_shape_vector_against_its_static_value() {
    let x = unknown("x", F64, 1);
    let s = tensor("s", I64, &[Some(2)]);
    let y = reshape(&x, &s);
    assert!(y.op_as::<Reshape>().is_some());
    let out = run(
        &[x.clone(), s.clone()],
        &[y.clone()],
        &[
            Tensor::randn(F64, &[6], 3),
            Tensor::from_vec(vec![3i64, 2], &[2]).unwrap(),
        ],
    );
    assert_eq!(out[0].shape(), &[3, 2]);
    let msg = run_err(
        &[x, s],
        &[y],
        &[
            Tensor::randn(F64, &[6], 3),
            Tensor::from_vec(vec![4i64, 2], &[2]).unwrap(),
        ],
    );
    assert_msg(&msg, &["reshape", "[6]", "[4, 2]"], file!());
}

#[test]
fn flatten_follows_theano_outdim() {
    let x = tensor("x", F64, &[None, Some(3), Some(4)]);
    let value = strided(&[2, 3, 4], 20);
    let cases: [(usize, Vec<Option<usize>>, Vec<usize>); 3] = [
        (1, vec![None], vec![24]),
        (2, vec![None, Some(12)], vec![2, 12]),
        (3, vec![None, Some(3), Some(4)], vec![2, 3, 4]),
    ];
    for (outdim, static_shape, shape) in cases {
        let y = x.flatten(outdim);
        assert_eq!(y.ty().shape, static_shape);
        assert_eq!(
            y.op().unwrap().name(),
            format!("flatten{{outdim={outdim}}}")
        );
        let out = run(&[x.clone()], &[y], std::slice::from_ref(&value));
        assert_values(&out[0], &shape, &c_order(&value));
    }
    let s = scalar("s", F64);
    let out = run(&[s.clone()], &[s.flatten(1)], &[Tensor::scalar(2.5f64)]);
    assert_values(&out[0], &[1], &[2.5]);
    let empty = run(
        &[x.clone()],
        &[x.flatten(2)],
        &[Tensor::randn(F64, &[0, 3, 4], 1)],
    );
    assert_eq!(empty[0].shape(), &[0, 12]);
}

#[test]
fn flatten_rejects_bad_outdim() {
    let x = unknown("x", F64, 2);
    for outdim in [0, 3] {
        let err = try_flatten(&x, outdim).unwrap_err().to_string();
        assert_msg(&err, &["flatten", "outdim"], file!());
    }
}

#[test]
fn reshape_is_a_view_of_contiguous_input_and_a_copy_otherwise() {
    use crate::graph::{Op, PerformCtx};
    let op = Reshape {
        target: vec![Some(3), Some(-1)],
    };
    assert_eq!(op.view_map(), vec![(0, 0)]);
    let types = [TensorType::unknown(F64, 2), TensorType::known(I64, &[2])];
    let ctx = PerformCtx {
        input_types: &types,
        output_types: &types[..1],
    };
    let shape = Tensor::from_vec(vec![3i64, -1], &[2]).unwrap();
    let dense = Tensor::randn(F64, &[2, 3], 5);
    let out = op.perform(&[dense.clone(), shape.clone()], &ctx).unwrap();
    assert!(out[0].shares_buffer(&dense));
    let transposed = strided(&[2, 3], 6);
    let out = op.perform(&[transposed.clone(), shape], &ctx).unwrap();
    assert!(!out[0].shares_buffer(&transposed));
    assert_values(&out[0], &[3, 2], &c_order(&transposed));
}

#[test]
fn shape_dims_must_be_integer_scalars() {
    let x = unknown("x", F64, 2);
    let f = scalar("f", F64);
    let err = try_reshape(&x, vec![Dim::from(&f), Dim::from(2)])
        .unwrap_err()
        .to_string();
    assert_msg(&err, &["reshape", "make_vector", "float64"], file!());
    let v = unknown("v", I64, 1);
    let err = try_reshape(&x, vec![Dim::from(&v)])
        .unwrap_err()
        .to_string();
    assert_msg(&err, &["reshape", "must be a scalar"], file!());
}
