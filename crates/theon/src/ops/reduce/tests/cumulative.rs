//! `CumOp` (cumsum, cumprod) against plain loops over multi-indices:
//! every axis (negative too), the flattened form, NumPy's accumulator
//! dtypes, non-contiguous and empty inputs, errors.

use super::helpers::{assert_close, eval, random_input};
use crate::dtype::{DType, ALL_DTYPES};
use crate::error::ErrorKind;
use crate::graph::{TensorType, Var};
use crate::ops::reduce::{cumprod, cumsum, try_cumulative, Axis, CumKind};
use crate::tensor::{unravel, Scalar, Tensor};
use crate::DType::*;

/// The expected running values at every position of `x` along `axis`:
/// for each index, combine the elements at the same index with the axis
/// coordinate running from 0 to the index's own.
fn expected_along(kind: CumKind, x: &Tensor, axis: usize, out: DType) -> Vec<Scalar> {
    (0..x.size())
        .map(|flat| {
            let mut index = unravel(flat, x.shape());
            let upto = index[axis];
            let mut items = Vec::new();
            for k in 0..=upto {
                index[axis] = k;
                items.push(x.get(&index));
            }
            combine(kind, &items, out)
        })
        .collect()
}

/// Sum or product of `items` in the accumulator dtype `out` (naive loops;
/// i128 for signed ints, wrapping u64 for unsigned, f64 for floats).
fn combine(kind: CumKind, items: &[Scalar], out: DType) -> Scalar {
    let s = match (kind, out) {
        (CumKind::Sum, F16 | F32 | F64) => Scalar::Float(items.iter().map(|v| v.as_f64()).sum()),
        (CumKind::Prod, F16 | F32 | F64) => {
            Scalar::Float(items.iter().map(|v| v.as_f64()).product())
        }
        (CumKind::Sum, U64) => {
            Scalar::UInt(items.iter().map(|v| v.as_u64()).fold(0, u64::wrapping_add))
        }
        (CumKind::Prod, U64) => {
            Scalar::UInt(items.iter().map(|v| v.as_u64()).fold(1, u64::wrapping_mul))
        }
        (CumKind::Sum, _) => {
            Scalar::Int(items.iter().map(|v| v.as_i64() as i128).sum::<i128>() as i64)
        }
        (CumKind::Prod, _) => {
            Scalar::Int(items.iter().map(|v| v.as_i64()).fold(1, i64::wrapping_mul))
        }
    };
    s.cast(out)
}

fn assert_matches(got: &Tensor, want: &[Scalar], out: DType, what: &str) {
    assert_eq!(got.dtype(), out, "{what}");
    if out.is_float() {
        let tol = if out == F64 {
            1e-12
        } else if out == F32 {
            2e-6
        } else {
            2e-3
        };
        let w: Vec<f64> = want.iter().map(|s| s.as_f64()).collect();
        assert_close(got, &w, tol, tol, what);
    } else {
        assert_eq!(got.to_scalars(), want, "{what}");
    }
}

#[test]
fn cumsum_and_cumprod_match_loops_along_every_axis() {
    for (seed, dtype) in [F64, F32, I8, I32, U8, U16, Bool].into_iter().enumerate() {
        let x = match dtype {
            // Small factors keep products inside every dtype's exact range.
            I8 | I32 => Tensor::rand_int(dtype, &[3, 4, 5], -3, 4, seed as u64),
            U8 | U16 => Tensor::rand_int(dtype, &[3, 4, 5], 1, 4, seed as u64),
            _ => random_input(dtype, &[3, 4, 5], seed as u64),
        };
        for kind in [CumKind::Sum, CumKind::Prod] {
            let out = kind.out_dtype(dtype);
            for axis in [0i64, 1, 2, -1, -3] {
                let a = if axis < 0 { axis + 3 } else { axis } as usize;
                let got = eval(&x, |v| try_cumulative(v, kind, axis).unwrap());
                assert_eq!(got.shape(), x.shape());
                let want = expected_along(kind, &x, a, out);
                assert_matches(&got, &want, out, &format!("{kind:?} {dtype} axis {axis}"));
            }
            let flat = eval(&x, |v| try_cumulative(v, kind, Axis::All).unwrap());
            assert_eq!(flat.shape(), &[60]);
            let values = x.to_scalars();
            let want: Vec<Scalar> = (0..60).map(|i| combine(kind, &values[..=i], out)).collect();
            assert_matches(&flat, &want, out, &format!("{kind:?} {dtype} flat"));
        }
    }
}

