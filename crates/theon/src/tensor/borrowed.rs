//! Tensors over memory someone else owns (a NumPy array handed to a
//! compiled function): the tensor keeps the owner alive and never writes
//! the bytes. Every write path copies first (`data_mut`), inplace kernels
//! see the buffer as not theirs to overwrite (`can_write_in_place` is
//! false) and results aliasing it count as shared (`buffer_is_shared`), so
//! a caller's array is never modified and never handed back as a result.

use super::{Buffer, Tensor};
use crate::dtype::DType;
use crate::error::{Error, Result};
use std::any::Any;
use std::ptr::NonNull;
use std::sync::Arc;

/// Why memory cannot be borrowed as is (the caller copies instead).
fn refuse(why: String) -> Error {
    Error::value("Tensor::from_borrowed", why)
}

impl Tensor {
    /// A read-only tensor of `dtype` and `shape` over foreign memory:
    /// element `[0, 0, ...]` is at `data`, and axis `i` advances
    /// `byte_strides[i]` bytes (any sign, zero allowed). `owner` is kept
    /// alive as long as any tensor views the memory.
    ///
    /// Refused (an error, so the caller can copy instead): bool (foreign
    /// bytes other than 0 and 1 are not valid `bool`s), strides that are
    /// not multiples of the item size, memory not aligned for the dtype,
    /// and rank mismatches between `shape` and `byte_strides`.
    ///
    /// # Safety
    ///
    /// Every element the layout reaches must be readable memory holding
    /// values of `dtype`, for as long as `owner` lives; nothing may write
    /// those bytes while a tensor over them is in use.
    pub unsafe fn from_borrowed(
        dtype: DType,
        shape: &[usize],
        byte_strides: &[isize],
        data: *const u8,
        owner: Box<dyn Any + Send + Sync>,
    ) -> Result<Tensor> {
        let item = dtype.size() as isize;
        if dtype == DType::Bool {
            return Err(refuse(
                "bool memory may hold bytes other than 0 and 1".into(),
            ));
        }
        if shape.len() != byte_strides.len() {
            return Err(refuse(format!(
                "shape {shape:?} and strides {byte_strides:?} differ in rank"
            )));
        }
        // A dim of size 1 is never stepped along: NumPy leaves any stride
        // there, so it is ignored (and stored as 0).
        let odd = shape
            .iter()
            .zip(byte_strides)
            .find(|(&d, &s)| d > 1 && s % item != 0);
        if let Some((_, s)) = odd {
            return Err(refuse(format!(
                "stride {s} is not a multiple of the {dtype} item size {item}"
            )));
        }
        if (data as usize) % dtype.size() != 0 {
            return Err(refuse(format!("memory is not aligned for {dtype}")));
        }
        if shape.contains(&0) {
            return Ok(Tensor::zeros(dtype, shape));
        }
        let strides: Vec<isize> = shape
            .iter()
            .zip(byte_strides)
            .map(|(&d, &s)| if d > 1 { s / item } else { 0 })
            .collect();
        // Lowest and highest element reached, relative to `data`.
        let (mut lo, mut hi) = (0isize, 0isize);
        for (&d, &s) in shape.iter().zip(&strides) {
            let reach = (d as isize - 1) * s;
            if reach < 0 {
                lo += reach;
            } else {
                hi += reach;
            }
        }
        let len = (hi - lo + 1) as usize * dtype.size();
        // SAFETY: by the caller's contract every reached element is
        // readable, so `data + lo * item` is the first reachable byte.
        let start = unsafe { data.offset(lo * item) };
        let start = NonNull::new(start as *mut u8).ok_or_else(|| refuse("null memory".into()))?;
        // SAFETY: `[start, start + len)` covers exactly the reachable
        // elements, readable while `owner` lives (the caller's contract).
        let buffer = unsafe { Buffer::borrowed(start, len, owner) };
        Ok(Tensor {
            buffer: Arc::new(buffer),
            dtype,
            shape: shape.to_vec(),
            strides,
            offset: (-lo) as usize,
        })
    }

