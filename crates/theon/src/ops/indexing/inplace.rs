//! `IncSubtensorInplace`: `set_subtensor` / `inc_subtensor` writing into
//! the buffer of `x` itself, touching only the indexed elements. The
//! optimizer's inplace pass builds it where the destroy handler proved `x`
//! dead after this node; at run time the write happens only when the
//! executor handed over the sole reference to a dense buffer (otherwise it
//! computes a copy like `IncSubtensor`). Its derivative is
//! `IncSubtensor`'s: the rules delegate to it.

use super::plan::gather;
use super::set_inc::{check_value_runtime, IncMode, IncSubtensor};
use crate::error::{Error, Result};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::ops::elemwise::BinaryOp;
use crate::tensor::{Element, Tensor};

/// [`IncSubtensor`] overwriting its input 0.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IncSubtensorInplace {
    pub inner: IncSubtensor,
}

impl Op for IncSubtensorInplace {
    fn name(&self) -> String {
        format!("{}[inplace=0]", self.inner.name())
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        self.inner.output_types(inputs)
    }

    fn infer_shape(&self, inputs: &[Var], input_shapes: &[Vec<Var>]) -> Option<Vec<Vec<Var>>> {
        self.inner.infer_shape(inputs, input_shapes)
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        self.inner.perform(inputs, ctx)
    }

    fn perform_inplace(&self, mut inputs: Vec<Tensor>, ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        if inputs.len() < 2 || !inputs[0].can_write_in_place() {
            return self.perform(&inputs, ctx);
        }
        let name = self.name();
        let plan = gather(&name, &self.inner.items, inputs[0].shape(), &inputs[2..])?;
        let y = &inputs[1];
        let y_type = ctx
            .input_types
            .get(1)
            .cloned()
            .ok_or_else(|| Error::value(&name, "needs the value's type"))?;
        check_value_runtime(&name, y, &y_type, &plan.shape)?;
        let values = y.broadcast_to(&plan.shape)?.to_scalars();
        let mut x = inputs.swap_remove(0);
        drop(inputs);
        let (dtype, mode) = (x.dtype(), self.inner.mode);
        crate::with_dtype!(dtype, T => {
            let data = x.data_mut::<T>();
            for (src, v) in plan.sources().zip(values) {
                let v = v.cast(dtype);
                data[src] = T::from_scalar(match mode {
                    IncMode::Set => v,
                    IncMode::Inc => BinaryOp::Add.eval(data[src].to_scalar(), v).cast(dtype),
                });
            }
        });
        Ok(vec![x])
    }

    fn destroy_map(&self) -> Vec<(usize, usize)> {
        vec![(0, 0)]
    }

    /// `IncSubtensor`'s gradients: writing in place changes where the
    /// result is stored, not what it is.
    fn pullback(&self, inputs: &[Var], outputs: &[Var], output_grads: &[Var]) -> Result<Vec<Grad>> {
        self.inner.pullback(inputs, outputs, output_grads)
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        self.inner.pushforward(inputs, outputs, tangents)
    }

    fn differentiable(&self) -> bool {
        self.inner.differentiable()
    }
}
