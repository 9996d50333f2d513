//! Reduction kernels for float32/float64 nodes: `Reduce` (sum, prod, max,
//! min), `Mean`, `Variance` (var, std), `LogSumExp` and `ArgReduce` (argmax,
//! argmin) over one consecutive run of axes, through `backend::cpu::reduce`. The input is viewed as
//! `outer × r × inner` (r the reduced axes): inner = 1 reduces rows,
//! otherwise each outer slab reduces columns. Non-contiguous inputs are
//! first copied (blocked copy). Other axis sets keep `perform`.

use crate::backend::cpu::reduce::Spread;
use crate::backend::cpu::{reduce, Real};
use crate::compile::{Inputs, Kernel};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::graph::{Op, PerformCtx, TensorType};
use crate::ops::reduce::{
    ArgKind, ArgReduce, Dispersion, LogSumExp, Mean, Reduce, ReduceKind, Variance,
};
use crate::tensor::Tensor;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum What {
    Sum,
    Prod,
    Max,
    Min,
    Mean,
    Spread(Spread),
    LogSumExp,
    ArgMax,
    ArgMin,
}

impl What {
    /// The kernel-name suffix (`sum`, `var`, `std`, `argmin`, ...).
    fn label(self) -> &'static str {
        match self {
            What::Sum => "sum",
            What::Prod => "prod",
            What::Max => "max",
            What::Min => "min",
            What::Mean => "mean",
            What::Spread(s) if s.sqrt => "std",
            What::Spread(_) => "var",
            What::LogSumExp => "logsumexp",
            What::ArgMax => "argmax",
            What::ArgMin => "argmin",
        }
    }

    fn is_arg(self) -> bool {
        matches!(self, What::ArgMax | What::ArgMin)
    }
}

/// A reduction over axes `first..end` of an input of static rank `ndim`.
pub struct ReduceKernel {
    what: What,
    first: usize,
    end: usize,
    keepdims: bool,
    /// ArgReduce over all axes: a flat index, no kept axes unless keepdims.
    flat: bool,
    op_name: String,
    name: String,
}

/// The kernel for a reduction node, or `None` (other dtypes, non-consecutive
/// axes, logsumexp not over trailing axes, all/any).
pub fn select(op: &dyn Op, inputs: &[TensorType], outputs: &[TensorType]) -> Option<ReduceKernel> {
    let x = inputs.first()?;
    if !matches!(x.dtype, DType::F32 | DType::F64) {
        return None;
    }
    let any = op.as_any();
    let (what, axes, keepdims, flat) = if let Some(r) = any.downcast_ref::<Reduce>() {
        let what = match r.kind {
            ReduceKind::Sum => What::Sum,
            ReduceKind::Prod => What::Prod,
            ReduceKind::Max => What::Max,
            ReduceKind::Min => What::Min,
            _ => return None,
        };
        (what, r.axes.clone(), r.keepdims, false)
    } else if let Some(m) = any.downcast_ref::<Mean>() {
        (What::Mean, m.axes.clone(), m.keepdims, false)
    } else if let Some(v) = any.downcast_ref::<Variance>() {
        let spread = Spread {
            ddof: v.ddof,
            sqrt: v.kind == Dispersion::Std,
        };
        (What::Spread(spread), v.axes.clone(), v.keepdims, false)
    } else if let Some(l) = any.downcast_ref::<LogSumExp>() {
        (What::LogSumExp, l.axes.clone(), l.keepdims, false)
    } else {
        let a = any.downcast_ref::<ArgReduce>()?;
        let what = match a.kind {
            ArgKind::Max => What::ArgMax,
            ArgKind::Min => What::ArgMin,
        };
        match a.axis {
            Some(axis) => (what, vec![axis], a.keepdims, false),
            None => (what, (0..x.ndim()).collect(), a.keepdims, true),
        }
    };
    let (first, end) = (*axes.first()?, *axes.last()? + 1);
    let consecutive = axes.windows(2).all(|w| w[1] == w[0] + 1) && end <= x.ndim();
    let trailing = end == x.ndim();
    let out_ok = outputs.first()?.dtype == if what.is_arg() { DType::I64 } else { x.dtype };
    if !consecutive || !out_ok || (what == What::LogSumExp && !trailing) {
        return None;
    }
    if what.is_arg() && !flat && first != 0 && !trailing {
        return None;
    }
    Some(ReduceKernel {
        what,
        first,
        end,
        keepdims,
        flat,
        op_name: op.name(),
        name: format!("cpu.reduce.{}_{}", what.label(), x.dtype).to_lowercase(),
    })
}

