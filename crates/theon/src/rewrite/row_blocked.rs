//! One pass over the rows: a product that reduces over rows, `dot(Xᵀ, G)`
//! (or its `Gemm` form, or a float sum over axis 0), whose row operands
//! are computed from row-indexed inputs through row-local ops only
//! (`rewrite::row_local`), becomes one `RowBlocked` node together with
//! those ops. Its kernel runs the inner graph block of rows by block of
//! rows, so a large `X` is read from memory once, its block reused from
//! cache by every product that reads it (the logistic-regression step's
//! `X·W` and `Xᵀ·G`).
//!
//! Regions grow upwards from each row reduction; regions that share a
//! node or a row-split input merge (the loss, `sum(G, 0)` and `Xᵀ·G`
//! of one step become one node). A region is refused when an input used
//! whole depends on the split data (`G = X - mean(X, 0)`, or a transpose
//! of `X` used as a whole operand: `X` would be read twice anyway), when a
//! split input depends on another one, when an input depends on the
//! region itself, or when it would not save memory traffic: it needs a
//! product among its reductions and a split input read by two of its
//! nodes (a sum of an elementwise chain is left to `fused_reduce`).

use super::fgraph::{Client, FunctionGraph, NodeId, VarId};
use super::profile::CompileProfile;
use super::row_local::{row_local, row_sum, transposed_rows};
use crate::error::Result;
use crate::graph::{NodeKind, Var};
use crate::ops::control::{RowBlocked, RowInput, RowOutput};
use crate::ops::elemwise::{BinaryOp, Elemwise, ScalarOp};
use crate::ops::products::{Dot, Einsum, Gemm};
use crate::ops::shape::{Shape, ShapeI};
use indexmap::{IndexMap, IndexSet};
use std::sync::Arc;

/// Nodes and boundary of one candidate region.
#[derive(Default)]
struct Region {
    /// The row reductions (their outputs become `Sum` outputs).
    reducers: IndexSet<NodeId>,
    /// Transposes `Aᵀ` read by reductions (rebuilt inside, kept outside).
    transposes: IndexSet<NodeId>,
    /// Row-local nodes.
    local: IndexSet<NodeId>,
    /// Row-indexed variables produced outside: split by rows.
    split: IndexSet<VarId>,
    /// Variables used whole.
    whole: IndexSet<VarId>,
}

impl Region {
    fn contains(&self, id: NodeId) -> bool {
        self.reducers.contains(&id) || self.transposes.contains(&id) || self.local.contains(&id)
    }

    fn overlaps(&self, other: &Region) -> bool {
        other.local.iter().any(|n| self.local.contains(n))
            || other.split.iter().any(|v| self.split.contains(v))
    }

    fn absorb(&mut self, other: Region) {
        self.reducers.extend(other.reducers);
        self.transposes.extend(other.transposes);
        self.local.extend(other.local);
        self.split.extend(other.split);
        self.whole.extend(other.whole);
    }
}

/// Builds a `RowBlocked` node for every eligible region; returns how many.
pub fn row_blocked_pass(fg: &mut FunctionGraph, profile: &mut CompileProfile) -> usize {
    let mut groups: Vec<Region> = Vec::new();
    for id in fg.toposort() {
        let Some(mut region) = grow(fg, id) else {
            continue;
        };
        // Merge every earlier group this region touches (again after each
        // merge: the region grew).
        while let Some(i) = groups.iter().position(|g| g.overlaps(&region)) {
            region.absorb(groups.remove(i));
        }
        groups.push(region);
    }
    let mut built = 0;
    for region in groups {
        if !eligible(fg, &region) {
            continue;
        }
        match build(fg, &region) {
            Ok(true) => built += 1,
            Ok(false) => {}
            Err(e) => profile.fail("row_blocked", e.to_string()),
        }
    }
    built
}

/// The region under the row reduction `id`, if it is one.
fn grow(fg: &FunctionGraph, id: NodeId) -> Option<Region> {
    let rows = row_sum(fg, id)?;
    let mut region = Region::default();
    region.reducers.insert(id);
    let is_gemm = fg.op_as::<Gemm>(id).is_some();
    let mut stack = Vec::new();
    for (&input, &carries) in fg.node_inputs(id).iter().zip(&rows) {
        if !carries {
            // Gemm's z, alpha and beta are applied outside.
            if !is_gemm {
                region.whole.insert(input);
            }
        } else if let Some(a) = transposed_rows(fg, input) {
            region.transposes.insert(input.node);
            stack.push(a);
        } else {
            stack.push(input);
        }
    }
    while let Some(v) = stack.pop() {
        let producer = v.node;
        if region.local.contains(&producer) || region.split.contains(&v) {
            continue;
        }
        let local = match fg.node(producer).kind {
            NodeKind::Apply(_) if !region.transposes.contains(&producer) => row_local(fg, producer),
            _ => None,
        };
        let Some(rows) = local else {
            region.split.insert(v);
            continue;
        };
        region.local.insert(producer);
        for (&input, &carries) in fg.node_inputs(producer).iter().zip(&rows) {
            if carries {
                stack.push(input);
            } else {
                region.whole.insert(input);
            }
        }
    }
    Some(region)
}

