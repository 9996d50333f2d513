//! Fused elementwise kernels: a `Composite`, one `Elemwise` op, or their
//! inplace variant, compiled once (when the function is built) into a
//! block program over f32 or f64 and run in one pass over memory.
//!
//! - `plan`: lowering the scalar body to block instructions and registers;
//! - `block`: running the instructions over a block of ≤ 256 elements
//!   (vectorised math kernels, plain loops, f64 fallbacks);
//! - `walk`: broadcasting, strided inputs, rows and blocks, threads;
//! - `reduce`: a sum of a body (`ReduceOfElemwise`) without materialising it;
//! - `typed`, `typed_eval`, `typed_walk`: the kernel for bodies the float
//!   lanes decline (integer arithmetic, casts to integers, where/min/max
//!   over integers, float16, mixed with floats): i64 and f64 register
//!   banks, exact to the reference bit for bit (integer overflow wraps as
//!   NumPy's).
//!
//! Results match the reference `perform` exactly for arithmetic,
//! comparisons, casts and the f64 fallbacks, and within the math kernels'
//! documented ulp bounds (docs/kernels.md) for exp, log, tanh, ...

mod block;
mod dtypes;
mod lane;
mod plan;
mod reduce;
mod typed;
mod typed_eval;
mod typed_walk;
mod walk;

#[cfg(test)]
mod int_tests;
#[cfg(test)]
mod mixed_tests;
#[cfg(test)]
mod reduce_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod wide_tests;

pub(crate) use lane::Lane;
pub use reduce::{select as select_reduce, FusedReduceKernel};
pub use walk::PAR_WORK;

use crate::compile::{Inputs, Kernel};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::graph::{Op, PerformCtx, TensorType};
use crate::ops::elemwise::{broadcast_runtime, Composite, CompositeNode, ScalarOp};
use crate::tensor::Tensor;
use plan::{Plan, MAX_INPUTS};
use walk::{Feed, IntData, Layout, Sink};

enum AnyPlan {
    F32(Plan<f32>),
    F64(Plan<f64>),
    /// Integer (or integer and float) bodies: see `typed`.
    Typed(typed::TypedPlan),
}

/// A fused elementwise kernel for one node (see the module docs).
pub struct FusedKernel {
    name: String,
    /// The op's name, for error messages.
    op_name: String,
    plan: AnyPlan,
    in_dtypes: Vec<DType>,
    out_dtypes: Vec<DType>,
    /// The input whose buffer output 0 may overwrite (inplace variant).
    destroy: Option<usize>,
}

impl FusedKernel {
    /// The kernel for a composite body, or `None` when it has more inputs
    /// than the fused loops take (64).
    pub fn for_composite(c: &Composite, destroy: Option<usize>) -> Option<FusedKernel> {
        FusedKernel::build(c.name(), &c.inputs, &c.body, &c.outputs, destroy)
    }

    /// The kernel for one scalar op applied elementwise to inputs of the
    /// given types.
    pub fn for_scalar(
        op: ScalarOp,
        inputs: &[TensorType],
        destroy: Option<usize>,
    ) -> Option<FusedKernel> {
        let dtypes: Vec<DType> = inputs.iter().map(|t| t.dtype).collect();
        let (_, out) = op.signature(&dtypes).ok()?;
        let node = CompositeNode {
            op,
            args: (0..dtypes.len()).collect(),
            dtype: out,
        };
        let n = dtypes.len();
        FusedKernel::build(op.name(), &dtypes, &[node], &[n], destroy)
    }

