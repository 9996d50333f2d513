//! `Reduce` edge cases: empty arrays, non-contiguous inputs, NaN, bad axes,
//! printing and static shapes.

use super::helpers::{buckets, eval, try_eval};
use crate::error::ErrorKind;
use crate::graph::TensorType;
use crate::graph::Var;
use crate::ops::reduce::{sum, try_reduce, Axis, ReduceKind};
use crate::tensor::{Scalar, Tensor};
use crate::DType::*;

#[test]
fn empty_sum_is_zero_and_empty_prod_is_one() {
    let x = Tensor::randn(F64, &[0], 1);
    assert_eq!(eval(&x, |v| v.sum(Axis::All)).item(), Scalar::Float(0.0));
    assert_eq!(eval(&x, |v| v.prod(Axis::All)).item(), Scalar::Float(1.0));
    let i = Tensor::rand_int(I16, &[0, 3], 0, 5, 2);
    let s = eval(&i, |v| v.sum(0));
    assert_eq!((s.dtype(), s.shape()), (I64, &[3usize][..]));
    assert_eq!(s.to_vec::<i64>(), vec![0, 0, 0]);
    let p = eval(&i, |v| v.prod(0));
    assert_eq!(p.to_vec::<i64>(), vec![1, 1, 1]);
    assert_eq!(eval(&i, |v| v.sum(1)).shape(), &[0]);
    let b = Tensor::rand_int(Bool, &[0], 0, 2, 3);
    assert_eq!(eval(&b, |v| v.all(0)).item(), Scalar::Bool(true));
    assert_eq!(eval(&b, |v| v.any(0)).item(), Scalar::Bool(false));
}

#[test]
fn max_of_an_empty_reduction_names_the_op_and_shape() {
    let x = Tensor::randn(F32, &[3, 0], 1);
    for (kind, op) in [(ReduceKind::Max, "max{"), (ReduceKind::Min, "min{")] {
        let err = try_eval(&x, |v| try_reduce(v, kind, 1, false).unwrap()).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err.kind, ErrorKind::Value { .. }), "{msg}");
        assert!(msg.contains(op) && msg.contains("zero-size"), "{msg}");
        assert!(
            msg.contains("[3, 0]") && msg.contains("basic_edges.rs"),
            "{msg}"
        );
    }
    // Reducing a non-empty axis of an empty array is fine (empty result).
    let got = eval(&x, |v| v.max(0));
    assert_eq!(got.shape(), &[0]);
}

#[test]
fn non_contiguous_inputs_reduce_like_their_copies() {
    let base = Tensor::randn(F64, &[5, 6, 4], 11);
    let transposed = base.t();
    let reversed = base.slice_axis(1, None, None, -2).unwrap();
    let both = transposed.slice_axis(0, Some(3), None, -1).unwrap();
    for view in [transposed, reversed, both] {
        assert!(!view.is_contiguous());
        for axis in [
            Axis::All,
            Axis::from(0),
            Axis::from(-1),
            Axis::from([0i64, 2]),
        ] {
            let axes = axis.resolve("test", 3).unwrap();
            let got = eval(&view, |v| v.sum(axis.clone()));
            let copy = eval(&view.to_contiguous_copy(), |v| v.sum(axis.clone()));
            assert!(got.bit_eq(&copy), "{axis:?}");
            let (_, groups) = buckets(&view, &axes);
            for (g, group) in got.to_f64_vec().iter().zip(&groups) {
                let want: f64 = group.iter().map(|s| s.as_f64()).sum();
                assert!(
                    (g - want).abs() <= 1e-12 * (1.0 + want.abs()),
                    "{g} vs {want}"
                );
            }
            let max = eval(&view, |v| v.max(axis.clone()));
            for (g, group) in max.to_f64_vec().iter().zip(&groups) {
                let want = group.iter().map(|s| s.as_f64()).fold(f64::MIN, f64::max);
                assert_eq!(*g, want);
            }
        }
    }
}

