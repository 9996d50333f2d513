//! The native loop: runs a scan's compiled body once per step, feeding it
//! views of sequence rows and past states, and writing each step's results
//! into buffers allocated once (carry histories up front, per-step outputs
//! at the first step, when their row shape is known).

use super::op::Scan;
use super::rows::{row_view, Rows};
use super::spec::{coordinate, Carry, ReadTrack, ScanSpec, SegLen, WriteTrack};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::graph::PerformCtx;
use crate::ops::control::body::Runner;
use crate::tensor::Tensor;
use std::collections::VecDeque;

/// Runs the scan: the reference kernel of [`Scan`].
pub(super) fn run(op: &Scan, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
    let spec = &*op.spec;
    let ins = spec.split_inputs(inputs);
    let steps = step_count(spec, ins.n_steps, &ins.reads)?;
    let out_types = spec.split_outputs(ctx.output_types);
    let mut state = Loop {
        spec,
        consts: ins.consts,
        reads: spec
            .reads
            .iter()
            .zip(&ins.reads)
            .map(|(track, segs)| ReadState::new(spec, track, segs, steps))
            .collect::<Result<_>>()?,
        carries: spec
            .carries
            .iter()
            .zip(ins.inits)
            .map(|(carry, init)| CarryState::new(spec, carry, init, steps))
            .collect::<Result<_>>()?,
        writes: spec
            .writes
            .iter()
            .zip(&out_types.writes)
            .map(|(track, tys)| WriteState::new(track, tys[0].dtype, &ins.reads, steps))
            .collect(),
        args: Vec::with_capacity(spec.n_inner_inputs()),
        outs: Vec::with_capacity(spec.n_inner_outputs()),
    };
    let mut runner = op.body.runner()?;
    let mut done = steps;
    for s in 0..steps {
        if spec.active.is_some_and(|n| s >= n) {
            state.carries.iter_mut().for_each(|c| c.pass(s));
        } else if state.step(&mut runner, s)? {
            done = s + 1;
            break;
        }
    }
    state.finish(done)
}

/// The loop's state between steps.
struct Loop<'a> {
    spec: &'a ScanSpec,
    consts: &'a [Tensor],
    reads: Vec<ReadState<'a>>,
    carries: Vec<CarryState<'a>>,
    writes: Vec<WriteState<'a>>,
    /// The body's arguments, refilled each step (the allocation is kept).
    args: Vec<Tensor>,
    /// The body's results, likewise.
    outs: Vec<Tensor>,
}

impl Loop<'_> {
    /// Runs step `s`; returns whether the `until` condition asks to stop.
    fn step(&mut self, runner: &mut Runner, s: usize) -> Result<bool> {
        self.args.extend_from_slice(self.consts);
        for r in &self.reads {
            r.push_args(s, &mut self.args);
        }
        for c in &self.carries {
            c.push_args(s, &mut self.args);
        }
        let mut outs = std::mem::take(&mut self.outs);
        runner.run_into(self.args.drain(..), &mut outs)?;
        // A result that views a carry's buffer (the step returned a past
        // state) is copied, so the buffer stays uniquely owned for writing.
        for out in outs.iter_mut() {
            if self.carries.iter().any(|c| c.aliases(out)) {
                *out = out.to_contiguous_copy();
            }
        }
        let stop = self.store_results(s, &outs);
        outs.clear();
        self.outs = outs;
        stop
    }

    /// Stores step `s`'s results; returns whether `until` asks to stop.
    fn store_results(&mut self, s: usize, outs: &[Tensor]) -> Result<bool> {
        let spec = self.spec;
        let inner = spec.split_inner_outputs(outs);
        for (c, next) in self.carries.iter_mut().zip(inner.next) {
            c.store(spec, s, next)?;
        }
        for (w, values) in self.writes.iter_mut().zip(&inner.writes) {
            w.store(spec, s, values)?;
        }
        match inner.until {
            Some(cond) => stop_requested(spec, cond),
            None => Ok(false),
        }
    }

    /// The node's outputs after `done` steps.
    fn finish(self, done: usize) -> Result<Vec<Tensor>> {
        let mut results = Vec::with_capacity(self.spec.n_outputs());
        let (lasts, histories): (Vec<Tensor>, Vec<Tensor>) =
            self.carries.iter().map(|c| c.finish(done)).unzip();
        results.extend(lasts);
        results.extend(histories);
        for w in self.writes {
            results.extend(w.finish(self.spec, done)?);
        }
        results.push(Tensor::scalar(done as i64));
        Ok(results)
    }
}

