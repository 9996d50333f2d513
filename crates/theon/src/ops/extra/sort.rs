//! `Sort`: sort and argsort along one axis or over the flattened array.
//! Stable (ties keep their order, like NumPy's `kind="stable"`), with NaNs
//! sorted last as NumPy does.

use super::common::{flat_len, from_lanes, lanes, stable_argsort};
use crate::dtype::DType;
use crate::error::{normalize_axis, Result};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::tensor::{Scalar, Tensor};

/// What a [`Sort`] returns: the sorted values or the sorting indices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SortKind {
    Values,
    Indices,
}

/// Sorts along `axis` (`None`: the flattened array, giving a vector).
/// `Indices` gives int64 positions along the axis (flat positions for `None`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Sort {
    pub kind: SortKind,
    pub axis: Option<usize>,
}

impl Op for Sort {
    fn name(&self) -> String {
        let f = match self.kind {
            SortKind::Values => "sort",
            SortKind::Indices => "argsort",
        };
        let axis = self.axis.map_or("None".to_string(), |a| a.to_string());
        format!("{f}{{axis={axis}}}")
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let x = &inputs[0];
        let shape = match self.axis {
            None => vec![flat_len(&x.shape)],
            Some(a) => {
                normalize_axis(&self.name(), a as i64, x.ndim())?;
                x.shape.clone()
            }
        };
        let dtype = match self.kind {
            SortKind::Values => x.dtype,
            SortKind::Indices => DType::I64,
        };
        Ok(vec![TensorType::new(dtype, shape)])
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let x = match self.axis {
            None => inputs[0].reshape(&[-1])?,
            Some(_) => inputs[0].clone(),
        };
        let axis = self.axis.unwrap_or(0);
        let sorted: Vec<Vec<Scalar>> = lanes(&x, axis)
            .into_iter()
            .map(|lane| {
                let order = stable_argsort(&lane);
                match self.kind {
                    SortKind::Values => order.iter().map(|&i| lane[i]).collect(),
                    SortKind::Indices => order.iter().map(|&i| Scalar::Int(i as i64)).collect(),
                }
            })
            .collect();
        let dtype = self.output_types(&[TensorType::unknown(x.dtype(), x.ndim())])?[0].dtype;
        Ok(vec![from_lanes(dtype, &sorted, x.shape(), axis)?])
    }

    fn differentiable(&self) -> bool {
        self.kind == SortKind::Values
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        self.sort_pullback(&inputs[0], &output_grads[0])
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        let t = tangents[0].as_ref();
        Ok(vec![t
            .map(|t| self.sort_pushforward(&inputs[0], t))
            .transpose()?])
    }
}

/// Builds a sort node; `axis` may be negative, `None` sorts the flattened array.
#[track_caller]
pub fn try_sort(x: &Var, kind: SortKind, axis: Option<i64>) -> Result<Var> {
    // Taken here: a closure would report its own line, not the caller's.
    let site = crate::Site::caller();
    let op = Sort { kind, axis: None };
    let axis = axis
        .map(|a| normalize_axis(&op.name(), a, x.ndim()))
        .transpose()
        .map_err(|e| e.at(&site))?;
    Var::apply1(Sort { kind, axis }, std::slice::from_ref(x))
}

/// NumPy's `sort(x, axis)` (stable; NaNs last). `axis=None` flattens.
#[track_caller]
pub fn sort(x: &Var, axis: impl Into<Option<i64>>) -> Var {
    try_sort(x, SortKind::Values, axis.into()).unwrap_or_else(|e| panic!("{e}"))
}

/// NumPy's `argsort(x, axis)`: int64 indices that sort `x` stably.
#[track_caller]
pub fn argsort(x: &Var, axis: impl Into<Option<i64>>) -> Var {
    try_sort(x, SortKind::Indices, axis.into()).unwrap_or_else(|e| panic!("{e}"))
}

impl Var {
    /// Sorted along `axis` (`-1` is the last axis; `None` flattens).
    #[track_caller]
    pub fn sort(&self, axis: impl Into<Option<i64>>) -> Var {
        sort(self, axis)
    }

    /// Indices that sort along `axis` (`None` flattens).
    #[track_caller]
    pub fn argsort(&self, axis: impl Into<Option<i64>>) -> Var {
        argsort(self, axis)
    }
}
