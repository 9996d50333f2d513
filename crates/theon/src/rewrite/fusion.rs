//! Elementwise fusion: maximal trees of elementwise ops (`Elemwise`, casts
//! and earlier `Composite`s included, with broadcasting) become one
//! `Composite` node, so a backend can run them in one pass over memory.
//!
//! Rules that keep fusion from adding work:
//! - a node joins a tree only when every client of its output is in the
//!   tree (a value another node also reads is computed once, outside);
//! - a node whose output is broadcast inside the tree (lower rank, or a
//!   static 1 where the tree's output is larger) would be recomputed for
//!   every broadcast element, so it joins only if it is cheap (arithmetic,
//!   comparisons, casts; not transcendental functions).
//!
//! - a tree reads at most [`MAX_COMPOSITE_INPUTS`] distinct variables: the
//!   fused kernels take that many, and a wider composite (a sum of 100
//!   gradient terms in an unrolled loop) would fall back to the scalar
//!   reference kernel; such a tree is cut into several composites.
//!
//! Fusion stops at every op that is not elementwise. Trees are grown from
//! the outputs down, in one linear pass over the graph.

use super::fgraph::{Client, FunctionGraph, NodeId, VarId};
use super::profile::CompileProfile;
use crate::graph::TensorType;
use crate::ops::elemwise::{BinaryOp, Composite, CompositeNode, Elemwise, ScalarOp, UnaryOp};
use indexmap::IndexSet;
use std::collections::{HashMap, HashSet};

/// Most distinct variables one fused tree reads.
pub const MAX_COMPOSITE_INPUTS: usize = 64;

/// Fuses every elementwise tree of two or more nodes; returns how many
/// `Composite` nodes were built.
pub fn fusion_pass(fg: &mut FunctionGraph, profile: &mut CompileProfile) -> usize {
    let order = fg.toposort();
    let mut position = vec![usize::MAX; fg.arena_len()];
    for (i, id) in order.iter().enumerate() {
        position[id.0 as usize] = i;
    }
    let mut done = vec![false; fg.arena_len()];
    let mut fused = 0;
    for &root in order.iter().rev() {
        if done[root.0 as usize] || !fg.is_alive(root) || !is_fusable(fg, root) {
            continue;
        }
        let mut group = grow_tree(fg, root, &done);
        for g in &group {
            done[g.0 as usize] = true;
        }
        if group.len() < 2 {
            continue;
        }
        group.sort_by_key(|g| position[g.0 as usize]);
        let Some((op, inputs)) = build_composite(fg, &group) else {
            continue;
        };
        fg.current_site = Some(fg.node(root).site.clone());
        fg.checkpoint();
        let new = match fg.apply1(op, &inputs) {
            Ok(v) => v,
            Err(e) => {
                profile.fail("fusion", e.to_string());
                continue;
            }
        };
        if !fg.ty(root.out(0)).accepts(fg.ty(new)) {
            fg.prune_if_unused(new.node, "fusion");
            continue;
        }
        match fg.replace(root.out(0), new, "fusion") {
            Ok(()) => fused += 1,
            Err(e) => profile.fail("fusion", e.to_string()),
        }
    }
    fused
}

/// Elementwise nodes with one output.
fn is_fusable(fg: &FunctionGraph, id: NodeId) -> bool {
    fg.op_as::<Elemwise>(id).is_some()
        || fg
            .op_as::<Composite>(id)
            .is_some_and(|c| c.outputs.len() == 1)
}

/// Ops cheap enough to recompute for every element they are broadcast to.
fn is_cheap(fg: &FunctionGraph, id: NodeId) -> bool {
    use BinaryOp::*;
    use UnaryOp::*;
    match fg.op_as::<Elemwise>(id).map(|e| e.op) {
        Some(ScalarOp::Binary(b)) => !matches!(b, Pow | Arctan2 | Hypot | FloorDiv | Mod | TrueDiv),
        Some(ScalarOp::Unary(u)) => matches!(
            u,
            Neg | Abs | Sign | Sqr | Floor | Ceil | Trunc | IsNan | IsInf | LogicalNot | Invert
        ),
        Some(ScalarOp::Cast(_) | ScalarOp::Switch | ScalarOp::Clip) => true,
        None => false,
    }
}

