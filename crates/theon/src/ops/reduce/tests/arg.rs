//! `ArgReduce` (argmax, argmin) against plain loops: first occurrence on
//! ties, NaN as the extreme, flat indices for `axis = None`, errors.

use super::helpers::{buckets, eval, keepdims_shape, random_input, try_eval};
use crate::error::ErrorKind;
use crate::graph::{TensorType, Var};
use crate::ops::reduce::{argmax, argmin, try_argreduce, ArgKind, Axis};
use crate::tensor::{Scalar, Tensor};
use crate::DType::*;

/// The index of the first greatest (least) element, by a loop; a NaN is
/// taken at once (NumPy returns the first NaN's index).
fn expected_index(max: bool, group: &[Scalar]) -> i64 {
    let mut best = 0usize;
    for (i, v) in group.iter().enumerate() {
        if let Scalar::Float(f) = v {
            if f.is_nan() {
                return i as i64;
            }
        }
        let (a, b) = (group[i], group[best]);
        let better = match (a, b) {
            (Scalar::Float(x), Scalar::Float(y)) => {
                if max {
                    x > y
                } else {
                    x < y
                }
            }
            (Scalar::Int(x), Scalar::Int(y)) => {
                if max {
                    x > y
                } else {
                    x < y
                }
            }
            (Scalar::UInt(x), Scalar::UInt(y)) => {
                if max {
                    x > y
                } else {
                    x < y
                }
            }
            (Scalar::Bool(x), Scalar::Bool(y)) => {
                if max {
                    x & !y
                } else {
                    !x & y
                }
            }
            _ => unreachable!(),
        };
        if better {
            best = i;
        }
    }
    best as i64
}

fn check(kind: ArgKind, x: &Tensor, axis: Option<i64>, keepdims: bool) {
    let max = kind == ArgKind::Max;
    let got = eval(x, |v| try_argreduce(v, kind, axis, keepdims).unwrap());
    let what = format!(
        "{kind:?} {:?} {:?} axis={axis:?} keepdims={keepdims}",
        x.dtype(),
        x.shape()
    );
    assert_eq!(got.dtype(), I64, "{what}");
    let (want_shape, groups) = match axis {
        None => {
            let shape = if keepdims { vec![1; x.ndim()] } else { vec![] };
            (shape, vec![x.to_scalars()])
        }
        Some(a) => {
            let a = if a < 0 { a + x.ndim() as i64 } else { a } as usize;
            let (shape, groups) = buckets(x, &[a]);
            (
                if keepdims {
                    keepdims_shape(x.shape(), &[a])
                } else {
                    shape
                },
                groups,
            )
        }
    };
    assert_eq!(got.shape(), want_shape.as_slice(), "{what}");
    let want: Vec<i64> = groups.iter().map(|g| expected_index(max, g)).collect();
    assert_eq!(got.to_vec::<i64>(), want, "{what}");
}

#[test]
fn argmax_and_argmin_match_loops_with_ties() {
    // Small-int and boolean inputs make ties common; ties go to the first.
    for (seed, dtype) in [F64, F32, I8, I64, U8, U64, Bool].into_iter().enumerate() {
        let x = match dtype {
            I8 | I64 => Tensor::rand_int(dtype, &[3, 4, 5], -3, 3, seed as u64),
            U8 | U64 => Tensor::rand_int(dtype, &[3, 4, 5], 0, 4, seed as u64),
            _ => random_input(dtype, &[3, 4, 5], seed as u64),
        };
        for kind in [ArgKind::Max, ArgKind::Min] {
            for axis in [None, Some(0), Some(1), Some(2), Some(-1), Some(-3)] {
                for keepdims in [false, true] {
                    check(kind, &x, axis, keepdims);
                }
            }
        }
    }
}

#[test]
fn nan_counts_as_the_extreme_and_the_first_nan_wins() {
    let mut values = Tensor::randn(F64, &[3, 6], 8).to_vec::<f64>();
    values[3] = f64::NAN;
    values[4] = f64::NAN;
    values[6] = f64::NAN;
    let x = Tensor::from_vec(values, &[3, 6]).unwrap();
    for kind in [ArgKind::Max, ArgKind::Min] {
        check(kind, &x, Some(1), false);
        check(kind, &x, Some(0), false);
        check(kind, &x, None, false);
    }
    assert_eq!(eval(&x, |v| v.argmax(1)).to_vec::<i64>()[..2], [3, 0]);
    assert_eq!(eval(&x, |v| v.argmin(Axis::All)).item(), Scalar::Int(3));
}

#[test]
fn non_contiguous_inputs_give_indices_in_the_view() {
    let base = Tensor::randn(F32, &[4, 7], 21);
    let view = base.t().slice_axis(0, None, None, -2).unwrap();
    assert!(!view.is_contiguous());
    for kind in [ArgKind::Max, ArgKind::Min] {
        for axis in [None, Some(0), Some(-1)] {
            check(kind, &view, axis, false);
        }
    }
}

#[test]
fn empty_reductions_are_errors_naming_the_op() {
    let cases: [(&[usize], Option<i64>); 3] =
        [(&[0], None), (&[3, 0], Some(1)), (&[0, 3], Some(0))];
    for (shape, axis) in cases {
        let x = Tensor::randn(F64, shape, 1);
        let err = try_eval(&x, |v| argmax(v, axis, false)).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("argmax{") && msg.contains("empty sequence"),
            "{msg}"
        );
        assert!(
            msg.contains(&format!("{shape:?}")) && msg.contains("arg.rs"),
            "{msg}"
        );
    }
    // An empty array whose reduced axis is not empty gives an empty result.
    let x = Tensor::randn(F64, &[0, 3], 1);
    assert_eq!(eval(&x, |v| argmin(v, 1, false)).shape(), &[0]);
}

#[test]
fn axis_errors_and_types() {
    let x = Var::input("x", TensorType::new(F32, vec![Some(2), None, Some(4)]));
    let err = try_argreduce(&x, ArgKind::Max, 3, false).unwrap_err();
    assert_eq!(
        err.kind,
        ErrorKind::Axis {
            op: "argmax".into(),
            axis: 3,
            ndim: 3
        }
    );
    assert!(err.site.unwrap().file.ends_with("arg.rs"));
    let err = try_argreduce(&x, ArgKind::Min, [0i64, 1], false).unwrap_err();
    assert!(
        err.to_string().contains("argmin: takes one axis or None"),
        "{err}"
    );
    let y = x.argmax_keepdims(-2);
    assert_eq!(y.op().unwrap().name(), "argmax{axis=1, keepdims}");
    assert_eq!(
        y.ty(),
        &TensorType::new(I64, vec![Some(2), Some(1), Some(4)])
    );
    let z = argmin(&x, Axis::All, true);
    assert_eq!(z.op().unwrap().name(), "argmin{axis=None, keepdims}");
    assert_eq!(z.ty().shape, vec![Some(1); 3]);
    assert_eq!(x.argmin(Axis::All).ty(), &TensorType::scalar(I64));
    assert!(!y.op().unwrap().differentiable());
}