    fn build(
        op_name: String,
        inputs: &[DType],
        body: &[CompositeNode],
        outputs: &[usize],
        destroy: Option<usize>,
    ) -> Option<FusedKernel> {
        // The float lanes first (vectorised math); bodies they decline run
        // on the typed banks.
        let lane = dtypes::lane_dtype(inputs, body);
        let float = match lane {
            Some(DType::F32) => plan::lower::<f32>(inputs, body, outputs).map(AnyPlan::F32),
            Some(_) => plan::lower::<f64>(inputs, body, outputs).map(AnyPlan::F64),
            None => None,
        };
        let (plan, flavour) = match (float, lane) {
            (Some(p), Some(lane)) => (p, lane.to_string()),
            _ => (
                AnyPlan::Typed(typed::lower(inputs, body, outputs)?),
                "typed".to_string(),
            ),
        };
        let dtype_of = |v: usize| {
            if v < inputs.len() {
                inputs[v]
            } else {
                body[v - inputs.len()].dtype
            }
        };
        let kind = if destroy.is_some() {
            "fused_inplace"
        } else {
            "fused"
        };
        Some(FusedKernel {
            name: format!("cpu.{kind}_{flavour}"),
            op_name,
            plan,
            in_dtypes: inputs.to_vec(),
            out_dtypes: outputs.iter().map(|&o| dtype_of(o)).collect(),
            destroy,
        })
    }
}

impl Kernel for FusedKernel {
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
        if n != self.in_dtypes.len() {
            return Err(Error::value(
                &self.op_name,
                format!("takes {} inputs, got {n}", self.in_dtypes.len()),
            ));
        }
        // `n <= MAX_INPUTS` (checked when the plan was built).
        if n <= FEW_INPUTS {
            self.run_with::<FEW_INPUTS>(inputs, ctx, outputs)
        } else {
            self.run_with::<MAX_INPUTS>(inputs, ctx, outputs)
        }
    }
}

/// Up to this many inputs, a call's per-input tables are small stack
/// arrays (no allocation, little to initialise: a call on tiny arrays is
/// all fixed cost).
const FEW_INPUTS: usize = 8;

impl FusedKernel {
    /// [`Kernel::run`] with per-input tables of `N >= inputs.len()` entries.
    fn run_with<const N: usize>(
        &self,
        inputs: &mut Inputs<'_>,
        ctx: &PerformCtx,
        outputs: &mut Vec<Tensor>,
    ) -> Result<()> {
        let n = inputs.len();
        // The destroyed input, taken when it dies here.
        let held: Option<(usize, Tensor)> = self
            .destroy
            .and_then(|d| inputs.take_dying(d).map(|t| (d, t)));
        let tensor = |i: usize| -> &Tensor {
            match &held {
                Some((d, t)) if *d == i => t,
                _ => inputs.get(i),
            }
        };
        let mut shapes: [&[usize]; N] = [&[]; N];
        for (i, s) in shapes[..n].iter_mut().enumerate() {
            *s = tensor(i).shape();
        }
        let shape = broadcast_runtime(&self.op_name, &shapes[..n], ctx.input_types)?;
        for (i, &want) in self.in_dtypes.iter().enumerate() {
            if tensor(i).dtype() != want {
                return Err(Error::dtype(
                    &self.op_name,
                    i,
                    tensor(i).dtype(),
                    format!("expects {want} here"),
                ));
            }
        }
        let mut parts: [(usize, &[usize], &[isize]); N] = [(0, &[], &[]); N];
        for (i, p) in parts[..n].iter_mut().enumerate() {
            *p = (tensor(i).offset(), tensor(i).shape(), tensor(i).strides());
        }
        let layout = Layout::new(&shape, &parts[..n]);
        let size = crate::tensor::size_of(&shape);
        let writable = held.as_ref().is_some_and(|(_, t)| {
            t.can_write_in_place()
                && t.shape() == shape.as_slice()
                && t.dtype() == self.out_dtypes[0]
        });
        let (reused, held) = match held {
            Some((d, t)) if writable => (Some((d, t)), None),
            other => (None, other),
        };
        // The results are built in place at the end of `outputs`.
        let first = outputs.len();
        let reused_index = reused.as_ref().map(|(d, _)| *d);
        if let Some((_, t)) = reused {
            outputs.push(t);
        }
        for &d in &self.out_dtypes[outputs.len() - first..] {
            // The walk writes every element of every output.
            outputs.push(Tensor::empty(d, &shape));
        }
        if size > 0 {
            let mut tensors: [Option<&Tensor>; N] = [None; N];
            for (i, t) in tensors[..n].iter_mut().enumerate() {
                *t = match &held {
                    _ if reused_index == Some(i) => None,
                    Some((d, t)) if *d == i => Some(t),
                    _ => Some(inputs.get(i)),
                };
            }
            match &self.plan {
                AnyPlan::F32(p) => exec(p, &tensors[..n], &layout, &mut outputs[first..]),
                AnyPlan::F64(p) => exec(p, &tensors[..n], &layout, &mut outputs[first..]),
                AnyPlan::Typed(p) => {
                    typed_walk::exec(p, &tensors[..n], &layout, &mut outputs[first..])
                }
            }
        }
        Ok(())
    }
}

