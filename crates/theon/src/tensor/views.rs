//! Views: new shapes and strides over the same buffer (no copy), as NumPy
//! returns views for transposes, basic slices and broadcasts.

use super::{c_strides, size_of, Tensor};
use crate::error::{normalize_axis, Error, Result};

impl Tensor {
    /// Reorders axes: output axis `i` is input axis `perm[i]`.
    pub fn permute(&self, perm: &[usize]) -> Result<Tensor> {
        let mut seen = vec![false; self.ndim()];
        if perm.len() != self.ndim()
            || perm
                .iter()
                .any(|&p| p >= self.ndim() || std::mem::replace(&mut seen[p], true))
        {
            return Err(Error::value(
                "transpose",
                format!("{perm:?} is not a permutation of {} axes", self.ndim()),
            ));
        }
        let shape = perm.iter().map(|&p| self.shape[p]).collect();
        let strides = perm.iter().map(|&p| self.strides[p]).collect();
        Ok(self.with_layout(shape, strides, self.offset))
    }

    /// Reverses the axes (NumPy's `.T`).
    pub fn t(&self) -> Tensor {
        let perm: Vec<usize> = (0..self.ndim()).rev().collect();
        self.permute(&perm).expect("reversal is a permutation")
    }

    /// Basic slice of one axis with NumPy's clamping of out-of-range bounds.
    /// `step` may be negative; `None` bounds mean "from the start/end".
    pub fn slice_axis(
        &self,
        axis: usize,
        start: Option<i64>,
        stop: Option<i64>,
        step: i64,
    ) -> Result<Tensor> {
        if step == 0 {
            return Err(Error::value("slice", "slice step cannot be zero"));
        }
        let axis = normalize_axis("slice", axis as i64, self.ndim())?;
        let n = self.shape[axis] as i64;
        let (lo, hi) = slice_bounds(n, start, stop, step);
        let len = if step > 0 {
            (hi - lo + step - 1).max(0) / step
        } else {
            (lo - hi - step - 1).max(0) / -step
        };
        let mut shape = self.shape.clone();
        let mut strides = self.strides.clone();
        shape[axis] = len as usize;
        let offset = if len > 0 {
            self.offset as isize + lo as isize * strides[axis]
        } else {
            self.offset as isize
        };
        strides[axis] *= step as isize;
        Ok(self.with_layout(shape, strides, offset as usize))
    }

    /// The sub-tensor at `index` along `axis` (drops the axis).
    pub fn index_axis(&self, axis: usize, index: usize) -> Tensor {
        assert!(index < self.shape[axis], "index {index} out of range");
        let offset = self.offset as isize + index as isize * self.strides[axis];
        let mut shape = self.shape.clone();
        let mut strides = self.strides.clone();
        shape.remove(axis);
        strides.remove(axis);
        self.with_layout(shape, strides, offset as usize)
    }

    /// Broadcasts to `shape` with zero strides (NumPy's `broadcast_to`).
    pub fn broadcast_to(&self, shape: &[usize]) -> Result<Tensor> {
        let err = || {
            Error::value(
                "broadcast_to",
                format!("cannot broadcast shape {:?} to {:?}", self.shape, shape),
            )
        };
        if shape.len() < self.ndim() {
            return Err(err());
        }
        let pad = shape.len() - self.ndim();
        let mut strides = vec![0isize; shape.len()];
        for (i, (&d, &s)) in self.shape.iter().zip(&self.strides).enumerate() {
            if d == shape[pad + i] {
                strides[pad + i] = s;
            } else if d != 1 {
                return Err(err());
            }
        }
        Ok(self.with_layout(shape.to_vec(), strides, self.offset))
    }

    /// Reshapes; a view when contiguous, otherwise a copy. One dim may be -1.
    pub fn reshape(&self, shape: &[i64]) -> Result<Tensor> {
        let shape = resolve_reshape(&self.shape, shape)?;
        let base = self.contiguous();
        let strides = c_strides(&shape);
        Ok(base.with_layout(shape, strides, base.offset))
    }

    /// Inserts a length-1 axis at `axis`.
    pub fn expand_dims(&self, axis: usize) -> Tensor {
        let mut shape = self.shape.clone();
        let mut strides = self.strides.clone();
        shape.insert(axis, 1);
        strides.insert(axis, 0);
        self.with_layout(shape, strides, self.offset)
    }
}

