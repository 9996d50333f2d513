//! `cpu.cumulative`: cumsum and cumprod of float32/float64 along one axis
//! or over the flattened array. The input is viewed as `outer × n × inner`
//! (n the scanned axis); each running value is kept in f64 and combined in
//! the order of the axis, exactly as the reference does, so the results
//! are the reference's bit for bit. Independent slabs run in parallel for
//! large inputs; non-contiguous inputs are first copied (blocked copy).

use super::dense;
use crate::backend::cpu::reduce::PAR_MIN;
use crate::backend::cpu::Real;
use crate::compile::{Inputs, Kernel};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::graph::{Op, PerformCtx, TensorType};
use crate::ops::reduce::{CumKind, CumOp};
use crate::tensor::Tensor;
use rayon::prelude::*;

/// A cumulative sum or product over `axis` (`None`: the flattened array).
pub struct CumKernel {
    kind: CumKind,
    axis: Option<usize>,
    op_name: String,
    name: String,
}

/// The kernel for a float32/float64 [`CumOp`] node, or `None`.
pub fn select(op: &dyn Op, inputs: &[TensorType]) -> Option<CumKernel> {
    let cum = op.as_any().downcast_ref::<CumOp>()?;
    let x = inputs.first()?;
    if !matches!(x.dtype, DType::F32 | DType::F64) || cum.kind.out_dtype(x.dtype) != x.dtype {
        return None;
    }
    Some(CumKernel {
        kind: cum.kind,
        axis: cum.axis,
        op_name: op.name(),
        name: format!("cpu.cumulative.{}_{}", cum.kind.name(), x.dtype).to_lowercase(),
    })
}

impl Kernel for CumKernel {
    fn name(&self) -> &str {
        &self.name
    }

    fn run(
        &self,
        inputs: &mut Inputs<'_>,
        _ctx: &PerformCtx,
        outputs: &mut Vec<Tensor>,
    ) -> Result<()> {
        let x = inputs.get(0);
        let out = match x.dtype() {
            DType::F32 => self.scan::<f32>(x)?,
            DType::F64 => self.scan::<f64>(x)?,
            d => return Err(super::not_float(&self.op_name, d)),
        };
        outputs.push(out);
        Ok(())
    }
}

impl CumKernel {
    fn scan<T: Real>(&self, x: &Tensor) -> Result<Tensor> {
        let shape = x.shape();
        let (out_shape, outer, n, inner) = match self.axis {
            None => (vec![x.size()], 1, x.size(), 1),
            Some(a) if a < x.ndim() => (
                shape.to_vec(),
                shape[..a].iter().product(),
                shape[a],
                shape[a + 1..].iter().product(),
            ),
            Some(a) => return Err(Error::axis(&self.op_name, a as i64, x.ndim())),
        };
        let mut out = Tensor::empty(T::DTYPE, &out_shape);
        let slab = n * inner;
        if outer * slab == 0 {
            return Ok(out);
        }
        let dense = dense(x);
        let data: &[T] = dense.as_slice::<T>().expect("dense is contiguous");
        let o = out.data_mut::<T>();
        let kind = self.kind;
        let one = |(xs, os): (&[T], &mut [T])| {
            if inner == 1 {
                running_row(kind, xs, os)
            } else {
                running_rows(kind, xs, inner, os)
            }
        };
        if data.len() >= PAR_MIN && outer > 1 {
            let min_slabs = (PAR_MIN / 8 / slab).max(1);
            data.par_chunks(slab)
                .zip(o.par_chunks_mut(slab))
                .with_min_len(min_slabs)
                .for_each(one);
        } else {
            data.chunks(slab).zip(o.chunks_mut(slab)).for_each(one);
        }
        Ok(out)
    }
}

/// Combines the running f64 value with the next element, as the reference.
#[inline(always)]
fn step(kind: CumKind, total: f64, v: f64) -> f64 {
    match kind {
        CumKind::Sum => total + v,
        CumKind::Prod => total * v,
    }
}

fn identity(kind: CumKind) -> f64 {
    match kind {
        CumKind::Sum => 0.0,
        CumKind::Prod => 1.0,
    }
}

#[inline(always)]
fn to_f64<T: Real>(v: T) -> f64 {
    v.to_f64().unwrap_or(f64::NAN)
}

#[inline(always)]
fn from_f64<T: Real>(v: f64) -> T {
    T::from(v).unwrap_or_else(T::nan)
}

/// The running values of one contiguous lane.
fn running_row<T: Real>(kind: CumKind, x: &[T], out: &mut [T]) {
    let mut total = identity(kind);
    for (o, &v) in out.iter_mut().zip(x) {
        total = step(kind, total, to_f64(v));
        *o = from_f64(total);
    }
}

/// The running values down the rows of a `rows × inner` matrix, one per
/// column: a row of f64 totals is carried from row to row, so the inner
/// loop runs over contiguous memory.
fn running_rows<T: Real>(kind: CumKind, x: &[T], inner: usize, out: &mut [T]) {
    let mut totals = vec![identity(kind); inner];
    for (row, orow) in x.chunks_exact(inner).zip(out.chunks_exact_mut(inner)) {
        for ((t, o), &v) in totals.iter_mut().zip(orow).zip(row) {
            *t = step(kind, *t, to_f64(v));
            *o = from_f64(*t);
        }
    }
}