/// The checks of the module docs.
fn eligible(fg: &FunctionGraph, region: &Region) -> bool {
    if region.local.is_empty() || region.split.is_empty() || !pays(fg, region) {
        return false;
    }
    let outputs: Vec<VarId> = (region.local.iter())
        .chain(&region.reducers)
        .chain(&region.transposes)
        .flat_map(|&n| fg.node_outputs(n))
        .collect();
    let downstream = closure(fg, &outputs, false);
    let boundary = || region.split.iter().chain(&region.whole);
    if boundary().any(|v| downstream.contains(v)) {
        return false;
    }
    let splits: Vec<VarId> = region.split.iter().copied().collect();
    let from_data = closure(fg, &splits, true);
    if region.whole.iter().any(|v| from_data.contains(v)) {
        return false;
    }
    splits.iter().all(|&s| {
        let others: Vec<VarId> = splits.iter().copied().filter(|&o| o != s).collect();
        !closure(fg, &others, true).contains(&s)
    })
}

/// Whether blocking saves memory traffic: a product reduces over the rows
/// and some split input is read by two nodes of the region (a block read
/// once, reused from cache). A sum of an elementwise chain alone gains
/// nothing over the fused sum.
fn pays(fg: &FunctionGraph, region: &Region) -> bool {
    let product = region.reducers.iter().any(|&r| {
        fg.op_as::<Dot>(r).is_some()
            || fg.op_as::<Gemm>(r).is_some()
            || fg.op_as::<Einsum>(r).is_some()
    });
    let reread = region.split.iter().any(|&v| {
        let readers: IndexSet<NodeId> = (fg.clients(v).iter())
            .filter_map(|c| match *c {
                Client::Node(n, _) if region.contains(n) => Some(n),
                _ => None,
            })
            .collect();
        readers.len() >= 2
    });
    product && reread
}

/// Every variable computed from `roots` (roots included); with
/// `data_only`, not through `shape`/`shape_i` (which read no values).
fn closure(fg: &FunctionGraph, roots: &[VarId], data_only: bool) -> IndexSet<VarId> {
    let mut seen: IndexSet<VarId> = roots.iter().copied().collect();
    let mut stack: Vec<VarId> = roots.to_vec();
    while let Some(v) = stack.pop() {
        for client in fg.clients(v) {
            let Client::Node(n, _) = *client else {
                continue;
            };
            let shape_only = fg.op_as::<Shape>(n).is_some() || fg.op_as::<ShapeI>(n).is_some();
            if data_only && shape_only {
                continue;
            }
            for out in fg.node_outputs(n) {
                if seen.insert(out) {
                    stack.push(out);
                }
            }
        }
    }
    seen
}

/// Row-indexed variables of the region read outside it.
fn concat_outputs(fg: &FunctionGraph, region: &Region) -> Vec<VarId> {
    let mut outs = Vec::new();
    for id in fg.toposort() {
        if !region.local.contains(&id) {
            continue;
        }
        for v in fg.node_outputs(id) {
            let outside = fg.clients(v).iter().any(|c| match *c {
                Client::Node(n, _) => !region.contains(n),
                Client::Output(_) => true,
            });
            if outside {
                outs.push(v);
            }
        }
    }
    outs
}

/// The region rebuilt as an inner graph over placeholders.
struct Inner {
    /// Placeholders and how each is given, in input order.
    inputs: Vec<(Var, RowInput)>,
    /// The outer variable behind each placeholder.
    outer_inputs: Vec<VarId>,
    /// Each row sum: the reduction node and its inner value.
    sums: Vec<(NodeId, Var)>,
    /// Each row-indexed value read outside: outer variable, inner value.
    rows: Vec<(VarId, Var)>,
}

