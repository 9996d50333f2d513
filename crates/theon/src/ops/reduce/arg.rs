//! `ArgReduce`: argmax and argmin, the int64 index of the first greatest
//! (least) element along one axis or over the flattened array. As in NumPy,
//! NaN counts as both the greatest and the least value, ties go to the
//! first occurrence, and an empty reduced axis is an error.

use super::axis::{axis_label, reduced_shape, Axis};
use super::groups::{grouped_along, nan_greatest_cmp, nan_least_cmp};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::graph::{Op, PerformCtx, TensorType, Var};
use crate::tensor::{Scalar, Tensor};
use std::cmp::Ordering;

/// Which index an [`ArgReduce`] finds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArgKind {
    Max,
    Min,
}

impl ArgKind {
    /// The NumPy name (`"argmax"`, `"argmin"`).
    pub fn name(self) -> &'static str {
        match self {
            ArgKind::Max => "argmax",
            ArgKind::Min => "argmin",
        }
    }

    /// True when `candidate` strictly beats the `best` so far (so ties keep
    /// the first occurrence).
    fn beats(self, candidate: Scalar, best: Scalar) -> bool {
        match self {
            ArgKind::Max => nan_greatest_cmp(candidate, best) == Ordering::Greater,
            ArgKind::Min => nan_least_cmp(candidate, best) == Ordering::Less,
        }
    }
}

/// Index of the first greatest/least element along `axis` (`None`: over
/// the flattened array, giving flat C-order indices). The output is int64;
/// `keepdims` keeps the reduced axis (all axes for `None`) as size 1.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ArgReduce {
    pub kind: ArgKind,
    pub axis: Option<usize>,
    pub keepdims: bool,
}

impl ArgReduce {
    /// The output shape (static or runtime) from the input shape.
    pub fn out_shape<T: Clone>(&self, shape: &[T], one: T) -> Vec<T> {
        match self.axis {
            None if self.keepdims => vec![one; shape.len()],
            None => Vec::new(),
            Some(a) => reduced_shape(shape, &[a], self.keepdims, one),
        }
    }

    /// The index of the winning element of one group (first on ties).
    fn index_of_best(&self, group: &[Scalar]) -> usize {
        let mut best = 0;
        for (i, &v) in group.iter().enumerate().skip(1) {
            if self.kind.beats(v, group[best]) {
                best = i;
            }
        }
        best
    }
}

impl Op for ArgReduce {
    fn name(&self) -> String {
        let keep = if self.keepdims { ", keepdims" } else { "" };
        format!(
            "{}{{axis={}{keep}}}",
            self.kind.name(),
            axis_label(self.axis)
        )
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let x = &inputs[0];
        if let Some(a) = self.axis.filter(|&a| a >= x.ndim()) {
            return Err(Error::axis(self.name(), a as i64, x.ndim()));
        }
        Ok(vec![TensorType::new(
            DType::I64,
            self.out_shape(&x.shape, Some(1)),
        )])
    }

    fn infer_shape(&self, _inputs: &[Var], input_shapes: &[Vec<Var>]) -> Option<Vec<Vec<Var>>> {
        Some(vec![self.out_shape(
            input_shapes.first()?,
            crate::ops::shape::infer::const_dim(1),
        )])
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let x = &inputs[0];
        let reduced_len = match self.axis {
            None => x.size(),
            Some(a) if a < x.ndim() => x.shape()[a],
            Some(a) => return Err(Error::axis(self.name(), a as i64, x.ndim())),
        };
        if reduced_len == 0 {
            return Err(Error::value(
                self.name(),
                format!(
                    "attempt to get {} of an empty sequence (input 0 has shape {:?})",
                    self.kind.name(),
                    x.shape()
                ),
            ));
        }
        let groups = match self.axis {
            None => vec![x.to_scalars()],
            Some(a) => grouped_along(x, &[a]),
        };
        let indices: Vec<Scalar> = groups
            .iter()
            .map(|g| Scalar::Int(self.index_of_best(g) as i64))
            .collect();
        let shape = self.out_shape(x.shape(), 1);
        Ok(vec![Tensor::from_scalars(DType::I64, &shape, &indices)?])
    }

    fn differentiable(&self) -> bool {
        false
    }
}

/// Builds an argmax/argmin node over `axis` (one axis, negative allowed, or
/// `Axis::All` for the flattened array), or returns the error.
#[track_caller]
pub fn try_argreduce(x: &Var, kind: ArgKind, axis: impl Into<Axis>, keepdims: bool) -> Result<Var> {
    // Taken here: a closure would report its own line, not the caller's.
    let site = crate::Site::caller();
    let axis = axis
        .into()
        .resolve_single(kind.name(), x.ndim())
        .map_err(|e| e.at(&site))?;
    let op = ArgReduce {
        kind,
        axis,
        keepdims,
    };
    Var::apply1(op, std::slice::from_ref(x))
}

#[track_caller]
fn argreduce(x: &Var, kind: ArgKind, axis: impl Into<Axis>, keepdims: bool) -> Var {
    try_argreduce(x, kind, axis, keepdims).unwrap_or_else(|e| panic!("{e}"))
}

/// NumPy's `argmax(x, axis, keepdims)`: int64 index of the first greatest
/// element (NaN counts as greatest). `Axis::All` gives a flat index.
#[track_caller]
pub fn argmax(x: &Var, axis: impl Into<Axis>, keepdims: bool) -> Var {
    argreduce(x, ArgKind::Max, axis, keepdims)
}

/// NumPy's `argmin(x, axis, keepdims)`: int64 index of the first least
/// element (NaN counts as least). `Axis::All` gives a flat index.
#[track_caller]
pub fn argmin(x: &Var, axis: impl Into<Axis>, keepdims: bool) -> Var {
    argreduce(x, ArgKind::Min, axis, keepdims)
}

impl Var {
    /// Index of the first greatest element along `axis` (see [`argmax`]).
    #[track_caller]
    pub fn argmax(&self, axis: impl Into<Axis>) -> Var {
        argreduce(self, ArgKind::Max, axis, false)
    }

    /// [`Var::argmax`] keeping the reduced axis as size 1.
    #[track_caller]
    pub fn argmax_keepdims(&self, axis: impl Into<Axis>) -> Var {
        argreduce(self, ArgKind::Max, axis, true)
    }

    /// Index of the first least element along `axis` (see [`argmin`]).
    #[track_caller]
    pub fn argmin(&self, axis: impl Into<Axis>) -> Var {
        argreduce(self, ArgKind::Min, axis, false)
    }

    /// [`Var::argmin`] keeping the reduced axis as size 1.
    #[track_caller]
    pub fn argmin_keepdims(&self, axis: impl Into<Axis>) -> Var {
        argreduce(self, ArgKind::Min, axis, true)
    }
}
