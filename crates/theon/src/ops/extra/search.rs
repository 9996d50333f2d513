//! `SearchSorted`: insertion points of values into a sorted vector, as
//! NumPy's `searchsorted` (the vector is not checked for sortedness).

use super::common::nan_last_cmp;
use crate::dtype::{promote, DType};
use crate::error::{Error, Result};
use crate::graph::{Op, PerformCtx, TensorType, Var};
use crate::tensor::{Scalar, Tensor};
use std::cmp::Ordering;

/// Which insertion point to return among equal elements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    /// The first position `i` with `v <= a[i]`.
    Left,
    /// The first position `i` with `v < a[i]`.
    Right,
}

/// Inputs: a sorted vector `a` and values `v` of any shape; the output is
/// int64 of `v`'s shape. Comparisons use the promoted dtype, NaN last.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SearchSorted {
    pub side: Side,
}

impl Op for SearchSorted {
    fn name(&self) -> String {
        let side = match self.side {
            Side::Left => "left",
            Side::Right => "right",
        };
        format!("searchsorted{{side={side}}}")
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let (a, v) = (&inputs[0], &inputs[1]);
        if a.ndim() != 1 {
            return Err(Error::value(
                self.name(),
                format!("input 0 (the sorted array) must be a vector, got {a}"),
            ));
        }
        Ok(vec![TensorType::new(DType::I64, v.shape.clone())])
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let common = promote(inputs[0].dtype(), inputs[1].dtype());
        let a: Vec<Scalar> = inputs[0]
            .to_scalars()
            .into_iter()
            .map(|s| s.cast(common))
            .collect();
        let out: Vec<Scalar> = inputs[1]
            .to_scalars()
            .into_iter()
            .map(|v| Scalar::Int(self.insertion_point(&a, v.cast(common)) as i64))
            .collect();
        Ok(vec![Tensor::from_scalars(
            DType::I64,
            inputs[1].shape(),
            &out,
        )?])
    }

    fn differentiable(&self) -> bool {
        false
    }
}

impl SearchSorted {
    /// Binary search for the first position where `v` may be inserted.
    fn insertion_point(&self, a: &[Scalar], v: Scalar) -> usize {
        let goes_before = |x: Scalar| match self.side {
            Side::Left => nan_last_cmp(x, v) != Ordering::Less,
            Side::Right => nan_last_cmp(x, v) == Ordering::Greater,
        };
        a.partition_point(|&x| !goes_before(x))
    }
}

/// NumPy's `searchsorted(a, v, side)`: where `v` would be inserted in `a`.
#[track_caller]
pub fn try_searchsorted(a: &Var, v: &Var, side: Side) -> Result<Var> {
    Var::apply1(SearchSorted { side }, &[a.clone(), v.clone()])
}

/// Like [`try_searchsorted`]; panics with the error's message.
#[track_caller]
pub fn searchsorted(a: &Var, v: &Var, side: Side) -> Var {
    try_searchsorted(a, v, side).unwrap_or_else(|e| panic!("{e}"))
}