fn scan_error(spec: &ScanSpec, message: String) -> Error {
    Error::value(format!("scan '{}'", spec.name), message)
}

/// Rows covered by a track's segments (checking the inner segments' sizes).
pub(super) fn covered(spec: &ScanSpec, track: &ReadTrack, segs: &[Tensor]) -> Result<usize> {
    for (i, seg) in segs.iter().enumerate() {
        if seg.ndim() == 0 {
            let msg = format!(
                "sequence '{}' is a scalar; it needs a time axis",
                track.name
            );
            return Err(scan_error(spec, msg));
        }
        if let Some(&next) = track.starts.get(i + 1) {
            let want = next - track.starts[i];
            if seg.shape()[0] != want {
                let msg = format!(
                    "part {i} of '{}' has {} rows, expected {want}",
                    track.name,
                    seg.shape()[0]
                );
                return Err(scan_error(spec, msg));
            }
        }
    }
    let last = segs.len() - 1;
    Ok(track.starts[last] + segs[last].shape()[0])
}

/// The number of steps: `n_steps`, or what the sequences allow (they must
/// agree). Zero or negative counts are errors.
pub(super) fn step_count(
    spec: &ScanSpec,
    n_steps: Option<&Tensor>,
    reads: &[&[Tensor]],
) -> Result<usize> {
    if let Some(n) = n_steps {
        let n = n.item().as_i64();
        if n <= 0 {
            let msg = format!("n_steps is {n}; a scan must run at least one step");
            return Err(scan_error(spec, msg));
        }
        return Ok(n as usize);
    }
    let mut found: Option<(usize, &str, usize)> = None;
    for (track, segs) in spec.reads.iter().zip(reads) {
        if track.zero_outside {
            continue;
        }
        let len = covered(spec, track, segs)?;
        let n = len.saturating_sub(track.span);
        match found {
            None => found = Some((n, &track.name, len)),
            Some((m, other, other_len)) if m != n => {
                let msg = format!(
                    "sequences '{other}' (length {other_len}, {m} steps with its taps) and '{}' \
                     (length {len}, {n} steps with its taps) give different step counts; pass \
                     n_steps to choose",
                    track.name
                );
                return Err(scan_error(spec, msg));
            }
            Some(_) => {}
        }
    }
    match found {
        None => Err(scan_error(spec, "needs n_steps or a sequence".into())),
        Some((0, name, len)) => {
            let msg = format!("sequence '{name}' (length {len}) leaves zero steps for its taps");
            Err(scan_error(spec, msg))
        }
        Some((n, _, _)) => Ok(n),
    }
}

fn stop_requested(spec: &ScanSpec, cond: &Tensor) -> Result<bool> {
    if cond.size() != 1 {
        let msg = format!(
            "the until condition has shape {:?}; it must be a scalar",
            cond.shape()
        );
        return Err(scan_error(spec, msg));
    }
    Ok(cond.item().as_bool())
}

/// Checks that a sequence has the rows `steps` steps read.
pub(super) fn check_rows(
    spec: &ScanSpec,
    track: &ReadTrack,
    segs: &[Tensor],
    steps: usize,
) -> Result<()> {
    let len = covered(spec, track, segs)?;
    if !track.zero_outside && len < steps + track.span {
        let msg = format!(
            "sequence '{}' has {len} rows, but {steps} steps with its taps need {}",
            track.name,
            steps + track.span
        );
        return Err(scan_error(spec, msg));
    }
    Ok(())
}

/// A read track during the loop.
struct ReadState<'a> {
    track: &'a ReadTrack,
    segs: &'a [Tensor],
    ends: Vec<usize>,
    steps: usize,
    zeros: Tensor,
}

