//! Canonicalize: algebraic identities that make graphs smaller and put them
//! in one normal form, so later phases have fewer shapes to recognise.

use super::super::engine::{Rule, Tracks};
use super::super::fgraph::{FunctionGraph, NodeId, VarId};
use super::super::pattern::{all_float, identity, identity_when};
use super::{fill_like, if_same_type, scalar_op, CANON, LITE};
use crate::dtype::{DType, Kind};
use crate::ops::elemwise::{BinaryOp, ScalarOp};
use crate::ops::shape::DimShuffle;

/// The canonicalize rules, in the order they are tried on a node.
pub fn rules() -> Vec<Rule> {
    vec![
        identity("mul_one", LITE, "mul($x, 1)", "$x"),
        identity("add_zero", LITE, "add($x, 0)", "$x"),
        identity("sub_zero", LITE, "sub($x, 0)", "$x"),
        identity("div_one", LITE, "true_div($x, 1)", "$x"),
        identity("pow_one", LITE, "pow($x, 1)", "$x"),
        neg_neg(),
        identity_when("log_exp", CANON, "log(exp($x))", "$x", all_float),
        Rule::new(
            "sub_self",
            CANON,
            Tracks::Scalar(ScalarOp::Binary(BinaryOp::Sub)),
            sub_self,
        ),
        Rule::new(
            "div_self",
            CANON,
            Tracks::Scalar(ScalarOp::Binary(BinaryOp::TrueDiv)),
            div_self,
        ),
        Rule::new("useless_cast", LITE, Tracks::Any, useless_cast),
        Rule::new("cast_cast", CANON, Tracks::Any, cast_cast),
        Rule::new(
            "dimshuffle_identity",
            LITE,
            Tracks::op::<DimShuffle>(),
            dimshuffle_identity,
        ),
        Rule::new(
            "dimshuffle_dimshuffle",
            CANON,
            Tracks::op::<DimShuffle>(),
            dimshuffle_dimshuffle,
        ),
    ]
}

/// `--x` -> `x`.
pub fn neg_neg() -> Rule {
    identity("neg_neg", LITE, "neg(neg($x))", "$x")
}

/// `x - x` -> zeros of `x`'s broadcast shape (Theano's `fill(x, 0)`).
fn sub_self(fg: &mut FunctionGraph, node: NodeId) -> Option<Vec<VarId>> {
    let ins = fg.node_inputs(node);
    if ins[0] != ins[1] {
        return None;
    }
    let (x, dtype) = (ins[0], fg.ty(node.out(0)).dtype);
    let zeros = fill_like(fg, x, 0.0, dtype)?;
    if_same_type(fg, node.out(0), zeros)
}

/// `x / x` -> ones of `x`'s broadcast shape.
fn div_self(fg: &mut FunctionGraph, node: NodeId) -> Option<Vec<VarId>> {
    let ins = fg.node_inputs(node);
    if ins[0] != ins[1] {
        return None;
    }
    let (x, dtype) = (ins[0], fg.ty(node.out(0)).dtype);
    let ones = fill_like(fg, x, 1.0, dtype)?;
    if_same_type(fg, node.out(0), ones)
}

fn cast_input(fg: &FunctionGraph, node: NodeId) -> Option<(DType, VarId)> {
    match scalar_op(fg, node.out(0))? {
        ScalarOp::Cast(to) => Some((to, fg.node_inputs(node)[0])),
        _ => None,
    }
}

/// `cast(x, dtype)` where `x` already has that dtype -> `x`.
fn useless_cast(fg: &mut FunctionGraph, node: NodeId) -> Option<Vec<VarId>> {
    let (to, x) = cast_input(fg, node)?;
    if fg.ty(x).dtype != to {
        return None;
    }
    if_same_type(fg, node.out(0), x)
}

/// Whether every value of `from` is exactly representable in `to`.
pub(crate) fn lossless(from: DType, to: DType) -> bool {
    let bits = |d: DType| d.size() * 8;
    let mantissa = |d: DType| match d {
        DType::F16 => 11,
        DType::F32 => 24,
        _ => 53,
    };
    match (from.kind(), to.kind()) {
        _ if from == to => true,
        (Kind::Bool, _) => true,
        (_, Kind::Bool) => false,
        (Kind::Int, Kind::Int) | (Kind::UInt, Kind::UInt) | (Kind::Float, Kind::Float) => {
            bits(to) >= bits(from)
        }
        (Kind::UInt, Kind::Int) => bits(to) > bits(from),
        (Kind::Int | Kind::UInt, Kind::Float) => mantissa(to) >= bits(from),
        _ => false,
    }
}

/// `cast(cast(x, a), b)` -> `cast(x, b)` (or `x`) when `x -> a` loses nothing.
fn cast_cast(fg: &mut FunctionGraph, node: NodeId) -> Option<Vec<VarId>> {
    let (to, mid) = cast_input(fg, node)?;
    let (_, x) = cast_input(fg, mid.node)?;
    if !lossless(fg.ty(x).dtype, fg.ty(mid).dtype) {
        return None;
    }
    if fg.ty(x).dtype == to {
        return if_same_type(fg, node.out(0), x);
    }
    let cast = super::elemwise(fg, ScalarOp::Cast(to), &[x])?;
    if_same_type(fg, node.out(0), cast)
}

fn is_identity(d: &DimShuffle) -> bool {
    d.pattern.len() == d.input_ndim && d.pattern.iter().enumerate().all(|(i, a)| *a == Some(i))
}

/// A dimshuffle that keeps every axis in place -> its input.
fn dimshuffle_identity(fg: &mut FunctionGraph, node: NodeId) -> Option<Vec<VarId>> {
    let d = fg.op_as::<DimShuffle>(node)?;
    is_identity(d).then(|| vec![fg.node_inputs(node)[0]])
}

/// `dimshuffle(dimshuffle(x, p), q)` -> one dimshuffle of `x` (or `x` itself
/// when the two cancel, as a double transpose does).
fn dimshuffle_dimshuffle(fg: &mut FunctionGraph, node: NodeId) -> Option<Vec<VarId>> {
    let outer = fg.op_as::<DimShuffle>(node)?.clone();
    let mid = fg.node_inputs(node)[0];
    let inner = fg.producer_as::<DimShuffle>(mid)?.clone();
    let x = fg.node_inputs(mid.node)[0];
    let pattern: Vec<Option<usize>> = outer
        .pattern
        .iter()
        .map(|a| a.and_then(|j| inner.pattern[j]))
        .collect();
    let composed = DimShuffle {
        input_ndim: inner.input_ndim,
        pattern,
    };
    if is_identity(&composed) {
        return if_same_type(fg, node.out(0), x);
    }
    let shuffled = fg.apply1(composed, &[x]).ok()?;
    if_same_type(fg, node.out(0), shuffled)
}
