//! `Subtensor`: NumPy's basic indexing (integers, slices, `None`, `...`).
//! The result is a view of the input; slice bounds may be symbolic integer
//! scalars, in which case the sliced length is statically unknown.

use super::plan::{resolve_scal, resolve_slice};
use super::spec::{
    check_index_inputs, expand, is_advanced, items_text, normalize_index, static_shape, Item,
};
use crate::error::{Error, Result};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::tensor::Tensor;

/// Basic indexing of input 0 by `items`; inputs 1.. are the index inputs
/// that symbolic items refer to (`Scal::Input(k)` is node input `1 + k`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Subtensor {
    pub items: Vec<Item>,
}

impl Op for Subtensor {
    fn name(&self) -> String {
        format!("subtensor[{}]", items_text(&self.items))
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let name = self.name();
        if is_advanced(&self.items) {
            return Err(Error::value(
                &name,
                "index arrays and masks need AdvancedSubtensor",
            ));
        }
        let (x, index) = inputs
            .split_first()
            .ok_or_else(|| Error::value(&name, "needs the indexed input"))?;
        check_index_inputs(&name, &self.items, index.len())?;
        let shape = static_shape(&name, &self.items, x, index, 1)?;
        Ok(vec![TensorType::new(x.dtype, shape)])
    }

    fn infer_shape(
        &self,
        inputs: &[crate::graph::Var],
        input_shapes: &[Vec<crate::graph::Var>],
    ) -> Option<Vec<Vec<crate::graph::Var>>> {
        let x = inputs.first()?;
        super::infer::basic_dims(&self.items, x.ndim(), input_shapes.first()?).map(|d| vec![d])
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let name = self.name();
        let (x, index) = inputs
            .split_first()
            .ok_or_else(|| Error::value(&name, "needs the indexed input"))?;
        Ok(vec![basic_view(&name, &self.items, x, index)?])
    }

    fn view_map(&self) -> Vec<(usize, usize)> {
        vec![(0, 0)]
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

/// The view of `x` that basic `items` select (a new layout over x's buffer).
pub fn basic_view(op: &str, items: &[Item], x: &Tensor, index: &[Tensor]) -> Result<Tensor> {
    let mut view = x.clone();
    // `axis` walks the view's axes: integers remove one, slices keep one,
    // new axes insert one.
    let mut axis = 0;
    for p in expand(op, items, x.ndim())? {
        match p.item {
            Item::Int(s) => {
                let i =
                    normalize_index(op, p.axis, resolve_scal(op, s, index)?, x.shape()[p.axis])?;
                view = view.index_axis(axis, i);
            }
            Item::Slice(spec) => {
                let (start, stop, step) = resolve_slice(op, &spec, p.axis, index)?;
                view = view.slice_axis(axis, start, stop, step)?;
                axis += 1;
            }
            Item::NewAxis => {
                view = view.expand_dims(axis);
                axis += 1;
            }
            Item::Ellipsis => {}
            Item::Array(_) | Item::Mask { .. } => {
                return Err(Error::value(
                    op,
                    "index arrays and masks need AdvancedSubtensor",
                ))
            }
        }
    }
    Ok(view)
}
