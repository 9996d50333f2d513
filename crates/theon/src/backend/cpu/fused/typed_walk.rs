//! Walking the output of a [`TypedPlan`]: the same iteration space as the
//! float kernels (`walk::Layout`: broadcasting by stride 0, merged dims),
//! the same split into ranges over rayon's threads (`PAR_WORK`), and per
//! range blocks of [`BLOCK`] flat output positions. Per block each input
//! is loaded into its bank (converted to i64 or f64; an int64 or float64
//! input read in place where the block is one contiguous run), the
//! instructions run, and each output is stored at its dtype. Every element
//! access is a checked slice index: no `unsafe` here.

use super::plan::{Src, MAX_INPUTS};
use super::typed::{Bank, TypedPlan};
use super::typed_eval::{self, Banks};
use super::walk::{advance, base_of, unravel_into, Layout, MIN_TASK, PAR_WORK};
use crate::dtype::DType;
use crate::tensor::Tensor;
use half::f16;
use rayon::prelude::*;

/// Elements per block: a register of 1024 i64 or f64 is 8 KiB.
pub(crate) const BLOCK: usize = 1024;

macro_rules! dtype_enums {
    ($($v:ident($t:ty)),*) => {
        /// An input tensor's whole buffer (the layout says where).
        pub(crate) enum TFeed<'a> {
            $($v(&'a [$t]),)*
            /// The buffer of output `k`, which this input is written over
            /// (the inplace variant): read each block before it is stored.
            Output(usize),
        }

        /// An output range being written.
        pub(crate) enum TSink<'a> {
            $($v(&'a mut [$t]),)*
        }

        impl<'a> TFeed<'a> {
            fn of(t: &'a Tensor) -> TFeed<'a> {
                match t.dtype() {
                    $(DType::$v => TFeed::$v(t.buffer_data()),)*
                }
            }
        }

        impl<'a> TSink<'a> {
            fn of(t: &'a mut Tensor) -> TSink<'a> {
                match t.dtype() {
                    $(DType::$v => TSink::$v(t.data_mut()),)*
                }
            }

            fn len(&self) -> usize {
                match self {
                    $(TSink::$v(s) => s.len(),)*
                }
            }

            /// Cuts the range into consecutive parts of `step` elements.
            fn chunks(self, step: usize) -> Vec<TSink<'a>> {
                match self {
                    $(TSink::$v(s) => s.chunks_mut(step).map(TSink::$v).collect(),)*
                }
            }

            /// Elements `[pos, pos + out.len())` read back as i64.
            fn read_ints(&self, pos: usize, out: &mut [i64]) {
                let n = out.len();
                match self {
                    $(TSink::$v(s) => for (o, &v) in out.iter_mut().zip(&s[pos..pos + n]) {
                        *o = v.to_i64();
                    },)*
                }
            }

            /// Elements `[pos, pos + out.len())` read back as f64.
            fn read_floats(&self, pos: usize, out: &mut [f64]) {
                let n = out.len();
                match self {
                    $(TSink::$v(s) => for (o, &v) in out.iter_mut().zip(&s[pos..pos + n]) {
                        *o = v.to_f64();
                    },)*
                }
            }

            /// Stores `ints` (values of the output's dtype) at `pos`.
            fn store_ints(&mut self, pos: usize, ints: &[i64]) {
                match self {
                    $(TSink::$v(s) => for (o, &v) in s[pos..pos + ints.len()].iter_mut().zip(ints) {
                        *o = <$t as Value>::from_i64(v);
                    },)*
                }
            }

            /// Stores `floats` (values of the output's dtype) at `pos`.
            fn store_floats(&mut self, pos: usize, floats: &[f64]) {
                match self {
                    $(TSink::$v(s) => for (o, &v) in s[pos..pos + floats.len()].iter_mut().zip(floats) {
                        *o = <$t as Value>::from_f64(v);
                    },)*
                }
            }
        }

        /// Loads `ints.len()` (or `floats.len()`) elements of `feed` from
        /// `first + e * stride` into its bank's buffer.
        fn gather(feed: &TFeed, first: isize, stride: isize, ints: &mut [i64], floats: &mut [f64]) {
            match feed {
                $(TFeed::$v(d) => {
                    if <$t as Value>::BANK == Bank::Int {
                        gather_into(d, first, stride, ints, <$t as Value>::to_i64);
                    } else {
                        gather_into(d, first, stride, floats, <$t as Value>::to_f64);
                    }
                })*
                TFeed::Output(_) => unreachable!("read from the sink"),
            }
        }
    };
}

dtype_enums!(
    Bool(bool),
    I8(i8),
    I16(i16),
    I32(i32),
    I64(i64),
    U8(u8),
    U16(u16),
    U32(u32),
    U64(u64),
    F16(f16),
    F32(f32),
    F64(f64)
);

/// An element type as held in a bank (integers wrapped, u64 as its bits).
trait Value: Copy {
    const BANK: Bank;
    fn to_i64(self) -> i64;
    fn to_f64(self) -> f64;
    fn from_i64(v: i64) -> Self;
    fn from_f64(v: f64) -> Self;
}

macro_rules! int_value {
    ($($t:ty),*) => {$(
        impl Value for $t {
            const BANK: Bank = Bank::Int;
            #[inline(always)]
            fn to_i64(self) -> i64 { self as i64 }
            fn to_f64(self) -> f64 { unreachable!("an integer is held in the int bank") }
            #[inline(always)]
            fn from_i64(v: i64) -> Self { v as $t }
            fn from_f64(_: f64) -> Self { unreachable!("an integer is held in the int bank") }
        }
    )*};
}
int_value!(i8, i16, i32, i64, u8, u16, u32, u64);

impl Value for bool {
    const BANK: Bank = Bank::Int;
    #[inline(always)]
    fn to_i64(self) -> i64 {
        self as i64
    }
    fn to_f64(self) -> f64 {
        unreachable!("a bool is held in the int bank")
    }
    #[inline(always)]
    fn from_i64(v: i64) -> Self {
        v != 0
    }
    fn from_f64(_: f64) -> Self {
        unreachable!("a bool is held in the int bank")
    }
}

macro_rules! float_value {
    ($($t:ty),*) => {$(
        impl Value for $t {
            const BANK: Bank = Bank::Float;
            fn to_i64(self) -> i64 { unreachable!("a float is held in the float bank") }
            #[inline(always)]
            fn to_f64(self) -> f64 { self as f64 }
            fn from_i64(_: i64) -> Self { unreachable!("a float is held in the float bank") }
            #[inline(always)]
            fn from_f64(v: f64) -> Self { v as $t }
        }
    )*};
}
float_value!(f32, f64);

impl Value for f16 {
    const BANK: Bank = Bank::Float;
    fn to_i64(self) -> i64 {
        unreachable!("a float is held in the float bank")
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        f16::to_f64(self)
    }
    fn from_i64(_: i64) -> Self {
        unreachable!("a float is held in the float bank")
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        // The value is a float16 already: exact.
        f16::from_f64(v)
    }
}

#[inline(always)]
fn gather_into<T: Copy, B: Copy>(
    d: &[T],
    first: isize,
    stride: isize,
    out: &mut [B],
    f: fn(T) -> B,
) {
    let n = out.len();
    if stride == 1 {
        let at = first as usize;
        for (o, &v) in out.iter_mut().zip(&d[at..at + n]) {
            *o = f(v);
        }
    } else if stride == 0 {
        out.fill(f(d[first as usize]));
    } else {
        for (e, o) in out.iter_mut().enumerate() {
            *o = f(d[(first + e as isize * stride) as usize]);
        }
    }
}

/// Runs `plan` over the whole output: `tensors` are the inputs (`None`:
/// the input written over by output 0), `outs` the outputs (allocated at
/// the output shape, or the reused input).
pub(crate) fn exec(
    plan: &TypedPlan,
    tensors: &[Option<&Tensor>],
    layout: &Layout,
    outs: &mut [Tensor],
) {
    let feeds: Vec<TFeed> = tensors
        .iter()
        .map(|t| t.map_or(TFeed::Output(0), TFeed::of))
        .collect();
    let sinks: Vec<TSink> = outs.iter_mut().map(TSink::of).collect();
    let total: usize = layout.shape.iter().product();
    let threads = rayon::current_num_threads();
    let tasks = if threads > 1 && total.saturating_mul(plan.cost) >= PAR_WORK {
        (threads * 4).min(total / MIN_TASK).max(2)
    } else {
        1
    };
    if tasks == 1 {
        return run_range(plan, layout, &feeds, 0, sinks);
    }
    let step = total.div_ceil(tasks).next_multiple_of(BLOCK);
    let mut parts: Vec<(usize, Vec<TSink>)> = (0..total.div_ceil(step))
        .map(|t| (t * step, Vec::with_capacity(sinks.len())))
        .collect();
    for sink in sinks {
        for (c, p) in sink.chunks(step).into_iter().zip(&mut parts) {
            p.1.push(c);
        }
    }
    parts
        .into_par_iter()
        .for_each(|(start, sinks)| run_range(plan, layout, &feeds, start, sinks));
}

/// Per-task scratch: load buffers per input (in its bank), the registers,
/// the odometer. Kept in the plan's pool between calls.
#[derive(Default)]
pub(crate) struct TScratch {
    int_loads: Vec<Vec<i64>>,
    float_loads: Vec<Vec<f64>>,
    /// For stride-0 inputs: the offset the load buffer was filled from.
    filled: Vec<Option<isize>>,
    int_regs: Vec<Vec<i64>>,
    float_regs: Vec<Vec<f64>>,
    index: Vec<usize>,
}

impl TScratch {
    fn fit(&mut self, plan: &TypedPlan) {
        let n_in = plan.input_banks.len();
        self.int_loads.resize_with(n_in, Vec::new);
        self.float_loads.resize_with(n_in, Vec::new);
        for (i, &bank) in plan.input_banks.iter().enumerate() {
            let (ni, nf) = match bank {
                Bank::Int => (BLOCK, 0),
                Bank::Float => (0, BLOCK),
            };
            self.int_loads[i].resize(ni, 0);
            self.float_loads[i].resize(nf, 0.0);
        }
        self.filled.clear();
        self.filled.resize(n_in, None);
        self.int_regs
            .resize_with(plan.n_int_regs, || vec![0; BLOCK]);
        self.float_regs
            .resize_with(plan.n_float_regs, || vec![0.0; BLOCK]);
    }
}

/// Evaluates the flat output range `[start, start + len)`, `len` being
/// the sinks' length.
fn run_range(
    plan: &TypedPlan,
    layout: &Layout,
    feeds: &[TFeed],
    start: usize,
    mut sinks: Vec<TSink>,
) {
    let len = sinks.first().map_or(0, TSink::len);
    let pooled = plan.pool.lock().ok().and_then(|mut p| p.pop());
    let mut s: TScratch = pooled.unwrap_or_default();
    s.fit(plan);
    let mut index = std::mem::take(&mut s.index);
    unravel_into(start, &layout.shape, &mut index);
    let mut done = 0;
    while done < len {
        let n = BLOCK.min(len - done);
        run_block(plan, layout, feeds, &mut index, n, done, &mut sinks, &mut s);
        done += n;
    }
    s.index = index;
    if let Ok(mut pool) = plan.pool.lock() {
        pool.push(s);
    }
}

/// One block of `n` positions from the multi-index `index` (moved past
/// the block), at `pos` in the sinks.
#[allow(clippy::too_many_arguments)]
fn run_block(
    plan: &TypedPlan,
    layout: &Layout,
    feeds: &[TFeed],
    index: &mut [usize],
    n: usize,
    pos: usize,
    sinks: &mut [TSink],
    s: &mut TScratch,
) {
    let nd = layout.shape.len();
    let inner = layout.shape[nd - 1];
    // Per input: where an int64 / float64 input is read in place.
    let mut direct: [Option<usize>; MAX_INPUTS] = [None; MAX_INPUTS];
    if inner - index[nd - 1] >= n {
        for (i, feed) in feeds.iter().enumerate() {
            let (first, stride) = (base_of(layout, i, index), layout.strides[i][nd - 1]);
            if stride == 1 && matches!(feed, TFeed::I64(_) | TFeed::F64(_)) {
                direct[i] = Some(first as usize);
                continue;
            }
            if stride == 0 && s.filled[i] == Some(first) {
                continue;
            }
            // A broadcast value fills the whole buffer: later blocks reuse it.
            let fill = stride == 0 && !matches!(feed, TFeed::Output(_));
            let m = if fill { BLOCK } else { n };
            load(plan, feed, (first, stride), pos, sinks, s, i, 0..m);
            s.filled[i] = fill.then_some(first);
        }
        advance(index, &layout.shape, n);
    } else {
        let mut at = 0;
        while at < n {
            let row_len = (inner - index[nd - 1]).min(n - at);
            for (i, feed) in feeds.iter().enumerate() {
                let (first, stride) = (base_of(layout, i, index), layout.strides[i][nd - 1]);
                load(
                    plan,
                    feed,
                    (first, stride),
                    pos + at,
                    sinks,
                    s,
                    i,
                    at..at + row_len,
                );
            }
            at += row_len;
            advance(index, &layout.shape, row_len);
        }
        s.filled.iter_mut().for_each(|f| *f = None);
    }
    let mut ints: [&[i64]; MAX_INPUTS] = [&[]; MAX_INPUTS];
    let mut floats: [&[f64]; MAX_INPUTS] = [&[]; MAX_INPUTS];
    for (i, feed) in feeds.iter().enumerate() {
        match (feed, direct[i], plan.input_banks[i]) {
            (TFeed::I64(d), Some(at), _) => ints[i] = &d[at..at + n],
            (TFeed::F64(d), Some(at), _) => floats[i] = &d[at..at + n],
            (_, _, Bank::Int) => ints[i] = &s.int_loads[i][..n],
            (_, _, Bank::Float) => floats[i] = &s.float_loads[i][..n],
        }
    }
    let regs = Banks {
        ints: &mut s.int_regs,
        floats: &mut s.float_regs,
    };
    let n_in = feeds.len();
    typed_eval::run(&plan.instrs, &ints[..n_in], &floats[..n_in], regs, n);
    for (sink, &(src, bank)) in sinks.iter_mut().zip(&plan.outputs) {
        match (bank, src) {
            (Bank::Int, Src::In(i)) => sink.store_ints(pos, ints[i]),
            (Bank::Float, Src::In(i)) => sink.store_floats(pos, floats[i]),
            (Bank::Int, Src::Reg(r)) => sink.store_ints(pos, &s.int_regs[r][..n]),
            (Bank::Float, Src::Reg(r)) => sink.store_floats(pos, &s.float_regs[r][..n]),
        }
    }
}

/// Loads the elements `range` of input `i`'s load buffer from `first +
/// e * stride` (`at`: the input's first element and stride), or for the
/// inplace input from output block `pos`.
#[allow(clippy::too_many_arguments)]
fn load(
    plan: &TypedPlan,
    feed: &TFeed,
    (first, stride): (isize, isize),
    pos: usize,
    sinks: &[TSink],
    s: &mut TScratch,
    i: usize,
    range: std::ops::Range<usize>,
) {
    let (ints, floats): (&mut [i64], &mut [f64]) = match plan.input_banks[i] {
        Bank::Int => (&mut s.int_loads[i][range], &mut []),
        Bank::Float => (&mut [], &mut s.float_loads[i][range]),
    };
    match feed {
        TFeed::Output(k) => {
            sinks[*k].read_ints(pos, ints);
            sinks[*k].read_floats(pos, floats);
        }
        _ => gather(feed, first, stride, ints, floats),
    }
}
