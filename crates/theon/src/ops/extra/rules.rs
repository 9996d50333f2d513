//! Derivative rules of the differentiable extra ops (the `Op` methods call
//! these); `ptp`, `max_and_argmax` and `trace` are compositions and
//! differentiate through their parts.
//!
//! - `sort` permutes its input along the axis: the tangent is permuted like
//!   the values (`t[argsort(x)]`) and the gradient goes back through the
//!   inverse permutation (`g[argsort(argsort(x))]`); argsort's indices are
//!   integers and declare themselves not differentiable;
//! - `diff`, `diagonal`, `alloc_diag` and `tril`/`triu` are linear: the
//!   pushforward applies the op to the tangent and the pullback is the
//!   adjoint (one difference's adjoint is `[0, g] - [g, 0]`; a diagonal's
//!   writes `g` back onto the diagonal of zeros; `alloc_diag`'s reads the
//!   diagonal; a triangle's is the same triangle);
//! - `fill_diagonal(a, v)`: `a` gets `g` with the diagonal zeroed, `v` the
//!   sum of `g`'s diagonal;
//! - `choose(k, c_0, ..)`: `c_j` gets `g` where the (wrapped or clipped)
//!   selector picks `j`, summed over broadcast dims; the selector is
//!   disconnected.
//!
//! Rules build graphs from public ops only, so they differentiate again.
//! Integer inputs get zero gradients.

use super::choose::{try_choose, Choose, ChooseMode};
use super::diagonal::{try_diagonal, AllocDiag, Diagonal};
use super::diff::{try_diff, Diff};
use super::fill_diagonal::{try_fill_diagonal, FillDiagonal};
use super::sort::{try_sort, Sort, SortKind};
use super::tri::Tri;
use crate::dtype::DType;
use crate::error::Result;
use crate::grad::unbroadcast;
use crate::graph::{Grad, Var};
use crate::ops::creation::{try_arange, try_full, zeros_like};
use crate::ops::elemwise::{clip, eq, switch};
use crate::ops::indexing::{try_index, try_take, try_update_index, IncMode, IndexItem, IntArg};
use crate::ops::operand::scalar_constant;
use crate::ops::reduce::{try_reduce, Axis, ReduceKind};
use crate::ops::shape::{
    try_concatenate, try_dimshuffle, try_flatten, try_reshape, try_shape_i, try_specify_shape, Dim,
};
use std::cmp::Ordering;

/// The zero gradient of an input that is not a float.
fn zero_grad(x: &Var) -> Grad {
    Grad::Value(zeros_like(x, None))
}

/// `0, 1, ..., n - 1` as int64, `n` the length of `v`'s axis `axis`.
fn positions(v: &Var, axis: usize) -> Result<Var> {
    try_arange(0i64, try_shape_i(v, axis as i64)?, 1i64, DType::I64)
}

/// NumPy's `take_along_axis(v, idx, axis)` (`idx` of `v`'s rank): advanced
/// indexing with `idx` on `axis` and broadcast `arange` grids elsewhere.
fn take_along(v: &Var, idx: &Var, axis: usize) -> Result<Var> {
    let nd = v.ndim();
    let mut items = Vec::with_capacity(nd);
    for k in 0..nd {
        if k == axis {
            items.push(IndexItem::Array(idx.clone()));
        } else {
            let pattern: Vec<Option<usize>> = (0..nd).map(|j| (j == k).then_some(0)).collect();
            let grid = try_dimshuffle(&positions(v, k)?, &pattern)?;
            items.push(IndexItem::Array(grid));
        }
    }
    try_index(v, &items)
}

/// `v[..., :stop]` along `axis`.
fn slice_to(v: &Var, axis: usize, stop: IntArg) -> Result<Var> {
    let mut items = vec![IndexItem::full(); axis];
    items.push(IndexItem::slice(None, Some(stop), None));
    try_index(v, &items)
}

impl Sort {
    /// The sorting permutation of `x` along the op's axis (flat for `None`).
    fn order(&self, x: &Var) -> Result<Var> {
        try_sort(x, SortKind::Indices, self.axis.map(|a| a as i64))
    }

    /// `v` gathered by `order` along the sorted axis (`v` is flat for `None`).
    fn gather(&self, v: &Var, order: &Var) -> Result<Var> {
        match self.axis {
            None => try_take(v, order, 0),
            Some(a) => take_along(v, order, a),
        }
    }

