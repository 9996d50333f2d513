//! Which nodes are row-local: a node whose row-indexed inputs (axis 0 =
//! the rows) give row-indexed outputs, row `i` of each output depending
//! only on row `i` of those inputs and on its other inputs whole. And
//! which nodes reduce over rows as a sum, so that summing the node over
//! blocks of rows gives the node over all rows. `rewrite::row_blocked`
//! grows regions of such nodes.
//!
//! The facts are per op, from static types: an elementwise (or `second`,
//! Theano's fill) operand whose
//! axis 0 lines up with the output's and is not statically 1 is
//! row-indexed (only a known 1 broadcasts), the others are broadcast;
//! `dot(A, B)` is row-local in a matrix `A`; softmax-family ops over a
//! non-row axis and the cross-entropies are row-local in both operands;
//! a reduction over axes without 0 is row-local; `dot(Aᵀ, B)` (also as a
//! `Gemm`, or an einsum contracting the first axis of every operand,
//! `ad,ab->bd`) and a float sum over axes including 0 reduce over rows.

use super::fgraph::{FunctionGraph, NodeId, VarId};
use crate::graph::TensorType;
use crate::ops::creation::Second;
use crate::ops::elemwise::{Composite, Elemwise};
use crate::ops::nnet::{
    CrossentropyCategorical1Hot, LogSoftmax, Softmax, SoftmaxCrossentropy, SoftmaxWithCrossentropy,
};
use crate::ops::products::{Contraction, Dot, Einsum, Gemm};
use crate::ops::reduce::{Reduce, ReduceKind, ReduceOfElemwise};
use crate::ops::shape::DimShuffle;

/// A row-local node: `rows[i]` says whether input `i` is row-indexed
/// (else it is used whole); every output is row-indexed.
pub fn row_local(fg: &FunctionGraph, id: NodeId) -> Option<Vec<bool>> {
    let ins = fg.node_inputs(id);
    let out_types = &fg.node(id).types;
    let first_out = out_types.first()?;
    if first_out.ndim() == 0 || first_out.shape[0] == Some(1) {
        return None;
    }
    let elementwise = fg.op_as::<Elemwise>(id).is_some()
        || fg.op_as::<Composite>(id).is_some()
        || fg.op_as::<Second>(id).is_some();
    let rows = if elementwise {
        elementwise_rows(fg, ins, first_out.ndim())
    } else if fg.op_as::<Dot>(id).is_some() {
        (fg.ty(ins[0]).ndim() == 2).then(|| vec![true, false])?
    } else if fg.op_as::<Gemm>(id).is_some() {
        // beta*z + alpha*dot(a, b): z and a carry the rows.
        let z_rows = fg.ty(ins[0]).shape[0] != Some(1);
        vec![z_rows, false, true, false, false]
    } else if let Some(d) = fg.op_as::<DimShuffle>(id) {
        (d.pattern.first() == Some(&Some(0))).then(|| vec![true])?
    } else if let Some(s) = fg.op_as::<Softmax>(id) {
        (s.axis != 0).then(|| vec![true])?
    } else if let Some(s) = fg.op_as::<LogSoftmax>(id) {
        (s.axis != 0).then(|| vec![true])?
    } else if fg.op_as::<SoftmaxCrossentropy>(id).is_some()
        || fg.op_as::<SoftmaxWithCrossentropy>(id).is_some()
        || fg.op_as::<CrossentropyCategorical1Hot>(id).is_some()
    {
        vec![true, true]
    } else if let Some(r) = fg.op_as::<Reduce>(id) {
        (!r.axes.contains(&0)).then(|| vec![true])?
    } else if let Some(r) = fg.op_as::<ReduceOfElemwise>(id) {
        if r.reduce.axes.contains(&0) {
            return None;
        }
        elementwise_rows(fg, ins, body_rank(fg, ins))
    } else {
        return None;
    };
    rows.iter().any(|&r| r).then_some(rows)
}

/// A node that sums over rows: which inputs carry the rows. For
/// `dot(Aᵀ, B)` / `gemm(z, α, Aᵀ, B, β)` that is `Aᵀ` (read through its
/// transpose, see [`transposed_rows`]) and `B`.
pub fn row_sum(fg: &FunctionGraph, id: NodeId) -> Option<Vec<bool>> {
    let ins = fg.node_inputs(id);
    let float = fg.node(id).types.first()?.dtype.is_float();
    if !float {
        return None;
    }
    if fg.op_as::<Dot>(id).is_some() {
        transposed_rows(fg, ins[0])?;
        return (fg.ty(ins[1]).ndim() >= 1).then(|| vec![true, true]);
    }
    if fg.op_as::<Gemm>(id).is_some() {
        transposed_rows(fg, ins[2])?;
        return Some(vec![false, false, true, true, false]);
    }
    if let Some(e) = fg.op_as::<Einsum>(id) {
        // Only a statically-1 axis broadcasts in an einsum.
        let no_broadcast = ins
            .iter()
            .all(|&v| fg.ty(v).shape.first() != Some(&Some(1)));
        return (no_broadcast && einsum_sums_rows(&e.spec)).then(|| vec![true; ins.len()]);
    }
    if let Some(r) = fg.op_as::<Reduce>(id) {
        let sums_rows = r.kind == ReduceKind::Sum && r.axes.contains(&0);
        return sums_rows.then(|| vec![true]);
    }
    let r = fg.op_as::<ReduceOfElemwise>(id)?;
    if r.reduce.kind != ReduceKind::Sum || !r.reduce.axes.contains(&0) {
        return None;
    }
    let rows = elementwise_rows(fg, ins, body_rank(fg, ins));
    rows.iter().any(|&r| r).then_some(rows)
}

/// An einsum whose operands all start with one label that appears
/// nowhere else and not in the output (`ad,ab->bd`: `Xᵀ·G` as einsum).
fn einsum_sums_rows(spec: &Contraction) -> bool {
    let Some(&row) = spec.operands.first().and_then(|o| o.first()) else {
        return false;
    };
    let once = |o: &Vec<usize>| o.first() == Some(&row) && !o[1..].contains(&row);
    spec.operands.iter().all(once) && !spec.output.contains(&row)
}

/// The matrix `A` when `v` is `Aᵀ` (a dimshuffle `(1, 0)` of a matrix).
pub fn transposed_rows(fg: &FunctionGraph, v: VarId) -> Option<VarId> {
    let d = fg.producer_as::<DimShuffle>(v)?;
    let swap = d.input_ndim == 2 && d.pattern == [Some(1), Some(0)];
    swap.then(|| fg.node_inputs(v.node)[0])
}

/// Elementwise operands of an output of rank `rank`: row-indexed when of
/// full rank with axis 0 not statically 1.
fn elementwise_rows(fg: &FunctionGraph, ins: &[VarId], rank: usize) -> Vec<bool> {
    ins.iter().map(|&v| carries_rows(fg.ty(v), rank)).collect()
}

fn carries_rows(ty: &TensorType, rank: usize) -> bool {
    rank >= 1 && ty.ndim() == rank && ty.shape[0] != Some(1)
}

/// The rank of an elementwise body over these inputs (the largest).
fn body_rank(fg: &FunctionGraph, ins: &[VarId]) -> usize {
    ins.iter().map(|&v| fg.ty(v).ndim()).max().unwrap_or(0)
}