impl Kernel for ReduceKernel {
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
        if x.ndim() < self.end {
            return Err(Error::axis(&self.op_name, self.end as i64 - 1, x.ndim()));
        }
        let out = match x.dtype() {
            DType::F32 => self.reduce::<f32>(x)?,
            DType::F64 => self.reduce::<f64>(x)?,
            d => return Err(super::not_float(&self.op_name, d)),
        };
        outputs.push(out);
        Ok(())
    }
}

impl ReduceKernel {
    fn out_shape(&self, shape: &[usize]) -> Vec<usize> {
        if self.flat && !self.keepdims {
            return vec![];
        }
        let mut out = Vec::with_capacity(shape.len());
        for (axis, &d) in shape.iter().enumerate() {
            if !(self.first..self.end).contains(&axis) {
                out.push(d);
            } else if self.keepdims {
                out.push(1);
            }
        }
        out
    }

    fn empty_error(&self, x: &Tensor) -> Error {
        let text = match self.what {
            w if w.is_arg() => format!(
                "attempt to get {} of an empty sequence (input 0 has shape {:?})",
                w.label(),
                x.shape()
            ),
            w => format!(
                "zero-size array to reduction operation {} which has no identity (input 0 has shape {:?})",
                if w == What::Max { "maximum" } else { "minimum" },
                x.shape()
            ),
        };
        Error::value(&self.op_name, text)
    }

    fn reduce<T: Real>(&self, x: &Tensor) -> Result<Tensor> {
        let shape = x.shape();
        let outer: usize = shape[..self.first].iter().product();
        let r: usize = shape[self.first..self.end].iter().product();
        let inner: usize = shape[self.end..].iter().product();
        let out_shape = self.out_shape(shape);
        let extremum = matches!(self.what, What::Max | What::Min) || self.what.is_arg();
        if extremum && r == 0 && (outer * inner > 0 || self.flat) {
            return Err(self.empty_error(x));
        }
        let dense = super::dense(x);
        let data: &[T] = dense.as_slice::<T>().expect("dense is contiguous");
        if self.what.is_arg() {
            return arg_reduce(self.what, data, outer, r, inner, &out_shape);
        }
        let mut out = Tensor::zeros(T::DTYPE, &out_shape);
        let o = out.data_mut::<T>();
        if outer * inner == 0 {
            return Ok(out);
        }
        if inner > 1 {
            let slab = r * inner;
            // Slabs by index: with r = 0 each is empty and the kernels give
            // their identity (0, 1, NaN for var).
            for (k, o) in o.chunks_mut(inner).enumerate() {
                let x = &data[k * slab..(k + 1) * slab];
                match self.what {
                    What::Sum | What::Mean => reduce::sum_cols(x, r, inner, o),
                    What::Prod => reduce::prod_cols(x, r, inner, o),
                    What::Max => reduce::max_cols(x, r, inner, o)?,
                    What::Min => reduce::min_cols(x, r, inner, o)?,
                    What::Spread(s) => reduce::variance_cols(x, r, inner, s, o),
                    What::LogSumExp | What::ArgMax | What::ArgMin => {
                        unreachable!("trailing axes only")
                    }
                }
            }
        } else {
            match self.what {
                What::Sum | What::Mean => reduce::sum_rows(data, outer, r, o),
                What::Prod => reduce::prod_rows(data, outer, r, o),
                What::Max => reduce::max_rows(data, outer, r, o)?,
                What::Min => reduce::min_rows(data, outer, r, o)?,
                What::Spread(s) => reduce::variance_rows(data, outer, r, s, o),
                What::LogSumExp => reduce::logsumexp_rows(data, outer, r, o),
                What::ArgMax | What::ArgMin => unreachable!("handled above"),
            }
        }
        if self.what == What::Mean {
            // Divided as the reference does; the mean of nothing is NaN (0/0).
            let count = T::from(r).expect("a count fits a float");
            o.iter_mut().for_each(|v| *v /= count);
        }
        Ok(out)
    }
}

fn arg_reduce<T: Real>(
    what: What,
    data: &[T],
    outer: usize,
    r: usize,
    inner: usize,
    shape: &[usize],
) -> Result<Tensor> {
    let mut idx = vec![0usize; outer * inner];
    let is_max = what == What::ArgMax;
    match (inner == 1, is_max) {
        (true, true) => reduce::argmax_rows(data, outer, r, &mut idx)?,
        (true, false) => reduce::argmin_rows(data, outer, r, &mut idx)?,
        // Selected only for trailing axes or the first axis (outer = 1).
        (false, true) => reduce::argmax_cols(data, r, inner, &mut idx)?,
        (false, false) => reduce::argmin_cols(data, r, inner, &mut idx)?,
    }
    let values: Vec<i64> = idx.into_iter().map(|i| i as i64).collect();
    Tensor::from_vec(values, shape)
}
