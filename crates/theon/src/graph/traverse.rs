//! Graph walks: topological order, the leaves a set of outputs depends on,
//! and `clone_replace` (rebuild a graph with some variables substituted, the
//! basis of `givens`).

use super::{Node, Var};
use crate::error::{Error, Result};
use indexmap::{IndexMap, IndexSet};
use std::sync::Arc;

/// Every node the outputs depend on, inputs before users, in a
/// deterministic order (depth-first, inputs left to right).
pub fn toposort(outputs: &[Var]) -> Vec<Arc<Node>> {
    let mut order = Vec::new();
    let mut done: IndexSet<u64> = IndexSet::new();
    let mut stack: Vec<(Arc<Node>, bool)> = outputs
        .iter()
        .rev()
        .map(|v| (v.node().clone(), false))
        .collect();
    while let Some((node, expanded)) = stack.pop() {
        if done.contains(&node.id) {
            continue;
        }
        if expanded {
            done.insert(node.id);
            order.push(node);
            continue;
        }
        stack.push((node.clone(), true));
        for input in node.inputs.iter().rev() {
            if !done.contains(&input.node().id) {
                stack.push((input.node().clone(), false));
            }
        }
    }
    order
}

/// The leaves (inputs, constants, shared variables) the outputs depend on.
pub fn graph_leaves(outputs: &[Var]) -> Vec<Var> {
    toposort(outputs)
        .into_iter()
        .filter(|n| n.is_leaf())
        .map(|n| n.outputs()[0].clone())
        .collect()
}

/// The free inputs (neither constant nor shared) the outputs depend on.
pub fn graph_inputs(outputs: &[Var]) -> Vec<Var> {
    graph_leaves(outputs)
        .into_iter()
        .filter(Var::is_input)
        .collect()
}

/// True when `target` is among the ancestors of (or equal to) any output.
pub fn depends_on(outputs: &[Var], target: &Var) -> bool {
    toposort(outputs).iter().any(|n| n.id == target.node().id)
}

/// Rebuilds `outputs` with each `(old, new)` replacement substituted.
/// Nodes that do not depend on a replaced variable are reused as they are.
/// A replacement must have a type compatible with the variable it replaces.
pub fn clone_replace(outputs: &[Var], replacements: &[(Var, Var)]) -> Result<Vec<Var>> {
    let mut map: IndexMap<(u64, usize), Var> = IndexMap::new();
    for (old, new) in replacements {
        if old.ndim() != new.ndim() || old.dtype() != new.dtype() {
            return Err(Error::value(
                "clone_replace",
                format!(
                    "cannot replace {} ({}) by {} ({})",
                    old.label(),
                    old.ty(),
                    new.label(),
                    new.ty()
                ),
            ));
        }
        map.insert(old.key(), new.clone());
    }
    for node in toposort(outputs) {
        if node.is_leaf() || node.outputs().iter().any(|o| map.contains_key(&o.key())) {
            continue;
        }
        let inputs: Vec<Var> = node
            .inputs
            .iter()
            .map(|v| map.get(&v.key()).cloned().unwrap_or_else(|| v.clone()))
            .collect();
        if inputs.iter().zip(&node.inputs).all(|(a, b)| a == b) {
            continue;
        }
        let op = node.op().expect("non-leaf has an op").clone();
        let new_outputs = Var::apply_arc(op, &inputs, node.site.clone())?;
        for (old, new) in node.outputs().into_iter().zip(new_outputs) {
            if let Some(name) = old.name() {
                new.set_name(Some(name));
            }
            map.insert(old.key(), new);
        }
    }
    Ok(outputs
        .iter()
        .map(|v| map.get(&v.key()).cloned().unwrap_or_else(|| v.clone()))
        .collect())
}