impl<'a> ReadState<'a> {
    fn new(
        spec: &ScanSpec,
        track: &'a ReadTrack,
        segs: &'a [Tensor],
        steps: usize,
    ) -> Result<Self> {
        check_rows(spec, track, segs, steps)?;
        let ends = segs
            .iter()
            .zip(&track.starts)
            .map(|(t, &start)| start + t.shape()[0])
            .collect();
        let zeros = Tensor::zeros(segs[0].dtype(), &segs[0].shape()[1..]);
        Ok(ReadState {
            track,
            segs,
            ends,
            steps,
            zeros,
        })
    }

    fn push_args(&self, step: usize, args: &mut Vec<Tensor>) {
        let t = self.track;
        for &p in &t.offsets {
            let r = coordinate(step, p, self.steps, t.span, t.reversed);
            args.push(self.row(r));
        }
    }

    fn row(&self, r: usize) -> Tensor {
        let starts = &self.track.starts;
        let found = (0..starts.len()).rev().find(|&i| starts[i] <= r);
        match found {
            Some(i) if r < self.ends[i] => row_view(&self.segs[i], r - starts[i]),
            _ => self.zeros.clone(),
        }
    }
}

/// Where a carry keeps its states.
enum Store {
    /// Every state: rows `0..k` the initial window, row `k + s` step `s`'s.
    History(Rows),
    /// Only the last `k` states, oldest first.
    Window(VecDeque<Tensor>),
}

struct CarryState<'a> {
    carry: &'a Carry,
    k: usize,
    dtype: DType,
    state_shape: Vec<usize>,
    store: Store,
}

impl<'a> CarryState<'a> {
    fn new(spec: &ScanSpec, carry: &'a Carry, init: &Tensor, steps: usize) -> Result<Self> {
        let k = carry.window();
        if init.ndim() == 0 || init.shape()[0] != k {
            let msg = format!(
                "the initial value of '{}' has shape {:?}, but its taps need {k} rows of states",
                carry.name,
                init.shape()
            );
            return Err(scan_error(spec, msg));
        }
        let state_shape = init.shape()[1..].to_vec();
        let store = if carry.history {
            let mut rows = Rows::zeros(init.dtype(), k + steps, &state_shape);
            for i in 0..k {
                rows.write(i, &init.index_axis(0, i), false)?;
            }
            Store::History(rows)
        } else {
            Store::Window((0..k).map(|i| init.index_axis(0, i)).collect())
        };
        Ok(CarryState {
            carry,
            k,
            dtype: init.dtype(),
            state_shape,
            store,
        })
    }

    fn push_args(&self, step: usize, args: &mut Vec<Tensor>) {
        for &lag in &self.carry.lags {
            args.push(match &self.store {
                Store::History(rows) => rows.row(self.k + step - lag),
                Store::Window(w) => w[self.k - lag].clone(),
            });
        }
    }

    /// True when `t` views this carry's buffer (it must not while writing).
    fn aliases(&self, t: &Tensor) -> bool {
        matches!(&self.store, Store::History(rows) if rows.tensor().shares_buffer(t))
    }

    fn store(&mut self, spec: &ScanSpec, step: usize, next: &Tensor) -> Result<()> {
        let same = next.ndim() == self.state_shape.len()
            && next
                .shape()
                .iter()
                .zip(&self.state_shape)
                .all(|(a, b)| a == b);
        if !same {
            let msg = format!(
                "step {step} returned shape {:?} for '{}', whose initial state has shape {:?}",
                next.shape(),
                self.carry.name,
                self.state_shape
            );
            return Err(scan_error(spec, msg));
        }
        match &mut self.store {
            Store::History(rows) => rows.write(self.k + step, next, false)?,
            Store::Window(w) => {
                w.pop_front();
                w.push_back(next.clone());
            }
        }
        Ok(())
    }

    /// A skipped step: the state stays as it was.
    fn pass(&mut self, step: usize) {
        match &mut self.store {
            Store::History(rows) => rows.copy_row(self.k + step - 1, self.k + step),
            Store::Window(w) => {
                let last = w.back().expect("window of k >= 1 rows").clone();
                w.pop_front();
                w.push_back(last);
            }
        }
    }

