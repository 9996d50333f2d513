//! Gather and scatter for advanced indexing: `AdvancedSubtensor` copies
//! whole runs of consecutive input elements (the rows of `x[i]`) with
//! slice copies, split over threads for large results; `IncSubtensor` and
//! its inplace form write or add runs in index order, so repeated indices
//! behave as in the reference (the last `set` wins, `inc` accumulates like
//! `np.add.at`). Every dtype gathers and sets; `inc` covers f32, f64, i32
//! and i64 (integers wrap, as the reference does).

use super::dense;
use crate::compile::{Inputs, Kernel};
use crate::dtype::DType;
use crate::error::Result;
use crate::graph::{Op, PerformCtx, TensorType};
use crate::ops::indexing::{
    check_value_runtime, gather, AdvancedSubtensor, Gather, IncMode, IncSubtensor,
    IncSubtensorInplace, Item,
};
use crate::tensor::{Element, Tensor};
use rayon::prelude::*;

/// Result bytes above which a gather is split over threads.
const PAR_MIN_BYTES: usize = 1 << 20;

/// What an indexing node does with its runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    Gather,
    Scatter { mode: IncMode, inplace: bool },
}

pub struct IndexKernel {
    form: Form,
    items: Vec<Item>,
    op_name: String,
    name: String,
}

/// The kernel for an advanced-indexing or set/inc node, or `None` (an
/// `inc` of a dtype other than f32, f64, i32 or i64).
pub fn select(op: &dyn Op, inputs: &[TensorType]) -> Option<IndexKernel> {
    let dtype = inputs.first()?.dtype;
    let any = op.as_any();
    let (form, items) = if let Some(a) = any.downcast_ref::<AdvancedSubtensor>() {
        (Form::Gather, a.items.clone())
    } else if let Some(s) = any.downcast_ref::<IncSubtensor>() {
        let form = Form::Scatter {
            mode: s.mode,
            inplace: false,
        };
        (form, s.items.clone())
    } else {
        let s = &any.downcast_ref::<IncSubtensorInplace>()?.inner;
        let form = Form::Scatter {
            mode: s.mode,
            inplace: true,
        };
        (form, s.items.clone())
    };
    let adds = matches!(
        form,
        Form::Scatter {
            mode: IncMode::Inc,
            ..
        }
    );
    if adds && !matches!(dtype, DType::F32 | DType::F64 | DType::I32 | DType::I64) {
        return None;
    }
    let verb = match form {
        Form::Gather => "gather",
        Form::Scatter {
            mode: IncMode::Set, ..
        } => "scatter_set",
        Form::Scatter { .. } => "scatter_inc",
    };
    Some(IndexKernel {
        form,
        items,
        op_name: op.name(),
        name: format!("cpu.index.{verb}_{dtype}"),
    })
}

impl Kernel for IndexKernel {
    fn name(&self) -> &str {
        &self.name
    }

    fn run(
        &self,
        inputs: &mut Inputs<'_>,
        ctx: &PerformCtx,
        outputs: &mut Vec<Tensor>,
    ) -> Result<()> {
        let out = match self.form {
            Form::Gather => self.gather(inputs)?,
            Form::Scatter { mode, inplace } => self.scatter(inputs, ctx, mode, inplace)?,
        };
        outputs.push(out);
        Ok(())
    }
}

impl IndexKernel {
    fn gather(&self, inputs: &Inputs<'_>) -> Result<Tensor> {
        let x = inputs.get(0);
        let index: Vec<Tensor> = (1..inputs.len()).map(|i| inputs.get(i).clone()).collect();
        if let Some(out) = super::take::take_last_axis(&self.op_name, &self.items, x, &index) {
            return out;
        }
        let plan = gather(&self.op_name, &self.items, x.shape(), &index)?;
        let x = dense(x);
        let mut out = Tensor::zeros(x.dtype(), &plan.shape);
        crate::with_dtype!(x.dtype(), T => {
            let src = x.as_slice::<T>().expect("dense is contiguous");
            copy_runs(src, &plan, out.data_mut::<T>());
        });
        Ok(out)
    }

