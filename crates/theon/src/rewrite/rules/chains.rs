//! Add and mul chains: `(c1 + x) + (y + c2)` becomes `(x + y) + (c1 + c2)`
//! with the terms in one canonical order and the constants collected into
//! one (dropped when it is 0 for add, 1 for mul, and does not broadcast).
//!
//! Only inner nodes of the chain's own dtype with no other client are
//! flattened, and every term must already have that dtype: then the
//! rebuilt chain computes in the same dtype as before (integer wrapping is
//! associative; float sums are reassociated, as Theano does).

use super::super::engine::{Rule, Tracks};
use super::super::fgraph::{Client, FunctionGraph, NodeId, VarId};
use super::{elemwise, if_same_type, scalar_op, CANON};
use crate::graph::{Op, PerformCtx};
use crate::ops::elemwise::{BinaryOp, Elemwise, ScalarOp};
use crate::tensor::Tensor;

pub fn rules() -> Vec<Rule> {
    vec![
        Rule::new(
            "add_chain",
            CANON,
            Tracks::Scalar(ScalarOp::Binary(BinaryOp::Add)),
            |fg, n| canonical_chain(fg, n, BinaryOp::Add),
        ),
        Rule::new(
            "mul_chain",
            CANON,
            Tracks::Scalar(ScalarOp::Binary(BinaryOp::Mul)),
            |fg, n| canonical_chain(fg, n, BinaryOp::Mul),
        ),
    ]
}

/// Whether `v` is an inner link of a chain rooted elsewhere: the same op,
/// the same dtype, and read only by one node.
fn is_inner_link(fg: &FunctionGraph, v: VarId, op: BinaryOp, dtype: crate::DType) -> bool {
    scalar_op(fg, v) == Some(ScalarOp::Binary(op))
        && fg.ty(v).dtype == dtype
        && matches!(fg.clients(v), [Client::Node(..)])
}

/// The chain's terms, left to right.
fn collect_terms(fg: &FunctionGraph, root: VarId, op: BinaryOp) -> Vec<VarId> {
    let dtype = fg.ty(root).dtype;
    let mut terms = Vec::new();
    let mut stack = vec![fg.node_inputs(root.node)[1], fg.node_inputs(root.node)[0]];
    while let Some(v) = stack.pop() {
        if is_inner_link(fg, v, op, dtype) {
            let ins = fg.node_inputs(v.node);
            stack.push(ins[1]);
            stack.push(ins[0]);
        } else {
            terms.push(v);
        }
    }
    terms
}

/// The terms of the existing left spine `((t0 op t1) op t2) ...`.
fn left_spine(fg: &FunctionGraph, root: VarId, op: BinaryOp) -> Vec<VarId> {
    let dtype = fg.ty(root).dtype;
    let mut spine = Vec::new();
    let mut v = root;
    loop {
        let ins = fg.node_inputs(v.node);
        spine.push(ins[1]);
        if is_inner_link(fg, ins[0], op, dtype) {
            v = ins[0];
        } else {
            spine.push(ins[0]);
            break;
        }
    }
    spine.reverse();
    spine
}

/// Combines constant terms into one, computed in `dtype`.
fn combine_constants(values: &[Tensor], op: BinaryOp, dtype: crate::DType) -> Option<Tensor> {
    let elem = Elemwise::new(ScalarOp::Binary(op));
    let mut acc = values.first()?.cast(dtype);
    for v in &values[1..] {
        let v = v.cast(dtype);
        let types = [
            crate::graph::TensorType::known(dtype, acc.shape()),
            crate::graph::TensorType::known(dtype, v.shape()),
        ];
        let out_types = elem.output_types(&types).ok()?;
        let ctx = PerformCtx {
            input_types: &types,
            output_types: &out_types,
        };
        acc = elem.perform(&[acc, v], &ctx).ok()?.pop()?;
    }
    Some(acc)
}

fn canonical_chain(fg: &mut FunctionGraph, node: NodeId, op: BinaryOp) -> Option<Vec<VarId>> {
    let root = node.out(0);
    let dtype = fg.ty(root).dtype;
    let terms = collect_terms(fg, root, op);
    let (consts, mut vars): (Vec<VarId>, Vec<VarId>) =
        terms.iter().partition(|v| fg.constant_value(**v).is_some());
    if vars.iter().any(|v| fg.ty(*v).dtype != dtype) {
        return None;
    }
    vars.sort();
    let constant = match consts.as_slice() {
        [] => None,
        [one] => Some(*one),
        many => {
            let values: Vec<Tensor> = many
                .iter()
                .map(|v| fg.constant_value(*v).expect("constant").clone())
                .collect();
            Some(fg.constant(combine_constants(&values, op, dtype)?))
        }
    };
    let mut canonical = vars.clone();
    canonical.extend(constant);
    let already_canonical = canonical == left_spine(fg, root, op);
    let build = |fg: &mut FunctionGraph, terms: &[VarId]| -> Option<VarId> {
        let mut acc = *terms.first()?;
        for &t in &terms[1..] {
            acc = elemwise(fg, ScalarOp::Binary(op), &[acc, t])?;
        }
        Some(acc)
    };
    if is_neutral(fg, constant, op) && !vars.is_empty() {
        let without = build(fg, &vars)?;
        if let Some(new) = if_same_type(fg, root, without) {
            return Some(new);
        }
    }
    if already_canonical {
        return None;
    }
    let rebuilt = build(fg, &canonical)?;
    if_same_type(fg, root, rebuilt)
}

/// Whether the collected constant is the identity of `op` (0 for add, 1
/// for mul).
fn is_neutral(fg: &FunctionGraph, constant: Option<VarId>, op: BinaryOp) -> bool {
    let neutral = if op == BinaryOp::Add { 0.0 } else { 1.0 };
    constant.is_some_and(|c| super::super::pattern::constant_equals(fg, c, neutral))
}
