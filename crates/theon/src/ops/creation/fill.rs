//! `Second`: Theano's `second(a, b)` / `fill(model, value)`: `b`'s values
//! broadcast against `a`'s shape (`a`'s values are ignored), with only
//! static-1 dims broadcasting as for elementwise ops. `zeros_like`,
//! `ones_like` and `full_like` are fills with constants, as in Theano.

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::ops::elemwise::{broadcast_runtime, broadcast_static};
use crate::ops::operand::Operand;
use crate::tensor::Tensor;

/// The value of input 1 broadcast against the shape of input 0.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Second;

impl Op for Second {
    fn name(&self) -> String {
        "second".into()
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        if inputs.len() != 2 {
            return Err(Error::value(
                self.name(),
                format!("takes 2 inputs, got {}", inputs.len()),
            ));
        }
        let shapes = [inputs[0].shape.as_slice(), inputs[1].shape.as_slice()];
        let shape = broadcast_static(&self.name(), &shapes)?;
        Ok(vec![TensorType::new(inputs[1].dtype, shape)])
    }

    fn infer_shape(&self, inputs: &[Var], input_shapes: &[Vec<Var>]) -> Option<Vec<Vec<Var>>> {
        let types: Vec<TensorType> = inputs.iter().map(|v| v.ty().clone()).collect();
        let out = self.output_types(&types).ok()?.remove(0);
        Some(vec![crate::ops::shape::infer::broadcast_dims(
            &types,
            input_shapes,
            &out,
        )])
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let shapes = [inputs[0].shape(), inputs[1].shape()];
        let shape = broadcast_runtime(&self.name(), &shapes, ctx.input_types)?;
        Ok(vec![inputs[1].broadcast_to(&shape)?.to_contiguous_copy()])
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        let value = crate::grad::unbroadcast(&output_grads[0], inputs[1].ty())?;
        Ok(vec![Grad::Disconnected, Grad::Value(value)])
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        Ok(vec![tangents[1].as_ref().map(|t| second(&inputs[0], t))])
    }
}

/// True when `v` is statically known to be all zeros: a zero constant, or a
/// fill of a zero constant (the gradient sweep skips such terms).
pub fn is_zeros(v: &Var) -> bool {
    let zero_constant = |c: &Var| {
        c.constant_value()
            .is_some_and(|t| t.to_f64_vec().iter().all(|&x| x == 0.0))
    };
    zero_constant(v) || (v.op_as::<Second>().is_some() && zero_constant(&v.inputs()[1]))
}

/// Theano's `second(a, b)`: `b` broadcast to the shape of `a + b`.
#[track_caller]
pub fn try_second(a: &Var, b: &Var) -> Result<Var> {
    Var::apply1(Second, &[a.clone(), b.clone()])
}

/// [`try_second`] that panics with the error.
#[track_caller]
pub fn second(a: &Var, b: &Var) -> Var {
    try_second(a, b).unwrap_or_else(|e| panic!("{e}"))
}

/// Theano's `fill(model, value)`: `value` (a literal takes `model`'s dtype
/// by NEP 50) broadcast to `model`'s shape.
#[track_caller]
pub fn fill(model: &Var, value: impl Into<Operand>) -> Var {
    let value = match value.into() {
        Operand::Var(v) => v,
        Operand::Weak(s, kind) => {
            let dtype = crate::dtype::weak_dtype(model.dtype(), kind);
            Var::constant(Tensor::full(dtype, &[], s))
        }
    };
    second(model, &value)
}

/// `value` broadcast to `model`'s shape, of `dtype` (default `model`'s).
#[track_caller]
pub fn full_like(model: &Var, value: impl Into<Operand>, dtype: Option<DType>) -> Var {
    let dtype = dtype.unwrap_or(model.dtype());
    let value = match value.into() {
        Operand::Var(v) => v.cast(dtype),
        Operand::Weak(s, _) => Var::constant(Tensor::full(dtype, &[], s)),
    };
    second(model, &value)
}

/// Zeros of `model`'s shape, of `dtype` (default `model`'s).
#[track_caller]
pub fn zeros_like(model: &Var, dtype: Option<DType>) -> Var {
    full_like(model, 0i64, dtype)
}

/// Ones of `model`'s shape, of `dtype` (default `model`'s).
#[track_caller]
pub fn ones_like(model: &Var, dtype: Option<DType>) -> Var {
    full_like(model, 1i64, dtype)
}

impl Var {
    /// Theano's `x.fill(value)`: `value` broadcast to this shape.
    #[track_caller]
    pub fn fill(&self, value: impl Into<Operand>) -> Var {
        fill(self, value)
    }

    /// Zeros of this variable's shape and dtype.
    #[track_caller]
    pub fn zeros_like(&self) -> Var {
        zeros_like(self, None)
    }

    /// Ones of this variable's shape and dtype.
    #[track_caller]
    pub fn ones_like(&self) -> Var {
        ones_like(self, None)
    }
}
