//! Rules that skip work whose result is known from shapes alone:
//! `switch` on a constant condition (canonicalize), `sum` of a broadcast
//! scalar (canonicalize), and `mean` as `sum` times a constant
//! (specialize). Results keep the broadcast shape of what they replace:
//! where the kept value is smaller, it is broadcast to the inferred shape.

use super::super::engine::{Rule, Tracks};
use super::super::fgraph::{FunctionGraph, NodeId, VarId};
use super::{elemwise, if_same_type, CANON};
use crate::dtype::DType;
use crate::ops::creation::{Alloc, Second};
use crate::ops::elemwise::{BinaryOp, ScalarOp};
use crate::ops::reduce::{Mean, Reduce, ReduceKind};
use crate::ops::shape::{BroadcastTo, DimShuffle, MakeVector};
use crate::tensor::Tensor;

const SPECIALIZE: &[&str] = &["specialize", "fast_run"];

pub fn canonicalize_rules() -> Vec<Rule> {
    vec![
        Rule::new(
            "switch_constant_condition",
            CANON,
            Tracks::Scalar(ScalarOp::Switch),
            switch_constant_condition,
        ),
        Rule::new(
            "sum_of_broadcast",
            CANON,
            Tracks::op::<Reduce>(),
            sum_of_broadcast,
        ),
    ]
}

pub fn specialize_rules() -> Vec<Rule> {
    vec![Rule::new(
        "mean_to_sum",
        SPECIALIZE,
        Tracks::op::<Mean>(),
        mean_to_sum,
    )]
}

/// The int64 vector of `dims` (a constant when they all are).
fn shape_vector(fg: &mut FunctionGraph, dims: &[VarId]) -> Option<(VarId, Vec<Option<i64>>)> {
    let known: Vec<Option<i64>> = dims
        .iter()
        .map(|&d| fg.constant_value(d).map(|t| t.item().as_i64()))
        .collect();
    let vector = match known.iter().copied().collect::<Option<Vec<i64>>>() {
        Some(values) => fg.constant(Tensor::from_slice(&values, &[values.len()]).ok()?),
        None => fg.apply1(MakeVector, dims).ok()?,
    };
    Some((vector, known))
}

/// `v` cast to the dtype of `like` and broadcast to its inferred shape (a
/// view), or `v` itself where it already has `like`'s type.
fn broadcast_like(fg: &mut FunctionGraph, v: VarId, like: VarId) -> Option<VarId> {
    let dtype = fg.ty(like).dtype;
    let v = if fg.ty(v).dtype == dtype {
        v
    } else {
        elemwise(fg, ScalarOp::Cast(dtype), &[v])?
    };
    if fg.ty(v) == fg.ty(like) {
        return Some(v);
    }
    let dims = fg.shape_of(like);
    let (vector, target) = shape_vector(fg, &dims)?;
    fg.apply1(BroadcastTo { target }, &[v, vector]).ok()
}

/// `switch(c, a, b)` with `c` a constant of all-true (all-false) values ->
/// `a` (`b`), broadcast to the switch's shape: `c`'s shape counts too.
fn switch_constant_condition(fg: &mut FunctionGraph, node: NodeId) -> Option<Vec<VarId>> {
    let ins = fg.node_inputs(node).to_vec();
    let values = fg.constant_value(ins[0])?.to_scalars();
    let chosen = if values.iter().all(|s| s.as_bool()) {
        ins[1]
    } else if values.iter().all(|s| !s.as_bool()) {
        ins[2]
    } else {
        return None;
    };
    if values.is_empty() {
        return None;
    }
    let new = broadcast_like(fg, chosen, node.out(0))?;
    if_same_type(fg, node.out(0), new)
}

