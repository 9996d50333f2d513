//! The fused reduce kernel (`ReduceOfElemwise`): the body is evaluated by
//! the fused walker into a small per-task buffer (`CHUNK` elements, cache
//! resident) and summed from there, so the elementwise result is never
//! written to memory.
//!
//! The body's output is viewed as `outer × r × inner` (r the reduced,
//! consecutive axes). A task owns a range of outer slabs and of r and sums
//! into its own float64 accumulators (pairwise sums within a chunk, f64
//! across chunks), which are added in task order: the result does not
//! depend on the thread count. Tasks split the outer slabs when there are
//! enough of them, otherwise the reduced range (small outputs only).

use super::lane::Lane;
use super::plan::Plan;
use super::walk::{self, Feed, Layout, Sink, PAR_WORK};
use super::{AnyPlan, FusedKernel};
use crate::backend::cpu::{reduce, Real};
use crate::compile::{Inputs, Kernel};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::graph::{Op, PerformCtx, TensorType};
use crate::ops::elemwise::broadcast_runtime;
use crate::ops::reduce::{Reduce, ReduceKind, ReduceOfElemwise};
use crate::tensor::Tensor;
use rayon::prelude::*;

/// Elements of the body evaluated per step (16 KiB of f32).
const CHUNK: usize = 4096;
/// Largest output split over the reduced range (each task keeps its own
/// accumulators for the whole output).
const SPLIT_R_MAX_OUT: usize = 1 << 16;

/// A fused elementwise + sum kernel for one `ReduceOfElemwise` node.
pub struct FusedReduceKernel {
    name: String,
    op_name: String,
    body: FusedKernel,
    reduce: Reduce,
    dtype: DType,
}

/// The kernel for a `ReduceOfElemwise` node, or `None` (not a sum, axes
/// not consecutive, or a body that is not all one float dtype).
pub fn select(op: &dyn Op, inputs: &[TensorType]) -> Option<FusedReduceKernel> {
    let op = op.as_any().downcast_ref::<ReduceOfElemwise>()?;
    let dtype = inputs.first()?.dtype;
    let r = &op.reduce;
    let consecutive = r.axes.windows(2).all(|w| w[1] == w[0] + 1);
    let one_dtype = matches!(dtype, DType::F32 | DType::F64)
        && inputs.iter().all(|t| t.dtype == dtype)
        && op.body.body.iter().all(|n| n.dtype == dtype);
    if r.kind != ReduceKind::Sum || r.axes.is_empty() || !consecutive || !one_dtype {
        return None;
    }
    let body = FusedKernel::for_composite(&op.body, None)?;
    if matches!(body.plan, AnyPlan::Typed(_)) {
        return None;
    }
    Some(FusedReduceKernel {
        name: format!("cpu.fused_sum_{dtype}"),
        op_name: op.name(),
        body,
        reduce: r.clone(),
        dtype,
    })
}

impl Kernel for FusedReduceKernel {
    fn name(&self) -> &str {
        &self.name
    }

    fn run(
        &self,
        inputs: &mut Inputs<'_>,
        ctx: &PerformCtx,
        outputs: &mut Vec<Tensor>,
    ) -> Result<()> {
        let n = inputs.len();
        if n != self.body.in_dtypes.len() {
            return Err(Error::value(
                &self.op_name,
                format!("takes {} inputs, got {n}", self.body.in_dtypes.len()),
            ));
        }
        let tensors: Vec<&Tensor> = (0..n).map(|i| inputs.get(i)).collect();
        if let Some(i) = tensors.iter().position(|t| t.dtype() != self.dtype) {
            return Err(Error::dtype(
                &self.op_name,
                i,
                tensors[i].dtype(),
                format!("expects {} here", self.dtype),
            ));
        }
        let shapes: Vec<&[usize]> = tensors.iter().map(|t| t.shape()).collect();
        let shape = broadcast_runtime(&self.op_name, &shapes, ctx.input_types)?;
        let (first, end) = (
            self.reduce.axes[0],
            *self.reduce.axes.last().expect("axes") + 1,
        );
        if end > shape.len() {
            return Err(Error::axis(&self.op_name, end as i64 - 1, shape.len()));
        }
        let dims = Dims {
            outer: shape[..first].iter().product(),
            r: shape[first..end].iter().product(),
            inner: shape[end..].iter().product(),
        };
        let parts: Vec<(usize, &[usize], &[isize])> = tensors
            .iter()
            .map(|t| (t.offset(), t.shape(), t.strides()))
            .collect();
        let layout = Layout::new(&shape, &parts);
        let mut out = Tensor::zeros(self.dtype, &self.reduce.reduce_shape(&shape, 1));
        match &self.body.plan {
            AnyPlan::F32(p) => sum_into(p, &layout, &tensors, dims, out.data_mut::<f32>()),
            AnyPlan::F64(p) => sum_into(p, &layout, &tensors, dims, out.data_mut::<f64>()),
            AnyPlan::Typed(_) => {
                return Err(Error::value(&self.op_name, "has no float body plan"));
            }
        }
        outputs.push(out);
        Ok(())
    }
}

