//! Reductions along the first axis of a row-major `rows × cols` matrix:
//! one result per column, computed row by row so the inner loop runs over
//! contiguous memory; column blocks spread over threads for large inputs.

use super::{takes, PAR_MIN};
use crate::backend::cpu::simd::{Arch, Fused, Plain};
use crate::backend::cpu::{isa, Isa, Real};
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

/// Columns whose running extrema stay in registers while all rows pass.
const STRIP: usize = 16;

/// The NaN-propagating extremum (`MAX`: max, else min) of each column of
/// the block `c0..c0 + o.len()`, strip by strip: a full strip's running
/// values are a fixed-size local array (kept in registers, so the update
/// compiles to a compare-and-blend, never a masked store); the last partial
/// strip folds element by element.
#[inline(always)]
fn extremum_block<T: Real, A: Arch, const MAX: bool>(x: &[T], cols: usize, c0: usize, o: &mut [T]) {
    let rows = x.len() / cols;
    let full = o.len() - o.len() % STRIP;
    let mut strips = o.chunks_exact_mut(STRIP);
    for (s, out) in (&mut strips).enumerate() {
        let c = c0 + s * STRIP;
        let strip = |r: usize| -> &[T; STRIP] {
            x[r * cols + c..r * cols + c + STRIP]
                .try_into()
                .expect("a strip is STRIP long")
        };
        let mut acc = *strip(0);
        for r in 1..rows {
            let row = strip(r);
            for (m, &v) in acc.iter_mut().zip(row) {
                *m = if takes::<T, MAX>(v, *m) { v } else { *m };
            }
        }
        out.copy_from_slice(&acc);
    }
    let tail = strips.into_remainder();
    let c = c0 + full;
    tail.copy_from_slice(&x[c..c + tail.len()]);
    for r in 1..rows {
        for (m, &v) in tail.iter_mut().zip(&x[r * cols + c..]) {
            *m = if takes::<T, MAX>(v, *m) { v } else { *m };
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn extremum_block_avx2<T: Real, const MAX: bool>(
    x: &[T],
    cols: usize,
    c0: usize,
    o: &mut [T],
) {
    extremum_block::<T, Fused, MAX>(x, cols, c0, o)
}

fn extremum_block_best<T: Real, const MAX: bool>(x: &[T], cols: usize, c0: usize, o: &mut [T]) {
    #[cfg(target_arch = "x86_64")]
    {
        if isa() == Isa::Avx2Fma {
            // SAFETY: `isa()` reports Avx2Fma only when the CPU has AVX2
            // and FMA, the features the twin is compiled for.
            return unsafe { extremum_block_avx2::<T, MAX>(x, cols, c0, o) };
        }
    }
    extremum_block::<T, Plain, MAX>(x, cols, c0, o)
}

fn extremum_cols<T: Real, const MAX: bool>(
    op: &str,
    x: &[T],
    rows: usize,
    cols: usize,
    out: &mut [T],
) -> Result<()> {
    check(op, x, rows, cols, out);
    if rows == 0 && cols > 0 {
        return Err(Error::value(
            op,
            format!("zero-size reduction along an axis of length 0 (shape {rows}x{cols})"),
        ));
    }
    if cols == 0 {
        return Ok(());
    }
    per_block(x.len(), out, |c0, o| {
        extremum_block_best::<T, MAX>(x, cols, c0, o)
    });
    Ok(())
}

/// `out[j] = max(x[:, j])` (NaN-propagating); errors when `rows == 0 < cols`.
pub fn max_cols<T: Real>(x: &[T], rows: usize, cols: usize, out: &mut [T]) -> Result<()> {
    extremum_cols::<T, true>("max", x, rows, cols, out)
}

/// `out[j] = min(x[:, j])` (NaN-propagating); errors when `rows == 0 < cols`.
pub fn min_cols<T: Real>(x: &[T], rows: usize, cols: usize, out: &mut [T]) -> Result<()> {
    extremum_cols::<T, false>("min", x, rows, cols, out)
}

/// `out[j] = argmax(x[:, j])` (first max, or first NaN); errors when `rows == 0 < cols`.
pub fn argmax_cols<T: Real>(x: &[T], rows: usize, cols: usize, out: &mut [usize]) -> Result<()> {
    arg_cols::<T, true>("argmax", x, rows, cols, out)
}

/// `out[j] = argmin(x[:, j])` (first min, or first NaN); errors when `rows == 0 < cols`.
pub fn argmin_cols<T: Real>(x: &[T], rows: usize, cols: usize, out: &mut [usize]) -> Result<()> {
    arg_cols::<T, false>("argmin", x, rows, cols, out)
}

/// The index of the winning row per column (a value replaces the best so
/// far only strictly, so ties keep the first); `MAX` picks argmax or argmin.
fn arg_cols<T: Real, const MAX: bool>(
    op: &str,
    x: &[T],
    rows: usize,
    cols: usize,
    out: &mut [usize],
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
                if takes::<T, MAX>(v, *m) {
                    *m = v;
                    *i = r;
                }
            }
        }
    });
    Ok(())
}
