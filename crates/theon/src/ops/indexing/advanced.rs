//! `AdvancedSubtensor`: NumPy's advanced indexing — integer index arrays
//! (broadcast together, mixed with slices, integers and `None`) and boolean
//! masks. The result is a copy. Where the broadcast index dims land follows
//! NumPy: in place of the advanced items when they are adjacent, first when
//! a slice, `None` or `...` separates them. A mask's output length depends
//! on the data, so it is statically unknown.

use super::plan::gather;
use super::spec::{check_index_inputs, is_advanced, items_text, static_shape, Item};
use crate::error::{Error, Result};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::tensor::Tensor;

/// Advanced indexing of input 0 by `items`; inputs 1.. are the index inputs
/// (index arrays, masks, symbolic integers) the items refer to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AdvancedSubtensor {
    pub items: Vec<Item>,
}

impl Op for AdvancedSubtensor {
    fn name(&self) -> String {
        format!("advanced_subtensor[{}]", items_text(&self.items))
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let name = self.name();
        if !is_advanced(&self.items) {
            return Err(Error::value(
                &name,
                "has no index array or mask; basic indexing is Subtensor",
            ));
        }
        let (x, index) = inputs
            .split_first()
            .ok_or_else(|| Error::value(&name, "needs the indexed input"))?;
        check_index_inputs(&name, &self.items, index.len())?;
        let shape = static_shape(&name, &self.items, x, index, 1)?;
        Ok(vec![TensorType::new(x.dtype, shape)])
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let name = self.name();
        let (x, index) = inputs
            .split_first()
            .ok_or_else(|| Error::value(&name, "needs the indexed input"))?;
        let plan = gather(&name, &self.items, x.shape(), index)?;
        let values = x.to_scalars();
        let picked: Vec<_> = plan.sources().map(|s| values[s]).collect();
        Ok(vec![Tensor::from_scalars(x.dtype(), &plan.shape, &picked)?])
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        super::rules::index_pullback(&self.items, inputs, &output_grads[0])
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        super::rules::index_pushforward(&self.items, inputs, &tangents[0])
    }
}