/// The body's output as `outer × r × inner`.
#[derive(Clone, Copy, Debug)]
struct Dims {
    outer: usize,
    r: usize,
    inner: usize,
}

/// One task: outer slabs `o0..o1`, reduced indices `r0..r1`.
#[derive(Clone, Copy, Debug)]
struct Task {
    o0: usize,
    o1: usize,
    r0: usize,
    r1: usize,
}

/// Sums the body over the reduced axes into `out` (`outer × inner`).
fn sum_into<T: Lane + Real>(
    plan: &Plan<T>,
    layout: &Layout,
    tensors: &[&Tensor],
    d: Dims,
    out: &mut [T],
) {
    let total = d.outer * d.r * d.inner;
    if total == 0 {
        return; // sums of nothing are the zeros `out` holds
    }
    let feeds: Vec<Feed<T>> = tensors
        .iter()
        .map(|t| Feed::Real(t.buffer_data::<T>()))
        .collect();
    let tasks = split(d, plan.cost, total);
    let partials: Vec<Vec<f64>> = if tasks.len() == 1 {
        vec![run_task(plan, layout, &feeds, d, tasks[0])]
    } else {
        tasks
            .par_iter()
            .map(|&t| run_task(plan, layout, &feeds, d, t))
            .collect()
    };
    let mut acc = vec![0.0f64; out.len()];
    for (t, p) in tasks.iter().zip(&partials) {
        let base = t.o0 * d.inner;
        acc[base..base + p.len()]
            .iter_mut()
            .zip(p)
            .for_each(|(a, v)| *a += v);
    }
    for (o, a) in out.iter_mut().zip(acc) {
        *o = T::from(a).expect("a float converts");
    }
}

/// The tasks for one call: one when the work is small, otherwise about
/// four per thread over outer slabs, or over the reduced range.
fn split(d: Dims, cost: usize, total: usize) -> Vec<Task> {
    let threads = rayon::current_num_threads();
    let whole = Task {
        o0: 0,
        o1: d.outer,
        r0: 0,
        r1: d.r,
    };
    if threads <= 1 || total.saturating_mul(cost.max(1)) < PAR_WORK {
        return vec![whole];
    }
    let want = threads * 4;
    if d.outer >= want {
        let step = d.outer.div_ceil(want);
        return (0..d.outer)
            .step_by(step)
            .map(|o0| Task {
                o0,
                o1: (o0 + step).min(d.outer),
                ..whole
            })
            .collect();
    }
    if d.outer * d.inner > SPLIT_R_MAX_OUT || d.r < 2 {
        return vec![whole];
    }
    let step = d.r.div_ceil(want.min(d.r));
    (0..d.r)
        .step_by(step)
        .map(|r0| Task {
            r0,
            r1: (r0 + step).min(d.r),
            ..whole
        })
        .collect()
}

/// Sums one task's share; returns its `(o1 - o0) × inner` accumulators.
/// With the whole reduced range the task's elements are one flat range,
/// cut into chunks that may span many (short) slabs; otherwise each slab's
/// part is a range of its own.
fn run_task<T: Lane + Real>(
    plan: &Plan<T>,
    layout: &Layout,
    feeds: &[Feed<T>],
    d: Dims,
    t: Task,
) -> Vec<f64> {
    let mut acc = vec![0.0f64; (t.o1 - t.o0) * d.inner];
    let slab = d.r * d.inner;
    let ranges: Vec<(usize, usize)> = if t.r0 == 0 && t.r1 == d.r {
        vec![(t.o0 * slab, t.o1 * slab)]
    } else {
        (t.o0..t.o1)
            .map(|o| (o * slab + t.r0 * d.inner, o * slab + t.r1 * d.inner))
            .collect()
    };
    let longest = ranges.iter().map(|(a, b)| b - a).max().unwrap_or(0);
    let mut buf = vec![T::zero(); CHUNK.min(longest).max(1)];
    for (start, stop) in ranges {
        let mut at = start;
        while at < stop {
            let n = buf.len().min(stop - at);
            let chunk = &mut buf[..n];
            walk::run_range(plan, layout, feeds, at, vec![Sink::Real(chunk)]);
            fold(chunk, at - t.o0 * slab, d, &mut acc);
            at += n;
        }
    }
    acc
}

/// Adds `chunk` — consecutive body values from flat position `at` (counted
/// from the task's first slab) — into the task's accumulators `acc`.
fn fold<T: Real>(chunk: &[T], mut at: usize, d: Dims, acc: &mut [f64]) {
    let slab = d.r * d.inner;
    let mut rest = chunk;
    while !rest.is_empty() {
        let (o, within) = (at / slab, at % slab);
        let n = if d.inner == 1 {
            let n = (slab - within).min(rest.len());
            acc[o] += reduce::sum(&rest[..n]).to_f64().expect("a float converts");
            n
        } else {
            let col = within % d.inner;
            let n = (d.inner - col).min(rest.len());
            let row = &mut acc[o * d.inner + col..o * d.inner + col + n];
            for (a, &v) in row.iter_mut().zip(&rest[..n]) {
                *a += v.to_f64().expect("a float converts");
            }
            n
        };
        rest = &rest[n..];
        at += n;
    }
}
