//! The `SoftmaxWithCrossentropy` kernel (float32/float64, labels or dense
//! targets): per row, one pass of shifted exponentials gives the softmax
//! (`e / Σe`) and the log-sum-exp (`m + ln Σe`), from which the
//! cross-entropy follows (`lse - x[y]`, or `Σ_k t_k (lse - x_k)`), so the
//! row is exponentiated once for both outputs.

use super::dense;
use super::nnet::exp_shifted;
use crate::backend::cpu::fused::Lane;
use crate::backend::cpu::reduce;
use crate::compile::{Inputs, Kernel};
use crate::dtype::DType;
use crate::error::{Error, ErrorKind, Result};
use crate::graph::{Op, PerformCtx, TensorType};
use crate::ops::nnet::{SoftmaxWithCrossentropy, Targets};
use crate::tensor::{Scalar, Tensor};
use rayon::prelude::*;

/// Rows per parallel task (rows are independent).
const ROWS_PER_TASK: usize = 2048;

/// Computes both outputs of a [`SoftmaxWithCrossentropy`] node.
pub struct SoftmaxPairKernel {
    targets: Targets,
    op_name: String,
    name: String,
}

/// The kernel for a float32/float64 `SoftmaxWithCrossentropy` node.
pub fn select(op: &dyn Op, inputs: &[TensorType]) -> Option<SoftmaxPairKernel> {
    let pair = op.as_any().downcast_ref::<SoftmaxWithCrossentropy>()?;
    let x = inputs.first()?;
    if !matches!(x.dtype, DType::F32 | DType::F64) || x.ndim() != 2 {
        return None;
    }
    Some(SoftmaxPairKernel {
        targets: pair.targets,
        op_name: op.name(),
        name: format!("cpu.rows.softmax_with_crossentropy_{}", x.dtype),
    })
}

impl Kernel for SoftmaxPairKernel {
    fn name(&self) -> &str {
        &self.name
    }

    fn run(
        &self,
        inputs: &mut Inputs<'_>,
        _ctx: &PerformCtx,
        outputs: &mut Vec<Tensor>,
    ) -> Result<()> {
        let (x, t) = (inputs.get(0), inputs.get(1));
        let (ce, p) = match x.dtype() {
            DType::F32 => self.rows::<f32>(x, t)?,
            DType::F64 => self.rows::<f64>(x, t)?,
            d => {
                return Err(Error::dtype(
                    &self.op_name,
                    0,
                    d,
                    "expects float32 or float64",
                ))
            }
        };
        outputs.push(ce);
        outputs.push(p);
        Ok(())
    }
}

impl SoftmaxPairKernel {
    fn mismatch(&self, x: &Tensor, t: &Tensor) -> Error {
        Error::value(
            &self.op_name,
            format!(
                "logits of shape {:?} and targets of shape {:?} do not match",
                x.shape(),
                t.shape()
            ),
        )
    }

    fn rows<T: Lane>(&self, x: &Tensor, t: &Tensor) -> Result<(Tensor, Tensor)> {
        let (n, k) = (x.shape()[0], x.shape()[1]);
        let same = t.shape().first() == Some(&n)
            && (self.targets == Targets::Labels || t.shape().get(1) == Some(&k));
        if !same {
            return Err(self.mismatch(x, t));
        }
        let xd = dense(x);
        let logits = xd.as_slice::<T>().expect("contiguous");
        let targets = Targets64::read(self.targets, t, k, &self.op_name)?;
        let mut p = Tensor::zeros(T::DTYPE, &[n, k]);
        let mut ce = vec![T::zero(); n];
        if k > 0 {
            let probs = p.data_mut::<T>();
            probs
                .par_chunks_mut(ROWS_PER_TASK * k)
                .zip(ce.par_chunks_mut(ROWS_PER_TASK))
                .enumerate()
                .for_each(|(task, (probs, ce))| {
                    let first = task * ROWS_PER_TASK;
                    for (r, (out, c)) in probs.chunks_mut(k).zip(ce.iter_mut()).enumerate() {
                        let i = first + r;
                        let row = &logits[i * k..(i + 1) * k];
                        *c = T::narrow(row_pair(row, out, &targets, i));
                    }
                });
        }
        Ok((Tensor::from_vec(ce, &[n])?, p))
    }
}

/// The targets in f64: a label index per row, or dense rows.
enum Targets64 {
    Labels(Vec<usize>),
    Dense(Vec<f64>, usize),
}

impl Targets64 {
    fn read(kind: Targets, t: &Tensor, k: usize, op: &str) -> Result<Targets64> {
        match kind {
            Targets::Dense => Ok(Targets64::Dense(dense(t).to_f64_vec(), k)),
            Targets::Labels => t
                .to_scalars()
                .into_iter()
                .map(|label| {
                    let index = match label {
                        Scalar::UInt(v) if v < k as u64 => Some(v as usize),
                        Scalar::Int(v) if v >= 0 && (v as u64) < k as u64 => Some(v as usize),
                        _ => None,
                    };
                    index.ok_or_else(|| {
                        ErrorKind::Index {
                            op: op.to_string(),
                            axis: 1,
                            index: label.as_i64(),
                            size: k,
                        }
                        .into()
                    })
                })
                .collect::<Result<Vec<usize>>>()
                .map(Targets64::Labels),
        }
    }
}

/// Softmax of `row` into `out`; returns the row's cross-entropy.
fn row_pair<T: Lane>(row: &[T], out: &mut [T], targets: &Targets64, i: usize) -> f64 {
    let Some(m) = reduce::max(row) else {
        return f64::NAN;
    };
    let total = exp_shifted(row, m, out);
    let sum = T::narrow(total);
    out.iter_mut().for_each(|o| *o /= sum);
    let lse = m.widen() + total.ln();
    match targets {
        Targets64::Labels(y) => lse - row[y[i]].widen(),
        Targets64::Dense(t, k) => (row.iter())
            .zip(&t[i * k..(i + 1) * k])
            .map(|(&v, &w)| w * (lse - v.widen()))
            .sum(),
    }
}
