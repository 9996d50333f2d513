//! Elementwise ops with NumPy broadcasting: `Elemwise` applies one
//! `ScalarOp` to every element. Type rule, reference kernel and printing
//! live here; gradients in `grad.rs`; the Rust API in `api.rs`.

mod api;
mod binary;
pub mod broadcast;
mod composite;
mod grad;
mod inplace;
mod scalar;
pub mod special;
mod unary;

pub use api::*;
pub use binary::{BinaryOp, ALL_BINARY};
pub use broadcast::{broadcast_runtime, broadcast_static};
pub use composite::{Composite, CompositeNode};
pub use grad::{differentiability, partial, Differentiability, Partial};
pub use inplace::{ElemwiseInplace, ElemwiseKernel};
pub use scalar::ScalarOp;
pub use unary::{UnaryOp, ALL_UNARY};

use crate::error::{Error, Result};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::tensor::{Scalar, Tensor};

/// Applies a scalar op elementwise over broadcast inputs.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Elemwise {
    pub op: ScalarOp,
}

impl Elemwise {
    pub fn new(op: ScalarOp) -> Self {
        Elemwise { op }
    }
}

impl Op for Elemwise {
    fn name(&self) -> String {
        self.op.name()
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let name = self.name();
        if inputs.len() != self.op.arity() {
            return Err(Error::value(
                &name,
                format!("takes {} inputs, got {}", self.op.arity(), inputs.len()),
            ));
        }
        let dtypes: Vec<_> = inputs.iter().map(|t| t.dtype).collect();
        let (_, out) = self
            .op
            .signature(&dtypes)
            .map_err(|(i, why)| Error::dtype(&name, i, dtypes[i], why))?;
        let shapes: Vec<&[Option<usize>]> = inputs.iter().map(|t| t.shape.as_slice()).collect();
        let shape = broadcast_static(&name, &shapes)?;
        Ok(vec![TensorType::new(out, shape)])
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
        let shapes: Vec<&[usize]> = inputs.iter().map(|t| t.shape()).collect();
        let shape = broadcast_runtime(&self.name(), &shapes, ctx.input_types)?;
        let dtypes: Vec<_> = inputs.iter().map(|t| t.dtype()).collect();
        let (cast_to, out_dtype) = self
            .op
            .signature(&dtypes)
            .map_err(|(i, why)| Error::dtype(self.name(), i, dtypes[i], why))?;
        let columns: Vec<Vec<Scalar>> = inputs
            .iter()
            .zip(&cast_to)
            .map(|(t, &d)| {
                t.broadcast_to(&shape)
                    .map(|b| b.to_scalars().into_iter().map(|s| s.cast(d)).collect())
            })
            .collect::<Result<_>>()?;
        let n = crate::tensor::size_of(&shape);
        let mut args = vec![Scalar::Bool(false); inputs.len()];
        let values: Vec<Scalar> = (0..n)
            .map(|i| {
                for (a, col) in args.iter_mut().zip(&columns) {
                    *a = col[i];
                }
                self.op.eval(&args).cast(out_dtype)
            })
            .collect();
        Ok(vec![Tensor::from_scalars(out_dtype, &shape, &values)?])
    }

    fn pullback(&self, inputs: &[Var], outputs: &[Var], output_grads: &[Var]) -> Result<Vec<Grad>> {
        self.elemwise_pullback(inputs, outputs, &output_grads[0])
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        self.elemwise_pushforward(inputs, outputs, tangents)
    }
}
