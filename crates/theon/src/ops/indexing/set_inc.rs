//! `IncSubtensor`: `set_subtensor` and `inc_subtensor` for basic and
//! advanced indices. The output is a copy of `x` with the indexed elements
//! replaced by (or incremented by) `y`, which is broadcast to the indexed
//! shape. With repeated indices, `Inc` accumulates every occurrence (like
//! `np.add.at`) and `Set` keeps the last one in C order (like NumPy).
//!
//! The gradient of `x[items]` with respect to `x` is
//! `IncSubtensor { items, Inc }` applied to zeros, `gz` and the same index
//! inputs; that is why both ops share one index description.

use super::plan::gather;
use super::spec::{check_index_inputs, items_text, static_shape, Item};
use crate::dtype::promote;
use crate::error::{Error, Result};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::ops::elemwise::BinaryOp;
use crate::tensor::Tensor;

/// Whether the indexed elements are replaced or incremented.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IncMode {
    Set,
    Inc,
}

/// `x` with `x[items]` set to / incremented by `y`. Inputs: `x`, `y`, then
/// the index inputs (`Scal::Input(k)` and arrays are node input `2 + k`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IncSubtensor {
    pub items: Vec<Item>,
    pub mode: IncMode,
}

impl Op for IncSubtensor {
    fn name(&self) -> String {
        let verb = match self.mode {
            IncMode::Set => "set_subtensor",
            IncMode::Inc => "inc_subtensor",
        };
        format!("{verb}[{}]", items_text(&self.items))
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let name = self.name();
        let [x, y, index @ ..] = inputs else {
            return Err(Error::value(&name, "needs the indexed input and the value"));
        };
        check_index_inputs(&name, &self.items, index.len())?;
        let region = static_shape(&name, &self.items, x, index, 2)?;
        if promote(x.dtype, y.dtype) != x.dtype {
            return Err(Error::dtype(
                &name,
                1,
                y.dtype,
                format!("cannot store it into {} without a lossy cast", x.dtype),
            ));
        }
        check_value_static(&name, y, &region)?;
        Ok(vec![x.clone()])
    }

    fn infer_shape(
        &self,
        _inputs: &[crate::graph::Var],
        input_shapes: &[Vec<crate::graph::Var>],
    ) -> Option<Vec<Vec<crate::graph::Var>>> {
        crate::ops::shape::infer::same_as(input_shapes, 0)
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let name = self.name();
        let [x, y, index @ ..] = inputs else {
            return Err(Error::value(&name, "needs the indexed input and the value"));
        };
        let plan = gather(&name, &self.items, x.shape(), index)?;
        let y_type = ctx
            .input_types
            .get(1)
            .cloned()
            .unwrap_or_else(|| TensorType::known(y.dtype(), y.shape()));
        check_value_runtime(&name, y, &y_type, &plan.shape)?;
        let dtype = x.dtype();
        let values = y.broadcast_to(&plan.shape)?.to_scalars();
        let mut out = x.to_scalars();
        for (src, v) in plan.sources().zip(values) {
            let v = v.cast(dtype);
            out[src] = match self.mode {
                IncMode::Set => v,
                IncMode::Inc => BinaryOp::Add.eval(out[src], v).cast(dtype),
            };
        }
        Ok(vec![Tensor::from_scalars(dtype, x.shape(), &out)?])
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        self.update_pullback(inputs, &output_grads[0])
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        self.update_pushforward(inputs, tangents)
    }
}

fn dims_text(shape: &[Option<usize>]) -> String {
    let dims: Vec<String> = shape
        .iter()
        .map(|d| d.map_or("?".into(), |d| d.to_string()))
        .collect();
    format!("({})", dims.join(", "))
}

/// The value must broadcast to the indexed region; only dims statically
/// known to be 1 (or missing leading dims) broadcast.
fn check_value_static(op: &str, y: &TensorType, region: &[Option<usize>]) -> Result<()> {
    let fail = || {
        Error::value(
            op,
            format!(
                "input 1 (the value, {y}) cannot be broadcast to the indexed shape {}",
                dims_text(region)
            ),
        )
    };
    if y.ndim() > region.len() {
        return Err(fail());
    }
    let pad = region.len() - y.ndim();
    for (d, r) in y.shape.iter().zip(&region[pad..]) {
        match (d, r) {
            (Some(1), _) | (None, _) | (_, None) => {}
            (Some(d), Some(r)) if d != r => return Err(fail()),
            _ => {}
        }
    }
    Ok(())
}

pub(crate) fn check_value_runtime(
    op: &str,
    y: &Tensor,
    y_type: &TensorType,
    region: &[usize],
) -> Result<()> {
    let fits = y.ndim() <= region.len()
        && y.ndim() == y_type.ndim()
        && y.shape()
            .iter()
            .zip(&y_type.shape)
            .zip(&region[region.len() - y.ndim()..])
            .all(|((&d, t), &r)| d == r || (*t == Some(1) && d == 1));
    if fits {
        return Ok(());
    }
    Err(Error::value(
        op,
        format!(
            "the value of shape {:?} cannot be broadcast to the indexed shape {region:?} \
             (only dims of static size 1 broadcast)",
            y.shape()
        ),
    ))
}
