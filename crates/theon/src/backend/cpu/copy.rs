//! Strided → contiguous copies (the materialisation of transposes, slices
//! and broadcasts), blocked over the last two axes so that a transposed
//! source is read and written a cache line at a time.

use crate::error::{Error, Result};
use crate::tensor::{Element, Tensor};

/// Side of the square tiles of the 2-D blocked copy (32×32 f64 = 8 KiB).
const TILE: usize = 32;

/// Lowest and highest element offsets reachable from `offset`, or `None`
/// for an empty layout.
fn reach(offset: isize, shape: &[usize], strides: &[isize]) -> Option<(isize, isize)> {
    if shape.contains(&0) {
        return None;
    }
    let (mut lo, mut hi) = (offset, offset);
    for (&d, &s) in shape.iter().zip(strides) {
        let span = (d as isize - 1) * s;
        if span < 0 {
            lo += span;
        } else {
            hi += span;
        }
    }
    Some((lo, hi))
}

/// Copies the strided view `(offset, shape, strides)` of `src` into `dst` in
/// C order. Errors (never reads out of bounds) when the view does not fit in
/// `src` or `dst` has the wrong length.
pub fn copy_to_contiguous<T: Copy>(
    src: &[T],
    offset: isize,
    shape: &[usize],
    strides: &[isize],
    dst: &mut [T],
) -> Result<()> {
    let n: usize = shape.iter().product();
    if shape.len() != strides.len() || dst.len() != n {
        return Err(Error::value(
            "copy_to_contiguous",
            format!(
                "shape {shape:?} / strides {strides:?} do not match {} outputs",
                dst.len()
            ),
        ));
    }
    let Some((lo, hi)) = reach(offset, shape, strides) else {
        return Ok(());
    };
    if lo < 0 || hi >= src.len() as isize {
        return Err(Error::value(
            "copy_to_contiguous",
            format!(
                "view (offset {offset}, shape {shape:?}, strides {strides:?}) reaches past a buffer of {}",
                src.len()
            ),
        ));
    }
    let nd = shape.len();
    let (rows, cols, rs, cs) = match nd {
        0 => (1, 1, 0, 0),
        1 => (1, shape[0], 0, strides[0]),
        _ => (
            shape[nd - 2],
            shape[nd - 1],
            strides[nd - 2],
            strides[nd - 1],
        ),
    };
    let outer = &shape[..nd.saturating_sub(2)];
    let mut index = vec![0usize; outer.len()];
    let mut base = offset;
    for block in dst.chunks_mut(rows * cols) {
        // SAFETY: every offset `base + i*rs + j*cs` with i < rows, j < cols
        // lies in [lo, hi], checked above to be inside `src`.
        unsafe { copy_2d(src, base, rows, cols, rs, cs, block) };
        // Advance the odometer over the outer axes.
        for axis in (0..outer.len()).rev() {
            index[axis] += 1;
            base += strides[axis];
            if index[axis] < outer[axis] {
                break;
            }
            base -= strides[axis] * outer[axis] as isize;
            index[axis] = 0;
        }
    }
    Ok(())
}

/// # Safety
/// `base + i*rs + j*cs` must be in bounds of `src` for all i < rows, j < cols,
/// and `dst.len() == rows * cols`.
unsafe fn copy_2d<T: Copy>(
    src: &[T],
    base: isize,
    rows: usize,
    cols: usize,
    rs: isize,
    cs: isize,
    dst: &mut [T],
) {
    let p = src.as_ptr();
    if cs == 1 || rows == 1 || rs.unsigned_abs() > cs.unsigned_abs() * TILE {
        // Rows are contiguous, or far apart: the plain row-major walk
        // already streams through the source.
        for (i, row) in dst.chunks_exact_mut(cols).enumerate() {
            let start = base + i as isize * rs;
            for (j, d) in row.iter_mut().enumerate() {
                *d = *p.offset(start + j as isize * cs);
            }
        }
        return;
    }
    for i0 in (0..rows).step_by(TILE) {
        for j0 in (0..cols).step_by(TILE) {
            for i in i0..(i0 + TILE).min(rows) {
                let start = base + i as isize * rs;
                let row = dst.get_unchecked_mut(i * cols..(i + 1) * cols);
                for j in j0..(j0 + TILE).min(cols) {
                    *row.get_unchecked_mut(j) = *p.offset(start + j as isize * cs);
                }
            }
        }
    }
}

/// `dst` (cols × rows) = transpose of the row-major `src` (rows × cols).
/// Panics if the lengths do not match.
pub fn transpose<T: Copy>(src: &[T], rows: usize, cols: usize, dst: &mut [T]) {
    assert!(
        src.len() == rows * cols && dst.len() == rows * cols,
        "transpose: lengths"
    );
    copy_to_contiguous(src, 0, &[cols, rows], &[1, cols as isize], dst)
        .expect("a dense transpose stays in bounds");
}

/// A C-contiguous copy of any view (fresh buffer), via the blocked copy.
pub fn contiguous(t: &Tensor) -> Tensor {
    let mut out = Tensor::empty(t.dtype(), t.shape());
    crate::with_dtype!(t.dtype(), T => copy_typed::<T>(t, &mut out));
    out
}

fn copy_typed<T: Element>(t: &Tensor, out: &mut Tensor) {
    if let Some(dense) = t.as_slice::<T>() {
        // One memcpy (e.g. gemm's copy of its accumulator, W3's weights).
        out.data_mut::<T>().copy_from_slice(dense);
        return;
    }
    let src = t.buffer_data::<T>();
    copy_to_contiguous(
        src,
        t.offset() as isize,
        t.shape(),
        t.strides(),
        out.data_mut::<T>(),
    )
    .expect("a tensor's own view lies inside its buffer");
}
