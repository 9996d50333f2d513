//! Derivative rules of the shape and layout ops (the `Op` methods in the
//! sibling files call these). Every op here moves or copies elements
//! without arithmetic, so each is linear: its pushforward applies the op
//! to the tangent, and its pullback routes the output gradient back —
//! reshape it, split it, sum the copies, or undo the flip/roll. Integer
//! shape, size, repeat and shift inputs are disconnected.
//!
//! [`sum_to_shape_of`] undoes broadcasting whose extent is known only at
//! run time (`broadcast_to`, `alloc`), where [`crate::grad::unbroadcast`]
//! relies on static size-1 dims.

use super::dims::Dim;
use super::{
    try_concatenate, try_dimshuffle, try_reshape, try_shape_i, try_split, BroadcastTo, Flatten,
    Flip, Join, Repeat, Reshape, Roll, Split, Squeeze, Tile,
};
use crate::error::{Error, Result};
use crate::graph::{Grad, Op, Var};
use crate::ops::creation::{arange, zeros_like};
use crate::ops::elemwise::{floor_div, maximum, neg};
use crate::ops::indexing::{try_update_index, IncMode, IndexItem};
use crate::ops::reduce::{try_reduce, ReduceKind};
use crate::DType;

/// Sums `g` (the gradient of `x` broadcast to a larger shape) back to
/// `x`'s shape: leading extra axes are summed away, axes statically 1 in
/// `x` are summed to 1, and each axis of unknown static size is split as
/// `(D / d, d)` and summed over the first part — which sums exactly when
/// `d` was 1 at run time and is a no-op when `d == D`.
#[track_caller]
pub fn sum_to_shape_of(g: &Var, x: &Var) -> Result<Var> {
    if g.ndim() < x.ndim() {
        return Err(Error::grad(
            "sum_to_shape_of",
            format!("gradient {} has lower rank than {}", g.ty(), x.ty()),
        ));
    }
    let pad = g.ndim() - x.ndim();
    let mut out = g.clone();
    if pad > 0 {
        let leading: Vec<i64> = (0..pad as i64).collect();
        out = try_reduce(&out, ReduceKind::Sum, leading, false)?;
    }
    let static_ones: Vec<usize> = (0..x.ndim())
        .filter(|&a| x.ty().shape[a] == Some(1))
        .collect();
    out = crate::grad::sum_to_static_one(&out, &static_ones)?;
    let runtime: Vec<usize> = (0..x.ndim())
        .filter(|&a| x.ty().shape[a].is_none() && out.ty().shape[a] != Some(1))
        .collect();
    if runtime.is_empty() {
        return Ok(out);
    }
    let mut dims = Vec::with_capacity(x.ndim() + runtime.len());
    let mut copies_axes = Vec::with_capacity(runtime.len());
    for a in 0..x.ndim() {
        let big = try_shape_i(&out, a as i64)?;
        if runtime.contains(&a) {
            let small = try_shape_i(x, a as i64)?;
            copies_axes.push(dims.len() as i64);
            dims.push(Dim::Var(floor_div(&big, maximum(&small, 1))));
            dims.push(Dim::Var(small));
        } else {
            dims.push(Dim::Var(big));
        }
    }
    try_reduce(
        &try_reshape(&out, dims)?,
        ReduceKind::Sum,
        copies_axes,
        false,
    )
}

/// Applies `op` to the tangent in place of input 0, keeping the other
/// (integer) inputs: the pushforward of every linear layout op.
pub(super) fn apply_to_tangent(
    op: impl Op,
    inputs: &[Var],
    tangent: &Option<Var>,
) -> Result<Vec<Option<Var>>> {
    let Some(t) = tangent else {
        return Ok(vec![None]);
    };
    let mut args = inputs.to_vec();
    args[0] = t.clone();
    Ok(vec![Some(Var::apply1(op, &args)?)])
}

/// `[Value(g), Disconnected, ...]`: a gradient for input 0 and none for
/// the integer inputs after it.
fn first_only(g: Var, n_inputs: usize) -> Vec<Grad> {
    let mut grads = vec![Grad::Value(g)];
    grads.resize(n_inputs, Grad::Disconnected);
    grads
}

impl Reshape {
    pub(super) fn reshape_pullback(&self, inputs: &[Var], g: &Var) -> Result<Vec<Grad>> {
        let gx = try_reshape(g, inputs[0].shape())?;
        Ok(first_only(gx, inputs.len()))
    }
}

impl Flatten {
    pub(super) fn flatten_pullback(&self, inputs: &[Var], g: &Var) -> Result<Vec<Grad>> {
        Ok(first_only(try_reshape(g, inputs[0].shape())?, 1))
    }
}

impl Squeeze {
    /// Re-inserts the squeezed axes as size 1.
    pub(super) fn squeeze_pullback(&self, inputs: &[Var], g: &Var) -> Result<Vec<Grad>> {
        let mut kept = 0..;
        let pattern: Vec<Option<usize>> = (0..inputs[0].ndim())
            .map(|a| (!self.axes.contains(&a)).then(|| kept.next().expect("unbounded")))
            .collect();
        Ok(first_only(try_dimshuffle(g, &pattern)?, 1))
    }
}