/// Feeds the inputs (`None`: the input written over by output 0) and
/// output sinks to the walker.
fn exec<T: Lane>(
    plan: &Plan<T>,
    tensors: &[Option<&Tensor>],
    layout: &Layout,
    outs: &mut [Tensor],
) {
    let feeds: Vec<Feed<T>> = tensors
        .iter()
        .enumerate()
        .map(|(i, t)| match t {
            None => Feed::Output(0),
            Some(t) if t.dtype() == T::DTYPE => Feed::Real(t.buffer_data::<T>()),
            Some(t) if t.dtype() == DType::Bool => Feed::Bool(t.buffer_data::<bool>()),
            // An f32 input of an f64 lane (the plan admits no other mix).
            Some(t) if t.dtype() == DType::F32 => Feed::Single(t.buffer_data::<f32>()),
            Some(t) => Feed::Int(int_data(t), plan.int_as_float[i]),
        })
        .collect();
    let sinks: Vec<Sink<T>> = outs
        .iter_mut()
        .map(|o| match o.dtype() {
            DType::Bool => Sink::Bool(o.data_mut::<bool>()),
            d if d == T::DTYPE => Sink::Real(o.data_mut::<T>()),
            // An f32 output of an f64 lane (the plan admits no other mix).
            _ => Sink::Single(o.data_mut::<f32>()),
        })
        .collect();
    walk::execute(plan, layout, &feeds, sinks);
}

/// The buffer of an integer input (the plan admits only these dtypes).
fn int_data(t: &Tensor) -> IntData<'_> {
    match t.dtype() {
        DType::I8 => IntData::I8(t.buffer_data()),
        DType::I16 => IntData::I16(t.buffer_data()),
        DType::I32 => IntData::I32(t.buffer_data()),
        DType::I64 => IntData::I64(t.buffer_data()),
        DType::U8 => IntData::U8(t.buffer_data()),
        DType::U16 => IntData::U16(t.buffer_data()),
        DType::U32 => IntData::U32(t.buffer_data()),
        d => unreachable!("the plan admits no {d} input"),
    }
}

/// The selector for `Elemwise`, `Composite` and `ElemwiseInplace` nodes.
pub fn select(op: &dyn Op, inputs: &[TensorType]) -> Option<FusedKernel> {
    use crate::ops::elemwise::{Elemwise, ElemwiseInplace, ElemwiseKernel};
    let any = op.as_any();
    if let Some(e) = any.downcast_ref::<Elemwise>() {
        return FusedKernel::for_scalar(e.op, inputs, None);
    }
    if let Some(c) = any.downcast_ref::<Composite>() {
        return FusedKernel::for_composite(c, None);
    }
    let e = any.downcast_ref::<ElemwiseInplace>()?;
    match &e.kernel {
        ElemwiseKernel::Scalar(s) => FusedKernel::for_scalar(*s, inputs, Some(e.destroy)),
        ElemwiseKernel::Fused(c) => FusedKernel::for_composite(c, Some(e.destroy)),
    }
}
