//! `cpu.sort`: sort and argsort of float32/float64 along one axis or over
//! the flattened array, through the integer keys of `sort_keys` (NaNs
//! last, argsort stable, as the reference). The input is viewed as
//! `outer × n × inner` (n the sorted axis); lanes along the last axis are
//! contiguous, others are gathered into a buffer and scattered back.
//! Lanes run in parallel for large inputs.

use super::dense;
use super::sort_keys::{argsort_values, sort_values, SortKey};
use crate::backend::cpu::reduce::PAR_MIN;
use crate::compile::{Inputs, Kernel};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::graph::{Op, PerformCtx, TensorType};
use crate::ops::extra::{Sort, SortKind};
use crate::tensor::{Element, Tensor};
use rayon::prelude::*;

/// A sort or argsort over `axis` (`None`: the flattened array).
pub struct SortKernel {
    kind: SortKind,
    axis: Option<usize>,
    op_name: String,
    name: String,
}

/// The kernel for a float32/float64 [`Sort`] node, or `None`.
pub fn select(op: &dyn Op, inputs: &[TensorType]) -> Option<SortKernel> {
    let sort = op.as_any().downcast_ref::<Sort>()?;
    let x = inputs.first()?;
    if !matches!(x.dtype, DType::F32 | DType::F64) {
        return None;
    }
    let what = match sort.kind {
        SortKind::Values => "sort",
        SortKind::Indices => "argsort",
    };
    Some(SortKernel {
        kind: sort.kind,
        axis: sort.axis,
        op_name: op.name(),
        name: format!("cpu.sort.{what}_{}", x.dtype).to_lowercase(),
    })
}

impl Kernel for SortKernel {
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
            DType::F32 => self.sort::<f32>(x)?,
            DType::F64 => self.sort::<f64>(x)?,
            d => return Err(super::not_float(&self.op_name, d)),
        };
        outputs.push(out);
        Ok(())
    }
}

impl SortKernel {
    fn sort<T: SortKey>(&self, x: &Tensor) -> Result<Tensor> {
        let shape = x.shape();
        let (out_shape, n, inner) = match self.axis {
            None => (vec![x.size()], x.size(), 1),
            Some(a) if a < x.ndim() => (
                shape.to_vec(),
                shape[a],
                shape[a + 1..].iter().product::<usize>(),
            ),
            Some(a) => return Err(Error::axis(&self.op_name, a as i64, x.ndim())),
        };
        let dense = dense(x);
        let data: &[T] = dense.as_slice::<T>().expect("dense is contiguous");
        let lanes = Lanes { n, inner };
        match self.kind {
            SortKind::Values => {
                let mut out = Tensor::empty(T::DTYPE, &out_shape);
                lanes.map(data, out.data_mut::<T>(), |lane, o| {
                    o.copy_from_slice(lane);
                    sort_values(o);
                });
                Ok(out)
            }
            SortKind::Indices => {
                let mut order = vec![0usize; data.len()];
                lanes.map(data, &mut order, argsort_values);
                let values: Vec<i64> = order.into_iter().map(|i| i as i64).collect();
                Tensor::from_vec(values, &out_shape)
            }
        }
    }
}

/// The lanes of an `outer × n × inner` C-contiguous array along its middle
/// axis.
struct Lanes {
    n: usize,
    inner: usize,
}

impl Lanes {
    /// Runs `f(lane, out_lane)` on every lane of `x`, writing `out` (laid
    /// out as `x`); lanes are contiguous when `inner == 1`, else gathered
    /// and scattered per slab. Parallel over slabs for large inputs.
    fn map<T: Element + Copy + Send + Sync, U: Copy + Default + Send>(
        &self,
        x: &[T],
        out: &mut [U],
        f: impl Fn(&[T], &mut [U]) + Sync,
    ) {
        let slab = self.n * self.inner;
        if slab == 0 {
            return;
        }
        let one = |(xs, os): (&[T], &mut [U])| self.slab(xs, os, &f);
        if x.len() >= PAR_MIN / 4 && x.len() > slab {
            x.par_chunks(slab)
                .zip(out.par_chunks_mut(slab))
                .for_each(one);
        } else {
            x.chunks(slab).zip(out.chunks_mut(slab)).for_each(one);
        }
    }

    /// One `n × inner` slab: `inner` lanes strided by `inner`.
    fn slab<T: Copy, U: Copy + Default>(
        &self,
        x: &[T],
        out: &mut [U],
        f: &impl Fn(&[T], &mut [U]),
    ) {
        if self.inner == 1 {
            return f(x, out);
        }
        let mut lane: Vec<T> = Vec::with_capacity(self.n);
        let mut sorted = vec![U::default(); self.n];
        for j in 0..self.inner {
            lane.clear();
            lane.extend(x[j..].iter().step_by(self.inner));
            f(&lane, &mut sorted);
            for (o, &v) in out[j..].iter_mut().step_by(self.inner).zip(&sorted) {
                *o = v;
            }
        }
    }
}
