//! Rules that move work out of scan loops:
//!
//! - `scan_hoist_invariants`: body values computed from the constants
//!   alone (`Uᵀ` in a backward body, `W·2`) are computed once, outside, and
//!   read as new constants — the loop-invariant code motion that `scan`'s
//!   builder does for forward bodies by construction, applied to every
//!   body (gradients and R-ops build theirs by differentiation).
//! - `scan_push_out_sequences`: values computed from sequences and
//!   constants alone that contain a product (`x_t·W`) are computed for all
//!   steps at once before the loop (one GEMM over `T·batch` rows) and read
//!   as new sequences. A scan with no recurrence at all (no carries, no
//!   `until`) whose outputs all lift is replaced by the lifted computation.
//! - `scan_sum_out`: a carry that only accumulates, `acc' = acc + term`
//!   (read by nothing else, its history unused: the constants' gradients
//!   in a backward loop), becomes `acc_0 + Σ_t term_t` computed after the
//!   loop; the per-step values `term` needs from the loop are written out
//!   as new per-step outputs. `Σ_t x_tᵀ·δ_t` is one GEMM.
//!
//! All three lift body values with [`Lifter`]; see its module for the ops
//! that lift. theon has no stateful ops today; random ops, when they land,
//! must not be hoisted (a sample per step is not loop-invariant).

use super::super::engine::{Rule, Tracks};
use super::super::fgraph::{FunctionGraph, NodeId, VarId};
use super::scan_graph::{conform, import, Rebuild};
use crate::error::Site;
use crate::graph::{clone_replace, toposort, NodeKind, TensorType, Var};
use crate::ops::control::body::dependents_of;
use crate::ops::control::scan::{
    backwards, stack_read, steps_of, Export, Lifted, Lifter, ReadPart, ReadTrack, Scan, ScanParts,
    SegLen, Segment, WritePart, WriteTrack,
};
use crate::ops::elemwise::{BinaryOp, Elemwise, ScalarOp};
use crate::ops::indexing::IndexItem;
use crate::ops::products::{Dot, Einsum};
use crate::ops::shape::try_flip;
use indexmap::{IndexMap, IndexSet};
use std::cell::RefCell;
use std::rc::Rc;

type Key = (u64, usize);

/// The rules, for the specialize phase (after the scan's unused outputs
/// are dropped, so accumulators without history are recognised).
pub fn rules() -> Vec<Rule> {
    let tags = &["specialize", "fast_run"];
    vec![
        Rule::new(
            "scan_hoist_invariants",
            tags,
            Tracks::op::<Scan>(),
            scan_hoist_invariants,
        ),
        Rule::new(
            "scan_push_out_sequences",
            tags,
            Tracks::op::<Scan>(),
            scan_push_out_sequences,
        ),
        Rule::new("scan_sum_out", tags, Tracks::op::<Scan>(), scan_sum_out),
    ]
}

/// The body's outputs in `parts` (carries' new states, write sources,
/// `until`).
fn body_outputs(parts: &ScanParts) -> Vec<Var> {
    let mut outs: Vec<Var> = parts.carries.iter().map(|c| c.next.clone()).collect();
    for w in &parts.writes {
        outs.extend(w.sources.iter().cloned());
    }
    outs.extend(parts.until.iter().cloned());
    outs
}

/// Replaces the body's outputs in `parts` by `outs` (same layout).
fn set_body_outputs(parts: &mut ScanParts, outs: Vec<Var>) {
    let mut it = outs.into_iter();
    for c in &mut parts.carries {
        c.next = it.next().expect("one per carry");
    }
    for w in &mut parts.writes {
        for s in &mut w.sources {
            *s = it.next().expect("one per source");
        }
    }
    if let Some(u) = &mut parts.until {
        *u = it.next().expect("until");
    }
}

/// Substitutes `pairs` (body value -> new placeholder) in the body.
fn substitute_body(parts: &mut ScanParts, pairs: &[(Var, Var)]) -> Option<()> {
    let outs = body_outputs(parts);
    let new = clone_replace(&outs, pairs).ok()?;
    set_body_outputs(parts, new);
    Some(())
}

