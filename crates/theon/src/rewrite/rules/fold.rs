//! Merge (common subexpressions and identical constants) and constant
//! folding.

use super::super::engine::{Rule, Tracks};
use super::super::fgraph::{FunctionGraph, NodeId, VarId};
use super::super::profile::CompileProfile;
use crate::graph::{NodeKind, PerformCtx, TensorType};
use crate::tensor::Tensor;
use std::collections::HashMap;

/// Tags of the merge pass and rule.
pub const MERGE_TAGS: &[&str] = &["merge", "fast_run", "fast_compile"];

/// Folding never makes a constant bigger than this many elements, unless
/// an input constant is already that big (so `fill` of a huge shape stays
/// a computation instead of becoming a huge constant).
const MAX_FOLDED_SIZE: usize = 1 << 16;

/// Global merge: identical constants become one node; then, in topological
/// order, each node equal to an earlier one (equal op, same inputs) is
/// replaced by it. One pass with a table of representatives, so linear in
/// the graph size. Returns the number of nodes merged.
pub fn merge_pass(fg: &mut FunctionGraph, profile: &mut CompileProfile) -> usize {
    let mut merged = 0;
    let constants: Vec<NodeId> = fg
        .node_ids()
        .filter(|&id| matches!(fg.node(id).kind, NodeKind::Constant(_)))
        .collect();
    let nodes: Vec<NodeId> = constants.into_iter().chain(fg.toposort()).collect();
    let mut representatives: HashMap<u64, Vec<NodeId>> = HashMap::new();
    fg.checkpoint();
    for id in nodes {
        if !fg.is_alive(id) {
            continue;
        }
        let Some(key) = fg.merge_key(id) else {
            continue;
        };
        let list = representatives.entry(key).or_default();
        let found = list
            .iter()
            .copied()
            .find(|&r| fg.is_alive(r) && fg.nodes_equal(r, id));
        let Some(keep) = found else {
            list.push(id);
            continue;
        };
        {
            let pairs: Vec<(VarId, VarId)> = fg
                .node_outputs(id)
                .into_iter()
                .zip(fg.node_outputs(keep))
                .collect();
            match fg.replace_all(&pairs, "merge") {
                Ok(()) => merged += 1,
                Err(e) => profile.fail("merge", e.to_string()),
            }
        }
    }
    merged
}

/// Local merge: a node whose inputs became equal to those of an earlier
/// equal node is replaced by that node.
pub fn merge_node() -> Rule {
    Rule::new("merge_node", MERGE_TAGS, Tracks::Any, |fg, node| {
        fg.equal_node(node).map(|keep| fg.node_outputs(keep))
    })
}

/// Constant folding: a node whose inputs are all constants is computed now
/// with its op's reference `perform`. Ops that write into inputs are left
/// alone; an op that fails on the values is left to fail at run time.
pub fn constant_folding() -> Rule {
    Rule::new(
        "constant_folding",
        &[
            "constant_folding",
            "canonicalize",
            "fast_run",
            "fast_compile",
        ],
        Tracks::Any,
        fold,
    )
}

fn fold(fg: &mut FunctionGraph, node: NodeId) -> Option<Vec<VarId>> {
    let inputs = fg.node_inputs(node).to_vec();
    if inputs.is_empty() {
        return None;
    }
    let values: Vec<Tensor> = inputs
        .iter()
        .map(|&v| fg.constant_value(v).cloned())
        .collect::<Option<_>>()?;
    let op = fg.op(node)?.clone();
    if !op.destroy_map().is_empty() {
        return None;
    }
    let input_types: Vec<TensorType> = inputs.iter().map(|&v| fg.ty(v).clone()).collect();
    let output_types = fg.node(node).types.clone();
    let ctx = PerformCtx {
        input_types: &input_types,
        output_types: &output_types,
    };
    let outs = op.perform(&values, &ctx).ok()?;
    let limit = values
        .iter()
        .map(Tensor::size)
        .max()
        .unwrap_or(0)
        .max(MAX_FOLDED_SIZE);
    if outs.len() != output_types.len() || outs.iter().any(|t| t.size() > limit) {
        return None;
    }
    for (t, ty) in outs.iter().zip(&output_types) {
        ty.check_value(t, "constant_folding", "output").ok()?;
    }
    Some(
        outs.into_iter()
            .map(|t| fg.constant(t.contiguous()))
            .collect(),
    )
}
