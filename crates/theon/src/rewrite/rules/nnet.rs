//! Stabilize rules for softmax and friends: `log(softmax(x))` ->
//! `log_softmax(x)`, softmax followed by a categorical cross-entropy (with
//! integer labels or dense one-hot rows) -> one `SoftmaxCrossentropy` op on
//! the logits, and `log(sum(exp(x)))` -> `LogSumExp`. Each replaces an
//! expression that overflows to `inf` for logits around ±1000 by one that
//! stays finite.

use super::super::engine::{Rule, Tracks};
use super::super::fgraph::{FunctionGraph, NodeId, VarId};
use super::super::pattern::is_commutative;
use super::{if_same_type, scalar_op};
use crate::ops::elemwise::{BinaryOp, ScalarOp, UnaryOp};
use crate::ops::nnet::{
    CrossentropyCategorical1Hot, LogSoftmax, Softmax, SoftmaxCrossentropy, Targets,
};
use crate::ops::reduce::{LogSumExp, Reduce, ReduceKind};

const TAGS: &[&str] = &["stabilize", "fast_run"];
const LOG: ScalarOp = ScalarOp::Unary(UnaryOp::Log);

/// The rules, most specific first.
pub fn rules() -> Vec<Rule> {
    vec![
        Rule::new(
            "softmax_crossentropy_labels",
            TAGS,
            Tracks::op::<CrossentropyCategorical1Hot>(),
            crossentropy_labels,
        ),
        Rule::new(
            "softmax_crossentropy_dense",
            TAGS,
            Tracks::Scalar(ScalarOp::Unary(UnaryOp::Neg)),
            crossentropy_dense,
        ),
        Rule::new("log_softmax", TAGS, Tracks::Scalar(LOG), log_softmax),
        Rule::new("logsumexp", TAGS, Tracks::Scalar(LOG), logsumexp),
    ]
}

/// `log(softmax(x, axis))` -> `log_softmax(x, axis)`.
fn log_softmax(fg: &mut FunctionGraph, node: NodeId) -> Option<Vec<VarId>> {
    let s = fg.node_inputs(node)[0];
    let axis = fg.producer_as::<Softmax>(s)?.axis;
    let x = fg.node_inputs(s.node)[0];
    let new = fg.apply1(LogSoftmax { axis }, &[x]).ok()?;
    if_same_type(fg, node.out(0), new)
}

/// The logits of a row-wise softmax of a matrix feeding `v`, if it is one.
fn softmax_logits(fg: &FunctionGraph, v: VarId) -> Option<VarId> {
    let axis = fg
        .producer_as::<Softmax>(v)
        .map(|s| s.axis)
        .or_else(|| fg.producer_as::<LogSoftmax>(v).map(|s| s.axis))?;
    let x = fg.node_inputs(v.node)[0];
    (axis == 1 && fg.ty(x).ndim() == 2).then_some(x)
}

/// `crossentropy_categorical_1hot(softmax(x), y)` -> `softmax_crossentropy(x, y)`.
fn crossentropy_labels(fg: &mut FunctionGraph, node: NodeId) -> Option<Vec<VarId>> {
    let (p, y) = (fg.node_inputs(node)[0], fg.node_inputs(node)[1]);
    fg.producer_as::<Softmax>(p)?;
    let x = softmax_logits(fg, p)?;
    let op = SoftmaxCrossentropy {
        targets: Targets::Labels,
    };
    let new = fg.apply1(op, &[x, y]).ok()?;
    if_same_type(fg, node.out(0), new)
}

/// The two inputs of a binary elementwise `op` producing `v`, in both
/// orders when it commutes.
fn operands(fg: &FunctionGraph, v: VarId, op: BinaryOp) -> Vec<(VarId, VarId)> {
    if scalar_op(fg, v) != Some(ScalarOp::Binary(op)) {
        return vec![];
    }
    let ins = fg.node_inputs(v.node);
    let mut pairs = vec![(ins[0], ins[1])];
    if is_commutative(ScalarOp::Binary(op)) {
        pairs.push((ins[1], ins[0]));
    }
    pairs
}

/// `-sum(t * log_softmax(x), axis=1)` (what `categorical_crossentropy`
/// of `softmax(x)` and dense targets becomes once `log_softmax` fired) ->
/// `softmax_crossentropy(x, t)`. `t` must have exactly `x`'s type (no
/// broadcasting), so both forms fail or succeed on the same inputs.
fn crossentropy_dense(fg: &mut FunctionGraph, node: NodeId) -> Option<Vec<VarId>> {
    let s = fg.node_inputs(node)[0];
    let r = fg.producer_as::<Reduce>(s)?;
    if r.kind != ReduceKind::Sum || r.axes != [1] || r.keepdims {
        return None;
    }
    let product = fg.node_inputs(s.node)[0];
    for (t, ls) in operands(fg, product, BinaryOp::Mul) {
        if fg.producer_as::<LogSoftmax>(ls).is_none() {
            continue;
        }
        let Some(x) = softmax_logits(fg, ls) else {
            continue;
        };
        if fg.ty(t) != fg.ty(x) {
            continue;
        }
        let op = SoftmaxCrossentropy {
            targets: Targets::Dense,
        };
        let new = fg.apply1(op, &[x, t]).ok()?;
        return if_same_type(fg, node.out(0), new);
    }
    None
}

/// `log(sum(exp(x), axes))` -> `logsumexp(x, axes)` for float `x` (the
/// max is subtracted before exponentiating).
fn logsumexp(fg: &mut FunctionGraph, node: NodeId) -> Option<Vec<VarId>> {
    let s = fg.node_inputs(node)[0];
    let r = fg.producer_as::<Reduce>(s)?.clone();
    let e = fg.node_inputs(s.node)[0];
    if r.kind != ReduceKind::Sum || scalar_op(fg, e) != Some(ScalarOp::Unary(UnaryOp::Exp)) {
        return None;
    }
    let x = fg.node_inputs(e.node)[0];
    let dtype = fg.ty(x).dtype;
    if !dtype.is_float() || fg.ty(e).dtype != dtype || fg.ty(node.out(0)).dtype != dtype {
        return None;
    }
    let op = LogSumExp {
        axes: r.axes,
        keepdims: r.keepdims,
    };
    let new = fg.apply1(op, &[x]).ok()?;
    if_same_type(fg, node.out(0), new)
}