impl BroadcastTo {
    pub(super) fn broadcast_pullback(&self, inputs: &[Var], g: &Var) -> Result<Vec<Grad>> {
        Ok(first_only(sum_to_shape_of(g, &inputs[0])?, 2))
    }
}

impl Join {
    /// Each input gets its block of the gradient: `split` at the inputs'
    /// lengths along the axis.
    pub(super) fn join_pullback(&self, inputs: &[Var], g: &Var) -> Result<Vec<Grad>> {
        let sizes: Vec<Dim> = inputs
            .iter()
            .map(|x| try_shape_i(x, self.axis as i64).map(Dim::Var))
            .collect::<Result<_>>()?;
        let pieces = try_split(g, sizes, self.axis as i64)?;
        Ok(pieces.into_iter().map(Grad::Value).collect())
    }

    /// Joins the tangents (zeros for inputs without one).
    pub(super) fn join_pushforward(
        &self,
        inputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        let parts: Vec<Var> = inputs
            .iter()
            .zip(tangents)
            .map(|(x, t)| t.clone().unwrap_or_else(|| zeros_like(x, None)))
            .collect();
        Ok(vec![Some(try_concatenate(&parts, self.axis as i64)?)])
    }
}

impl Split {
    /// The pieces' gradients joined back together.
    pub(super) fn split_pullback(&self, output_grads: &[Var]) -> Result<Vec<Grad>> {
        let gx = try_concatenate(output_grads, self.axis as i64)?;
        Ok(first_only(gx, 2))
    }

    pub(super) fn split_pushforward(
        &self,
        inputs: &[Var],
        tangent: &Option<Var>,
    ) -> Result<Vec<Option<Var>>> {
        let Some(t) = tangent else {
            return Ok(vec![None; self.sizes.len()]);
        };
        let pieces = Var::apply(self.clone(), &[t.clone(), inputs[1].clone()])?;
        Ok(pieces.into_iter().map(Some).collect())
    }
}

impl Tile {
    /// Sums the copies: each output axis of length `r·d` is split as
    /// `(r, d)` and summed over `r`, then padded leading axes are dropped.
    pub(super) fn tile_pullback(&self, inputs: &[Var], g: &Var) -> Result<Vec<Grad>> {
        let x = &inputs[0];
        let pad = g.ndim() - x.ndim();
        let mut dims = Vec::with_capacity(2 * g.ndim());
        let mut copies_axes = Vec::with_capacity(g.ndim());
        for a in 0..g.ndim() {
            let big = try_shape_i(g, a as i64)?;
            let small = if a < pad {
                Var::constant(crate::Tensor::scalar(1i64))
            } else {
                try_shape_i(x, (a - pad) as i64)?
            };
            copies_axes.push(dims.len() as i64);
            dims.push(Dim::Var(floor_div(&big, maximum(&small, 1))));
            dims.push(Dim::Var(small));
        }
        let summed = try_reduce(&try_reshape(g, dims)?, ReduceKind::Sum, copies_axes, false)?;
        let gx = if pad > 0 {
            try_reshape(&summed, x.shape())?
        } else {
            summed
        };
        Ok(first_only(gx, 2))
    }
}

impl Repeat {
    /// Each element's copies summed: the gradient is added into zeros at
    /// the source index of every output position (`repeat(arange(d))`), so
    /// scalar and per-element counts alike accumulate.
    pub(super) fn repeat_pullback(&self, inputs: &[Var], g: &Var) -> Result<Vec<Grad>> {
        let x = &inputs[0];
        let (lanes, axis) = match self.axis {
            Some(a) => (x.clone(), a),
            None => (try_reshape(x, [-1i64])?, 0),
        };
        let positions = arange(0i64, try_shape_i(&lanes, axis as i64)?, 1i64, DType::I64);
        let sources = Var::apply1(
            Repeat {
                axis: Some(0),
                known: self.known.clone(),
            },
            &[positions, inputs[1].clone()],
        )?;
        let mut items = vec![IndexItem::full(); axis];
        items.push(IndexItem::Array(sources));
        let g = g.cast(x.dtype());
        let gx = try_update_index(&zeros_like(&lanes, None), &items, &g, IncMode::Inc)?;
        let gx = match self.axis {
            Some(_) => gx,
            None => try_reshape(&gx, x.shape())?,
        };
        Ok(first_only(gx, 2))
    }
}

impl Flip {
    /// Flipping is its own inverse.
    pub(super) fn flip_pullback(&self, g: &Var) -> Result<Vec<Grad>> {
        Ok(first_only(
            Var::apply1(self.clone(), std::slice::from_ref(g))?,
            1,
        ))
    }
}

impl Roll {
    /// Rolls the gradient back by `-shift`.
    pub(super) fn roll_pullback(&self, inputs: &[Var], g: &Var) -> Result<Vec<Grad>> {
        let back = neg(inputs[1].cast(DType::I64));
        Ok(first_only(
            Var::apply1(self.clone(), &[g.clone(), back])?,
            2,
        ))
    }
}
