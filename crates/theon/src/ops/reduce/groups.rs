//! Helpers shared by the reference kernels of the reduction family:
//! gathering the elements each output reduces, accurate float summation,
//! and NumPy's ordering of scalars (NaN above everything for max).

use crate::dtype::DType;
use crate::error::Result;
use crate::tensor::{Scalar, Tensor};
use std::cmp::Ordering;

/// Pairwise (cascade) summation: error grows like log(n), not n.
pub fn pairwise_sum(values: &[f64]) -> f64 {
    if values.len() <= 8 {
        return values.iter().sum();
    }
    let mid = values.len() / 2;
    pairwise_sum(&values[..mid]) + pairwise_sum(&values[mid..])
}

/// The elements of `x` grouped by output position: one group per element
/// of the reduced shape (C order), each holding the reduced elements in C
/// order of the reduced axes. `axes` are sorted, distinct and in range.
pub fn grouped_along(x: &Tensor, axes: &[usize]) -> Vec<Vec<Scalar>> {
    let kept: Vec<usize> = (0..x.ndim()).filter(|a| !axes.contains(a)).collect();
    let perm: Vec<usize> = kept.iter().chain(axes).copied().collect();
    let moved = x
        .permute(&perm)
        .expect("kept + reduced axes form a permutation");
    let n_groups: usize = kept.iter().map(|&a| x.shape()[a]).product();
    let group_len: usize = axes.iter().map(|&a| x.shape()[a]).product();
    if group_len == 0 {
        return vec![Vec::new(); n_groups];
    }
    moved
        .to_scalars()
        .chunks(group_len)
        .map(<[Scalar]>::to_vec)
        .collect()
}

/// The inverse of [`grouped_along`] for one axis: `values` are groups
/// along `axis` laid end to end (each `shape[axis]` long, in the order
/// `grouped_along(_, &[axis])` gives them); returns them as a C-contiguous
/// tensor of `dtype` and `shape`.
pub fn ungroup_along(
    dtype: DType,
    values: &[Scalar],
    shape: &[usize],
    axis: usize,
) -> Result<Tensor> {
    let mut moved_shape = shape.to_vec();
    let len = moved_shape.remove(axis);
    moved_shape.push(len);
    let last = shape.len() - 1;
    // Output axis j comes from moved axis j (before `axis`), j - 1 (after
    // it), or the last moved axis (`axis` itself).
    let perm: Vec<usize> = (0..shape.len())
        .map(|j| match j.cmp(&axis) {
            Ordering::Less => j,
            Ordering::Equal => last,
            Ordering::Greater => j - 1,
        })
        .collect();
    let moved = Tensor::from_scalars(dtype, &moved_shape, values)?;
    Ok(moved.permute(&perm)?.to_contiguous_copy())
}

/// NumPy's order for max/argmax: numbers by value (integers compared
/// exactly, never through f64), NaN above every number.
pub fn nan_greatest_cmp(a: Scalar, b: Scalar) -> Ordering {
    match (a, b) {
        (Scalar::Float(x), Scalar::Float(y)) => match (x.is_nan(), y.is_nan()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => x.partial_cmp(&y).expect("neither is NaN"),
        },
        (Scalar::Int(x), Scalar::Int(y)) => x.cmp(&y),
        (Scalar::UInt(x), Scalar::UInt(y)) => x.cmp(&y),
        (Scalar::Bool(x), Scalar::Bool(y)) => x.cmp(&y),
        _ => unreachable!("elements of one tensor share a kind"),
    }
}

/// NumPy's order for min/argmin: numbers by value, NaN below every number.
pub fn nan_least_cmp(a: Scalar, b: Scalar) -> Ordering {
    let nan = |s: Scalar| matches!(s, Scalar::Float(x) if x.is_nan());
    match (nan(a), nan(b)) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => nan_greatest_cmp(a, b),
    }
}
