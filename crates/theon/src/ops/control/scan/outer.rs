//! Outer-graph views of a scan's time axis, for rewrites that move work
//! out of the loop: the step count as a graph value, and a read track's
//! rows at one offset as one stacked tensor in step order.

use super::parts::{ReadPart, ScanParts};
use super::steps::scan_steps;
use crate::graph::Var;
use crate::ops::indexing::IndexItem;
use crate::ops::shape::{try_concatenate, try_flip};

/// The number of steps a scan runs (an int64 scalar, checked as the loop
/// checks it), when it is known before the loop runs; `None` for loops
/// that may stop early (`until`) or skip steps.
pub fn steps_of(parts: &ScanParts) -> Option<Var> {
    if parts.until.is_some() || parts.active.is_some() {
        return None;
    }
    scan_steps(&parts.name, parts.n_steps.as_ref(), &parts.reads).ok()
}

/// Row `s` of the result is what step `s` reads at offset `offset` of the
/// track (`steps` rows in all). `None` for tracks that read zeros past
/// their segments.
pub fn stack_read(read: &ReadPart, offset: usize, steps: &Var) -> Option<Var> {
    let t = &read.track;
    if t.zero_outside {
        return None;
    }
    let full = if read.segments.len() == 1 {
        read.segments[0].clone()
    } else {
        try_concatenate(&read.segments, 0).ok()?
    };
    // Forward: coordinate s + p. Reversed: T + span - 1 - (s + p), i.e.
    // coordinates span - p .. T + span - p read backwards.
    let start = if t.reversed { t.span - offset } else { offset } as i64;
    let stop = steps + start;
    let rows = full
        .try_at(&[IndexItem::slice(
            Some(start.into()),
            Some(stop.into()),
            None,
        )])
        .ok()?;
    if t.reversed {
        try_flip(&rows, 0i64).ok()
    } else {
        Some(rows)
    }
}