/// The value that `v` broadcasts, when `v` is a broadcast (`alloc`,
/// `broadcast_to`, `fill`) of a single element of `v`'s dtype.
fn broadcast_scalar(fg: &FunctionGraph, v: VarId) -> Option<VarId> {
    let value =
        if fg.producer_as::<Alloc>(v).is_some() || fg.producer_as::<BroadcastTo>(v).is_some() {
            fg.node_inputs(v.node)[0]
        } else if fg.producer_as::<Second>(v).is_some() {
            fg.node_inputs(v.node)[1]
        } else {
            return None;
        };
    let ty = fg.ty(value);
    let single = ty.shape.iter().all(|d| *d == Some(1));
    (single && ty.dtype == fg.ty(v).dtype).then_some(value)
}

/// `sum(broadcast(s), axes)` for a single value `s` -> `s * n` (`n` the
/// number of summed elements), broadcast to the sum's shape.
fn sum_of_broadcast(fg: &mut FunctionGraph, node: NodeId) -> Option<Vec<VarId>> {
    let r = fg.op_as::<Reduce>(node)?.clone();
    let v = fg.node_inputs(node)[0];
    let out = node.out(0);
    let dtype = fg.ty(out).dtype;
    if r.kind != ReduceKind::Sum || fg.ty(v).dtype != dtype || dtype == DType::Bool {
        return None;
    }
    let s = broadcast_scalar(fg, v)?;
    let ndim = fg.ty(s).ndim();
    let s = if ndim == 0 {
        s
    } else {
        let drop_all = DimShuffle {
            input_ndim: ndim,
            pattern: vec![],
        };
        fg.apply1(drop_all, &[s]).ok()?
    };
    let dims = fg.shape_of(v);
    let summed: Vec<VarId> = r.axes.iter().map(|&a| dims[a]).collect();
    let n = product(fg, &summed)?;
    let n = elemwise(fg, ScalarOp::Cast(dtype), &[n])?;
    let total = elemwise(fg, ScalarOp::Binary(BinaryOp::Mul), &[s, n])?;
    let new = broadcast_like(fg, total, out)?;
    if_same_type(fg, out, new)
}

/// The product of int64 dims (a constant when they all are).
fn product(fg: &mut FunctionGraph, dims: &[VarId]) -> Option<VarId> {
    let Some((&first, rest)) = dims.split_first() else {
        return Some(fg.int_constant(1));
    };
    let mut acc = first;
    for &d in rest {
        acc = match (fg.constant_value(acc), fg.constant_value(d)) {
            (Some(a), Some(b)) => {
                let p = a.item().as_i64() * b.item().as_i64();
                fg.int_constant(p)
            }
            _ => elemwise(fg, ScalarOp::Binary(BinaryOp::Mul), &[acc, d])?,
        };
    }
    Some(acc)
}

/// `mean(x, axes)` of floats -> `sum(x, axes) * (1/n)` where `n` is
/// statically known and non-zero, else `sum(x, axes) / n` with `n` from
/// the inferred shape (0/0 gives NaN, as the mean of nothing does).
fn mean_to_sum(fg: &mut FunctionGraph, node: NodeId) -> Option<Vec<VarId>> {
    let m = fg.op_as::<Mean>(node)?.clone();
    let x = fg.node_inputs(node)[0];
    let dtype = fg.ty(x).dtype;
    if !dtype.is_float() {
        return None;
    }
    let sum = Reduce {
        kind: ReduceKind::Sum,
        axes: m.axes.clone(),
        keepdims: m.keepdims,
    };
    let total = fg.apply1(sum, &[x]).ok()?;
    let static_n: Option<usize> = m.axes.iter().map(|&a| fg.ty(x).shape[a]).product();
    let new = match static_n {
        Some(n) if n > 0 => {
            let scale = fg.constant(Tensor::full(dtype, &[], 1.0 / n as f64));
            elemwise(fg, ScalarOp::Binary(BinaryOp::Mul), &[total, scale])?
        }
        _ => {
            let dims = fg.shape_of(x);
            let summed: Vec<VarId> = m.axes.iter().map(|&a| dims[a]).collect();
            let n = product(fg, &summed)?;
            let n = elemwise(fg, ScalarOp::Cast(dtype), &[n])?;
            elemwise(fg, ScalarOp::Binary(BinaryOp::TrueDiv), &[total, n])?
        }
    };
    if_same_type(fg, node.out(0), new)
}
