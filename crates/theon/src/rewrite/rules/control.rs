//! Rules for the control-flow ops: an `ifelse` whose condition is a
//! constant becomes the branch taken; an `OpFromGraph` marked `inline`
//! becomes its subgraph; a scan whose carry history nobody reads keeps
//! only the carry's window of recent states, and per-step outputs nobody
//! reads are no longer computed.

use super::super::engine::{Rule, Tracks};
use super::super::fgraph::{FunctionGraph, NodeId, VarId};
use crate::graph::{toposort, NodeKind, Var};
use crate::ops::control::scan::{Scan, ScanSpec};
use crate::ops::control::{Body, IfElse, OpFromGraph};
use std::collections::HashMap;
use std::sync::Arc;

pub fn rules() -> Vec<Rule> {
    vec![
        Rule::new(
            "ifelse_constant_cond",
            &["canonicalize", "fast_run", "fast_compile"],
            Tracks::op::<IfElse>(),
            ifelse_constant_cond,
        ),
        Rule::new(
            "inline_op_from_graph",
            &["canonicalize", "fast_run", "fast_compile"],
            Tracks::op::<OpFromGraph>(),
            inline_op_from_graph,
        ),
    ]
}

/// Rules of the specialize phase.
pub fn specialize_rules() -> Vec<Rule> {
    vec![
        Rule::new(
            "scan_drop_unused_history",
            &["specialize", "fast_run"],
            Tracks::op::<Scan>(),
            scan_drop_unused_history,
        ),
        Rule::new(
            "scan_drop_unused_writes",
            &["specialize", "fast_run"],
            Tracks::op::<Scan>(),
            scan_drop_unused_writes,
        ),
    ]
}

/// Copies `body`'s graph into `fg`, its inputs bound to `args`; returns its
/// outputs when each has a type the old outputs accept.
fn inline_body(
    fg: &mut FunctionGraph,
    node: NodeId,
    body: &Body,
    args: &[VarId],
) -> Option<Vec<VarId>> {
    let mut map: HashMap<(u64, usize), VarId> = body
        .inputs
        .iter()
        .map(Var::key)
        .zip(args.iter().copied())
        .collect();
    let saved_site = fg.current_site.clone();
    for n in toposort(&body.outputs) {
        let outs = n.outputs();
        if map.contains_key(&outs[0].key()) {
            continue;
        }
        match &n.kind {
            NodeKind::Constant(t) => {
                let c = fg.constant(t.clone());
                map.insert(outs[0].key(), c);
            }
            NodeKind::Apply(op) => {
                let ins: Option<Vec<VarId>> = n
                    .inputs
                    .iter()
                    .map(|v| map.get(&v.key()).copied())
                    .collect();
                fg.current_site = Some(n.site.clone());
                let new = fg.apply(op.clone(), &ins?);
                fg.current_site = saved_site.clone();
                for (o, v) in outs.iter().zip(new.ok()?) {
                    map.insert(o.key(), v);
                }
            }
            _ => return None,
        }
    }
    let result: Vec<VarId> = body
        .outputs
        .iter()
        .map(|v| map.get(&v.key()).copied())
        .collect::<Option<_>>()?;
    let olds = fg.node_outputs(node);
    olds.iter()
        .zip(&result)
        .all(|(&old, &new)| fg.ty(old).accepts(fg.ty(new)))
        .then_some(result)
}

/// `ifelse(constant, a, b)` -> the branch the constant selects.
fn ifelse_constant_cond(fg: &mut FunctionGraph, node: NodeId) -> Option<Vec<VarId>> {
    let op = fg.op_as::<IfElse>(node)?.clone();
    let inputs = fg.node_inputs(node).to_vec();
    let cond = fg.constant_value(inputs[0])?;
    if cond.size() != 1 {
        return None;
    }
    let body = op.branch(cond.item().as_bool()).clone();
    inline_body(fg, node, &body, &inputs[1..])
}

/// An `OpFromGraph` with `inline` -> its subgraph.
fn inline_op_from_graph(fg: &mut FunctionGraph, node: NodeId) -> Option<Vec<VarId>> {
    let op = fg.op_as::<OpFromGraph>(node)?.clone();
    if !op.inline {
        return None;
    }
    let inputs = fg.node_inputs(node).to_vec();
    inline_body(fg, node, &op.body, &inputs)
}

/// A scan carry keeps every state only if its history output is read.
fn scan_drop_unused_history(fg: &mut FunctionGraph, node: NodeId) -> Option<Vec<VarId>> {
    let op = fg.op_as::<Scan>(node)?.clone();
    let outputs = fg.node_outputs(node);
    let history = op.spec.split_outputs(&outputs).history.to_vec();
    let unused: Vec<bool> = history.iter().map(|&h| fg.clients(h).is_empty()).collect();
    let carries = op.spec.carries.iter().zip(&unused);
    if !carries.clone().any(|(c, &u)| c.history && u) {
        return None;
    }
    let mut spec: ScanSpec = (*op.spec).clone();
    for (c, &u) in spec.carries.iter_mut().zip(&unused) {
        c.history = c.history && !u;
    }
    let new_op = Scan {
        spec: Arc::new(spec),
        body: op.body.clone(),
    };
    let inputs = fg.node_inputs(node).to_vec();
    fg.apply(Arc::new(new_op), &inputs).ok()
}

/// A scan's write track whose outputs nobody reads is dropped from the
/// body (e.g. the gradients of sequences when only the parameters'
/// gradients are wanted); its outputs become empty tensors.
fn scan_drop_unused_writes(fg: &mut FunctionGraph, node: NodeId) -> Option<Vec<VarId>> {
    let op = fg.op_as::<Scan>(node)?.clone();
    let outputs = fg.node_outputs(node);
    let split = op.spec.split_outputs(&outputs);
    let unused: Vec<bool> = op
        .spec
        .writes
        .iter()
        .zip(&split.writes)
        .map(|(t, outs)| t.dropped.is_none() && outs.iter().all(|&o| fg.clients(o).is_empty()))
        .collect();
    if !unused.contains(&true) {
        return None;
    }
    let body_out = op.spec.split_inner_outputs(&op.body.outputs);
    let mut spec: ScanSpec = (*op.spec).clone();
    let mut kept: Vec<Var> = body_out.next.to_vec();
    for ((track, sources), &drop) in spec.writes.iter_mut().zip(&body_out.writes).zip(&unused) {
        if drop {
            track.dropped = Some(sources[0].ty().clone());
            track.offsets.clear();
        } else {
            kept.extend(sources.iter().cloned());
        }
    }
    kept.extend(body_out.until.cloned());
    let new_op = Scan {
        spec: Arc::new(spec),
        body: Body::new(op.body.inputs.clone(), kept, op.body.mode.clone()),
    };
    let inputs = fg.node_inputs(node).to_vec();
    fg.apply(Arc::new(new_op), &inputs).ok()
}
