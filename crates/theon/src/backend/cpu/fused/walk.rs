//! Walking the output of a fused kernel: inputs broadcast to the output
//! shape (stride 0), dims merged where every operand is dense across them,
//! then the flat output range is cut into rows of the innermost dim and
//! each row into blocks. Per block an input is read in place (inner stride
//! 1), filled once (stride 0), or gathered (any other stride, or bool
//! storage). Large outputs are split into ranges run on rayon's threads.
//! Every element access is a checked slice index: no `unsafe` here.

use super::block::{self, BLOCK};
use super::lane::Lane;
use super::plan::{Plan, Src, MAX_INPUTS};
use rayon::prelude::*;

/// Where an input's elements come from.
pub(crate) enum Feed<'a, T> {
    /// A tensor buffer of `T` (the whole buffer; the layout says where).
    Real(&'a [T]),
    /// A buffer of bools, converted to 0/1 on load.
    Bool(&'a [bool]),
    /// A float32 buffer feeding a float64 lane, widened on load.
    Single(&'a [f32]),
    /// A buffer of integers, loaded as i64 (for integer comparisons) and,
    /// when the flag is set, also converted to the lane (`v as f64`).
    Int(IntData<'a>, bool),
    /// The buffer of output `k`, which this input is written over (the
    /// inplace variant): read each block before the block is stored.
    Output(usize),
}

/// An integer tensor buffer of one of the dtypes that fit in i64.
pub(crate) enum IntData<'a> {
    I8(&'a [i8]),
    I16(&'a [i16]),
    I32(&'a [i32]),
    I64(&'a [i64]),
    U8(&'a [u8]),
    U16(&'a [u16]),
    U32(&'a [u32]),
}

impl IntData<'_> {
    /// Fills `out` with the elements at `first + e * stride`.
    fn load(&self, first: isize, stride: isize, out: &mut [i64]) {
        macro_rules! gather {
            ($d:expr) => {
                for (e, o) in out.iter_mut().enumerate() {
                    *o = $d[(first + e as isize * stride) as usize] as i64;
                }
            };
        }
        match self {
            IntData::I8(d) => gather!(d),
            IntData::I16(d) => gather!(d),
            IntData::I32(d) => gather!(d),
            IntData::I64(d) => gather!(d),
            IntData::U8(d) => gather!(d),
            IntData::U16(d) => gather!(d),
            IntData::U32(d) => gather!(d),
        }
    }
}

/// An output range being written.
pub(crate) enum Sink<'a, T> {
    Real(&'a mut [T]),
    Bool(&'a mut [bool]),
    /// A float32 output of a float64 lane (its values are float32 already).
    Single(&'a mut [f32]),
}

impl<T> Sink<'_, T> {
    fn len(&self) -> usize {
        match self {
            Sink::Real(s) => s.len(),
            Sink::Bool(s) => s.len(),
            Sink::Single(s) => s.len(),
        }
    }
}

/// The iteration space: the collapsed output shape and, per input, its
/// offset and strides over it (0 where it broadcasts).
pub(crate) struct Layout {
    pub shape: Vec<usize>,
    pub offsets: Vec<isize>,
    pub strides: Vec<Vec<isize>>,
}

impl Layout {
    /// Inputs `(offset, shape, strides)` broadcast to `out` (which the
    /// caller has checked they broadcast to), with dims of size 1 dropped
    /// and neighbours merged where all operands allow.
    pub fn new(out: &[usize], inputs: &[(usize, &[usize], &[isize])]) -> Layout {
        let nd = out.len();
        let mut shape = Vec::with_capacity(nd);
        let mut strides: Vec<Vec<isize>> = vec![Vec::with_capacity(nd); inputs.len()];
        for (axis, &d) in out.iter().enumerate() {
            if d == 1 {
                continue;
            }
            shape.push(d);
            for (s, &(_, ishape, istrides)) in strides.iter_mut().zip(inputs) {
                let pad = nd - ishape.len();
                let here = axis
                    .checked_sub(pad)
                    .filter(|&a| ishape[a] != 1)
                    .map_or(0, |a| istrides[a]);
                s.push(here);
            }
        }
        // Merge dim k into k+1 when every input steps across k as if the
        // two were one dim (the output is C-contiguous, so it always does).
        let mut k = shape.len();
        while k > 1 {
            k -= 1;
            let inner = shape[k];
            let mergeable = strides.iter().all(|s| s[k - 1] == s[k] * inner as isize);
            if mergeable {
                shape[k - 1] *= inner;
                shape.remove(k);
                strides.iter_mut().for_each(|s| {
                    s.remove(k - 1);
                });
            }
        }
        if shape.is_empty() {
            shape.push(1);
            strides.iter_mut().for_each(|s| s.push(0));
        }
        Layout {
            shape,
            offsets: inputs.iter().map(|&(o, _, _)| o as isize).collect(),
            strides,
        }
    }

    fn size(&self) -> usize {
        self.shape.iter().product()
    }
}

/// Work (elements × plan cost) above which a call is split over threads.
/// Measured with `examples/fused_threshold.rs`: see docs/kernels.md.
pub const PAR_WORK: usize = 1 << 17;
/// Smallest range a thread is given.
pub(super) const MIN_TASK: usize = 1 << 14;

/// Runs `plan` over the whole output, writing `sinks` (one per output,
/// each the full C-order output).
pub(crate) fn execute<T: Lane>(
    plan: &Plan<T>,
    layout: &Layout,
    feeds: &[Feed<T>],
    sinks: Vec<Sink<T>>,
) {
    let total = layout.size();
    let threads = rayon::current_num_threads();
    let tasks = if threads > 1 && total.saturating_mul(plan.cost) >= PAR_WORK {
        (threads * 4).min(total / MIN_TASK).max(2)
    } else {
        1
    };
    if tasks == 1 {
        return run_range(plan, layout, feeds, 0, sinks);
    }
    // Cut every output into the same `tasks` consecutive ranges.
    let step = total.div_ceil(tasks).next_multiple_of(BLOCK);
    let mut parts: Vec<(usize, Vec<Sink<T>>)> = (0..total.div_ceil(step))
        .map(|t| (t * step, Vec::with_capacity(sinks.len())))
        .collect();
    for sink in sinks {
        match sink {
            Sink::Real(s) => s
                .chunks_mut(step)
                .zip(&mut parts)
                .for_each(|(c, p)| p.1.push(Sink::Real(c))),
            Sink::Bool(s) => s
                .chunks_mut(step)
                .zip(&mut parts)
                .for_each(|(c, p)| p.1.push(Sink::Bool(c))),
            Sink::Single(s) => s
                .chunks_mut(step)
                .zip(&mut parts)
                .for_each(|(c, p)| p.1.push(Sink::Single(c))),
        }
    }
    parts
        .into_par_iter()
        .for_each(|(start, sinks)| run_range(plan, layout, feeds, start, sinks));
}

/// Per-task scratch: one load buffer per input, the registers and the
/// odometer. Kept in the plan's pool between calls (`Plan::pool`), so a
/// call allocates none of it once the kernel has run.
#[derive(Default)]
pub(crate) struct Scratch<T> {
    loads: Vec<Vec<T>>,
    /// Load buffers of integer inputs.
    int_loads: Vec<Vec<i64>>,
    /// For stride-0 inputs: the offset the load buffer was filled from.
    filled: Vec<Option<isize>>,
    regs: Vec<Vec<T>>,
    index: Vec<usize>,
    bases: Vec<isize>,
}

impl<T: Lane> Scratch<T> {
    /// Sizes every buffer for `feeds`, `n_regs` registers and blocks of
    /// `block`, reusing capacity.
    fn fit(&mut self, feeds: &[Feed<T>], n_regs: usize, block: usize) {
        let sized = |v: &mut Vec<T>, n: usize| {
            v.clear();
            v.resize(n, T::zero());
        };
        self.loads.resize_with(feeds.len(), Vec::new);
        self.loads.iter_mut().for_each(|l| sized(l, block));
        self.int_loads.resize_with(feeds.len(), Vec::new);
        for (l, f) in self.int_loads.iter_mut().zip(feeds) {
            l.clear();
            l.resize(if matches!(f, Feed::Int(..)) { block } else { 0 }, 0);
        }
        self.filled.clear();
        self.filled.resize(feeds.len(), None);
        self.regs.resize_with(n_regs, Vec::new);
        self.regs.iter_mut().for_each(|r| sized(r, block));
        self.bases.clear();
        self.bases.resize(feeds.len(), 0);
    }
}

/// Sets `index` to the multi-index of flat position `flat` in `shape`.
pub(super) fn unravel_into(mut flat: usize, shape: &[usize], index: &mut Vec<usize>) {
    index.clear();
    index.resize(shape.len(), 0);
    for (i, &d) in index.iter_mut().zip(shape).rev() {
        *i = flat % d.max(1);
        flat /= d.max(1);
    }
}

/// Rows shorter than this are packed several to a block (one instruction
/// dispatch per block, not per short row).
const PACK_BELOW: usize = BLOCK / 4;

/// Evaluates the flat output range `[start, start + len)`, `len` being
/// the sinks' length.
pub(super) fn run_range<T: Lane>(
    plan: &Plan<T>,
    layout: &Layout,
    feeds: &[Feed<T>],
    start: usize,
    mut sinks: Vec<Sink<T>>,
) {
    let len = sinks.first().map_or(0, Sink::len);
    let block = BLOCK.min(len.max(1));
    let pooled = plan.pool.lock().ok().and_then(|mut p| p.pop());
    let mut scratch = pooled.unwrap_or_default();
    scratch.fit(feeds, plan.n_regs, block);
    let nd = layout.shape.len();
    let inner = layout.shape[nd - 1];
    let mut index = std::mem::take(&mut scratch.index);
    let mut bases = std::mem::take(&mut scratch.bases);
    unravel_into(start, &layout.shape, &mut index);
    let packed = inner < PACK_BELOW && nd > 1;
    let mut done = 0;
    while done < len {
        if packed {
            let n = block.min(len - done);
            run_packed_block(
                plan,
                layout,
                feeds,
                &mut index,
                n,
                done,
                &mut sinks,
                &mut scratch,
            );
            done += n;
            continue;
        }
        let col = index[nd - 1];
        let row_len = (inner - col).min(len - done);
        for (i, b) in bases.iter_mut().enumerate() {
            *b = base_of(layout, i, &index);
        }
        let mut at = 0;
        while at < row_len {
            let n = block.min(row_len - at);
            run_block(
                plan,
                layout,
                feeds,
                &bases,
                at,
                n,
                done + at,
                &mut sinks,
                &mut scratch,
            );
            at += n;
        }
        done += row_len;
        advance(&mut index, &layout.shape, row_len);
    }
    scratch.index = index;
    scratch.bases = bases;
    if let Ok(mut pool) = plan.pool.lock() {
        pool.push(scratch);
    }
}

/// Element offset of input `i` at the multi-index `index`.
pub(super) fn base_of(layout: &Layout, i: usize, index: &[usize]) -> isize {
    let s = &layout.strides[i];
    layout.offsets[i]
        + index
            .iter()
            .zip(s)
            .map(|(&j, &s)| j as isize * s)
            .sum::<isize>()
}

/// Moves the odometer `index` forward by `by` elements of its last dim
/// (which must not run past the end of the current row).
pub(super) fn advance(index: &mut [usize], shape: &[usize], by: usize) {
    let nd = shape.len();
    index[nd - 1] += by;
    let mut axis = nd - 1;
    while axis > 0 && index[axis] == shape[axis] {
        index[axis] = 0;
        axis -= 1;
        index[axis] += 1;
    }
}

/// Loads `out.len()` elements of `feed` from `first + e * stride` (or the
/// output block at `pos` for the inplace input) into `out` / `ints`.
fn load<T: Lane>(
    feed: &Feed<T>,
    first: isize,
    stride: isize,
    pos: usize,
    sinks: &[Sink<T>],
    out: &mut [T],
    ints: &mut [i64],
) {
    let n = out.len().max(ints.len());
    match feed {
        Feed::Real(data) if stride == 0 => out.fill(data[first as usize]),
        Feed::Real(data) => {
            for (e, l) in out.iter_mut().enumerate() {
                *l = data[(first + e as isize * stride) as usize];
            }
        }
        Feed::Int(data, as_float) => {
            data.load(first, stride, ints);
            if *as_float {
                for (l, &v) in out.iter_mut().zip(ints.iter()) {
                    *l = T::narrow(v as f64);
                }
            }
        }
        Feed::Bool(data) => {
            for (e, l) in out.iter_mut().enumerate() {
                *l = T::from_bool(data[(first + e as isize * stride) as usize]);
            }
        }
        Feed::Single(data) => {
            for (e, l) in out.iter_mut().enumerate() {
                *l = T::narrow(data[(first + e as isize * stride) as usize] as f64);
            }
        }
        Feed::Output(k) => match &sinks[*k] {
            Sink::Real(o) => out.copy_from_slice(&o[pos..pos + n]),
            Sink::Bool(o) => out
                .iter_mut()
                .zip(&o[pos..pos + n])
                .for_each(|(l, &b)| *l = T::from_bool(b)),
            Sink::Single(o) => out
                .iter_mut()
                .zip(&o[pos..pos + n])
                .for_each(|(l, &v)| *l = T::narrow(v as f64)),
        },
    }
}

/// One block within a row: load inputs (contiguous ones are read in
/// place), run the instructions, store the outputs.
#[allow(clippy::too_many_arguments)]
fn run_block<T: Lane>(
    plan: &Plan<T>,
    layout: &Layout,
    feeds: &[Feed<T>],
    bases: &[isize],
    at: usize,
    n: usize,
    pos: usize,
    sinks: &mut [Sink<T>],
    scratch: &mut Scratch<T>,
) {
    let inner = layout.shape.len() - 1;
    let mut direct = [false; MAX_INPUTS];
    for (i, feed) in feeds.iter().enumerate() {
        let stride = layout.strides[i][inner];
        let first = bases[i] + at as isize * stride;
        match feed {
            Feed::Real(_) if stride == 1 => direct[i] = true,
            Feed::Real(_) if stride == 0 && scratch.filled[i] == Some(first) => {}
            Feed::Real(_) if stride == 0 => {
                // Fill the whole buffer: later blocks may be longer.
                scratch.filled[i] = Some(first);
                load(feed, first, 0, pos, sinks, &mut scratch.loads[i], &mut []);
            }
            _ => {
                let have = scratch.int_loads[i].len();
                let ints = &mut scratch.int_loads[i][..n.min(have)];
                load(
                    feed,
                    first,
                    stride,
                    pos,
                    sinks,
                    &mut scratch.loads[i][..n],
                    ints,
                );
            }
        }
    }
    let mut ins: [&[T]; MAX_INPUTS] = [&[]; MAX_INPUTS];
    for (i, feed) in feeds.iter().enumerate() {
        ins[i] = match feed {
            Feed::Real(data) if direct[i] => {
                let first = (bases[i] + at as isize) as usize;
                &data[first..first + n]
            }
            _ => &scratch.loads[i][..n],
        };
    }
    let ints = int_table(feeds, &scratch.int_loads, n);
    eval_store(
        plan,
        &ins[..feeds.len()],
        &ints[..feeds.len()],
        n,
        pos,
        sinks,
        &mut scratch.regs,
    );
}

/// One block spanning several short rows from `index` on: every input is
/// gathered row by row into its load buffer; `index` moves past the block.
#[allow(clippy::too_many_arguments)]
fn run_packed_block<T: Lane>(
    plan: &Plan<T>,
    layout: &Layout,
    feeds: &[Feed<T>],
    index: &mut [usize],
    n: usize,
    pos: usize,
    sinks: &mut [Sink<T>],
    scratch: &mut Scratch<T>,
) {
    let nd = layout.shape.len();
    let inner = layout.shape[nd - 1];
    let mut at = 0;
    while at < n {
        let row_len = (inner - index[nd - 1]).min(n - at);
        for (i, feed) in feeds.iter().enumerate() {
            let (first, stride) = (base_of(layout, i, index), layout.strides[i][nd - 1]);
            let have = scratch.int_loads[i].len();
            let ints = &mut scratch.int_loads[i][at.min(have)..(at + row_len).min(have)];
            let loads = &mut scratch.loads[i][at..at + row_len];
            load(feed, first, stride, pos + at, sinks, loads, ints);
        }
        at += row_len;
        advance(index, &layout.shape, row_len);
    }
    scratch.filled.iter_mut().for_each(|f| *f = None);
    let mut ins: [&[T]; MAX_INPUTS] = [&[]; MAX_INPUTS];
    for (i, l) in scratch.loads.iter().enumerate() {
        ins[i] = &l[..n];
    }
    let ints = int_table(feeds, &scratch.int_loads, n);
    eval_store(
        plan,
        &ins[..feeds.len()],
        &ints[..feeds.len()],
        n,
        pos,
        sinks,
        &mut scratch.regs,
    );
}

fn int_table<'a, T>(
    feeds: &[Feed<T>],
    int_loads: &'a [Vec<i64>],
    n: usize,
) -> [&'a [i64]; MAX_INPUTS] {
    let mut ints: [&[i64]; MAX_INPUTS] = [&[]; MAX_INPUTS];
    for (i, feed) in feeds.iter().enumerate() {
        if let Feed::Int(..) = feed {
            ints[i] = &int_loads[i][..n];
        }
    }
    ints
}

/// Runs the instructions on loaded inputs and stores the outputs at `pos`.
fn eval_store<T: Lane>(
    plan: &Plan<T>,
    ins: &[&[T]],
    ints: &[&[i64]],
    n: usize,
    pos: usize,
    sinks: &mut [Sink<T>],
    regs: &mut [Vec<T>],
) {
    block::run(&plan.instrs, ins, ints, regs, n);
    for (sink, &src) in sinks.iter_mut().zip(&plan.outputs) {
        let value: &[T] = match src {
            Src::In(i) => ins[i],
            Src::Reg(r) => &regs[r][..n],
        };
        match sink {
            Sink::Real(out) => out[pos..pos + n].copy_from_slice(value),
            Sink::Bool(out) => out[pos..pos + n]
                .iter_mut()
                .zip(value)
                .for_each(|(o, &v)| *o = v != T::zero()),
            Sink::Single(out) => out[pos..pos + n]
                .iter_mut()
                .zip(value)
                .for_each(|(o, &v)| *o = v.widen() as f32),
        }
    }
}