    /// `(last state, history)` after `done` steps.
    fn finish(&self, done: usize) -> (Tensor, Tensor) {
        match &self.store {
            Store::History(rows) => (
                rows.row(self.k + done - 1),
                rows.range(self.k, self.k + done),
            ),
            Store::Window(w) => {
                let mut empty = vec![0];
                empty.extend_from_slice(&self.state_shape);
                let last = w.back().expect("window of k >= 1 rows").clone();
                (last, Tensor::zeros(self.dtype, &empty))
            }
        }
    }
}

/// A write track during the loop.
struct WriteState<'a> {
    track: &'a WriteTrack,
    dtype: DType,
    steps: usize,
    lens: Vec<usize>,
    rows: Vec<Option<Rows>>,
    row_shape: Option<Vec<usize>>,
}

impl<'a> WriteState<'a> {
    fn new(track: &'a WriteTrack, dtype: DType, reads: &[&[Tensor]], steps: usize) -> Self {
        let lens = track
            .segments
            .iter()
            .map(|seg| match seg.len {
                SegLen::Fixed(n) => n,
                SegLen::Rest => (steps + track.span).saturating_sub(seg.start),
                SegLen::LikeRead { track, segment } => reads[track][segment].shape()[0],
            })
            .collect();
        WriteState {
            track,
            dtype,
            steps,
            lens,
            rows: track.segments.iter().map(|_| None).collect(),
            row_shape: None,
        }
    }

    fn store(&mut self, spec: &ScanSpec, step: usize, values: &[Tensor]) -> Result<()> {
        let t = self.track;
        let add = t.offsets.len() > 1;
        for (&p, value) in t.offsets.iter().zip(values) {
            match &self.row_shape {
                None => self.row_shape = Some(value.shape().to_vec()),
                Some(shape) if shape.as_slice() != value.shape() => {
                    let msg = format!(
                        "step {step} returned shape {:?} for output '{}', but earlier steps \
                         returned {shape:?}",
                        value.shape(),
                        t.name
                    );
                    return Err(scan_error(spec, msg));
                }
                Some(_) => {}
            }
            let r = coordinate(step, p, self.steps, t.span, t.reversed);
            let hit = t
                .segments
                .iter()
                .zip(&self.lens)
                .position(|(seg, &len)| seg.start <= r && r < seg.start + len);
            let Some(i) = hit else { continue };
            let (dtype, len) = (self.dtype, self.lens[i]);
            let rows = self.rows[i].get_or_insert_with(|| Rows::zeros(dtype, len, value.shape()));
            rows.write(r - t.segments[i].start, value, add)?;
        }
        Ok(())
    }

    /// The segments, cut to the steps actually run.
    fn finish(self, spec: &ScanSpec, done: usize) -> Result<Vec<Tensor>> {
        if let Some(row) = &self.track.dropped {
            return Ok(self
                .track
                .segments
                .iter()
                .zip(&self.lens)
                .map(|(seg, &len)| {
                    let mut shape = vec![if matches!(seg.len, SegLen::Fixed(_)) {
                        len
                    } else {
                        0
                    }];
                    shape.extend(row.shape.iter().map(|d| d.unwrap_or(0)));
                    Tensor::zeros(self.dtype, &shape)
                })
                .collect());
        }
        let Some(row_shape) = self.row_shape else {
            let msg = format!("output '{}' was never computed", self.track.name);
            return Err(scan_error(spec, msg));
        };
        let t = self.track;
        let mut out = Vec::with_capacity(t.segments.len());
        for ((seg, len), rows) in t.segments.iter().zip(self.lens).zip(self.rows) {
            let rows = rows.unwrap_or_else(|| Rows::zeros(self.dtype, len, &row_shape));
            let keep = match seg.len {
                SegLen::Rest => (done + t.span).saturating_sub(seg.start),
                _ => len,
            };
            out.push(rows.range(0, keep.min(len)));
        }
        Ok(out)
    }
}