/// Keys of body variables read by each apply node, and the body outputs.
fn uses(outs: &[Var]) -> IndexMap<Key, usize> {
    let mut count: IndexMap<Key, usize> = IndexMap::new();
    for n in toposort(outs) {
        for i in &n.inputs {
            *count.entry(i.key()).or_default() += 1;
        }
    }
    for o in outs {
        *count.entry(o.key()).or_default() += 1;
    }
    count
}

/// Apply-node outputs in `inside` that a node outside it (or the body's
/// outputs) reads: the frontier of a region of the body.
fn frontier(outs: &[Var], inside: &IndexSet<Key>) -> Vec<Var> {
    let mut found: IndexMap<Key, Var> = IndexMap::new();
    for n in toposort(outs) {
        if n.outputs().iter().any(|o| inside.contains(&o.key())) {
            continue;
        }
        for i in n.inputs.iter().filter(|i| inside.contains(&i.key())) {
            found.entry(i.key()).or_insert_with(|| i.clone());
        }
    }
    for o in outs.iter().filter(|o| inside.contains(&o.key())) {
        found.entry(o.key()).or_insert_with(|| o.clone());
    }
    found
        .into_values()
        .filter(|v| matches!(v.node().kind, NodeKind::Apply(_)))
        .collect()
}

/// Keys of body values computed from `roots` and constants alone (apply
/// nodes reading at least one root-derived value).
fn computed_from(outs: &[Var], roots: &[Var]) -> IndexSet<Key> {
    let mut from_roots: IndexSet<Key> = roots.iter().map(Var::key).collect();
    let mut constant: IndexSet<Key> = IndexSet::new();
    for n in toposort(outs) {
        let keys = n.outputs().iter().map(Var::key).collect::<Vec<_>>();
        match n.kind {
            NodeKind::Constant(_) => constant.extend(keys),
            NodeKind::Apply(_) => {
                let known = |i: &Var| from_roots.contains(&i.key()) || constant.contains(&i.key());
                if !n.inputs.iter().all(known) {
                    continue;
                }
                if n.inputs.iter().any(|i| from_roots.contains(&i.key())) {
                    from_roots.extend(keys);
                } else {
                    constant.extend(keys);
                }
            }
            _ => {}
        }
    }
    for r in roots {
        from_roots.shift_remove(&r.key());
    }
    from_roots
}

/// Whether the subgraph computing `v` (down to `stop`) contains a product.
fn has_product(v: &Var, stop: &IndexSet<Key>) -> bool {
    let mut stack = vec![v.clone()];
    let mut seen: IndexSet<Key> = IndexSet::new();
    while let Some(x) = stack.pop() {
        if !seen.insert(x.key()) || stop.contains(&x.key()) {
            continue;
        }
        if let Some(op) = x.op() {
            if op.as_any().is::<Dot>() || op.as_any().is::<Einsum>() {
                return true;
            }
            stack.extend(x.inputs().iter().cloned());
        }
    }
    false
}

/// What becomes of an old carry's final state: carry `c` of the new
/// scan, or an outer value computed from `stand_ins`.
enum Last {
    Carry(usize),
    Outer(Var),
}

/// Applies the rebuilt parts and maps the old node's outputs to the new
/// ones: carries as `lasts` say (a carry computed outside must have no
/// reader of its history), old write tracks keep their indices, and each
/// stand-in `(var, w)` in the outer values is write track `w`'s output.
fn finish(
    fg: &mut FunctionGraph,
    node: NodeId,
    mut rb: Rebuild,
    lasts: Vec<Last>,
    stand_ins: &[(Var, usize)],
) -> Option<Vec<VarId>> {
    let spec = rb.op.spec.clone();
    let old = fg.node_outputs(node);
    let old_split = spec.split_outputs(&old);
    for (c, last) in lasts.iter().enumerate() {
        if matches!(last, Last::Outer(_)) && !fg.clients(old_split.history[c]).is_empty() {
            return None;
        }
    }
    let applied = std::mem::replace(&mut rb.parts, ScanParts::new("", None))
        .apply(Site::caller())
        .ok()?;
    let pairs: Vec<(Var, Var)> = stand_ins
        .iter()
        .map(|(v, w)| (v.clone(), applied.write(*w, 0)))
        .collect();
    let mut new_vars: Vec<Var> = Vec::new();
    for last in &lasts {
        new_vars.push(match last {
            Last::Carry(c) => applied.last(*c),
            Last::Outer(v) => clone_replace(std::slice::from_ref(v), &pairs)
                .ok()?
                .remove(0),
        });
    }
    for last in &lasts {
        if let Last::Carry(c) = last {
            new_vars.push(applied.history(*c));
        }
    }
    for (w, track) in spec.writes.iter().enumerate() {
        for s in 0..track.segments.len() {
            new_vars.push(applied.write(w, s));
        }
    }
    new_vars.push(applied.steps());
    let mut imported = rb.import(fg, &new_vars)?.into_iter();
    let mut result = Vec::with_capacity(old.len());
    for &old_last in old_split.last {
        result.push(conform_id(fg, old_last, imported.next()?)?);
    }
    for (c, last) in lasts.iter().enumerate() {
        result.push(match last {
            Last::Carry(_) => imported.next()?,
            Last::Outer(_) => old_split.history[c],
        });
    }
    for segs in &old_split.writes {
        for _ in segs.iter() {
            result.push(imported.next()?);
        }
    }
    result.push(imported.next()?);
    Some(result)
}

