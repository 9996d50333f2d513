//! Outer-graph views of a scan's time axis, for rewrites that move work
//! out of the loop: the step count as a graph value, and a read track's
//! rows at one offset as one stacked tensor in step order.

use super::parts::{ReadPart, ScanParts};
use super::steps::scan_steps;
use crate::graph::Var;
use crate::ops::indexing::IndexItem;
use crate::ops::shape::try_flip;

/// The number of steps a scan runs (an int64 scalar, checked as the loop
/// checks it), when it is known before the loop runs; `None` for loops
/// that may stop early (`until`) or skip steps.
pub fn steps_of(parts: &ScanParts) -> Option<Var> {
    if parts.until.is_some() || parts.active.is_some() {
        return None;
    }
    scan_steps(&parts.name, parts.n_steps.as_ref(), &parts.reads).ok()
}

/// The orientation of stacked values for a scan: `true` (row `j` is step
/// `T-1-j`) when most of its read tracks run backwards (gradient loops,
/// `go_backwards`), so reading them needs no reversal.
pub fn backwards(parts: &ScanParts) -> bool {
    let reversed = parts.reads.iter().filter(|r| r.track.reversed).count();
    2 * reversed > parts.reads.len()
}

/// What the steps read at `offset` of the track, stacked: row `j` is step
/// `j`'s row (or step `T-1-j`'s when `backwards`); `steps` rows in all.
/// `None` for tracks that read zeros past their segments, and for rows
/// that may straddle two segments.
pub fn stack_read(read: &ReadPart, offset: usize, steps: &Var, backwards: bool) -> Option<Var> {
    let t = &read.track;
    if t.zero_outside {
        return None;
    }
    // Step s reads coordinate s + p, or T + span - 1 - (s + p) reversed:
    // coordinates lo .. lo + T either way.
    let lo = if t.reversed { t.span - offset } else { offset };
    let seg = (0..t.starts.len()).rev().find(|&i| t.starts[i] <= lo)?;
    if seg + 1 != t.starts.len() {
        return None;
    }
    let start = (lo - t.starts[seg]) as i64;
    let stop = steps + start;
    let rows = read.segments[seg]
        .try_at(&[IndexItem::slice(
            Some(start.into()),
            Some(stop.into()),
            None,
        )])
        .ok()?;
    if t.reversed == backwards {
        Some(rows)
    } else {
        try_flip(&rows, 0i64).ok()
    }
}
