//! `Reduce` (sum, prod, max, min, all, any) against plain loops on random
//! inputs: every kind, several dtypes, axis specs and keepdims, plus
//! NumPy's accumulator dtypes and float32 accuracy.

use super::helpers::{buckets, eval, keepdims_shape, random_input};
use crate::dtype::{DType, ALL_DTYPES};
use crate::ops::reduce::{try_reduce, Axis, ReduceKind};
use crate::tensor::{Scalar, Tensor};
use crate::DType::*;

const KINDS: [ReduceKind; 6] = [
    ReduceKind::Sum,
    ReduceKind::Prod,
    ReduceKind::Max,
    ReduceKind::Min,
    ReduceKind::All,
    ReduceKind::Any,
];

/// Relative tolerance of a float result, per dtype (the reference rounds
/// the exact-ish f64 value to the dtype once).
fn tol(dtype: DType) -> f64 {
    match dtype {
        F16 => 2e-3,
        F32 => 2e-6,
        _ => 1e-12,
    }
}

/// The expected reduction of one group, computed the plainest way: naive
/// f64 loops for floats, i128/wrapping loops for integers.
fn expected(kind: ReduceKind, group: &[Scalar], out: DType) -> Scalar {
    let f: Vec<f64> = group.iter().map(|s| s.as_f64()).collect();
    let value = match kind {
        ReduceKind::Sum if out.is_float() => Scalar::Float(f.iter().sum()),
        ReduceKind::Sum if out == U64 => {
            Scalar::UInt(group.iter().map(|s| s.as_u64()).fold(0, u64::wrapping_add))
        }
        ReduceKind::Sum => {
            Scalar::Int(group.iter().map(|s| s.as_i64() as i128).sum::<i128>() as i64)
        }
        ReduceKind::Prod if out.is_float() => Scalar::Float(f.iter().product()),
        ReduceKind::Prod if out == U64 => {
            Scalar::UInt(group.iter().map(|s| s.as_u64()).fold(1, u64::wrapping_mul))
        }
        ReduceKind::Prod => {
            Scalar::Int(group.iter().map(|s| s.as_i64()).fold(1, i64::wrapping_mul))
        }
        ReduceKind::Max | ReduceKind::Min => extreme(kind == ReduceKind::Max, group),
        ReduceKind::All => Scalar::Bool(f.iter().all(|&v| v != 0.0)),
        ReduceKind::Any => Scalar::Bool(f.iter().any(|&v| v != 0.0)),
    };
    value.cast(out)
}

/// Max (or min) by a loop: NaN wins, integers compared exactly.
fn extreme(max: bool, group: &[Scalar]) -> Scalar {
    let mut best = group[0];
    for &v in &group[1..] {
        let better = match (v, best) {
            (Scalar::Float(a), Scalar::Float(b)) => {
                !b.is_nan() && (a.is_nan() || if max { a > b } else { a < b })
            }
            (Scalar::Int(a), Scalar::Int(b)) => {
                if max {
                    a > b
                } else {
                    a < b
                }
            }
            (Scalar::UInt(a), Scalar::UInt(b)) => {
                if max {
                    a > b
                } else {
                    a < b
                }
            }
            (Scalar::Bool(a), Scalar::Bool(b)) => {
                if max {
                    a & !b
                } else {
                    !a & b
                }
            }
            _ => unreachable!(),
        };
        if better {
            best = v;
        }
    }
    best
}

/// Runs one reduction and compares it, element by element, with loops.
fn check(kind: ReduceKind, x: &Tensor, axis: Axis, keepdims: bool) {
    let axes = axis.resolve("test", x.ndim()).unwrap();
    let got = eval(x, |v| try_reduce(v, kind, axis.clone(), keepdims).unwrap());
    let out = kind.out_dtype(x.dtype());
    let (shape, groups) = buckets(x, &axes);
    let what = format!(
        "{kind:?} of {:?} {:?} {axis:?} keepdims={keepdims}",
        x.dtype(),
        x.shape()
    );
    assert_eq!(got.dtype(), out, "{what}");
    let want_shape = if keepdims {
        keepdims_shape(x.shape(), &axes)
    } else {
        shape
    };
    assert_eq!(got.shape(), want_shape.as_slice(), "{what}");
    for (i, (g, group)) in got.to_scalars().into_iter().zip(&groups).enumerate() {
        let w = expected(kind, group, out);
        let ok = match (g, w) {
            (Scalar::Float(a), Scalar::Float(b)) => {
                let scale: f64 = match kind {
                    ReduceKind::Sum => {
                        group.iter().map(|s| s.as_f64().abs()).sum::<f64>() + b.abs()
                    }
                    _ => b.abs(),
                };
                // Float16 products can land among subnormals (spacing 2^-24).
                let atol = if out == F16 { 1e-7 } else { 0.0 };
                (a.is_nan() && b.is_nan()) || (a - b).abs() <= tol(out) * scale + atol
            }
            _ => g == w,
        };
        assert!(ok, "{what}: element {i}: got {g:?}, want {w:?}");
    }
}