/// `new` when its type fits `old`'s.
fn conform_id(fg: &FunctionGraph, old: VarId, new: VarId) -> Option<VarId> {
    fg.ty(old).accepts(fg.ty(new)).then_some(new)
}

/// A per-step output track: row `j` is step `j`'s value (step `T-1-j`'s
/// when `backwards`).
fn plain_write(name: &str, source: &Var, backwards: bool) -> WritePart {
    WritePart {
        track: WriteTrack {
            name: name.to_string(),
            offsets: vec![0],
            span: 0,
            reversed: backwards,
            segments: vec![Segment {
                start: 0,
                len: SegLen::Rest,
            }],
            dropped: None,
        },
        sources: vec![source.clone()],
    }
}

/// A sequence track reading row `j` of `rows` at step `j` (at step
/// `T-1-j` when `backwards`).
fn plain_read(name: &str, rows: Var, inner: Var, backwards: bool) -> ReadPart {
    ReadPart {
        track: ReadTrack {
            name: name.to_string(),
            starts: vec![0],
            offsets: vec![0],
            span: 0,
            reversed: backwards,
            zero_outside: false,
        },
        segments: vec![rows],
        inner: vec![inner],
    }
}

/// `(type with a time axis)` of a per-step value.
fn stacked_type(v: &Var) -> TensorType {
    crate::ops::control::scan::with_time_axis(v.ty(), None)
}

// ---------------------------------------------------------------------
// scan_hoist_invariants

fn scan_hoist_invariants(fg: &mut FunctionGraph, node: NodeId) -> Option<Vec<VarId>> {
    let mut rb = Rebuild::of(fg, node)?;
    let outs = body_outputs(&rb.parts);
    let consts: Vec<Var> = rb.parts.consts.iter().map(|c| c.2.clone()).collect();
    let invariant = computed_from(&outs, &consts);
    let hoisted = frontier(&outs, &invariant);
    if hoisted.is_empty() {
        return None;
    }
    let to_outer: Vec<(Var, Var)> = rb
        .parts
        .consts
        .iter()
        .map(|(_, outer, inner)| (inner.clone(), outer.clone()))
        .collect();
    let outer_values = clone_replace(&hoisted, &to_outer).ok()?;
    let mut pairs = Vec::new();
    for (v, outer) in hoisted.iter().zip(outer_values) {
        let ph = Var::input(&v.label(), v.ty().clone());
        rb.parts.add_const(&v.label(), outer, ph.clone());
        pairs.push((v.clone(), ph));
    }
    substitute_body(&mut rb.parts, &pairs)?;
    let lasts = (0..rb.parts.carries.len()).map(Last::Carry).collect();
    finish(fg, node, rb, lasts, &[])
}

// ---------------------------------------------------------------------
// scan_push_out_sequences

/// A lifter seeded with the constants (invariant) and every read offset
/// (stacked).
fn sequence_lifter<'a>(parts: &ScanParts, steps: &Var, export: Box<Export<'a>>) -> Lifter<'a> {
    let backwards = backwards(parts);
    let mut seeds: Vec<(Var, Lifted)> = parts
        .consts
        .iter()
        .map(|(_, outer, inner)| (inner.clone(), Lifted::Invariant(outer.clone())))
        .collect();
    for read in &parts.reads {
        for (i, inner) in read.inner.iter().enumerate() {
            if let Some(rows) = stack_read(read, read.track.offsets[i], steps, backwards) {
                seeds.push((inner.clone(), Lifted::Stacked(rows)));
            }
        }
    }
    Lifter::new(seeds, steps.clone(), export)
}

