//! Helpers shared by the extra ops: NumPy's sort order (NaN last), lanes
//! along one axis and back, and hashable float parameters.

use crate::dtype::DType;
use crate::error::Result;
use crate::ops::reduce::grouped_along;
use crate::tensor::{Scalar, Tensor};
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

/// NumPy's sort order: numbers ascending, every NaN after every number
/// (NaNs compare equal to each other). Both scalars share one dtype.
pub fn nan_last_cmp(a: Scalar, b: Scalar) -> Ordering {
    match (a, b) {
        (Scalar::Int(x), Scalar::Int(y)) => x.cmp(&y),
        (Scalar::UInt(x), Scalar::UInt(y)) => x.cmp(&y),
        (Scalar::Bool(x), Scalar::Bool(y)) => x.cmp(&y),
        _ => {
            let (x, y) = (a.as_f64(), b.as_f64());
            match (x.is_nan(), y.is_nan()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => x.partial_cmp(&y).expect("neither is NaN"),
            }
        }
    }
}

/// The stable permutation that sorts `values` in NumPy's order.
pub fn stable_argsort(values: &[Scalar]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&i, &j| nan_last_cmp(values[i], values[j]));
    order
}

/// The lanes of `x` along `axis`: one vector per position of the other
/// axes (C order), each holding the elements along `axis`.
pub fn lanes(x: &Tensor, axis: usize) -> Vec<Vec<Scalar>> {
    grouped_along(x, &[axis])
}

/// The inverse of [`lanes`]: a C-contiguous tensor of `dtype` and `shape`
/// whose lanes along `axis` are `lanes` (each `shape[axis]` long).
pub fn from_lanes(
    dtype: DType,
    lanes: &[Vec<Scalar>],
    shape: &[usize],
    axis: usize,
) -> Result<Tensor> {
    let mut moved = shape.to_vec();
    let len = moved.remove(axis);
    moved.push(len);
    let flat: Vec<Scalar> = lanes.iter().flatten().copied().collect();
    let t = Tensor::from_scalars(dtype, &moved, &flat)?;
    let last = shape.len() - 1;
    let perm: Vec<usize> = (0..shape.len())
        .map(|j| match j.cmp(&axis) {
            Ordering::Less => j,
            Ordering::Equal => last,
            Ordering::Greater => j - 1,
        })
        .collect();
    Ok(t.permute(&perm)?.to_contiguous_copy())
}

/// An `f64` op parameter that hashes and compares by its bits, so ops
/// holding tolerances stay hashable data.
#[derive(Clone, Copy, Debug)]
pub struct FloatParam(pub f64);

impl PartialEq for FloatParam {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_bits() == other.0.to_bits()
    }
}
impl Eq for FloatParam {}
impl Hash for FloatParam {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.to_bits().hash(state)
    }
}

/// The static size of one dim after flattening, if every dim is known.
pub fn flat_len(shape: &[Option<usize>]) -> Option<usize> {
    shape.iter().try_fold(1usize, |acc, d| d.map(|d| acc * d))
}

/// The error for an op that needs integer (or bool) indices.
pub fn require_integral(op: &str, index: usize, dtype: DType) -> Result<()> {
    if dtype.is_integral() {
        Ok(())
    } else {
        Err(crate::Error::dtype(
            op,
            index,
            dtype,
            "takes only integer inputs here",
        ))
    }
}
