//! `scan_merge`: two scans that run the same number of steps — the same
//! `n_steps` variable, or a common sequence read with the same span — and
//! do not depend on each other become one scan whose body computes both
//! steps (one loop, one program call per step; a sequence both read is
//! read once). Each track keeps its own direction, so `go_backwards` may
//! differ. Scans with `until`, skipped steps, different
//! `truncate_gradient` or their own compile modes are left alone.

use super::super::engine::{Rule, Tracks};
use super::super::fgraph::{FunctionGraph, NodeId, VarId};
use super::scan_graph::{import, Rebuild};
use crate::error::Site;
use crate::graph::{clone_replace, Var};
use crate::ops::control::scan::{ReadPart, Scan, ScanParts, SegLen};
use std::collections::{HashMap, HashSet};

/// The rule, for the specialize phase.
pub fn rules() -> Vec<Rule> {
    vec![Rule::new(
        "scan_merge",
        &["specialize", "fast_run"],
        Tracks::op::<Scan>(),
        scan_merge,
    )]
}

/// Whether scans `a` and `b` (both mergeable) run the same step count.
fn same_steps(fg: &FunctionGraph, a: NodeId, b: NodeId) -> bool {
    let (sa, sb) = (fg.op_as::<Scan>(a), fg.op_as::<Scan>(b));
    let (Some(sa), Some(sb)) = (sa, sb) else {
        return false;
    };
    let (ia, ib) = (fg.node_inputs(a), fg.node_inputs(b));
    let (xa, xb) = (sa.spec.split_inputs(ia), sb.spec.split_inputs(ib));
    match (xa.n_steps, xb.n_steps) {
        (Some(na), Some(nb)) => na == nb,
        (None, None) => {
            let sequences = |spec: &crate::ops::control::scan::ScanSpec, reads: &[&[VarId]]| {
                spec.reads
                    .iter()
                    .zip(reads)
                    .filter(|(t, segs)| !t.zero_outside && segs.len() == 1)
                    .map(|(t, segs)| (segs[0], t.span))
                    .collect::<Vec<_>>()
            };
            let ra = sequences(&sa.spec, &xa.reads);
            sequences(&sb.spec, &xb.reads)
                .iter()
                .any(|r| ra.contains(r))
        }
        _ => false,
    }
}

fn mergeable(op: &Scan) -> bool {
    !op.spec.until && op.spec.active.is_none() && op.body.mode.is_none()
}

/// True when a node in `from`'s ancestry is `target`.
fn depends_on(fg: &FunctionGraph, from: NodeId, target: NodeId) -> bool {
    let mut stack = vec![from];
    let mut seen = std::collections::HashSet::new();
    while let Some(n) = stack.pop() {
        if n == target {
            return true;
        }
        if seen.insert(n) {
            stack.extend(fg.node_inputs(n).iter().map(|v| v.node));
        }
    }
    false
}

/// Another scan that `node` can merge with.
fn partner(fg: &FunctionGraph, node: NodeId, op: &Scan) -> Option<NodeId> {
    fg.node_ids().find(|&other| {
        other != node
            && fg.op_as::<Scan>(other).is_some_and(|o| {
                mergeable(o) && o.spec.truncate_gradient == op.spec.truncate_gradient
            })
            && same_steps(fg, node, other)
            && !depends_on(fg, node, other)
            && !depends_on(fg, other, node)
    })
}

/// The graph variables a read track's segments stand for.
fn segment_ids(read: &ReadPart, bound: &HashMap<(u64, usize), VarId>) -> Vec<Option<VarId>> {
    read.segments
        .iter()
        .map(|s| bound.get(&s.key()).copied())
        .collect()
}

