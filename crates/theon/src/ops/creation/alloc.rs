//! `Alloc`: a fresh array of a (symbolic) shape filled by broadcasting a
//! value (Theano's `alloc(value, *shape)`); `full`, `zeros` and `ones`
//! build on it.

use crate::dtype::DType;
use crate::error::{Error, Result, Site};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::ops::operand::Operand;
use crate::ops::shape::dims::{check_known, read_sizes};
use crate::ops::shape::{broadcast_target_type, IntoShape};
use crate::tensor::Tensor;

/// Broadcasts input 0 (the value) to the int vector input 1 (the shape)
/// into new memory; `target` holds input 1's statically known elements.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Alloc {
    pub target: Vec<Option<i64>>,
}

impl Op for Alloc {
    fn name(&self) -> String {
        format!("alloc{{{}}}", self.target.len())
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        broadcast_target_type(&self.name(), &inputs[0], &inputs[1], &self.target).map(|t| vec![t])
    }

    fn infer_shape(&self, inputs: &[Var], input_shapes: &[Vec<Var>]) -> Option<Vec<Vec<Var>>> {
        let _ = input_shapes;
        crate::ops::shape::infer::target_dims(&self.target, &inputs[1]).map(|d| vec![d])
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let value = &inputs[0];
        let shape = read_sizes(&self.name(), &inputs[1], self.target.len())?;
        let dims: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
        check_known(&self.name(), &self.target, &dims)?;
        let out = value.broadcast_to(&shape).map_err(|_| {
            Error::value(
                self.name(),
                format!(
                    "cannot broadcast input 0 (the value) of shape {:?} to shape {shape:?}",
                    value.shape()
                ),
            )
        })?;
        Ok(vec![out.to_contiguous_copy()])
    }

    /// The value gets the gradient summed over the axes it was broadcast
    /// along; the shape is disconnected.
    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        let g = crate::ops::shape::sum_to_shape_of(&output_grads[0], &inputs[0])?;
        Ok(vec![Grad::Value(g), Grad::Disconnected])
    }

    /// Linear in the value: allocates the tangent to the same shape.
    fn pushforward(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        let Some(t) = &tangents[0] else {
            return Ok(vec![None]);
        };
        Ok(vec![Some(Var::apply1(
            self.clone(),
            &[t.clone(), inputs[1].clone()],
        )?)])
    }
}

/// A new array of `shape` filled with `value` broadcast to it.
#[track_caller]
pub fn try_alloc(value: &Var, shape: impl IntoShape) -> Result<Var> {
    let site = Site::caller();
    let shape = shape.into_shape("alloc").map_err(|e| e.at(&site))?;
    Var::apply1(
        Alloc {
            target: shape.known,
        },
        &[value.clone(), shape.var],
    )
}

/// [`try_alloc`] that panics with the error.
#[track_caller]
pub fn alloc(value: &Var, shape: impl IntoShape) -> Var {
    try_alloc(value, shape).unwrap_or_else(|e| panic!("{e}"))
}

/// The fill value as a variable of `dtype`: literals become constants of
/// `dtype`, variables are cast.
#[track_caller]
fn value_of(value: Operand, dtype: DType) -> Var {
    match value {
        Operand::Var(v) => v.cast(dtype),
        Operand::Weak(s, _) => Var::constant(Tensor::full(dtype, &[], s)),
    }
}

/// NumPy's `full(shape, value, dtype)`: an array of `shape` filled with
/// `value` (a literal, or a `Var` broadcast to the shape and cast).
#[track_caller]
pub fn try_full(shape: impl IntoShape, value: impl Into<Operand>, dtype: DType) -> Result<Var> {
    let value = value_of(value.into(), dtype);
    try_alloc(&value, shape)
}

/// [`try_full`] that panics with the error.
#[track_caller]
pub fn full(shape: impl IntoShape, value: impl Into<Operand>, dtype: DType) -> Var {
    try_full(shape, value, dtype).unwrap_or_else(|e| panic!("{e}"))
}

/// An array of zeros of `shape` and `dtype`.
#[track_caller]
pub fn zeros(shape: impl IntoShape, dtype: DType) -> Var {
    full(shape, 0i64, dtype)
}

/// An array of ones of `shape` and `dtype`.
#[track_caller]
pub fn ones(shape: impl IntoShape, dtype: DType) -> Var {
    full(shape, 1i64, dtype)
}

impl Var {
    /// Theano's `alloc` with this variable as the value.
    #[track_caller]
    pub fn alloc(&self, shape: impl IntoShape) -> Var {
        alloc(self, shape)
    }
}