#[test]
fn nan_wins_in_max_and_min() {
    let mut values = Tensor::randn(F64, &[4, 5], 5).to_vec::<f64>();
    values[2] = f64::NAN; // row 0, middle
    values[5] = f64::NAN; // row 1, first
    values[19] = f64::NAN; // row 3, last
    let x = Tensor::from_vec(values.clone(), &[4, 5]).unwrap();
    for max in [true, false] {
        let got = eval(&x, |v| if max { v.max(1) } else { v.min(1) }).to_vec::<f64>();
        assert!(
            got[0].is_nan() && got[1].is_nan() && got[3].is_nan(),
            "{got:?}"
        );
        let row2 = &values[10..15];
        let want = if max {
            row2.iter().copied().fold(f64::MIN, f64::max)
        } else {
            row2.iter().copied().fold(f64::MAX, f64::min)
        };
        assert_eq!(got[2], want);
        let all = eval(&x, |v| {
            if max {
                v.max(Axis::All)
            } else {
                v.min(Axis::All)
            }
        });
        assert!(all.item().as_f64().is_nan());
    }
    let f32x = x.cast(F32);
    assert!(eval(&f32x, |v| v.max(0)).to_vec::<f32>()[0].is_nan());
}

#[test]
fn axis_errors_name_the_op_the_axis_and_the_line() {
    let x = Var::input("x", TensorType::unknown(F64, 3));
    let err = try_reduce(&x, ReduceKind::Sum, 3, false).unwrap_err();
    assert_eq!(
        err.kind,
        ErrorKind::Axis {
            op: "sum".into(),
            axis: 3,
            ndim: 3
        }
    );
    assert!(err.site.as_ref().unwrap().file.ends_with("basic_edges.rs"));
    let err = try_reduce(&x, ReduceKind::Max, -4, false).unwrap_err();
    assert!(err
        .to_string()
        .contains("max: axis -4 is out of range for an array of rank 3"));
    let err = try_reduce(&x, ReduceKind::Prod, [1i64, -2], false).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err.kind, ErrorKind::Value { .. }), "{msg}");
    assert!(
        msg.contains("prod") && msg.contains("axis 1 is repeated"),
        "{msg}"
    );
    assert!(msg.contains("basic_edges.rs"), "{msg}");
    let scalar = Var::input("s", TensorType::scalar(F32));
    assert!(try_reduce(&scalar, ReduceKind::Sum, 0, false).is_err());
    assert!(try_reduce(&scalar, ReduceKind::Sum, Axis::All, false).is_ok());
}

#[test]
fn hand_built_ops_with_bad_axes_are_refused() {
    use crate::ops::reduce::Reduce;
    let x = Var::input("x", TensorType::unknown(F64, 2));
    for axes in [vec![2], vec![1, 0], vec![0, 0]] {
        let op = Reduce {
            kind: ReduceKind::Sum,
            axes,
            keepdims: false,
        };
        assert!(Var::apply1(op, std::slice::from_ref(&x)).is_err());
    }
}

#[test]
#[should_panic(expected = "sum: axis 2 is out of range")]
fn the_panicking_api_reports_the_error() {
    let x = Var::input("x", TensorType::unknown(F64, 2));
    let _ = x.sum(2);
}

#[test]
fn names_and_static_shapes() {
    let x = Var::input("x", TensorType::new(F32, vec![Some(2), None, Some(4)]));
    let y = sum(&x, [-1i64, 0], true);
    assert_eq!(y.op().unwrap().name(), "sum{axis=(0,2), keepdims}");
    assert_eq!(y.ty(), &TensorType::new(F32, vec![Some(1), None, Some(1)]));
    let z = x.max(1);
    assert_eq!(z.op().unwrap().name(), "max{axis=(1)}");
    assert_eq!(z.ty().shape, vec![Some(2), Some(4)]);
    assert_eq!(x.any(Axis::All).ty(), &TensorType::scalar(Bool));
}
