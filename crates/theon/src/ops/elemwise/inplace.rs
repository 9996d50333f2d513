//! `ElemwiseInplace`: an elementwise op (one scalar op or a fused
//! `Composite`) whose result is written into the buffer of one of its
//! inputs. The optimizer's inplace pass builds it only where the destroy
//! handler proved that input dead after this node and not a function
//! input, constant or shared value. At run time the write happens only if
//! the executor handed over the sole reference to a dense buffer of the
//! output's shape and dtype; otherwise a fresh buffer is used, so the
//! result never depends on whether the write was in place. Its derivative
//! is its elementwise computation's: the rules delegate to it.

use super::{Composite, Elemwise, ScalarOp};
use crate::error::Result;
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::tensor::Tensor;

/// The elementwise computation of an [`ElemwiseInplace`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ElemwiseKernel {
    Scalar(ScalarOp),
    Fused(Composite),
}

/// An elementwise op writing its (single) output into input `destroy`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ElemwiseInplace {
    pub kernel: ElemwiseKernel,
    pub destroy: usize,
}

impl ElemwiseInplace {
    fn with_inner<R>(&self, f: impl FnOnce(&dyn Op) -> R) -> R {
        match &self.kernel {
            ElemwiseKernel::Scalar(op) => f(&Elemwise::new(*op)),
            ElemwiseKernel::Fused(c) => f(c),
        }
    }
}

impl Op for ElemwiseInplace {
    fn name(&self) -> String {
        let inner = self.with_inner(|op| op.name());
        format!("{inner}[inplace={}]", self.destroy)
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        self.with_inner(|op| op.output_types(inputs))
    }

    fn infer_shape(&self, inputs: &[Var], input_shapes: &[Vec<Var>]) -> Option<Vec<Vec<Var>>> {
        self.with_inner(|op| op.infer_shape(inputs, input_shapes))
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        self.with_inner(|op| op.perform(inputs, ctx))
    }

    /// Computes the result, then stores it in the destroyed input's buffer
    /// when that input is writable in place and of the output's layout.
    fn perform_inplace(&self, mut inputs: Vec<Tensor>, ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let mut out = self.perform(&inputs, ctx)?;
        let Some(target) = inputs.get(self.destroy) else {
            return Ok(out);
        };
        let fits = target.can_write_in_place()
            && target.shape() == out[0].shape()
            && target.dtype() == out[0].dtype();
        if !fits {
            return Ok(out);
        }
        let mut target = inputs.swap_remove(self.destroy);
        drop(inputs);
        crate::with_dtype!(target.dtype(), T => {
            let values = out[0].to_vec::<T>();
            target.data_mut::<T>().copy_from_slice(&values);
        });
        out[0] = target;
        Ok(out)
    }

    fn destroy_map(&self) -> Vec<(usize, usize)> {
        vec![(0, self.destroy)]
    }

    /// The non-inplace op's gradients: writing in place changes where the
    /// result is stored, not what it is.
    fn pullback(&self, inputs: &[Var], outputs: &[Var], output_grads: &[Var]) -> Result<Vec<Grad>> {
        self.with_inner(|op| op.pullback(inputs, outputs, output_grads))
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        self.with_inner(|op| op.pushforward(inputs, outputs, tangents))
    }

    fn differentiable(&self) -> bool {
        self.with_inner(|op| op.differentiable())
    }
}
