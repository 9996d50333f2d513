//! Property tests over random shapes (size-0 dims included) and axes:
//! algebraic identities between reductions that must hold for any input.

use super::helpers::eval;
use crate::ops::reduce::{Axis, ReduceKind};
use crate::tensor::{Scalar, Tensor};
use crate::DType::*;
use proptest::prelude::*;

/// A shape of rank 1..=4 with dims 0..=4, and a seed for its values.
fn shape_and_seed() -> impl Strategy<Value = (Vec<usize>, u64)> {
    (prop::collection::vec(0usize..=4, 1..=4), any::<u64>())
}

/// A non-empty subset of the axes of a rank-`ndim` array, written with
/// negative axes where `negate` says so.
fn axis_subset(ndim: usize, mask: u8, negate: u8) -> Vec<i64> {
    let mut axes: Vec<i64> = (0..ndim)
        .filter(|a| mask & (1 << a) != 0)
        .map(|a| {
            if negate & (1 << a) != 0 {
                a as i64 - ndim as i64
            } else {
                a as i64
            }
        })
        .collect();
    if axes.is_empty() {
        axes.push(0);
    }
    axes
}

fn close(a: f64, b: f64, scale: f64) -> bool {
    (a - b).abs() <= 1e-12 * (1.0 + scale)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn sum_over_all_equals_axis_zero_then_the_rest((shape, seed) in shape_and_seed()) {
        let x = Tensor::randn(F64, &shape, seed);
        let all = eval(&x, |v| v.sum(Axis::All)).item().as_f64();
        let staged = eval(&x, |v| v.sum(0).sum(Axis::All)).item().as_f64();
        let scale: f64 = x.to_f64_vec().iter().map(|v| v.abs()).sum();
        prop_assert!(close(all, staged, scale), "{} vs {}", all, staged);
        // Integers are exact, so the two orders agree bit for bit.
        let i = Tensor::rand_int(I32, &shape, -1000, 1000, seed);
        let all = eval(&i, |v| v.sum(Axis::All)).item();
        let staged = eval(&i, |v| v.sum(-1).sum(Axis::All)).item();
        prop_assert_eq!(all, staged);
        let loops: i64 = i.to_vec::<i32>().iter().map(|&v| v as i64).sum();
        prop_assert_eq!(all, Scalar::Int(loops));
    }

    #[test]
    fn keepdims_keeps_rank_with_ones_and_the_same_values(
        (shape, seed) in shape_and_seed(), mask in any::<u8>(), negate in any::<u8>(), k in 0usize..6
    ) {
        let kind = [ReduceKind::Sum, ReduceKind::Prod, ReduceKind::Max,
                    ReduceKind::Min, ReduceKind::All, ReduceKind::Any][k];
        let axes = axis_subset(shape.len(), mask, negate);
        let x = Tensor::randn(F64, &shape, seed);
        let reduced_empty = axes.iter().any(|&a| shape[a.rem_euclid(shape.len() as i64) as usize] == 0);
        if matches!(kind, ReduceKind::Max | ReduceKind::Min) && reduced_empty {
            return Ok(()); // no identity: an error, tested elsewhere
        }
        let build = |keep: bool| {
            let axes = axes.clone();
            move |v: &crate::graph::Var| crate::ops::reduce::try_reduce(v, kind, axes, keep).unwrap()
        };
        let kept = eval(&x, build(true));
        let dropped = eval(&x, build(false));
        let want: Vec<usize> = (0..shape.len())
            .map(|a| {
                let named = axes.iter().any(|&b| b.rem_euclid(shape.len() as i64) as usize == a);
                if named { 1 } else { shape[a] }
            })
            .collect();
        prop_assert_eq!(kept.shape(), want.as_slice());
        prop_assert_eq!(kept.ndim(), x.ndim());
        let mut distinct: Vec<i64> = axes.iter().map(|&a| a.rem_euclid(shape.len() as i64)).collect();
        distinct.dedup();
        prop_assert_eq!(dropped.ndim(), x.ndim() - distinct.len());
        prop_assert_eq!(kept.to_scalars(), dropped.to_scalars());
    }

    #[test]
    fn argmax_points_at_the_max_and_cumsum_ends_at_the_sum(
        (shape, seed) in shape_and_seed(), axis_pick in any::<u8>()
    ) {
        prop_assume!(shape.iter().all(|&d| d > 0));
        let axis = (axis_pick as usize % shape.len()) as i64;
        let x = Tensor::randn(F64, &shape, seed);
        let flat = x.to_f64_vec();
        let index = eval(&x, |v| v.argmax(Axis::All)).item().as_i64() as usize;
        let max = eval(&x, |v| v.max(Axis::All)).item().as_f64();
        prop_assert_eq!(flat[index], max);
        prop_assert!(flat[..index].iter().all(|&v| v < max), "not the first occurrence");
        // The last slice of cumsum along an axis is the sum along it.
        let n = shape[axis as usize] as i64;
        let last = eval(&x, |v| v.cumsum(axis)).slice_axis(axis as usize, Some(n - 1), None, 1).unwrap();
        let sum = eval(&x, |v| v.sum_keepdims(axis));
        let scale: f64 = flat.iter().map(|v| v.abs()).sum();
        for (a, b) in last.to_f64_vec().iter().zip(sum.to_f64_vec()) {
            prop_assert!(close(*a, b, scale), "{} vs {}", a, b);
        }
        // mean * n == sum.
        let mean = eval(&x, |v| v.mean(axis)).to_f64_vec();
        for (m, s) in mean.iter().zip(eval(&x, |v| v.sum(axis)).to_f64_vec()) {
            prop_assert!(close(m * n as f64, s, scale), "{} * {} vs {}", m, n, s);
        }
    }
}