/// NumPy's `slice.indices`: clamped first index and exclusive end.
pub(crate) fn slice_bounds(n: i64, start: Option<i64>, stop: Option<i64>, step: i64) -> (i64, i64) {
    let clamp = |v: i64, lo: i64, hi: i64| v.max(lo).min(hi);
    let norm = |v: i64| if v < 0 { v + n } else { v };
    if step > 0 {
        let lo = start.map_or(0, |s| clamp(norm(s), 0, n));
        let hi = stop.map_or(n, |s| clamp(norm(s), 0, n));
        (lo, hi)
    } else {
        let lo = start.map_or(n - 1, |s| clamp(norm(s), -1, n - 1));
        let hi = stop.map_or(-1, |s| clamp(norm(s), -1, n - 1));
        (lo, hi)
    }
}

/// Resolves a reshape target with at most one `-1` against a size.
pub fn resolve_reshape(from: &[usize], to: &[i64]) -> Result<Vec<usize>> {
    let total = size_of(from);
    let err = || {
        Error::value(
            "reshape",
            format!("cannot reshape an array of shape {from:?} into shape {to:?}"),
        )
    };
    let unknown: Vec<usize> = (0..to.len()).filter(|&i| to[i] == -1).collect();
    if unknown.len() > 1 || to.iter().any(|&d| d < -1) {
        return Err(err());
    }
    let known: usize = to
        .iter()
        .filter(|&&d| d >= 0)
        .map(|&d| d as usize)
        .product();
    let mut out: Vec<usize> = to.iter().map(|&d| d.max(0) as usize).collect();
    if let Some(&i) = unknown.first() {
        if known == 0 || total % known != 0 {
            return Err(err());
        }
        out[i] = total / known;
    } else if known != total {
        return Err(err());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iota(shape: &[usize]) -> Tensor {
        let n = size_of(shape);
        Tensor::from_vec((0..n as i64).collect(), shape).unwrap()
    }

    #[test]
    fn slices_share_buffer_and_clamp_like_numpy() {
        let x = iota(&[10]);
        let s = x.slice_axis(0, Some(-3), Some(100), 1).unwrap();
        assert_eq!(s.to_vec::<i64>(), vec![7, 8, 9]);
        assert!(s.shares_buffer(&x));
        let r = x.slice_axis(0, None, None, -3).unwrap();
        assert_eq!(r.to_vec::<i64>(), vec![9, 6, 3, 0]);
        let e = x.slice_axis(0, Some(5), Some(2), 1).unwrap();
        assert_eq!(e.shape(), &[0]);
        let b = x.slice_axis(0, Some(8), Some(-100), -2).unwrap();
        assert_eq!(b.to_vec::<i64>(), vec![8, 6, 4, 2, 0]);
    }

    #[test]
    fn transpose_and_broadcast_are_views() {
        let x = iota(&[2, 3]);
        let t = x.t();
        assert_eq!(t.to_vec::<i64>(), vec![0, 3, 1, 4, 2, 5]);
        assert!(!t.is_contiguous());
        let b = iota(&[3]).broadcast_to(&[2, 3]).unwrap();
        assert_eq!(b.to_vec::<i64>(), vec![0, 1, 2, 0, 1, 2]);
        assert!(iota(&[2]).broadcast_to(&[3]).is_err());
    }

    #[test]
    fn negative_strides_convert_to_ndarray() {
        let x = iota(&[2, 3]);
        let r = x.slice_axis(1, None, None, -1).unwrap();
        let v = r.view::<i64>();
        assert_eq!(
            v.iter().copied().collect::<Vec<_>>(),
            vec![2, 1, 0, 5, 4, 3]
        );
    }

    #[test]
    fn reshape_resolves_minus_one() {
        assert_eq!(resolve_reshape(&[2, 6], &[3, -1]).unwrap(), vec![3, 4]);
        assert!(resolve_reshape(&[2, 6], &[5, -1]).is_err());
        assert!(resolve_reshape(&[2, 6], &[-1, -1]).is_err());
        let x = iota(&[2, 3]).t().reshape(&[6]).unwrap();
        assert_eq!(x.to_vec::<i64>(), vec![0, 3, 1, 4, 2, 5]);
    }

    #[test]
    fn writes_never_leak_into_views() {
        let x = iota(&[4]);
        let mut y = x.clone();
        y.data_mut::<i64>()[0] = 100;
        assert_eq!(x.to_vec::<i64>()[0], 0);
        assert_eq!(y.to_vec::<i64>()[0], 100);
    }
}