    /// `g` sent back through the inverse permutation `argsort(argsort(x))`.
    pub(super) fn sort_pullback(&self, x: &Var, g: &Var) -> Result<Vec<Grad>> {
        if !x.dtype().is_float() {
            return Ok(vec![zero_grad(x)]);
        }
        let order = self.order(x)?;
        let axis = self.axis.unwrap_or(0) as i64;
        let inverse = try_sort(&order, SortKind::Indices, Some(axis))?;
        let gx = self.gather(g, &inverse)?;
        Ok(vec![Grad::Value(match self.axis {
            None => try_reshape(&gx, x.shape())?,
            Some(_) => gx,
        })])
    }

    /// The tangent permuted like the values.
    pub(super) fn sort_pushforward(&self, x: &Var, t: &Var) -> Result<Var> {
        let order = self.order(x)?;
        let t = match self.axis {
            None => try_flatten(t, 1)?,
            Some(_) => t.clone(),
        };
        self.gather(&t, &order)
    }
}

/// Zeros shaped like `v` but of length 1 along `axis`.
fn zero_slab(v: &Var, axis: usize) -> Result<Var> {
    let dims = (0..v.ndim())
        .map(|k| match k == axis {
            true => Ok(Dim::Const(1)),
            false => Ok(Dim::Var(try_shape_i(v, k as i64)?)),
        })
        .collect::<Result<Vec<Dim>>>()?;
    try_full(dims, 0.0, v.dtype())
}

impl Diff {
    /// The adjoint of one difference, `[0, g] - [g, 0]`, applied `n` times.
    /// When `n` exceeds the axis the output is empty and the padding
    /// overshoots, so the result is cut to `x`'s length (a no-op otherwise).
    pub(super) fn diff_pullback(&self, x: &Var, g: &Var) -> Result<Vec<Grad>> {
        if !x.dtype().is_float() {
            return Ok(vec![zero_grad(x)]);
        }
        let axis = self.axis as i64;
        let mut gx = g.clone();
        for _ in 0..self.n {
            let zero = zero_slab(&gx, self.axis)?;
            let shifted = try_concatenate(&[zero.clone(), gx.clone()], axis)?;
            gx = shifted - try_concatenate(&[gx, zero], axis)?;
        }
        let len = match x.ty().shape[self.axis] {
            Some(n) => IntArg::Const(n as i64),
            None => IntArg::Var(try_shape_i(x, axis)?),
        };
        Ok(vec![Grad::Value(slice_to(&gx, self.axis, len)?)])
    }

    pub(super) fn diff_pushforward(&self, t: &Var) -> Result<Var> {
        try_diff(t, self.n, self.axis as i64)
    }
}

impl Diagonal {
    /// Zeros with `g` written on the diagonal. The indexed region holds the
    /// diagonal where NumPy puts advanced-index dims: in place of the two
    /// axes when they are adjacent, first otherwise.
    pub(super) fn diagonal_pullback(&self, x: &Var, g: &Var) -> Result<Vec<Grad>> {
        if !x.dtype().is_float() {
            return Ok(vec![zero_grad(x)]);
        }
        let k = positions(g, g.ndim() - 1)?;
        let shift = |by: i64| if by > 0 { &k + by } else { k.clone() };
        let mut items = vec![IndexItem::full(); x.ndim()];
        items[self.axis1] = IndexItem::Array(shift(-self.offset));
        items[self.axis2] = IndexItem::Array(shift(self.offset));
        let at = match self.axis1.abs_diff(self.axis2) {
            1 => self.axis1.min(self.axis2),
            _ => 0,
        };
        let last = g.ndim() - 1;
        let pattern: Vec<Option<usize>> = (0..g.ndim())
            .map(|q| {
                Some(match q.cmp(&at) {
                    Ordering::Less => q,
                    Ordering::Equal => last,
                    Ordering::Greater => q - 1,
                })
            })
            .collect();
        let value = try_dimshuffle(g, &pattern)?;
        let gx = try_update_index(&zeros_like(x, None), &items, value, IncMode::Set)?;
        Ok(vec![Grad::Value(gx)])
    }

    pub(super) fn diagonal_pushforward(&self, t: &Var) -> Result<Var> {
        try_diagonal(t, self.offset, self.axis1 as i64, self.axis2 as i64)
    }
}