fn scan_push_out_sequences(fg: &mut FunctionGraph, node: NodeId) -> Option<Vec<VarId>> {
    let mut rb = Rebuild::of(fg, node)?;
    let steps = steps_of(&rb.parts)?;
    if rb.parts.carries.is_empty() {
        if let Some(result) = vectorize_whole(fg, node, &rb, &steps) {
            return Some(result);
        }
    }
    let outs = body_outputs(&rb.parts);
    let reads: Vec<Var> = rb
        .parts
        .reads
        .iter()
        .flat_map(|r| r.inner.clone())
        .collect();
    let mut roots = reads.clone();
    roots.extend(rb.parts.consts.iter().map(|c| c.2.clone()));
    let sequence_only = computed_from(&outs, &roots);
    let read_keys: IndexSet<Key> = reads.iter().map(Var::key).collect();
    let from_reads = dependents_of(&outs, &reads);
    let region: IndexSet<Key> = sequence_only
        .iter()
        .filter(|k| from_reads.contains(*k))
        .copied()
        .collect();
    let mut lifter = sequence_lifter(&rb.parts, &steps, Box::new(|_: &Var| None));
    let mut pairs = Vec::new();
    for v in frontier(&outs, &region) {
        if !has_product(&v, &read_keys) {
            continue;
        }
        let Some(Lifted::Stacked(rows)) = lifter.lift(&v) else {
            continue;
        };
        let ph = Var::input(&format!("{}[t]", v.label()), v.ty().clone());
        let backwards = backwards(&rb.parts);
        rb.parts
            .add_read(plain_read(&v.label(), rows, ph.clone(), backwards));
        pairs.push((v, ph));
    }
    if pairs.is_empty() {
        return None;
    }
    substitute_body(&mut rb.parts, &pairs)?;
    let lasts = (0..rb.parts.carries.len()).map(Last::Carry).collect();
    finish(fg, node, rb, lasts, &[])
}

/// A scan without carries or `until` whose per-step outputs all lift:
/// the lifted values replace it.
fn vectorize_whole(
    fg: &mut FunctionGraph,
    node: NodeId,
    rb: &Rebuild,
    steps: &Var,
) -> Option<Vec<VarId>> {
    let spec = rb.op.spec.clone();
    let mut lifter = sequence_lifter(&rb.parts, steps, Box::new(|_: &Var| None));
    let old = fg.node_outputs(node);
    let old_split = spec.split_outputs(&old);
    let mut values: Vec<Var> = Vec::new();
    for (w, part) in rb.parts.writes.iter().enumerate() {
        let t = &part.track;
        let plain = t.offsets == [0] && t.span == 0 && !t.reversed;
        let plain = plain
            && t.segments
                == [Segment {
                    start: 0,
                    len: SegLen::Rest,
                }];
        if t.dropped.is_some() {
            continue;
        }
        let Some(Lifted::Stacked(rows)) = (plain).then(|| lifter.lift(&part.sources[0]))? else {
            return None;
        };
        // Outputs are in step order.
        let rows = if backwards(&rb.parts) {
            try_flip(&rows, 0i64).ok()?
        } else {
            rows
        };
        values.push(conform(&rows, fg.ty(old_split.writes[w][0]))?);
    }
    values.push(steps.clone());
    let mut bound = rb.bound.clone();
    let mut imported = import(fg, &mut bound, &values)?.into_iter();
    let mut result = Vec::with_capacity(old.len());
    for (w, part) in rb.parts.writes.iter().enumerate() {
        if part.track.dropped.is_some() {
            result.push(old_split.writes[w][0]);
        } else {
            result.push(imported.next()?);
        }
    }
    result.push(imported.next()?);
    Some(result)
}

// ---------------------------------------------------------------------
// scan_sum_out

