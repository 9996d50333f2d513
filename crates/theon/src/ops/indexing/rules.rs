//! Derivative rules of indexing (the `Op` methods call these). Indexing
//! and `set`/`inc` share one index description, so:
//!
//! - the gradient of `x[items]` is `inc_subtensor(zeros_like(x)[items], g)`
//!   with the same items and index inputs — repeated indices accumulate;
//! - `inc_subtensor(x[items], y)` passes `g` to `x` and `g[items]` (summed
//!   over the dims `y` was broadcast along) to `y`;
//! - `set_subtensor(x[items], y)` passes `g` with the overwritten region
//!   zeroed to `x`; `y` gets `g[items]`, where, with repeated index-array
//!   entries, only the write that survives (the last in C order) counts.
//!
//! Index inputs (integers, index arrays, masks) are disconnected. All
//! three ops are linear in their data inputs, so pushforwards index or
//! update the tangents the same way.

use super::api::{try_index_items, try_update_items};
use super::set_inc::{IncMode, IncSubtensor};
use super::spec::Item;
use crate::error::Result;
use crate::graph::{Grad, Var};
use crate::ops::creation::{ones_like, zeros_like};
use crate::ops::elemwise::{eq, switch};
use crate::ops::operand::scalar_constant;
use crate::ops::reduce::{try_cumulative, Axis, CumKind};
use crate::ops::shape::try_reshape;
use crate::DType;

/// `[Value(g), Disconnected, ...]` for a data input followed by `n_index`
/// index inputs.
fn with_disconnected_index(mut data: Vec<Grad>, n_index: usize) -> Vec<Grad> {
    data.extend(std::iter::repeat_n(Grad::Disconnected, n_index));
    data
}

/// The pullback of `x[items]` (basic or advanced).
pub(super) fn index_pullback(items: &[Item], inputs: &[Var], g: &Var) -> Result<Vec<Grad>> {
    let (x, index) = inputs.split_first().expect("indexing has an input");
    let gx = try_update_items(&zeros_like(x, None), items, index, g, IncMode::Inc)?;
    Ok(with_disconnected_index(vec![Grad::Value(gx)], index.len()))
}

/// The pushforward of `x[items]`: the tangent indexed the same way.
pub(super) fn index_pushforward(
    items: &[Item],
    inputs: &[Var],
    tangent: &Option<Var>,
) -> Result<Vec<Option<Var>>> {
    let Some(t) = tangent else {
        return Ok(vec![None]);
    };
    Ok(vec![Some(try_index_items(t, items, &inputs[1..])?)])
}

impl IncSubtensor {
    pub(super) fn update_pullback(&self, inputs: &[Var], g: &Var) -> Result<Vec<Grad>> {
        let [x, y, index @ ..] = inputs else {
            unreachable!("the type rule checked the inputs")
        };
        let gx = match self.mode {
            IncMode::Inc => g.clone(),
            IncMode::Set => {
                let zero = scalar_constant(0i64, g.dtype());
                try_update_items(g, &self.items, index, &zero, IncMode::Set)?
            }
        };
        let gy = if y.dtype().is_float() {
            let mut region = try_index_items(g, &self.items, index)?;
            if self.mode == IncMode::Set && self.items.iter().any(|i| matches!(i, Item::Array(_))) {
                region = switch(self.surviving_writes(x, index, &region)?, region, 0.0);
            }
            crate::grad::unbroadcast(&region, y.ty())?
        } else {
            zeros_like(y, None)
        };
        Ok(with_disconnected_index(
            vec![Grad::Value(gx), Grad::Value(gy)],
            index.len(),
        ))
    }

    /// A boolean of the indexed region's shape: true where that position's
    /// write is the one `Set` keeps. Each position writes its own id into
    /// zeros; reading back shows which id survived.
    fn surviving_writes(&self, x: &Var, index: &[Var], region: &Var) -> Result<Var> {
        let counted = try_cumulative(
            &ones_like(region, Some(DType::I64)),
            CumKind::Sum,
            Axis::All,
        )?;
        let ids = try_reshape(&counted, region.shape())?;
        let canvas = zeros_like(x, Some(DType::I64));
        let written = try_update_items(&canvas, &self.items, index, &ids, IncMode::Set)?;
        Ok(eq(try_index_items(&written, &self.items, index)?, ids))
    }

    /// Updates the tangent of `x` with the tangent of `y` the same way
    /// (`Set` with no tangent of `y` writes zeros).
    pub(super) fn update_pushforward(
        &self,
        inputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        let [x, _y, index @ ..] = inputs else {
            unreachable!("the type rule checked the inputs")
        };
        let tx = tangents[0].clone().unwrap_or_else(|| zeros_like(x, None));
        let ty = match (&tangents[1], self.mode) {
            (Some(t), _) => t.cast(tx.dtype()),
            (None, IncMode::Inc) => return Ok(vec![Some(tx)]),
            (None, IncMode::Set) => scalar_constant(0i64, tx.dtype()),
        };
        Ok(vec![Some(try_update_items(
            &tx,
            &self.items,
            index,
            &ty,
            self.mode,
        )?)])
    }
}