/// Whether values of type `inner` are broadcast to reach shape `outer`.
fn is_broadcast_into(inner: &TensorType, outer: &TensorType) -> bool {
    let pad = outer.ndim() - inner.ndim().min(outer.ndim());
    pad > 0
        || inner
            .shape
            .iter()
            .zip(&outer.shape[pad..])
            .any(|(i, o)| *i == Some(1) && *o != Some(1))
}

/// The tree rooted at `root`: it grows into an input's producer once every
/// client of that input is in the tree (the last client to join re-offers
/// it, so the order of discovery does not matter).
fn grow_tree(fg: &FunctionGraph, root: NodeId, done: &[bool]) -> Vec<NodeId> {
    let root_type = fg.ty(root.out(0)).clone();
    let mut group = vec![root];
    let mut members: HashSet<NodeId> = HashSet::from([root]);
    let mut reads: IndexSet<VarId> = fg.node_inputs(root).iter().copied().collect();
    let mut stack: Vec<VarId> = fg.node_inputs(root).to_vec();
    while let Some(v) = stack.pop() {
        let p = v.node;
        if members.contains(&p) || done[p.0 as usize] || fg.op(p).is_none() || !is_fusable(fg, p) {
            continue;
        }
        let all_inside = fg
            .clients(v)
            .iter()
            .all(|c| matches!(c, Client::Node(n, _) if members.contains(n)));
        if !all_inside || (is_broadcast_into(fg.ty(v), &root_type) && !is_cheap(fg, p)) {
            continue;
        }
        let added = fg.node_inputs(p).iter().filter(|i| !reads.contains(*i));
        let new_reads = IndexSet::<VarId>::from_iter(added.copied()).len();
        if reads.len() - 1 + new_reads > MAX_COMPOSITE_INPUTS {
            continue;
        }
        reads.shift_remove(&v);
        reads.extend(fg.node_inputs(p).iter().copied());
        group.push(p);
        members.insert(p);
        stack.extend_from_slice(fg.node_inputs(p));
    }
    group
}

/// The composite computing `group` (sorted inputs-first; its last node is
/// the root) and the variables it reads.
fn build_composite(fg: &FunctionGraph, group: &[NodeId]) -> Option<(Composite, Vec<VarId>)> {
    let members: HashSet<NodeId> = group.iter().copied().collect();
    let mut inputs: Vec<VarId> = Vec::new();
    let mut value_of: HashMap<VarId, usize> = HashMap::new();
    for &g in group {
        for &v in fg.node_inputs(g) {
            if !members.contains(&v.node) && !value_of.contains_key(&v) {
                value_of.insert(v, inputs.len());
                inputs.push(v);
            }
        }
    }
    let n_in = inputs.len();
    let mut body: Vec<CompositeNode> = Vec::new();
    for &g in group {
        let args: Vec<usize> = fg.node_inputs(g).iter().map(|v| value_of[v]).collect();
        let value = if let Some(e) = fg.op_as::<Elemwise>(g) {
            body.push(CompositeNode {
                op: e.op,
                args,
                dtype: fg.ty(g.out(0)).dtype,
            });
            n_in + body.len() - 1
        } else {
            inline_composite(fg.op_as::<Composite>(g)?, &args, n_in, &mut body)
        };
        value_of.insert(g.out(0), value);
    }
    let root = *group.last()?;
    let dtypes = inputs.iter().map(|v| fg.ty(*v).dtype).collect();
    let op = Composite::new(dtypes, body, vec![value_of[&root.out(0)]]).ok()?;
    Some((op, inputs))
}

/// Appends a single-output composite's body (its inputs mapped to `args`)
/// and returns the value index of its output.
fn inline_composite(
    c: &Composite,
    args: &[usize],
    n_in: usize,
    body: &mut Vec<CompositeNode>,
) -> usize {
    let mut local: Vec<usize> = args.to_vec();
    for node in &c.body {
        body.push(CompositeNode {
            op: node.op,
            args: node.args.iter().map(|&a| local[a]).collect(),
            dtype: node.dtype,
        });
        local.push(n_in + body.len() - 1);
    }
    local[c.outputs[0]]
}
