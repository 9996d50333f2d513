//! Reductions along the first axis of a row-major `rows × cols` matrix:
//! one result per column, computed row by row so the inner loop runs over
//! contiguous memory; column blocks spread over threads for large inputs.

use super::{takes_max, takes_min, PAR_MIN};
use crate::backend::cpu::Real;
use crate::error::{Error, Result};
use rayon::prelude::*;

/// Columns handled by one task (keeps a block of `out` in L1).
const COL_BLOCK: usize = 512;
/// Rows summed directly before the pairwise split.
const ROW_LEAF: usize = 16;

pub(super) fn check<T, U>(op: &str, x: &[T], rows: usize, cols: usize, out: &[U]) {
    assert!(
        x.len() == rows * cols && out.len() == cols,
        "{op}: {} elements / {} outputs do not match {rows}x{cols}",
        x.len(),
        out.len()
    );
}

/// Runs `f(c0, out_block)` for column blocks, in parallel when large.
pub(super) fn per_block<U: Send>(total: usize, out: &mut [U], f: impl Fn(usize, &mut [U]) + Sync) {
    if total >= PAR_MIN && out.len() > COL_BLOCK {
        out.par_chunks_mut(COL_BLOCK)
            .enumerate()
            .for_each(|(b, o)| f(b * COL_BLOCK, o));
    } else {
        f(0, out);
    }
}

/// Pairwise sum of rows `r0..r1` over columns `c0..c0+out.len()` into `out`.
fn sum_rows_into<T: Real>(x: &[T], cols: usize, r0: usize, r1: usize, c0: usize, out: &mut [T]) {
    if r1 - r0 <= ROW_LEAF {
        out.iter_mut().for_each(|o| *o = T::zero());
        for r in r0..r1 {
            let row = &x[r * cols + c0..r * cols + c0 + out.len()];
            for (o, &v) in out.iter_mut().zip(row) {
                *o += v;
            }
        }
        return;
    }
    let mid = r0 + (r1 - r0) / 2;
    sum_rows_into(x, cols, r0, mid, c0, out);
    let mut other = vec![T::zero(); out.len()];
    sum_rows_into(x, cols, mid, r1, c0, &mut other);
    for (o, &v) in out.iter_mut().zip(&other) {
        *o += v;
    }
}

/// `out[j] = sum(x[:, j])`, pairwise over rows.
pub fn sum_cols<T: Real>(x: &[T], rows: usize, cols: usize, out: &mut [T]) {
    check("sum_cols", x, rows, cols, out);
    per_block(x.len(), out, |c0, o| sum_rows_into(x, cols, 0, rows, c0, o));
}

fn extremum_cols<T: Real>(
    op: &str,
    x: &[T],
    rows: usize,
    cols: usize,
    out: &mut [T],
    takes: fn(T, T) -> bool,
) -> Result<()> {
    check(op, x, rows, cols, out);
    if rows == 0 && cols > 0 {
        return Err(Error::value(
            op,
            format!("zero-size reduction along an axis of length 0 (shape {rows}x{cols})"),
        ));
    }
    per_block(x.len(), out, |c0, o| {
        o.copy_from_slice(&x[c0..c0 + o.len()]);
        for r in 1..rows {
            let row = &x[r * cols + c0..r * cols + c0 + o.len()];
            for (m, &v) in o.iter_mut().zip(row) {
                *m = if takes(v, *m) { v } else { *m };
            }
        }
    });
    Ok(())
}

/// `out[j] = max(x[:, j])` (NaN-propagating); errors when `rows == 0 < cols`.
pub fn max_cols<T: Real>(x: &[T], rows: usize, cols: usize, out: &mut [T]) -> Result<()> {
    extremum_cols("max", x, rows, cols, out, takes_max)
}

/// `out[j] = min(x[:, j])` (NaN-propagating); errors when `rows == 0 < cols`.
pub fn min_cols<T: Real>(x: &[T], rows: usize, cols: usize, out: &mut [T]) -> Result<()> {
    extremum_cols("min", x, rows, cols, out, takes_min)
}

/// `out[j] = argmax(x[:, j])` (first max, or first NaN); errors when `rows == 0 < cols`.
pub fn argmax_cols<T: Real>(x: &[T], rows: usize, cols: usize, out: &mut [usize]) -> Result<()> {
    arg_cols("argmax", x, rows, cols, out, takes_max)
}

/// `out[j] = argmin(x[:, j])` (first min, or first NaN); errors when `rows == 0 < cols`.
pub fn argmin_cols<T: Real>(x: &[T], rows: usize, cols: usize, out: &mut [usize]) -> Result<()> {
    arg_cols("argmin", x, rows, cols, out, takes_min)
}

/// The index of the winning row per column: `takes(v, best)` says whether
/// `v` replaces the best so far (strictly, so ties keep the first).
fn arg_cols<T: Real>(
    op: &str,
    x: &[T],
    rows: usize,
    cols: usize,
    out: &mut [usize],
    takes: fn(T, T) -> bool,
) -> Result<()> {
    check(op, x, rows, cols, out);
    if rows == 0 && cols > 0 {
        return Err(Error::value(
            op,
            format!("zero-size reduction along an axis of length 0 (shape {rows}x{cols})"),
        ));
    }
    per_block(x.len(), out, |c0, idx| {
        let mut best: Vec<T> = x[c0..c0 + idx.len()].to_vec();
        idx.iter_mut().for_each(|i| *i = 0);
        for r in 1..rows {
            let row = &x[r * cols + c0..r * cols + c0 + idx.len()];
            for ((m, i), &v) in best.iter_mut().zip(idx.iter_mut()).zip(row) {
                if takes(v, *m) {
                    *m = v;
                    *i = r;
                }
            }
        }
    });
    Ok(())
}