    fn scatter(
        &self,
        inputs: &mut Inputs<'_>,
        ctx: &PerformCtx,
        mode: IncMode,
        inplace: bool,
    ) -> Result<Tensor> {
        let index: Vec<Tensor> = (2..inputs.len()).map(|i| inputs.get(i).clone()).collect();
        let plan = gather(&self.op_name, &self.items, inputs.get(0).shape(), &index)?;
        let y = inputs.get(1);
        let y_type = ctx
            .input_types
            .get(1)
            .cloned()
            .unwrap_or_else(|| TensorType::known(y.dtype(), y.shape()));
        check_value_runtime(&self.op_name, y, &y_type, &plan.shape)?;
        let dtype = inputs.get(0).dtype();
        let values = dense(&y.cast(dtype).broadcast_to(&plan.shape)?);
        // An inplace node may write into `x` when it dies here and is the
        // only holder of its buffer; every other case writes a copy.
        let x = match inplace.then(|| inputs.take_dying(0)).flatten() {
            Some(x) => x,
            None => inputs.get(0).clone(),
        };
        let mut out = if x.can_write_in_place() {
            x
        } else {
            contiguous_copy(&x)
        };
        match (mode, dtype) {
            (IncMode::Inc, DType::F32) => add_runs::<f32>(&plan, &values, &mut out),
            (IncMode::Inc, DType::F64) => add_runs::<f64>(&plan, &values, &mut out),
            (IncMode::Inc, DType::I32) => add_runs::<i32>(&plan, &values, &mut out),
            (IncMode::Inc, DType::I64) => add_runs::<i64>(&plan, &values, &mut out),
            (IncMode::Inc, _) => unreachable!("select admits no other dtype for inc"),
            (IncMode::Set, _) => crate::with_dtype!(dtype, T => {
                let v = values.as_slice::<T>().expect("dense is contiguous");
                set_runs(&plan, v, out.data_mut::<T>());
            }),
        }
        Ok(out)
    }
}

/// A fresh, writable C-contiguous copy of `x`.
fn contiguous_copy(x: &Tensor) -> Tensor {
    let x = dense(x);
    let mut out = Tensor::zeros(x.dtype(), x.shape());
    crate::with_dtype!(x.dtype(), T => {
        out.data_mut::<T>()
            .copy_from_slice(x.as_slice::<T>().expect("dense is contiguous"));
    });
    out
}

/// `out`'s runs copied from `src` at the plan's starts; large results are
/// split over threads (each thread fills its own runs).
fn copy_runs<T: Element>(src: &[T], plan: &Gather, out: &mut [T]) {
    let run = plan.run;
    if run == 0 {
        return;
    }
    let copy = |(dst, &start): (&mut [T], &usize)| dst.copy_from_slice(&src[start..start + run]);
    if std::mem::size_of_val(out) < PAR_MIN_BYTES {
        out.chunks_mut(run).zip(&plan.starts).for_each(copy);
    } else {
        out.par_chunks_mut(run).zip(&plan.starts).for_each(copy);
    }
}

/// Writes each run of `values` over its place in `data`, in order.
fn set_runs<T: Element>(plan: &Gather, values: &[T], data: &mut [T]) {
    let run = plan.run;
    for (v, &start) in values.chunks(run.max(1)).zip(&plan.starts) {
        data[start..start + run].copy_from_slice(v);
    }
}

/// Element types `inc` adds natively, with the reference's arithmetic
/// (integers wrap).
trait Accumulate: Element {
    fn accumulate(self, v: Self) -> Self;
}

macro_rules! accumulate {
    ($($t:ty: $a:ident, $b:ident => $e:expr;)*) => {$(
        impl Accumulate for $t {
            fn accumulate(self, v: Self) -> Self {
                let ($a, $b) = (self, v);
                $e
            }
        }
    )*};
}

accumulate! {
    f32: a, b => a + b;
    f64: a, b => a + b;
    i32: a, b => a.wrapping_add(b);
    i64: a, b => a.wrapping_add(b);
}

/// Adds each run of `values` into its place in `out`, in order, so that
/// repeated indices accumulate.
fn add_runs<T: Accumulate>(plan: &Gather, values: &Tensor, out: &mut Tensor) {
    let values = values.as_slice::<T>().expect("dense is contiguous");
    let data = out.data_mut::<T>();
    let run = plan.run;
    for (v, &start) in values.chunks(run.max(1)).zip(&plan.starts) {
        for (d, &v) in data[start..start + run].iter_mut().zip(v) {
            *d = d.accumulate(v);
        }
    }
}
