//! `cpu.repeat`: NumPy's `repeat` for any dtype. The input is viewed as
//! `outer × d × inner` (d the repeated axis); each of the `d` rows of
//! `inner` elements is written `count(i)` times into an uninitialised
//! output. For `inner == 1` (a vector, or the last axis) elements are
//! filled directly instead of copied as one-element rows, which is where
//! the reference spends its time.

use super::dense;
use crate::compile::{Inputs, Kernel};
use crate::error::{Error, Result};
use crate::graph::{Op, PerformCtx, TensorType};
use crate::ops::shape::Repeat;
use crate::tensor::{Element, Tensor};

/// A repeat along `op.axis` (`None`: the flattened input).
pub struct RepeatKernel {
    op: Repeat,
}

/// The kernel for a [`Repeat`] node (every dtype), or `None`.
pub fn select(op: &dyn Op, _inputs: &[TensorType]) -> Option<RepeatKernel> {
    let op = op.as_any().downcast_ref::<Repeat>()?.clone();
    Some(RepeatKernel { op })
}

impl Kernel for RepeatKernel {
    fn name(&self) -> &str {
        "cpu.repeat"
    }

    fn run(
        &self,
        inputs: &mut Inputs<'_>,
        _ctx: &PerformCtx,
        outputs: &mut Vec<Tensor>,
    ) -> Result<()> {
        let (x, reps) = (inputs.get(0), inputs.get(1));
        let x = match self.op.axis {
            Some(_) => x.clone(),
            None => x.reshape(&[-1])?,
        };
        let axis = self.op.axis.unwrap_or(0);
        if axis >= x.ndim() {
            return Err(Error::axis(self.op.name(), axis as i64, x.ndim()));
        }
        if reps.ndim() > 1 || !reps.dtype().is_int() {
            return Err(Error::dtype(
                self.op.name(),
                1,
                reps.dtype(),
                format!(
                    "the repeats must be an integer scalar or vector, got shape {:?}",
                    reps.shape()
                ),
            ));
        }
        let counts: Vec<i64> = reps.to_scalars().iter().map(|s| s.as_i64()).collect();
        let d = x.shape()[axis];
        let mut shape = x.shape().to_vec();
        shape[axis] = self.op.repeated_len(d, &counts)?;
        let layout = Layout {
            outer: x.shape()[..axis].iter().product(),
            d,
            inner: x.shape()[axis + 1..].iter().product(),
        };
        let x = dense(&x);
        let mut out = Tensor::empty(x.dtype(), &shape);
        crate::with_dtype!(x.dtype(), T => {
            let src = x.as_slice::<T>().expect("dense is contiguous");
            layout.repeat(src, &counts, out.data_mut::<T>());
        });
        outputs.push(out);
        Ok(())
    }
}

/// The `outer × d × inner` view of a C-contiguous input.
struct Layout {
    outer: usize,
    d: usize,
    inner: usize,
}

impl Layout {
    /// Writes every output element: row `i` of each slab `count(i)` times
    /// (`counts` holds one count, or `d`: checked by `repeated_len`).
    fn repeat<T: Element + Copy>(&self, x: &[T], counts: &[i64], out: &mut [T]) {
        let count = |i: usize| counts[if counts.len() == 1 { 0 } else { i }] as usize;
        if self.inner == 0 || out.is_empty() {
            return;
        }
        let mut at = 0;
        if self.inner == 1 {
            if counts.len() == 1 {
                let c = count(0);
                for (o, &v) in out.chunks_exact_mut(c).zip(x) {
                    o.fill(v);
                }
                return;
            }
            for slab in x.chunks_exact(self.d) {
                for (i, &v) in slab.iter().enumerate() {
                    let c = count(i);
                    out[at..at + c].fill(v);
                    at += c;
                }
            }
            return;
        }
        for slab in x.chunks_exact(self.d * self.inner).take(self.outer) {
            for (i, row) in slab.chunks_exact(self.inner).enumerate() {
                for _ in 0..count(i) {
                    out[at..at + self.inner].copy_from_slice(row);
                    at += self.inner;
                }
            }
        }
    }
}
