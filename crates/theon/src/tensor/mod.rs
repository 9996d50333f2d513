//! `Tensor`, the runtime value: dtype + shape + strides + offset over a
//! shared, 64-byte aligned buffer. Views (transpose, slices, broadcasts)
//! share the buffer; writing requires unique ownership (copy-on-write).
//! A tensor over borrowed memory (`from_borrowed`) is never written.

mod borrowed;
mod buffer;
mod display;
pub mod layout;
pub mod pool;
mod random;
pub mod scalar;
mod views;

pub use buffer::Buffer;
pub use layout::{broadcast_shapes, c_strides, size_of, unravel, Offsets};
pub use scalar::{Element, Scalar};
pub(crate) use views::slice_bounds;

use crate::dtype::DType;
use crate::error::{Error, Result};
use std::sync::Arc;

#[derive(Clone)]
pub struct Tensor {
    buffer: Arc<Buffer>,
    dtype: DType,
    shape: Vec<usize>,
    /// Strides in elements (may be negative or zero).
    strides: Vec<isize>,
    /// Offset of element `[0, 0, ...]` in elements.
    offset: usize,
}

impl Tensor {
    /// A zero-filled C-contiguous tensor.
    pub fn zeros(dtype: DType, shape: &[usize]) -> Tensor {
        let n = size_of(shape);
        Tensor {
            buffer: Arc::new(Buffer::zeroed(n * dtype.size())),
            dtype,
            shape: shape.to_vec(),
            strides: c_strides(shape),
            offset: 0,
        }
    }

    /// A C-contiguous tensor whose elements are unspecified: left over
    /// from a recycled buffer (see [`pool`]) or zero. For kernels that
    /// write every element before reading any; it spares them zero-filling
    /// (and, for large buffers, fresh page faults). Bool tensors are
    /// zero-filled (recycled bytes need not be valid `bool`s).
    pub fn empty(dtype: DType, shape: &[usize]) -> Tensor {
        if dtype == DType::Bool {
            return Tensor::zeros(dtype, shape);
        }
        let n = size_of(shape);
        Tensor {
            buffer: Arc::new(Buffer::recycled(n * dtype.size())),
            dtype,
            shape: shape.to_vec(),
            strides: c_strides(shape),
            offset: 0,
        }
    }

    /// A tensor that owns a copy of `data` laid out in C order.
    pub fn from_slice<T: Element>(data: &[T], shape: &[usize]) -> Result<Tensor> {
        if data.len() != size_of(shape) {
            return Err(Error::value(
                "Tensor::from_slice",
                format!("{} elements do not fill shape {:?}", data.len(), shape),
            ));
        }
        let mut t = Tensor::empty(T::DTYPE, shape);
        t.data_mut::<T>().copy_from_slice(data);
        Ok(t)
    }

    pub fn from_vec<T: Element>(data: Vec<T>, shape: &[usize]) -> Result<Tensor> {
        Tensor::from_slice(&data, shape)
    }

    /// A rank-0 tensor.
    pub fn scalar<T: Element>(value: T) -> Tensor {
        Tensor::from_slice(&[value], &[]).expect("one element fills a scalar")
    }

    /// A tensor of `dtype` built from scalars in C order (each cast to `dtype`).
    pub fn from_scalars(dtype: DType, shape: &[usize], values: &[Scalar]) -> Result<Tensor> {
        if values.len() != size_of(shape) {
            return Err(Error::value(
                "Tensor::from_scalars",
                format!("{} elements do not fill shape {:?}", values.len(), shape),
            ));
        }
        let mut t = Tensor::empty(dtype, shape);
        crate::with_dtype!(dtype, T => {
            for (dst, &v) in t.data_mut::<T>().iter_mut().zip(values) {
                *dst = T::from_scalar(v);
            }
        });
        Ok(t)
    }

    /// A tensor of `dtype` from f64 values (each cast to `dtype`).
    pub fn from_f64s(dtype: DType, shape: &[usize], values: &[f64]) -> Result<Tensor> {
        let scalars: Vec<Scalar> = values.iter().map(|&v| Scalar::Float(v)).collect();
        Tensor::from_scalars(dtype, shape, &scalars)
    }

