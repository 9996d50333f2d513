//! Bad indices: float indices (type errors at construction), out-of-range
//! integers (at construction when static, at run time otherwise, naming the
//! axis, the index and the size), too many indices, bad masks and values.

use super::{int, run_err};
use theon::ops::indexing::{try_nonzero, try_take, try_update_subtensor, IncMode};
use theon::prelude::*;
use theon::ErrorKind;

/// Asserts an out-of-range error with the given fields and the test's file.
fn assert_index_error(err: &theon::Error, axis: usize, index: i64, size: usize) {
    match &err.kind {
        ErrorKind::Index {
            axis: a,
            index: i,
            size: n,
            ..
        } => assert_eq!((*a, *i, *n), (axis, index, size), "{err}"),
        other => panic!("expected an index error, got {other:?}"),
    }
    let msg = err.to_string();
    assert!(
        msg.contains(&format!("axis {axis}")) && msg.contains("errors.rs"),
        "{msg}"
    );
}

#[test]
fn float_indices_are_type_errors_at_construction() {
    let x = matrix("x", F64);
    let f = scalar("f", F64);
    let fv = vector("fv", F32);
    for items in [s![&f], s![.., &fv], s![f.clone()..], s![..;&f]] {
        let err = x.try_at(&items).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err.kind, ErrorKind::DType { .. }), "{msg}");
        assert!(
            msg.contains("subtensor") && msg.contains("float") && msg.contains("errors.rs"),
            "{msg}"
        );
    }
    let err = x.try_at(&s![&vector("i", I64), &fv]).unwrap_err();
    assert!(err.to_string().contains("integer (or boolean)"), "{err}");
    let err = try_take(&x, &fv, 0).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::DType { .. }), "{err}");
}

#[test]
fn static_out_of_range_fails_at_construction() {
    let x = tensor("x", F64, &[Some(3), Some(4)]);
    assert_index_error(&x.try_at(&s![3]).unwrap_err(), 0, 3, 3);
    assert_index_error(&x.try_at(&s![-4]).unwrap_err(), 0, -4, 3);
    assert_index_error(&x.try_at(&s![.., -5]).unwrap_err(), 1, -5, 4);
    let bad = constant(Tensor::from_vec(vec![0i64, 4, 1], &[3]).unwrap());
    assert_index_error(&x.try_at(&s![.., &bad]).unwrap_err(), 1, 4, 4);
    let err = x.try_inc_at(&s![&bad], 1.0).unwrap_err();
    assert_index_error(&err, 0, 4, 3);
    // In range at the edges is fine.
    assert!(x.try_at(&s![-3, 3]).is_ok());
}

#[test]
fn runtime_out_of_range_names_axis_index_and_size() {
    let x = matrix("x", F64);
    let xv = Tensor::randn(F64, &[3, 4], 60);
    let y = x.at(&s![.., 4]);
    assert_index_error(&run_err(&[x.clone()], &y, &[xv.clone()]), 1, 4, 4);

    let i = scalar("i", I64);
    let y = x.at(&s![&i]);
    let err = run_err(&[x.clone(), i.clone()], &y, &[xv.clone(), int(-7)]);
    assert_index_error(&err, 0, -7, 3);

    let idx = vector("idx", I64);
    let arr = Tensor::from_vec(vec![0i64, 2, 3], &[3]).unwrap();
    let y = x.at(&s![&idx]);
    assert_index_error(
        &run_err(&[x.clone(), idx.clone()], &y, &[xv.clone(), arr.clone()]),
        0,
        3,
        3,
    );
    let y = x.set_at(&s![&idx], 1.0);
    assert_index_error(
        &run_err(&[x.clone(), idx.clone()], &y, &[xv.clone(), arr.clone()]),
        0,
        3,
        3,
    );
    let y = x.inc_at(&s![.., &i], 1.0);
    assert_index_error(
        &run_err(&[x.clone(), i], &y, &[xv.clone(), int(4)]),
        1,
        4,
        4,
    );
    // An empty input has no valid index at all.
    let empty = Tensor::randn(F64, &[0, 4], 61);
    let y = x.at(&s![&idx]);
    assert_index_error(&run_err(&[x, idx], &y, &[empty, arr]), 0, 0, 0);
}

