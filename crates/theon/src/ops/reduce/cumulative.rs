//! `CumOp`: cumsum and cumprod along one axis, or over the flattened array
//! (`axis = None`, giving a vector). The result dtype is NumPy's
//! accumulator dtype (as for sum/prod: small ints give int64, unsigned give
//! uint64, floats keep their dtype). Integers wrap like NumPy; the float
//! reference keeps its running value in f64 and rounds each output once.

use super::axis::{axis_label, Axis};
use super::basic::{add_int, mul_int, ReduceKind};
use super::groups::{grouped_along, ungroup_along};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::tensor::{Scalar, Tensor};

/// Which running combination a [`CumOp`] computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CumKind {
    Sum,
    Prod,
}

impl CumKind {
    /// The NumPy name (`"cumsum"`, `"cumprod"`).
    pub fn name(self) -> &'static str {
        match self {
            CumKind::Sum => "cumsum",
            CumKind::Prod => "cumprod",
        }
    }

    /// NumPy's result dtype: the accumulator dtype of sum/prod.
    pub fn out_dtype(self, x: DType) -> DType {
        match self {
            CumKind::Sum => ReduceKind::Sum.out_dtype(x),
            CumKind::Prod => ReduceKind::Prod.out_dtype(x),
        }
    }

    /// The running values of `group`, in the accumulator dtype `acc`.
    fn running(self, group: &[Scalar], acc: DType) -> Vec<Scalar> {
        let identity = match self {
            CumKind::Sum => Scalar::Int(0),
            CumKind::Prod => Scalar::Int(1),
        };
        let mut total = identity.cast(acc);
        let mut out = Vec::with_capacity(group.len());
        for &v in group {
            total = match (self, acc.is_float()) {
                (CumKind::Sum, true) => Scalar::Float(total.as_f64() + v.as_f64()),
                (CumKind::Prod, true) => Scalar::Float(total.as_f64() * v.as_f64()),
                (CumKind::Sum, false) => add_int(total, v.cast(acc)),
                (CumKind::Prod, false) => mul_int(total, v.cast(acc)),
            };
            out.push(total);
        }
        out
    }
}

/// Cumulative sum or product along `axis`; `None` runs over the flattened
/// array (C order) and gives a rank-1 result.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CumOp {
    pub kind: CumKind,
    pub axis: Option<usize>,
}

impl Op for CumOp {
    fn name(&self) -> String {
        format!("{}{{axis={}}}", self.kind.name(), axis_label(self.axis))
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let x = &inputs[0];
        let shape = match self.axis {
            None => vec![x.known_size()],
            Some(a) if a < x.ndim() => x.shape.clone(),
            Some(a) => return Err(Error::axis(self.name(), a as i64, x.ndim())),
        };
        Ok(vec![TensorType::new(self.kind.out_dtype(x.dtype), shape)])
    }

    fn infer_shape(&self, _inputs: &[Var], input_shapes: &[Vec<Var>]) -> Option<Vec<Vec<Var>>> {
        let x = input_shapes.first()?;
        Some(vec![match self.axis {
            None => vec![crate::ops::shape::infer::dim_prod(x)],
            Some(_) => x.clone(),
        }])
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let x = &inputs[0];
        let acc = self.kind.out_dtype(x.dtype());
        match self.axis {
            None => {
                let values = self.kind.running(&x.to_scalars(), acc);
                Ok(vec![Tensor::from_scalars(acc, &[x.size()], &values)?])
            }
            Some(a) if a < x.ndim() => {
                let values: Vec<Scalar> = grouped_along(x, &[a])
                    .iter()
                    .flat_map(|g| self.kind.running(g, acc))
                    .collect();
                Ok(vec![ungroup_along(acc, &values, x.shape(), a)?])
            }
            Some(a) => Err(Error::axis(self.name(), a as i64, x.ndim())),
        }
    }

    fn pullback(&self, inputs: &[Var], outputs: &[Var], output_grads: &[Var]) -> Result<Vec<Grad>> {
        self.cum_pullback(&inputs[0], &outputs[0], &output_grads[0])
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        match &tangents[0] {
            Some(t) => self.cum_pushforward(&inputs[0], &outputs[0], t),
            None => Ok(vec![None]),
        }
    }
}

/// Builds a cumsum/cumprod node along `axis` (one axis, negative allowed,
/// or `Axis::All` for the flattened array), or returns the error.
#[track_caller]
pub fn try_cumulative(x: &Var, kind: CumKind, axis: impl Into<Axis>) -> Result<Var> {
    // Taken here: a closure would report its own line, not the caller's.
    let site = crate::Site::caller();
    let axis = axis
        .into()
        .resolve_single(kind.name(), x.ndim())
        .map_err(|e| e.at(&site))?;
    Var::apply1(CumOp { kind, axis }, std::slice::from_ref(x))
}

/// NumPy's `cumsum(x, axis)`; `Axis::All` (or `None`) flattens first.
#[track_caller]
pub fn cumsum(x: &Var, axis: impl Into<Axis>) -> Var {
    try_cumulative(x, CumKind::Sum, axis).unwrap_or_else(|e| panic!("{e}"))
}

/// NumPy's `cumprod(x, axis)`; `Axis::All` (or `None`) flattens first.
#[track_caller]
pub fn cumprod(x: &Var, axis: impl Into<Axis>) -> Var {
    try_cumulative(x, CumKind::Prod, axis).unwrap_or_else(|e| panic!("{e}"))
}

impl Var {
    /// Cumulative sum along `axis` (see [`cumsum`]).
    #[track_caller]
    pub fn cumsum(&self, axis: impl Into<Axis>) -> Var {
        cumsum(self, axis)
    }

    /// Cumulative product along `axis` (see [`cumprod`]).
    #[track_caller]
    pub fn cumprod(&self, axis: impl Into<Axis>) -> Var {
        cumprod(self, axis)
    }
}