/// Rebuilds the region's nodes over placeholders (split ones with axis 0
/// unknown; constants stay constants). A `Gemm` row sum becomes its bare
/// product, its scaling stays outside.
fn inner_graph(fg: &FunctionGraph, region: &Region) -> Result<Inner> {
    let mut map: IndexMap<VarId, Var> = IndexMap::new();
    let mut inputs = Vec::new();
    let mut outer_inputs = Vec::new();
    let given = (region.split.iter().map(|&v| (v, RowInput::Split)))
        .chain(region.whole.iter().map(|&v| (v, RowInput::Whole)));
    for (v, kind) in given {
        if let (RowInput::Whole, Some(value)) = (kind, fg.constant_value(v)) {
            map.insert(v, Var::constant(value.clone()));
            continue;
        }
        let mut ty = fg.ty(v).clone();
        if kind == RowInput::Split {
            ty.shape[0] = None;
        }
        let holder = Var::input(&fg.label(v), ty);
        map.insert(v, holder.clone());
        inputs.push((holder, kind));
        outer_inputs.push(v);
    }
    let mut sums = Vec::new();
    for id in fg.toposort().into_iter().filter(|&id| region.contains(id)) {
        let node = fg.node(id);
        let site = node.site.clone();
        let reducer = region.reducers.contains(&id);
        if reducer && fg.op_as::<Gemm>(id).is_some() {
            // Only the product's operands are inside; z, alpha, beta stay out
            // (a row-local gemm, `x·w - t`, is rebuilt whole like any op).
            let operands = [map[&node.inputs[2]].clone(), map[&node.inputs[3]].clone()];
            let product = Var::apply_arc(Arc::new(Dot), &operands, site)?;
            sums.push((id, product[0].clone()));
            continue;
        }
        let ins: Vec<Var> = node.inputs.iter().map(|v| map[v].clone()).collect();
        let op = node.op().expect("region nodes are apply nodes").clone();
        let outs = Var::apply_arc(op, &ins, site)?;
        if reducer {
            sums.push((id, outs[0].clone()));
        }
        for (k, o) in outs.into_iter().enumerate() {
            map.insert(id.out(k), o);
        }
    }
    let rows = (concat_outputs(fg, region).into_iter())
        .map(|v| (v, map[&v].clone()))
        .collect();
    Ok(Inner {
        inputs,
        outer_inputs,
        sums,
        rows,
    })
}

/// Builds the node and its replacements; `Ok(false)` if a type refuses.
fn build(fg: &mut FunctionGraph, region: &Region) -> Result<bool> {
    let inner = inner_graph(fg, region)?;
    let outputs: Vec<(Var, RowOutput)> = (inner.sums.iter())
        .map(|(_, v)| (v.clone(), RowOutput::Sum))
        .chain(
            inner
                .rows
                .iter()
                .map(|(_, v)| (v.clone(), RowOutput::Concat)),
        )
        .collect();
    let op = RowBlocked::new(&inner.inputs, &outputs)?;
    fg.current_site = Some(fg.node(inner.sums[0].0).site.clone());
    let checkpoint = fg.checkpoint();
    let new = fg.apply(Arc::new(op), &inner.outer_inputs)?;
    let mut pairs = Vec::new();
    for (&(reducer, _), &value) in inner.sums.iter().zip(&new) {
        let replacement = if fg.op_as::<Gemm>(reducer).is_some() {
            gemm_outside(fg, reducer, value)?
        } else {
            value
        };
        pairs.push((reducer.out(0), replacement));
    }
    for (&(v, _), &value) in inner.rows.iter().zip(&new[inner.sums.len()..]) {
        pairs.push((v, value));
    }
    if pairs
        .iter()
        .any(|&(old, new)| !fg.ty(old).accepts(fg.ty(new)))
    {
        fg.prune_orphans_since(checkpoint);
        return Ok(false);
    }
    fg.replace_all(&pairs, "row_blocked")?;
    Ok(true)
}

/// `beta*z + alpha*product` for the `Gemm` node `gemm` (z left out for a
/// constant beta of 0, as BLAS does not read it then).
fn gemm_outside(fg: &mut FunctionGraph, gemm: NodeId, product: VarId) -> Result<VarId> {
    let ins = fg.node_inputs(gemm).to_vec();
    let (z, alpha, beta) = (ins[0], ins[1], ins[4]);
    let op = |b: BinaryOp| Elemwise::new(ScalarOp::Binary(b));
    let scaled = fg.apply1(op(BinaryOp::Mul), &[alpha, product])?;
    let beta_value = fg.constant_value(beta).map(|t| t.item().as_f64());
    match beta_value {
        Some(0.0) => Ok(scaled),
        Some(1.0) => fg.apply1(op(BinaryOp::Add), &[z, scaled]),
        _ => {
            let kept = fg.apply1(op(BinaryOp::Mul), &[beta, z])?;
            fg.apply1(op(BinaryOp::Add), &[kept, scaled])
        }
    }
}