fn axis_specs() -> Vec<Axis> {
    vec![
        Axis::All,
        Axis::from(0),
        Axis::from(1),
        Axis::from(-1),
        Axis::from([0i64, 2]),
        Axis::from([-1i64, 0]),
        Axis::from([2i64, 1, 0]),
        Axis::Some(vec![]),
    ]
}

#[test]
fn every_kind_matches_loops_for_every_axis_spec() {
    let dtypes = [F64, F32, F16, I8, I32, I64, U8, U32, Bool];
    for (seed, &dtype) in dtypes.iter().enumerate() {
        let x = random_input(dtype, &[3, 4, 5], 10 + seed as u64);
        for kind in KINDS {
            for axis in axis_specs() {
                for keepdims in [false, true] {
                    check(kind, &x, axis.clone(), keepdims);
                }
            }
        }
    }
}

#[test]
fn integer_prod_wraps_like_numpy() {
    // 60 factors in [1, 8): the product overflows int64 and wraps.
    let x = Tensor::rand_int(I32, &[60], 1, 8, 3);
    check(ReduceKind::Prod, &x, Axis::All, false);
    let u = Tensor::rand_int(U16, &[60], 1, 8, 4);
    check(ReduceKind::Prod, &u, Axis::All, false);
    let big = Tensor::from_vec(vec![i64::MAX, 2], &[2]).unwrap();
    let got = eval(&big, |v| v.prod(Axis::All));
    assert_eq!(got.item(), Scalar::Int(i64::MAX.wrapping_mul(2)));
}

#[test]
fn accumulator_dtypes_follow_numpy() {
    for dtype in ALL_DTYPES {
        let sum_dtype = match dtype {
            Bool | I8 | I16 | I32 | I64 => I64,
            U8 | U16 | U32 | U64 => U64,
            f => f,
        };
        let x = random_input(dtype, &[2, 3], 7);
        let expect = [
            (ReduceKind::Sum, sum_dtype),
            (ReduceKind::Prod, sum_dtype),
            (ReduceKind::Max, dtype),
            (ReduceKind::Min, dtype),
            (ReduceKind::All, Bool),
            (ReduceKind::Any, Bool),
        ];
        for (kind, want) in expect {
            let got = eval(&x, |v| {
                let y = try_reduce(v, kind, 1, false).unwrap();
                assert_eq!(y.dtype(), want, "static {kind:?} of {dtype}");
                y
            });
            assert_eq!(got.dtype(), want, "runtime {kind:?} of {dtype}");
        }
    }
}

#[test]
fn uint64_sum_and_max_are_exact_beyond_f64_precision() {
    let x = Tensor::from_vec(vec![u64::MAX - 1, 1, u64::MAX - 3], &[3]).unwrap();
    assert_eq!(eval(&x, |v| v.max(0)).item(), Scalar::UInt(u64::MAX - 1));
    assert_eq!(eval(&x, |v| v.min(0)).item(), Scalar::UInt(1));
    let y = Tensor::from_vec(vec![(1u64 << 60) + 1, 1], &[2]).unwrap();
    assert_eq!(
        eval(&y, |v| v.sum(0)).item(),
        Scalar::UInt((1u64 << 60) + 2)
    );
}

#[test]
fn float32_sum_of_a_million_meets_the_pairwise_error_bound() {
    let n = 1_000_000usize;
    let x = Tensor::rand_uniform(F32, &[n], 0.0, 1.0, 42);
    let values = x.to_vec::<f32>();
    // The f64 sum of f32 values has error ~ n * 2^-53 * sum: negligible.
    let exact: f64 = values.iter().map(|&v| v as f64).sum();
    let abs_sum: f64 = values.iter().map(|&v| (v as f64).abs()).sum();
    let got = eval(&x, |v| v.sum(Axis::All));
    assert_eq!(got.dtype(), F32);
    let got = got.item().as_f64();
    // Pairwise summation in float32 errs by at most ~log2(n) * eps * sum|x|.
    let eps32 = f32::EPSILON as f64;
    let bound = (n as f64).log2().ceil() * eps32 * abs_sum;
    assert!(
        (got - exact).abs() <= bound,
        "got {got}, exact {exact}, bound {bound}"
    );
    // Ours accumulates in f64, so it is within one float32 rounding.
    assert!(
        (got - exact).abs() <= eps32 * exact.abs(),
        "got {got}, exact {exact}"
    );
    // The bound is tight enough to catch naive float32 accumulation.
    let naive: f32 = values.iter().sum();
    assert!(
        ((naive as f64) - exact).abs() > bound,
        "naive {naive} vs {exact}"
    );
}
