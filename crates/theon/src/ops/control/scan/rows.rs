//! `Rows`: a preallocated, contiguous `(n, *row_shape)` buffer that the
//! loop writes one row at a time (copy, or add for accumulating tracks),
//! and hands out rows as views. The buffer stays uniquely owned between
//! steps (views are dropped before the next write), so writing never
//! copies it.

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::tensor::{Element, Scalar, Tensor};
use std::borrow::Cow;

pub struct Rows {
    tensor: Tensor,
    row_size: usize,
}

impl Rows {
    /// `n` zero rows of `row_shape`.
    pub fn zeros(dtype: DType, n: usize, row_shape: &[usize]) -> Rows {
        let mut shape = vec![n];
        shape.extend_from_slice(row_shape);
        Rows {
            tensor: Tensor::zeros(dtype, &shape),
            row_size: row_shape.iter().product(),
        }
    }

    /// Row `i` as a view (drop it before the next write).
    pub fn row(&self, i: usize) -> Tensor {
        row_view(&self.tensor, i)
    }

    /// Rows `start..stop` as a view.
    pub fn range(&self, start: usize, stop: usize) -> Tensor {
        self.tensor
            .slice_axis(0, Some(start as i64), Some(stop as i64), 1)
            .expect("axis 0 exists")
    }

    /// Writes `value` (of the row shape; checked by the caller) into row
    /// `i`, or adds it to the row when `add`.
    pub fn write(&mut self, i: usize, value: &Tensor, add: bool) -> Result<()> {
        if value.dtype() != self.tensor.dtype() {
            return Err(Error::value(
                "scan",
                format!(
                    "a step produced dtype {} for a buffer of dtype {}",
                    value.dtype(),
                    self.tensor.dtype()
                ),
            ));
        }
        let (lo, hi) = (i * self.row_size, (i + 1) * self.row_size);
        crate::with_dtype!(value.dtype(), T => {
            let src: Cow<[T]> = match value.as_slice::<T>() {
                Some(s) => Cow::Borrowed(s),
                None => Cow::Owned(value.to_vec::<T>()),
            };
            let dst = &mut self.tensor.data_mut::<T>()[lo..hi];
            if add {
                for (d, &s) in dst.iter_mut().zip(src.iter()) {
                    *d = T::from_scalar(add_scalars(d.to_scalar(), s.to_scalar()));
                }
            } else {
                dst.copy_from_slice(&src);
            }
        });
        Ok(())
    }

    /// Copies row `from` onto row `to`.
    pub fn copy_row(&mut self, from: usize, to: usize) {
        let n = self.row_size;
        crate::with_dtype!(self.tensor.dtype(), T => {
            let data = self.tensor.data_mut::<T>();
            data.copy_within(from * n..(from + 1) * n, to * n);
        });
    }

    /// The whole buffer.
    pub fn tensor(&self) -> &Tensor {
        &self.tensor
    }
}

/// `a + b` in the wider of the two scalar kinds (accumulation of gradient
/// contributions; integers wrap like NumPy's).
fn add_scalars(a: Scalar, b: Scalar) -> Scalar {
    match (a, b) {
        (Scalar::Float(x), y) | (y, Scalar::Float(x)) => Scalar::Float(x + y.as_f64()),
        (Scalar::Bool(x), Scalar::Bool(y)) => Scalar::Bool(x || y),
        (x, y) => Scalar::Int(x.as_i64().wrapping_add(y.as_i64())),
    }
}

/// Row `i` of `t` (`i < t.shape()[0]`) as a view. Unlike
/// `Tensor::index_axis` it allocates nothing for rank-1 tensors, whose rows
/// are scalars: the per-step path of a scalar recurrence.
pub fn row_view(t: &Tensor, i: usize) -> Tensor {
    let offset = t.offset() as isize + i as isize * t.strides()[0];
    t.with_layout(
        t.shape()[1..].to_vec(),
        t.strides()[1..].to_vec(),
        offset as usize,
    )
}