    /// A tensor filled with one value.
    pub fn full(dtype: DType, shape: &[usize], value: impl Into<Scalar>) -> Tensor {
        let v = value.into();
        Tensor::from_scalars(dtype, shape, &vec![v; size_of(shape)]).expect("sizes agree")
    }

    pub fn from_ndarray<T: Element>(array: ndarray::ArrayD<T>) -> Tensor {
        let shape = array.shape().to_vec();
        let data: Vec<T> = array.iter().copied().collect();
        Tensor::from_slice(&data, &shape).expect("sizes agree")
    }

    pub fn dtype(&self) -> DType {
        self.dtype
    }

    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    pub fn strides(&self) -> &[isize] {
        &self.strides
    }

    pub fn offset(&self) -> usize {
        self.offset
    }

    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    /// Number of elements.
    pub fn size(&self) -> usize {
        size_of(&self.shape)
    }

    /// True when the elements are dense in C order starting at `offset`.
    pub fn is_contiguous(&self) -> bool {
        // Walks the C strides from the last axis (no allocation: this runs
        // on every kernel call).
        let mut dense = 1isize;
        for (&d, &s) in self.shape.iter().zip(&self.strides).rev() {
            if d > 1 && s != dense {
                return false;
            }
            dense *= d.max(1) as isize;
        }
        true
    }

    /// True when both tensors view the same buffer.
    pub fn shares_buffer(&self, other: &Tensor) -> bool {
        Arc::ptr_eq(&self.buffer, &other.buffer)
    }

    /// True when another tensor (a clone or a view), or the owner of
    /// borrowed memory, holds this buffer too, so writing through
    /// `data_mut` would copy first.
    pub fn buffer_is_shared(&self) -> bool {
        Arc::strong_count(&self.buffer) > 1 || self.buffer.is_borrowed()
    }

    /// Identity of the underlying buffer (equal for views of one buffer).
    pub fn buffer_id(&self) -> usize {
        Arc::as_ptr(&self.buffer) as *const u8 as usize
    }

    /// Size of the underlying buffer in bytes (a view's whole base).
    pub fn buffer_bytes(&self) -> usize {
        self.buffer.len()
    }

    /// The whole underlying buffer as `T`s (not only this view's elements).
    pub fn buffer_data<T: Element>(&self) -> &[T] {
        self.check_dtype::<T>();
        let bytes = self.buffer.as_bytes();
        // SAFETY: the buffer is aligned for `T` (64-byte aligned when owned,
        // checked by `from_borrowed` when borrowed) and holds whole elements of
        // `self.dtype`, which is `T::DTYPE` (checked above); every Element is
        // plain data valid for any bit pattern we write (bools are only ever
        // written as 0 or 1).
        unsafe {
            std::slice::from_raw_parts(bytes.as_ptr() as *const T, bytes.len() / T::DTYPE.size())
        }
    }

    /// This tensor's elements as a slice, if it is C-contiguous.
    pub fn as_slice<T: Element>(&self) -> Option<&[T]> {
        if !self.is_contiguous() {
            return None;
        }
        if self.size() == 0 {
            // An empty view's offset may lie past the buffer's end.
            self.check_dtype::<T>();
            return Some(&[]);
        }
        Some(&self.buffer_data::<T>()[self.offset..self.offset + self.size()])
    }

    /// Mutable access to the elements in C order. Copies first if the buffer
    /// is shared or borrowed or this is a non-contiguous view, so writes
    /// never leak into another tensor or into a caller's memory.
    pub fn data_mut<T: Element>(&mut self) -> &mut [T] {
        self.check_dtype::<T>();
        if !self.can_write_in_place() {
            *self = self.to_contiguous_copy();
        }
        let n = self.size();
        let buffer = Arc::get_mut(&mut self.buffer).expect("buffer is unique after copy");
        let bytes = buffer.as_bytes_mut();
        // SAFETY: same layout argument as `buffer_data`; the buffer is
        // uniquely owned, so the mutable slice aliases nothing.
        unsafe { std::slice::from_raw_parts_mut(bytes.as_mut_ptr() as *mut T, n) }
    }

