//! `squeeze`, `expand_dims`, `flip` and `roll`.

use super::*;
use crate::dtype::DType::*;
use crate::graph::{Op, PerformCtx};
use crate::ops::constructors::{scalar, tensor};
use crate::ops::reduce::Axis;
use crate::ops::shape::{
    try_expand_dims, try_flip, try_roll, try_squeeze, DimShuffle, Flip, Squeeze,
};

#[test]
fn squeeze_all_drops_static_ones_via_dimshuffle() {
    let x = tensor("x", F64, &[Some(1), None, Some(1), Some(2)]);
    let y = x.squeeze();
    assert_eq!(y.ty().shape, vec![None, Some(2)]);
    assert!(y.op_as::<DimShuffle>().is_some());
    let value = Tensor::randn(F64, &[1, 3, 1, 2], 30);
    let out = run(&[x], &[y], std::slice::from_ref(&value));
    assert_values(&out[0], &[3, 2], &value.to_f64_vec());
}

#[test]
fn squeeze_of_unknown_axis_checks_size_at_run_time() {
    let x = unknown("x", F64, 3);
    let y = x.squeeze_axes(&[-1, 0]);
    assert_eq!(y.op_as::<Squeeze>(), Some(&Squeeze { axes: vec![0, 2] }));
    assert_eq!(y.op().unwrap().name(), "squeeze{axis=(0,2)}");
    assert_eq!(y.ty().shape, vec![None]);
    let value = strided(&[1, 4, 1], 31);
    let out = run(&[x.clone()], &[y.clone()], std::slice::from_ref(&value));
    assert_values(&out[0], &[4], &value.to_f64_vec());
    let empty = run(
        &[x.clone()],
        &[y.clone()],
        &[Tensor::randn(F64, &[1, 0, 1], 1)],
    );
    assert_eq!(empty[0].shape(), &[0]);
    let msg = run_err(&[x], &[y], &[Tensor::randn(F64, &[1, 4, 3], 32)]);
    assert_msg(&msg, &["squeeze", "axis 2", "[1, 4, 3]"], file!());
}

#[test]
fn squeeze_rejects_static_non_one_and_bad_axes() {
    let x = tensor("x", F64, &[Some(3), None]);
    let err = try_squeeze(&x, 0).unwrap_err().to_string();
    assert_msg(&err, &["squeeze", "axis 0", "size is 3"], file!());
    let err = try_squeeze(&x, -3).unwrap_err().to_string();
    assert_msg(&err, &["squeeze", "axis -3", "rank 2"], file!());
    let err = try_squeeze(&x, [1, -1]).unwrap_err().to_string();
    assert_msg(&err, &["squeeze", "repeated"], file!());
}

#[test]
fn expand_dims_inserts_axes_at_result_positions() {
    let x = unknown("x", F64, 2);
    let value = strided(&[3, 2], 33);
    let cases: [(Axis, Vec<usize>); 4] = [
        (Axis::from(0), vec![1, 3, 2]),
        (Axis::from(-1), vec![3, 2, 1]),
        (Axis::from(1), vec![3, 1, 2]),
        (Axis::from(vec![0, -1]), vec![1, 3, 2, 1]),
    ];
    for (axis, shape) in cases {
        let y = try_expand_dims(&x, axis).unwrap();
        assert!(y.op_as::<DimShuffle>().is_some());
        let statics: Vec<Option<usize>> = shape.iter().map(|&d| (d == 1).then_some(1)).collect();
        assert_eq!(y.ty().shape, statics);
        let out = run(&[x.clone()], &[y], std::slice::from_ref(&value));
        assert_values(&out[0], &shape, &value.to_f64_vec());
    }
    let err = try_expand_dims(&x, 4).unwrap_err().to_string();
    assert_msg(&err, &["expand_dims", "axis 4", "rank 3"], file!());
    let s = scalar("s", F64);
    assert_eq!(s.expand_dims(-1).ty().shape, vec![Some(1)]);
}