    /// True when this tensor views borrowed memory (see
    /// [`Tensor::from_borrowed`]): it is read-only to the engine.
    pub fn is_borrowed(&self) -> bool {
        self.buffer.is_borrowed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dtype::DType::{Bool, F32, F64, I16};

    /// A tensor over `data` (kept alive by an `Arc` clone as the owner),
    /// with element strides converted to bytes.
    fn over<T: crate::tensor::Element + Send + Sync>(
        data: &Arc<Vec<T>>,
        start: usize,
        shape: &[usize],
        strides: &[isize],
    ) -> Result<Tensor> {
        let item = T::DTYPE.size() as isize;
        let bytes: Vec<isize> = strides.iter().map(|s| s * item).collect();
        let ptr = data[start..].as_ptr() as *const u8;
        // SAFETY: the tests keep every reached element inside `data`, which
        // the owner keeps alive, and nothing writes it.
        unsafe { Tensor::from_borrowed(T::DTYPE, shape, &bytes, ptr, Box::new(data.clone())) }
    }

    /// The elements of a strided layout by plain index arithmetic.
    fn expected(data: &[f64], start: usize, shape: &[usize], strides: &[isize]) -> Vec<f64> {
        let mut out = Vec::new();
        for i in 0..shape[0] {
            for j in 0..shape[1] {
                let at = start as isize + i as isize * strides[0] + j as isize * strides[1];
                out.push(data[at as usize]);
            }
        }
        out
    }

    #[test]
    fn strided_and_reversed_layouts_read_the_right_elements() {
        let base = Tensor::randn(F64, &[48], 3);
        let data = Arc::new(base.to_vec::<f64>());
        let cases: [(usize, [usize; 2], [isize; 2]); 6] = [
            (0, [6, 8], [8, 1]),
            (0, [8, 6], [1, 8]),
            (47, [6, 8], [-8, -1]),
            (5, [3, 3], [16, -2]),
            (9, [4, 5], [0, 3]),
            (7, [1, 6], [1001, 2]),
        ];
        for (start, shape, strides) in cases {
            let t = over(&data, start, &shape, &strides).unwrap();
            assert!(t.is_borrowed());
            assert_eq!(t.shape(), &shape);
            assert_eq!(t.to_vec::<f64>(), expected(&data, start, &shape, &strides));
        }
    }

    #[test]
    fn writes_copy_and_inplace_is_refused() {
        let data = Arc::new(Tensor::randn(F32, &[6], 4).to_vec::<f32>());
        let before = data.as_ref().clone();
        let mut t = over(&data, 0, &[6], &[1]).unwrap();
        assert!(!t.can_write_in_place());
        assert!(t.buffer_is_shared());
        let alias = t.clone();
        t.data_mut::<f32>()[0] = 100.0;
        assert!(!t.is_borrowed() && t.can_write_in_place());
        assert_eq!(*data.as_ref(), before);
        assert_eq!(alias.to_vec::<f32>(), before);
        assert_eq!(t.to_vec::<f32>()[0], 100.0);
    }

    #[test]
    fn the_owner_lives_as_long_as_a_view() {
        let data = Arc::new(Tensor::randn(F64, &[10], 5).to_vec::<f64>());
        let t = over(&data, 2, &[4], &[2]).unwrap();
        let view = t.slice_axis(0, Some(1), None, 1).unwrap();
        drop(t);
        assert_eq!(Arc::strong_count(&data), 2);
        assert_eq!(view.to_vec::<f64>(), vec![data[4], data[6], data[8]]);
        drop(view);
        assert_eq!(Arc::strong_count(&data), 1);
    }

    #[test]
    fn size_zero_gives_an_empty_owned_tensor() {
        let data = Arc::new(vec![1.5f64; 4]);
        let t = over(&data, 0, &[3, 0], &[1, 1]).unwrap();
        assert_eq!(t.shape(), &[3, 0]);
        assert!(!t.is_borrowed());
        assert_eq!(Arc::strong_count(&data), 1);
    }

    #[test]
    fn unrepresentable_memory_is_refused() {
        let data = Arc::new(vec![7i16; 8]);
        let ptr = data.as_ptr() as *const u8;
        let owner = || Box::new(data.clone()) as Box<dyn Any + Send + Sync>;
        // SAFETY: each call is refused before the memory is read.
        let odd = unsafe { Tensor::from_borrowed(I16, &[4], &[3], ptr, owner()) };
        assert!(odd.unwrap_err().to_string().contains("stride 3"));
        let unaligned = unsafe { Tensor::from_borrowed(I16, &[2], &[2], ptr.add(1), owner()) };
        assert!(unaligned.unwrap_err().to_string().contains("aligned"));
        let rank = unsafe { Tensor::from_borrowed(I16, &[2, 2], &[2], ptr, owner()) };
        assert!(rank.unwrap_err().to_string().contains("rank"));
        let bools = unsafe { Tensor::from_borrowed(Bool, &[2], &[1], ptr, owner()) };
        assert!(bools.unwrap_err().to_string().contains("bool"));
        // The stride of a size-1 dim is never used, so any value passes.
        let unit = unsafe { Tensor::from_borrowed(I16, &[1, 3], &[3, 2], ptr, owner()) };
        assert_eq!(unit.unwrap().to_vec::<i16>(), vec![7; 3]);
        assert_eq!(Arc::strong_count(&data), 1);
    }
}