    /// True when [`Tensor::data_mut`] would write into this tensor's own
    /// buffer without copying: the buffer is held by this tensor only and
    /// this is a dense C-order view of all of it (what an inplace kernel
    /// needs before it overwrites an input).
    pub fn can_write_in_place(&self) -> bool {
        let whole = self.offset == 0 && self.size() * self.dtype.size() == self.buffer.len();
        whole
            && self.is_contiguous()
            && Arc::strong_count(&self.buffer) == 1
            && !self.buffer.is_borrowed()
    }

    fn check_dtype<T: Element>(&self) {
        assert_eq!(
            self.dtype,
            T::DTYPE,
            "typed access with the wrong element type"
        );
    }

    /// Element offsets of this view in C order.
    pub fn offsets(&self) -> Offsets<'_> {
        Offsets::new(&self.shape, &self.strides, self.offset as isize)
    }

    /// The elements in C order, as `T` (which must match the dtype).
    pub fn to_vec<T: Element>(&self) -> Vec<T> {
        if let Some(elements) = self.as_slice::<T>() {
            return elements.to_vec();
        }
        let data = self.buffer_data::<T>();
        self.offsets().map(|o| data[o as usize]).collect()
    }

    /// The elements in C order as scalars.
    pub fn to_scalars(&self) -> Vec<Scalar> {
        crate::with_dtype!(self.dtype, T => {
            let data = self.buffer_data::<T>();
            self.offsets().map(|o| data[o as usize].to_scalar()).collect()
        })
    }

    /// The elements in C order converted to f64.
    pub fn to_f64_vec(&self) -> Vec<f64> {
        self.to_scalars().into_iter().map(Scalar::as_f64).collect()
    }

    /// The element at a multi-index.
    pub fn get(&self, index: &[usize]) -> Scalar {
        assert_eq!(index.len(), self.ndim(), "index rank");
        let mut pos = self.offset as isize;
        for ((&i, &d), &s) in index.iter().zip(&self.shape).zip(&self.strides) {
            assert!(i < d, "index {i} out of range for size {d}");
            pos += i as isize * s;
        }
        crate::with_dtype!(self.dtype, T => self.buffer_data::<T>()[pos as usize].to_scalar())
    }

    /// The single element of a size-1 tensor.
    pub fn item(&self) -> Scalar {
        assert_eq!(
            self.size(),
            1,
            "item() of a tensor with {} elements",
            self.size()
        );
        self.to_scalars()[0]
    }

    /// A C-contiguous copy with its own buffer.
    pub fn to_contiguous_copy(&self) -> Tensor {
        let mut out = Tensor::empty(self.dtype, &self.shape);
        crate::with_dtype!(self.dtype, T => {
            let src = self.buffer_data::<T>();
            let n = out.size();
            let buffer = Arc::get_mut(&mut out.buffer).expect("fresh buffer");
            // SAFETY: see `data_mut`; `out` is fresh and uniquely owned.
            let dst = unsafe { std::slice::from_raw_parts_mut(buffer.as_bytes_mut().as_mut_ptr() as *mut T, n) };
            if n == 0 {
                // An empty view's offset may lie past the buffer's end.
            } else if self.is_contiguous() {
                dst.copy_from_slice(&src[self.offset..self.offset + n]);
            } else {
                self.copy_rows(src, dst);
            }
        });
        out
    }

    /// Copies the elements in C order into `dst`, one innermost row at a
    /// time (the row's stride is fixed, so the inner loop has no index
    /// bookkeeping).
    fn copy_rows<T: Element>(&self, src: &[T], dst: &mut [T]) {
        let Some((&len, outer)) = self.shape.split_last() else {
            dst[0] = src[self.offset];
            return;
        };
        if len == 0 {
            return;
        }
        let step = self.strides[self.ndim() - 1];
        let starts = Offsets::new(outer, &self.strides[..outer.len()], self.offset as isize);
        for (row, start) in dst.chunks_exact_mut(len).zip(starts) {
            for (j, d) in row.iter_mut().enumerate() {
                *d = src[(start + j as isize * step) as usize];
            }
        }
    }

    /// This tensor if it is contiguous, otherwise a contiguous copy.
    pub fn contiguous(&self) -> Tensor {
        if self.is_contiguous() {
            self.clone()
        } else {
            self.to_contiguous_copy()
        }
    }

    /// Converts to `dtype` with NumPy `astype` semantics (always a new buffer).
    pub fn cast(&self, dtype: DType) -> Tensor {
        if dtype == self.dtype {
            return self.to_contiguous_copy();
        }
        let from = self.contiguous();
        let mut out = Tensor::zeros(dtype, &self.shape);
        crate::with_dtype!(self.dtype, S => {
            let src = from.as_slice::<S>().expect("contiguous");
            crate::with_dtype!(dtype, D => {
                for (d, &x) in out.data_mut::<D>().iter_mut().zip(src) {
                    *d = D::from_scalar(x.to_scalar());
                }
            });
        });
        out
    }

    /// A read-only ndarray view of the elements (any strides).
    pub fn view<T: Element>(&self) -> ndarray::ArrayViewD<'_, T> {
        use ndarray::{IxDyn, ShapeBuilder};
        let data = self.buffer_data::<T>();
        if self.size() == 0 {
            return ndarray::ArrayViewD::from_shape(IxDyn(&self.shape), &[]).expect("empty view");
        }
        let mut start = self.offset as isize;
        let mut abs = Vec::with_capacity(self.ndim());
        for (&d, &s) in self.shape.iter().zip(&self.strides) {
            if s < 0 {
                start += s * (d as isize - 1);
            }
            abs.push(s.unsigned_abs());
        }
        // SAFETY: every element reachable from `start` with the absolute
        // strides lies inside the buffer, because the signed layout did.
        let mut view = unsafe {
            ndarray::ArrayViewD::from_shape_ptr(
                IxDyn(&self.shape).strides(IxDyn(&abs)),
                data.as_ptr().offset(start),
            )
        };
        for (axis, &s) in self.strides.iter().enumerate() {
            if s < 0 {
                view.invert_axis(ndarray::Axis(axis));
            }
        }
        view
    }

    /// An owned ndarray copy.
    pub fn to_ndarray<T: Element>(&self) -> ndarray::ArrayD<T> {
        self.view::<T>().to_owned()
    }

    /// Makes a view with new layout over the same buffer. Callers guarantee
    /// every reachable offset stays inside the buffer.
    pub(crate) fn with_layout(
        &self,
        shape: Vec<usize>,
        strides: Vec<isize>,
        offset: usize,
    ) -> Tensor {
        Tensor {
            buffer: self.buffer.clone(),
            dtype: self.dtype,
            shape,
            strides,
            offset,
        }
    }

    /// True when shapes, dtypes and every element are equal (NaN == NaN).
    pub fn bit_eq(&self, other: &Tensor) -> bool {
        self.dtype == other.dtype
            && self.shape == other.shape
            && self
                .to_scalars()
                .iter()
                .zip(other.to_scalars())
                .all(|(a, b)| match (a, b) {
                    (Scalar::Float(x), Scalar::Float(y)) => {
                        x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
                    }
                    _ => *a == b,
                })
    }

    /// NumPy's `allclose` (NaNs compare equal, as `equal_nan=True`; shapes must match).
    pub fn allclose(&self, other: &Tensor, rtol: f64, atol: f64) -> bool {
        self.shape == other.shape
            && self
                .to_f64_vec()
                .iter()
                .zip(other.to_f64_vec())
                .all(|(&a, b)| {
                    (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= atol + rtol * b.abs()
                })
    }
}

impl std::fmt::Debug for Tensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Tensor({}, shape={:?}, {})",
            self.dtype, self.shape, self
        )
    }
}
