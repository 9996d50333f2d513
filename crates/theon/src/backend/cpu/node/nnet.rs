//! Row-wise kernels for float32/float64 nodes: `Softmax` and `LogSoftmax`
//! over the last axis and `SoftmaxCrossentropy`. Each row is shifted by its
//! (NaN-propagating) maximum and exponentiated with the vectorised `exp`
//! in blocks; rows are spread over threads for large inputs.

use super::dense;
use crate::backend::cpu::fused::Lane;
use crate::backend::cpu::reduce;
use crate::compile::{Inputs, Kernel};
use crate::dtype::DType;
use crate::error::{Error, ErrorKind, Result};
use crate::graph::{Op, PerformCtx, TensorType};
use crate::ops::elemwise::UnaryOp;
use crate::ops::nnet::{LogSoftmax, Softmax, SoftmaxCrossentropy, Targets};
use crate::tensor::Tensor;
use rayon::prelude::*;

/// Elements above which rows run on several threads.
const PAR_MIN: usize = 1 << 15;
/// Elements per exp block.
const CHUNK: usize = 256;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    Softmax,
    LogSoftmax,
    Crossentropy(Targets),
}

pub struct RowKernel {
    form: Form,
    op_name: String,
    name: String,
}

/// The kernel for a softmax-family node, or `None` (other dtypes, an axis
/// other than the last).
pub fn select(op: &dyn Op, inputs: &[TensorType]) -> Option<RowKernel> {
    let x = inputs.first()?;
    if !matches!(x.dtype, DType::F32 | DType::F64) {
        return None;
    }
    let any = op.as_any();
    let last = x.ndim().checked_sub(1)?;
    let form = if let Some(s) = any.downcast_ref::<Softmax>() {
        (s.axis == last).then_some(Form::Softmax)?
    } else if let Some(s) = any.downcast_ref::<LogSoftmax>() {
        (s.axis == last).then_some(Form::LogSoftmax)?
    } else {
        Form::Crossentropy(any.downcast_ref::<SoftmaxCrossentropy>()?.targets)
    };
    Some(RowKernel {
        form,
        op_name: op.name(),
        name: format!(
            "cpu.rows.{}_{}",
            op.name().split('{').next().unwrap_or("softmax"),
            x.dtype
        ),
    })
}

impl Kernel for RowKernel {
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
        let out = match (x.dtype(), self.form) {
            (DType::F32, Form::Crossentropy(t)) => self.crossentropy::<f32>(x, inputs.get(1), t)?,
            (DType::F64, Form::Crossentropy(t)) => self.crossentropy::<f64>(x, inputs.get(1), t)?,
            (DType::F32, f) => softmax::<f32>(x, f == Form::LogSoftmax),
            (DType::F64, f) => softmax::<f64>(x, f == Form::LogSoftmax),
            (d, _) => {
                return Err(Error::dtype(
                    &self.op_name,
                    0,
                    d,
                    "expects float32 or float64 here",
                ))
            }
        };
        outputs.push(out);
        Ok(())
    }
}

/// `Σ exp(x - m)` with the shifted exponentials written to `out`.
pub(super) fn exp_shifted<T: Lane>(x: &[T], m: T, out: &mut [T]) -> f64 {
    let exp = T::math(UnaryOp::Exp).expect("exp is vectorised");
    let mut shifted = [T::zero(); CHUNK];
    let mut total = 0.0;
    for (xc, oc) in x.chunks(CHUNK).zip(out.chunks_mut(CHUNK)) {
        let s = &mut shifted[..xc.len()];
        s.iter_mut().zip(xc).for_each(|(s, &v)| *s = v - m);
        exp(s, oc);
        total += reduce::sum(oc).widen();
    }
    total
}

fn softmax_row<T: Lane>(x: &[T], out: &mut [T], log: bool) {
    let Some(m) = reduce::max(x) else { return };
    let total = exp_shifted(x, m, out);
    if log {
        let log_total = T::narrow(total.ln());
        out.iter_mut()
            .zip(x)
            .for_each(|(o, &v)| *o = v - m - log_total);
    } else {
        let total = T::narrow(total);
        out.iter_mut().for_each(|o| *o /= total);
    }
}

fn softmax<T: Lane>(x: &Tensor, log: bool) -> Tensor {
    let dense = dense(x);
    let data = dense.as_slice::<T>().expect("contiguous");
    // Every row is written below (an early return means no elements).
    let mut out = Tensor::empty(T::DTYPE, x.shape());
    let cols = x.shape().last().copied().unwrap_or(1);
    if cols == 0 || data.is_empty() {
        return out;
    }
    let o = out.data_mut::<T>();
    if data.len() >= PAR_MIN {
        let rows_per_task = (PAR_MIN / 4 / cols).max(1);
        o.par_chunks_mut(cols * rows_per_task)
            .zip(data.par_chunks(cols * rows_per_task))
            .for_each(|(o, x)| {
                o.chunks_mut(cols)
                    .zip(x.chunks(cols))
                    .for_each(|(o, x)| softmax_row(x, o, log))
            });
    } else {
        o.chunks_mut(cols)
            .zip(data.chunks(cols))
            .for_each(|(o, x)| softmax_row(x, o, log));
    }
    out
}

impl RowKernel {
    fn crossentropy<T: Lane>(&self, x: &Tensor, t: &Tensor, targets: Targets) -> Result<Tensor> {
        let (n, k) = (
            x.shape().first().copied().unwrap_or(0),
            x.shape().get(1).copied().unwrap_or(0),
        );
        let same = t.shape().first() == Some(&n)
            && (targets == Targets::Labels || t.shape().get(1) == Some(&k));
        if x.ndim() != 2 || !same {
            return Err(Error::value(
                &self.op_name,
                format!(
                    "logits of shape {:?} and targets of shape {:?} do not match",
                    x.shape(),
                    t.shape()
                ),
            ));
        }
        let xd = dense(x);
        let logits = xd.as_slice::<T>().expect("contiguous");
        let lse = |row: &[T]| -> f64 { reduce::logsumexp(row).widen() };
        let values: Vec<f64> = match targets {
            Targets::Labels => {
                let labels = t.to_scalars();
                let mut out = Vec::with_capacity(n);
                for (i, &label) in labels.iter().enumerate() {
                    let row = &logits[i * k..(i + 1) * k];
                    let y = label.as_i64();
                    let in_range = match label {
                        crate::tensor::Scalar::UInt(v) => v < k as u64,
                        _ => y >= 0 && (y as u64) < k as u64,
                    };
                    if !in_range {
                        return Err(ErrorKind::Index {
                            op: self.op_name.clone(),
                            axis: 1,
                            index: y,
                            size: k,
                        }
                        .into());
                    }
                    out.push(lse(row) - row[y as usize].widen());
                }
                out
            }
            Targets::Dense => {
                let tv = dense(t);
                let tv = tv.as_slice::<T>().expect("contiguous");
                (0..n)
                    .map(|i| {
                        let (row, tr) = (&logits[i * k..(i + 1) * k], &tv[i * k..(i + 1) * k]);
                        let l = lse(row);
                        row.iter()
                            .zip(tr)
                            .map(|(&v, &p)| p.widen() * (l - v.widen()))
                            .sum::<f64>()
                    })
                    .collect()
            }
        };
        let narrowed: Vec<T> = values.into_iter().map(T::narrow).collect();
        Tensor::from_vec(narrowed, &[n])
    }
}