#[test]
fn flip_reverses_axes_on_strided_input() {
    let x = unknown("x", F64, 3);
    let value = strided(&[2, 3, 4], 34);
    let s = [2usize, 3, 4];
    let cases: [(Axis, [bool; 3]); 3] = [
        (Axis::All, [true, true, true]),
        (Axis::from(-1), [false, false, true]),
        (Axis::from(vec![0, 1]), [true, true, false]),
    ];
    for (axis, flipped) in cases {
        let y = x.flip(axis);
        assert_eq!(y.ty(), x.ty());
        let want = expect(&s, |i| {
            let src: Vec<usize> = (0..3)
                .map(|a| if flipped[a] { s[a] - 1 - i[a] } else { i[a] })
                .collect();
            at(&value, &src)
        });
        let out = run(&[x.clone()], &[y], std::slice::from_ref(&value));
        assert_values(&out[0], &s, &want);
    }
    let err = try_flip(&x, 3).unwrap_err().to_string();
    assert_msg(&err, &["flip", "axis 3", "rank 3"], file!());
}

#[test]
fn flip_is_a_negative_stride_view() {
    let op = Flip { axes: vec![1] };
    assert_eq!(op.view_map(), vec![(0, 0)]);
    assert_eq!(op.name(), "flip{axis=(1)}");
    let value = Tensor::randn(F64, &[2, 3], 35);
    let ty = [TensorType::unknown(F64, 2)];
    let ctx = PerformCtx {
        input_types: &ty,
        output_types: &ty,
    };
    let out = op.perform(std::slice::from_ref(&value), &ctx).unwrap();
    assert!(out[0].shares_buffer(&value));
    assert!(out[0].strides()[1] < 0);
    assert_eq!(at(&out[0], &[1, 0]), at(&value, &[1, 2]));
    let empty = op.perform(&[Tensor::randn(F64, &[2, 0], 1)], &ctx).unwrap();
    assert_eq!(empty[0].shape(), &[2, 0]);
}

#[test]
fn roll_shifts_with_wraparound() {
    let x = unknown("x", F64, 2);
    let value = strided(&[3, 5], 36);
    for shift in [0i64, 2, -1, 7, -13] {
        for axis in [Some(-1i64), Some(0)] {
            let y = x.roll(shift, axis);
            let a = axis.unwrap().rem_euclid(2) as usize;
            let n = value.shape()[a] as i64;
            let want = expect(&[3, 5], |i| {
                let mut src = i.to_vec();
                src[a] = (i[a] as i64 - shift).rem_euclid(n) as usize;
                at(&value, &src)
            });
            let out = run(&[x.clone()], &[y], std::slice::from_ref(&value));
            assert_values(&out[0], &[3, 5], &want);
        }
    }
}

#[test]
fn roll_flattened_with_symbolic_shift_and_empty_input() {
    let x = unknown("x", F64, 2);
    let k = scalar("k", I32);
    let y = x.roll(&k, None);
    assert_eq!(y.op().unwrap().name(), "roll{axis=None}");
    let value = strided(&[2, 3], 37);
    let flat = value.to_f64_vec();
    let out = run(
        &[x.clone(), k.clone()],
        &[y.clone()],
        &[value.clone(), Tensor::scalar(4i32)],
    );
    let want: Vec<f64> = (0..6).map(|i| flat[(i + 6 - 4) % 6]).collect();
    assert_values(&out[0], &[2, 3], &want);
    let empty = run(
        &[x, k],
        &[y],
        &[Tensor::randn(F64, &[0, 3], 1), Tensor::scalar(2i32)],
    );
    assert_eq!(empty[0].shape(), &[0, 3]);
}

#[test]
fn roll_rejects_bad_shift_and_axis() {
    let x = unknown("x", F64, 2);
    let err = try_roll(&x, 1.5, None).unwrap_err().to_string();
    assert_msg(&err, &["roll", "shift", "integer"], file!());
    let err = try_roll(&x, unknown("v", I64, 1), None)
        .unwrap_err()
        .to_string();
    assert_msg(&err, &["roll", "shift", "scalar"], file!());
    let err = try_roll(&x, 1, Some(2)).unwrap_err().to_string();
    assert_msg(&err, &["roll", "axis 2"], file!());
}
