//! Shape rules (canonicalize): `shape(x)` and `shape_i(x)` become the
//! inferred dims (so `x.shape` needs no `x`), elements of `make_vector`s are
//! read directly, reshape chains collapse, and reshapes, allocs and
//! broadcasts that would not change their input's shape disappear.

use super::super::engine::{Rule, Tracks};
use super::super::fgraph::{FunctionGraph, NodeId, VarId};
use super::{if_same_type, CANON};
use crate::dtype::DType;
use crate::ops::creation::Alloc;
use crate::ops::elemwise::{Elemwise, ScalarOp};
use crate::ops::indexing::{Item, Scal, Subtensor};
use crate::ops::shape::{BroadcastTo, Flatten, MakeVector, Reshape, Shape, ShapeI};
use crate::tensor::Tensor;

/// The shape rules, in the order they are tried on a node.
pub fn rules() -> Vec<Rule> {
    vec![
        Rule::new("shape_to_dims", CANON, Tracks::op::<Shape>(), shape_to_dims),
        Rule::new(
            "shape_i_to_dim",
            CANON,
            Tracks::op::<ShapeI>(),
            shape_i_to_dim,
        ),
        Rule::new(
            "make_vector_element",
            CANON,
            Tracks::op::<Subtensor>(),
            make_vector_element,
        ),
        Rule::new(
            "reshape_reshape",
            CANON,
            Tracks::op::<Reshape>(),
            reshape_reshape,
        ),
        Rule::new(
            "flatten_reshape",
            CANON,
            Tracks::op::<Flatten>(),
            flatten_reshape,
        ),
        Rule::new(
            "useless_reshape",
            CANON,
            Tracks::op::<Reshape>(),
            useless_resize,
        ),
        Rule::new(
            "useless_alloc",
            CANON,
            Tracks::op::<Alloc>(),
            useless_resize,
        ),
        Rule::new(
            "useless_broadcast_to",
            CANON,
            Tracks::op::<BroadcastTo>(),
            useless_resize,
        ),
    ]
}

/// Whether `d` is `shape_i(x, axis)` itself (inferring found nothing better).
fn is_own_dim(fg: &FunctionGraph, d: VarId, x: VarId, axis: usize) -> bool {
    fg.producer_as::<ShapeI>(d).is_some_and(|s| s.axis == axis) && fg.node_inputs(d.node)[0] == x
}

/// `shape(x)` -> the vector of `x`'s inferred dims.
fn shape_to_dims(fg: &mut FunctionGraph, node: NodeId) -> Option<Vec<VarId>> {
    let x = fg.node_inputs(node)[0];
    let dims = fg.shape_of(x);
    if dims
        .iter()
        .enumerate()
        .all(|(a, &d)| is_own_dim(fg, d, x, a))
        && !dims.is_empty()
    {
        return None;
    }
    let constants: Option<Vec<i64>> = dims
        .iter()
        .map(|&d| fg.constant_value(d).map(|t| t.item().as_i64()))
        .collect();
    let new = match constants {
        Some(values) => fg.constant(Tensor::from_slice(&values, &[values.len()]).ok()?),
        None => fg.apply1(MakeVector, &dims).ok()?,
    };
    if_same_type(fg, node.out(0), new)
}

/// `shape_i(x, axis)` -> `x`'s inferred dim.
fn shape_i_to_dim(fg: &mut FunctionGraph, node: NodeId) -> Option<Vec<VarId>> {
    let axis = fg.op_as::<ShapeI>(node)?.axis;
    let x = fg.node_inputs(node)[0];
    let d = *fg.shape_of(x).get(axis)?;
    if d == node.out(0) || is_own_dim(fg, d, x, axis) {
        return None;
    }
    if_same_type(fg, node.out(0), d)
}