#[test]
fn accumulator_dtypes_follow_numpy() {
    for dtype in ALL_DTYPES {
        let want = match dtype {
            Bool | I8 | I16 | I32 | I64 => I64,
            U8 | U16 | U32 | U64 => U64,
            f => f,
        };
        let x = Var::input("x", TensorType::unknown(dtype, 2));
        assert_eq!(x.cumsum(0).dtype(), want, "cumsum of {dtype}");
        assert_eq!(x.cumprod(Axis::All).dtype(), want, "cumprod of {dtype}");
    }
    // uint8 running sums go past 255 without wrapping (uint64 accumulator).
    let x = Tensor::from_vec(vec![200u8, 100, 250], &[3]).unwrap();
    assert_eq!(
        eval(&x, |v| v.cumsum(0)).to_vec::<u64>(),
        vec![200, 300, 550]
    );
}

#[test]
fn non_contiguous_and_empty_inputs() {
    let base = Tensor::randn(F64, &[4, 6], 3);
    let view = base.t().slice_axis(1, None, None, -1).unwrap();
    assert!(!view.is_contiguous());
    for axis in [0usize, 1] {
        let got = eval(&view, |v| cumsum(v, axis as i64));
        assert_matches(
            &got,
            &expected_along(CumKind::Sum, &view, axis, F64),
            F64,
            "view",
        );
    }
    let got = eval(&view, |v| cumprod(v, Axis::All));
    let values = view.to_scalars();
    let want: Vec<Scalar> = (0..24)
        .map(|i| combine(CumKind::Prod, &values[..=i], F64))
        .collect();
    assert_matches(&got, &want, F64, "flat view");
    let empty = Tensor::randn(F32, &[0, 3], 1);
    assert_eq!(eval(&empty, |v| v.cumsum(1)).shape(), &[0, 3]);
    assert_eq!(eval(&empty, |v| v.cumprod(Axis::All)).shape(), &[0]);
    let scalar = Tensor::scalar(2.5f64);
    assert_eq!(
        eval(&scalar, |v| v.cumsum(Axis::All)).to_vec::<f64>(),
        vec![2.5]
    );
}

#[test]
fn names_static_shapes_and_errors() {
    let x = Var::input("x", TensorType::new(F32, vec![Some(2), Some(3)]));
    let y = x.cumsum(-1);
    assert_eq!(y.op().unwrap().name(), "cumsum{axis=1}");
    assert_eq!(y.ty(), x.ty());
    let flat = x.cumprod(Axis::All);
    assert_eq!(flat.op().unwrap().name(), "cumprod{axis=None}");
    assert_eq!(flat.ty().shape, vec![Some(6)]);
    let unknown = Var::input("u", TensorType::new(F32, vec![Some(2), None]));
    assert_eq!(unknown.cumsum(Axis::All).ty().shape, vec![None]);
    let err = try_cumulative(&x, CumKind::Sum, 2).unwrap_err();
    assert_eq!(
        err.kind,
        ErrorKind::Axis {
            op: "cumsum".into(),
            axis: 2,
            ndim: 2
        }
    );
    assert!(err.site.unwrap().file.ends_with("cumulative.rs"));
    let err = try_cumulative(&x, CumKind::Prod, [0i64, 1]).unwrap_err();
    assert!(
        err.to_string().contains("cumprod: takes one axis or None"),
        "{err}"
    );
    let s = Var::input("s", TensorType::scalar(F64));
    assert!(try_cumulative(&s, CumKind::Sum, 0).is_err());
}