#[test]
fn too_many_indices_and_two_ellipses() {
    let x = matrix("x", F64);
    let err = x.try_at(&s![0, 0, 0]).unwrap_err().to_string();
    assert!(
        err.contains("too many indices")
            && err.contains("2-dimensional")
            && err.contains("errors.rs"),
        "{err}"
    );
    let err = x
        .try_at(&s![ELLIPSIS, 0, ELLIPSIS])
        .unwrap_err()
        .to_string();
    assert!(err.contains("single ellipsis"), "{err}");
    let m = tensor3("m", Bool);
    let err = x.try_at(&s![&m]).unwrap_err().to_string();
    assert!(err.contains("too many indices"), "{err}");
    let err = x.try_set_at(&s![0, 1, 2], 0.0).unwrap_err().to_string();
    assert!(err.contains("too many indices"), "{err}");
}

#[test]
fn zero_steps_fail_statically_or_at_run_time() {
    let x = vector("x", F64);
    let err = x.try_at(&s![..;0]).unwrap_err().to_string();
    assert!(err.contains("step cannot be zero"), "{err}");
    let k = scalar("k", I64);
    let y = x.at(&s![..;&k]);
    let err = run_err(&[x, k], &y, &[Tensor::randn(F64, &[3], 62), int(0)]).to_string();
    assert!(
        err.contains("step cannot be zero") && err.contains("errors.rs"),
        "{err}"
    );
}

#[test]
fn mask_shape_mismatch_statically_and_at_run_time() {
    let x = tensor("x", F64, &[Some(3), None]);
    let m = tensor("m", Bool, &[Some(4)]);
    let err = x.try_at(&s![&m]).unwrap_err().to_string();
    assert!(
        err.contains("boolean index did not match") && err.contains("axis 0"),
        "{err}"
    );
    let m1 = vector("m1", Bool);
    let y = x.at(&s![.., &m1]);
    let mv = Tensor::from_vec(vec![true, false], &[2]).unwrap();
    let err = run_err(&[x, m1], &y, &[Tensor::randn(F64, &[3, 5], 63), mv]).to_string();
    assert!(
        err.contains("axis 1; size of axis is 5") && err.contains("boolean axis is 2"),
        "{err}"
    );
}

#[test]
fn index_arrays_that_do_not_broadcast() {
    let x = matrix("x", F64);
    let a = tensor("a", I64, &[Some(3)]);
    let b = tensor("b", I64, &[Some(4)]);
    let err = x.try_at(&s![&a, &b]).unwrap_err().to_string();
    assert!(err.contains("could not be broadcast"), "{err}");
    let (i, j) = (vector("i", I64), vector("j", I64));
    let y = x.at(&s![&i, &j]);
    let err = run_err(
        &[x, i, j],
        &y,
        &[
            Tensor::randn(F64, &[3, 3], 64),
            Tensor::from_vec(vec![0i64, 1], &[2]).unwrap(),
            Tensor::from_vec(vec![0i64, 1, 2], &[3]).unwrap(),
        ],
    )
    .to_string();
    assert!(err.contains("could not be broadcast"), "{err}");
}

#[test]
fn bad_values_for_set_and_inc() {
    let x = tensor("x", I32, &[Some(4), None]);
    let err = x.try_set_at(&s![0], vector("v", F64)).unwrap_err();
    assert!(
        matches!(err.kind, ErrorKind::DType { index: 1, .. }),
        "{err}"
    );
    let err = x
        .try_set_at(&s![..2], tensor("v", I32, &[Some(3), None]))
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("cannot be broadcast to the indexed shape"),
        "{err}"
    );
    // Unknown dims: the mismatch shows at run time.
    let v = vector("v", I32);
    let y = x.set_at(&s![1], &v);
    let err = run_err(
        &[x, v],
        &y,
        &[
            Tensor::rand_int(I32, &[4, 3], 0, 9, 65),
            Tensor::rand_int(I32, &[2], 0, 9, 66),
        ],
    );
    assert!(
        err.to_string()
            .contains("cannot be broadcast to the indexed shape"),
        "{err}"
    );
    let err = try_update_subtensor(&matrix("z", F64), 1.0, IncMode::Set).unwrap_err();
    assert!(err.to_string().contains("result of indexing"), "{err}");
}

#[test]
fn take_and_nonzero_reject_bad_input() {
    let x = matrix("x", F64);
    let err = try_take(&x, &vector("i", I64), 2).unwrap_err();
    assert!(
        matches!(
            err.kind,
            ErrorKind::Axis {
                axis: 2,
                ndim: 2,
                ..
            }
        ),
        "{err}"
    );
    let err = try_nonzero(&scalar("s", F64)).unwrap_err();
    assert!(err.to_string().contains("nonzero needs rank >= 1"), "{err}");
}

#[test]
fn rank_zero_masks_are_rejected() {
    let x = vector("x", F64);
    let err = x.try_at(&s![&scalar("b", Bool)]).unwrap_err().to_string();
    assert!(err.contains("rank-0 masks are not supported"), "{err}");
}