/// `b`'s parts appended to `a`'s; a read track of `b` equal to one of
/// `a`'s (same track, same outer segments) is shared.
fn append(a: &mut Rebuild, mut b: Rebuild) -> Option<()> {
    let mut pairs: Vec<(Var, Var)> = Vec::new();
    let mut reads = Vec::new();
    // Where each of b's read tracks lands (write tracks shaped like a
    // read track name it by index).
    let mut moved = Vec::new();
    for read in std::mem::take(&mut b.parts.reads) {
        let ids = segment_ids(&read, &b.bound);
        let same = a.parts.reads.iter().position(|r| {
            r.track == read.track
                && segment_ids(r, &a.bound) == ids
                && ids.iter().all(Option::is_some)
        });
        match same {
            Some(i) => {
                let r = &a.parts.reads[i];
                pairs.extend(read.inner.iter().cloned().zip(r.inner.iter().cloned()));
                moved.push(i);
            }
            None => {
                moved.push(a.parts.reads.len() + reads.len());
                reads.push(read);
            }
        }
    }
    b.parts.reads = reads;
    pairs.extend(fresh_placeholders(&a.parts, &mut b.parts));
    let reads = std::mem::take(&mut b.parts.reads);
    let mut outs: Vec<Var> = b.parts.carries.iter().map(|c| c.next.clone()).collect();
    for w in &b.parts.writes {
        outs.extend(w.sources.iter().cloned());
    }
    let mut new = clone_replace(&outs, &pairs).ok()?.into_iter();
    let mut carries = b.parts.carries;
    for c in &mut carries {
        c.next = new.next()?;
    }
    let mut writes = b.parts.writes;
    for w in &mut writes {
        for s in &mut w.sources {
            *s = new.next()?;
        }
        for seg in &mut w.track.segments {
            if let SegLen::LikeRead { track, .. } = &mut seg.len {
                *track = moved[*track];
            }
        }
    }
    a.parts.consts.extend(b.parts.consts);
    a.parts.reads.extend(reads);
    a.parts.carries.extend(carries);
    a.parts.writes.extend(writes);
    a.parts.name = format!("{}+{}", a.parts.name, b.parts.name);
    a.bound.extend(b.bound);
    Some(())
}

/// Gradients and R-ops reuse the forward body's placeholders, so two scans
/// may share some: `b`'s are renamed where they collide with `a`'s (one
/// body cannot read two values through one input). Returns the renames.
fn fresh_placeholders(a: &ScanParts, b: &mut ScanParts) -> Vec<(Var, Var)> {
    let mut taken: HashSet<(u64, usize)> = a.consts.iter().map(|c| c.2.key()).collect();
    taken.extend(a.reads.iter().flat_map(|r| r.inner.iter().map(Var::key)));
    taken.extend(a.carries.iter().flat_map(|c| c.inner.iter().map(Var::key)));
    let mut pairs = Vec::new();
    let mut rename = |v: &mut Var| {
        if taken.contains(&v.key()) {
            let fresh = Var::input(&v.label(), v.ty().clone());
            pairs.push((v.clone(), fresh.clone()));
            *v = fresh;
        }
    };
    b.consts.iter_mut().for_each(|c| rename(&mut c.2));
    b.reads
        .iter_mut()
        .for_each(|r| r.inner.iter_mut().for_each(&mut rename));
    b.carries
        .iter_mut()
        .for_each(|c| c.inner.iter_mut().for_each(&mut rename));
    pairs
}

/// The merged node's outputs for one of the old scans: its carries start
/// at `c0`, its write tracks at `w0`.
fn outputs_of(
    op: &Scan,
    merged: &crate::ops::control::scan::ScanNode,
    c0: usize,
    w0: usize,
) -> Vec<Var> {
    let spec = &op.spec;
    let n = spec.carries.len();
    let mut out: Vec<Var> = (0..n).map(|c| merged.last(c0 + c)).collect();
    out.extend((0..n).map(|c| merged.history(c0 + c)));
    for (w, track) in spec.writes.iter().enumerate() {
        out.extend((0..track.segments.len()).map(|s| merged.write(w0 + w, s)));
    }
    out.push(merged.steps());
    out
}

fn scan_merge(fg: &mut FunctionGraph, node: NodeId) -> Option<Vec<VarId>> {
    let op = fg.op_as::<Scan>(node)?.clone();
    if !mergeable(&op) {
        return None;
    }
    let other = partner(fg, node, &op)?;
    let other_op = fg.op_as::<Scan>(other)?.clone();
    let mut a = Rebuild::of(fg, node)?;
    let b = Rebuild::of(fg, other)?;
    let (c0, w0) = (a.parts.carries.len(), a.parts.writes.len());
    append(&mut a, b)?;
    let parts = std::mem::replace(&mut a.parts, ScanParts::new("", None));
    let merged = parts.apply(Site::caller()).ok()?;
    let mut wanted = outputs_of(&op, &merged, 0, 0);
    let n_a = wanted.len();
    wanted.extend(outputs_of(&other_op, &merged, c0, w0));
    let ids = import(fg, &mut a.bound, &wanted)?;
    let (mine, theirs) = ids.split_at(n_a);
    let pairs: Vec<(VarId, VarId)> = fg
        .node_outputs(other)
        .into_iter()
        .zip(theirs.iter().copied())
        .collect();
    fg.replace_all(&pairs, "scan_merge").ok()?;
    Some(mine.to_vec())
}