/// `make_vector(a, b, c)[1]` -> `b` (cast to int64 as the vector is).
fn make_vector_element(fg: &mut FunctionGraph, node: NodeId) -> Option<Vec<VarId>> {
    let Some(Item::Int(Scal::Const(i))) = fg.op_as::<Subtensor>(node)?.items.first().copied()
    else {
        return None;
    };
    if fg.op_as::<Subtensor>(node)?.items.len() != 1 {
        return None;
    }
    let v = fg.node_inputs(node)[0];
    fg.producer_as::<MakeVector>(v)?;
    let elements = fg.node_inputs(v.node).to_vec();
    let n = elements.len() as i64;
    let at = if i < 0 { i + n } else { i };
    let e = *elements.get(usize::try_from(at).ok()?)?;
    let e = if fg.ty(e).dtype == DType::I64 {
        e
    } else {
        fg.apply1(Elemwise::new(ScalarOp::Cast(DType::I64)), &[e])
            .ok()?
    };
    if_same_type(fg, node.out(0), e)
}

/// `reshape(reshape(x, s1), s2)` -> `reshape(x, s2)` (C-order reshapes
/// compose); also through a `flatten`.
fn reshape_reshape(fg: &mut FunctionGraph, node: NodeId) -> Option<Vec<VarId>> {
    let op = fg.op_as::<Reshape>(node)?.clone();
    let (mid, s) = (fg.node_inputs(node)[0], fg.node_inputs(node)[1]);
    if fg.producer_as::<Reshape>(mid).is_none() && fg.producer_as::<Flatten>(mid).is_none() {
        return None;
    }
    let x = fg.node_inputs(mid.node)[0];
    let new = fg.apply1(op, &[x, s]).ok()?;
    if_same_type(fg, node.out(0), new)
}

/// `flatten(reshape(x, s), 1)` -> `flatten(x, 1)`.
fn flatten_reshape(fg: &mut FunctionGraph, node: NodeId) -> Option<Vec<VarId>> {
    let op = fg.op_as::<Flatten>(node)?.clone();
    let mid = fg.node_inputs(node)[0];
    if op.outdim != 1 || fg.producer_as::<Reshape>(mid).is_none() {
        return None;
    }
    let x = fg.node_inputs(mid.node)[0];
    let new = fg.apply1(op, &[x]).ok()?;
    if_same_type(fg, node.out(0), new)
}

/// The elements of an integer shape vector as int64 dims, where the graph
/// shows them: a constant, a `make_vector`, or `shape(y)`.
fn vector_elements(fg: &mut FunctionGraph, s: VarId) -> Option<Vec<VarId>> {
    if let Some(t) = fg.constant_value(s) {
        let values: Vec<i64> = t.to_scalars().iter().map(|v| v.as_i64()).collect();
        return Some(values.into_iter().map(|v| fg.int_constant(v)).collect());
    }
    if fg.producer_as::<MakeVector>(s).is_some() {
        return Some(fg.node_inputs(s.node).to_vec());
    }
    if fg.producer_as::<Shape>(s).is_some() {
        let y = fg.node_inputs(s.node)[0];
        return Some(fg.shape_of(y));
    }
    None
}

/// Whether two dims are the same variable or equal constants.
fn same_dim(fg: &FunctionGraph, a: VarId, b: VarId) -> bool {
    if a == b {
        return true;
    }
    match (fg.constant_value(a), fg.constant_value(b)) {
        (Some(x), Some(y)) => x.item().as_i64() == y.item().as_i64(),
        _ => false,
    }
}

/// `reshape(x, s)`, `alloc(x, s)` or `broadcast_to(x, s)` where `s` is
/// `x`'s own shape -> `x`.
fn useless_resize(fg: &mut FunctionGraph, node: NodeId) -> Option<Vec<VarId>> {
    let (x, s) = (fg.node_inputs(node)[0], fg.node_inputs(node)[1]);
    let out = node.out(0);
    if fg.ty(x).ndim() != fg.ty(out).ndim() || fg.ty(x).dtype != fg.ty(out).dtype {
        return None;
    }
    let wanted = vector_elements(fg, s)?;
    let have = fg.shape_of(x);
    let same =
        wanted.len() == have.len() && wanted.iter().zip(&have).all(|(&w, &h)| same_dim(fg, w, h));
    same.then_some(())?;
    if_same_type(fg, out, x)
}