/// `term` when `next` is `acc + term` (either order), `acc` is read by
/// nothing else in the body and `term` does not depend on it.
fn accumulated_term(next: &Var, acc: &Var, uses: &IndexMap<Key, usize>) -> Option<Var> {
    let add = next.op_as::<Elemwise>()?;
    if add.op != ScalarOp::Binary(BinaryOp::Add) || uses.get(&acc.key()) != Some(&1) {
        return None;
    }
    let ins = next.inputs();
    let term = if ins[0].key() == acc.key() {
        &ins[1]
    } else if ins[1].key() == acc.key() {
        &ins[0]
    } else {
        return None;
    };
    (term.ty().shape == acc.ty().shape).then(|| term.clone())
}

/// Values the loop will write out for the sums, by body variable:
/// `(stand-in for the stacked rows, the body value)`.
type Found = IndexMap<Key, (Var, Var)>;
type Exports = Rc<RefCell<Found>>;

/// `Σ_t term_t`, exporting what it needs; `fresh` allows new exports.
fn sum_of(
    parts: &ScanParts,
    steps: &Var,
    term: &Var,
    exports: &Exports,
    fresh: bool,
) -> Option<(Var, Found)> {
    let local: Exports = Rc::new(RefCell::new(IndexMap::new()));
    let (shared, mine) = (exports.clone(), local.clone());
    let export = move |v: &Var| -> Option<Var> {
        if let Some((stand_in, _)) = shared.borrow().get(&v.key()) {
            return Some(stand_in.clone());
        }
        if !fresh {
            return None;
        }
        let stand_in = Var::input(&format!("{}[:]", v.label()), stacked_type(v));
        mine.borrow_mut()
            .insert(v.key(), (stand_in.clone(), v.clone()));
        Some(stand_in)
    };
    let carries: Vec<Var> = parts.carries.iter().flat_map(|c| c.inner.clone()).collect();
    let inside = dependents_of(&body_outputs(parts), &carries);
    let mut lifter = sequence_lifter(parts, steps, Box::new(export)).keep_inside(inside);
    let total = lifter.sum_over_steps(term)?;
    drop(lifter);
    let found = local.borrow().clone();
    Some((total, found))
}

fn scan_sum_out(fg: &mut FunctionGraph, node: NodeId) -> Option<Vec<VarId>> {
    let mut rb = Rebuild::of(fg, node)?;
    let steps = steps_of(&rb.parts)?;
    let outs = body_outputs(&rb.parts);
    let uses = uses(&outs);
    let reads: IndexSet<Key> = rb
        .parts
        .reads
        .iter()
        .flat_map(|r| r.inner.iter().map(Var::key))
        .collect();
    let mut candidates: Vec<(usize, Var)> = Vec::new();
    for (c, part) in rb.parts.carries.iter().enumerate() {
        if part.carry.lags != [1] || part.carry.history {
            continue;
        }
        if let Some(term) = accumulated_term(&part.next, &part.inner[0], &uses) {
            candidates.push((c, term));
        }
    }
    // Accumulations of products first (they are worth their exports);
    // the others only when they reuse those exports.
    candidates.sort_by_key(|(_, term)| !has_product(term, &reads));
    let exports: Exports = Rc::new(RefCell::new(IndexMap::new()));
    let mut sums: IndexMap<usize, Var> = IndexMap::new();
    for (c, term) in &candidates {
        let fresh = has_product(term, &reads);
        let Some((total, found)) = sum_of(&rb.parts, &steps, term, &exports, fresh) else {
            continue;
        };
        exports.borrow_mut().extend(found);
        sums.insert(*c, total);
    }
    if sums.is_empty() {
        return None;
    }
    let exported: Vec<(Var, Var)> = exports.borrow().values().cloned().collect();
    let mut stand_ins = Vec::new();
    for (stand_in, v) in &exported {
        let backwards = backwards(&rb.parts);
        let w = rb
            .parts
            .add_write(plain_write(&stand_in.label(), v, backwards));
        stand_ins.push((stand_in.clone(), w));
    }
    let mut lasts = Vec::new();
    let mut kept = Vec::new();
    for (c, part) in std::mem::take(&mut rb.parts.carries)
        .into_iter()
        .enumerate()
    {
        match sums.get(&c) {
            Some(total) => {
                let first = part.init.try_at(&[IndexItem::Int(0i64.into())]).ok()?;
                lasts.push(Last::Outer(conform(&(first + total), part.next.ty())?));
            }
            None => {
                lasts.push(Last::Carry(kept.len()));
                kept.push(part);
            }
        }
    }
    rb.parts.carries = kept;
    finish(fg, node, rb, lasts, &stand_ins)
}