impl AllocDiag {
    /// The adjoint of placing a vector on a diagonal is reading it back.
    pub(super) fn alloc_diag_pullback(&self, v: &Var, g: &Var) -> Result<Vec<Grad>> {
        if !v.dtype().is_float() {
            return Ok(vec![zero_grad(v)]);
        }
        Ok(vec![Grad::Value(try_diagonal(g, self.offset, 0, 1)?)])
    }

    pub(super) fn alloc_diag_pushforward(&self, t: &Var) -> Result<Var> {
        Var::apply1(self.clone(), std::slice::from_ref(t))
    }
}

impl FillDiagonal {
    /// The diagonal `fill_diagonal` writes, as a vector: for more than two
    /// dims, `g[i, i, ..., i]`, peeled one axis pair at a time.
    fn filled_diagonal(&self, g: &Var) -> Result<Var> {
        let mut d = try_diagonal(g, self.offset, 0, 1)?;
        while d.ndim() > 1 {
            d = try_diagonal(&d, 0, 0, 1)?;
        }
        Ok(d)
    }

    pub(super) fn fill_diagonal_pullback(&self, inputs: &[Var], g: &Var) -> Result<Vec<Grad>> {
        let (a, value) = (&inputs[0], &inputs[1]);
        let ga = match a.dtype().is_float() {
            true => Grad::Value(try_fill_diagonal(
                g,
                &scalar_constant(0i64, g.dtype()),
                self.offset,
            )?),
            false => zero_grad(a),
        };
        let gv = match value.dtype().is_float() {
            true => {
                let total =
                    try_reduce(&self.filled_diagonal(g)?, ReduceKind::Sum, Axis::All, false)?;
                Grad::Value(total.cast(value.dtype()))
            }
            false => zero_grad(value),
        };
        Ok(vec![ga, gv])
    }

    /// `fill_diagonal(ta, tv)`, zeros standing in for a missing tangent.
    pub(super) fn fill_diagonal_pushforward(
        &self,
        inputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Option<Var>> {
        if tangents.iter().all(Option::is_none) {
            return Ok(None);
        }
        let ta = tangents[0]
            .clone()
            .unwrap_or_else(|| zeros_like(&inputs[0], None));
        let tv = tangents[1]
            .clone()
            .unwrap_or_else(|| scalar_constant(0i64, ta.dtype()));
        Ok(Some(try_fill_diagonal(&ta, &tv, self.offset)?))
    }
}

impl Tri {
    /// A triangle mask is its own adjoint.
    pub(super) fn tri_linear(&self, v: &Var) -> Result<Var> {
        Var::apply1(self.clone(), std::slice::from_ref(v))
    }
}

impl Choose {
    /// The index of the choice each element comes from, after the mode.
    fn picked(&self, selector: &Var, n: usize) -> Var {
        match self.mode {
            ChooseMode::Raise => selector.clone(),
            ChooseMode::Wrap => selector % (n as i64),
            ChooseMode::Clip => clip(selector, 0i64, n as i64 - 1),
        }
    }

    pub(super) fn choose_pullback(&self, inputs: &[Var], g: &Var) -> Result<Vec<Grad>> {
        let n = inputs.len() - 1;
        let picked = self.picked(&inputs[0], n);
        let mut grads = vec![Grad::Disconnected];
        for (j, c) in inputs[1..].iter().enumerate() {
            grads.push(match c.dtype().is_float() {
                true => {
                    let mine = switch(eq(&picked, j as i64), g, 0.0);
                    Grad::Value(unbroadcast(&mine, c.ty())?)
                }
                false => zero_grad(c),
            });
        }
        Ok(grads)
    }

    /// `choose(k, t_0, ..)`: the tangents picked like the values (zeros for
    /// a choice with no tangent; loosely typed tangents keep the inputs'
    /// static broadcasting).
    pub(super) fn choose_pushforward(
        &self,
        inputs: &[Var],
        out: &Var,
        tangents: &[Option<Var>],
    ) -> Result<Option<Var>> {
        if tangents[1..].iter().all(Option::is_none) {
            return Ok(None);
        }
        let choices = inputs[1..]
            .iter()
            .zip(&tangents[1..])
            .map(|(c, t)| match t {
                Some(t) if t.ty().shape == c.ty().shape => Ok(t.clone()),
                Some(t) => try_specify_shape(t, &c.ty().shape),
                None => Ok(zeros_like(c, Some(out.dtype()))),
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(try_choose(&inputs[0], &choices, self.mode)?))
    }
}
