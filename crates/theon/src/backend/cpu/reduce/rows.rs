//! Reductions along the last axis of a row-major `rows × cols` matrix:
//! one result per row, rows spread over threads for large inputs.

use super::{dispatch, max, min, sum, twin, PAR_MIN};
use crate::backend::cpu::simd::{Arch, Fused, Plain};
use crate::backend::cpu::{isa, Isa, Real};
use crate::error::{Error, Result};
use rayon::prelude::*;

fn check<T, U>(op: &str, x: &[T], rows: usize, cols: usize, out: &[U]) {
    assert!(
        x.len() == rows * cols && out.len() == rows,
        "{op}: {} elements / {} outputs do not match {rows}x{cols}",
        x.len(),
        out.len()
    );
}

/// Applies `f` to each row, in parallel when the matrix is large.
pub(super) fn per_row<T: Real, U: Send>(
    x: &[T],
    cols: usize,
    out: &mut [U],
    f: impl Fn(&[T]) -> U + Sync,
) {
    if cols == 0 {
        out.iter_mut().for_each(|o| *o = f(&[]));
    } else if x.len() >= PAR_MIN {
        let min_rows = (PAR_MIN / 8 / cols).max(1);
        out.par_iter_mut()
            .zip(x.par_chunks(cols))
            .with_min_len(min_rows)
            .for_each(|(o, row)| *o = f(row));
    } else {
        out.iter_mut()
            .zip(x.chunks(cols))
            .for_each(|(o, row)| *o = f(row));
    }
}

fn empty_rows(op: &str, rows: usize, cols: usize) -> Result<()> {
    if cols == 0 && rows > 0 {
        return Err(Error::value(
            op,
            format!("zero-size reduction along an axis of length 0 (shape {rows}x{cols})"),
        ));
    }
    Ok(())
}

/// `out[i] = sum(x[i, :])`. Panics if the lengths do not match `rows × cols`.
pub fn sum_rows<T: Real>(x: &[T], rows: usize, cols: usize, out: &mut [T]) {
    check("sum_rows", x, rows, cols, out);
    per_row(x, cols, out, sum);
}

/// `out[i] = max(x[i, :])` (NaN-propagating); errors when `cols == 0 < rows`.
pub fn max_rows<T: Real>(x: &[T], rows: usize, cols: usize, out: &mut [T]) -> Result<()> {
    check("max_rows", x, rows, cols, out);
    empty_rows("max", rows, cols)?;
    per_row(x, cols, out, |r| max(r).unwrap_or(T::nan()));
    Ok(())
}

/// `out[i] = min(x[i, :])` (NaN-propagating); errors when `cols == 0 < rows`.
pub fn min_rows<T: Real>(x: &[T], rows: usize, cols: usize, out: &mut [T]) -> Result<()> {
    check("min_rows", x, rows, cols, out);
    empty_rows("min", rows, cols)?;
    per_row(x, cols, out, |r| min(r).unwrap_or(T::nan()));
    Ok(())
}

/// `out[i] = argmax(x[i, :])` (first max, or first NaN); errors when `cols == 0 < rows`.
pub fn argmax_rows<T: Real>(x: &[T], rows: usize, cols: usize, out: &mut [usize]) -> Result<()> {
    arg_rows("argmax", x, rows, cols, out, super::argmax)
}

/// `out[i] = argmin(x[i, :])` (first min, or first NaN); errors when `cols == 0 < rows`.
pub fn argmin_rows<T: Real>(x: &[T], rows: usize, cols: usize, out: &mut [usize]) -> Result<()> {
    arg_rows("argmin", x, rows, cols, out, super::argmin)
}

fn arg_rows<T: Real>(
    op: &str,
    x: &[T],
    rows: usize,
    cols: usize,
    out: &mut [usize],
    arg: fn(&[T]) -> Option<usize>,
) -> Result<()> {
    check(op, x, rows, cols, out);
    empty_rows(op, rows, cols)?;
    per_row(x, cols, out, |r| arg(r).unwrap_or(0));
    Ok(())
}

/// `out[i] = log(sum(exp(x[i, :])))`, stable (see [`super::logsumexp`]).
pub fn logsumexp_rows<T: Real>(x: &[T], rows: usize, cols: usize, out: &mut [T]) {
    check("logsumexp_rows", x, rows, cols, out);
    per_row(x, cols, out, lse_one);
}

/// Elements per block of the online logsumexp: small enough that the
/// exp pass re-reads the block from L1 after its max pass.
const LSE_BLOCK: usize = 1024;

/// One pass over `x` keeping a running maximum `m` and the sum of
/// `exp(v - m)` (16 lanes per block); a block with a larger maximum rescales the
/// sum by `exp(m_old - m_new)`. Returns `(m, sum)`: `m` skips NaNs (a NaN
/// reaches the sum through `exp(NaN - m)`), and the caller handles a
/// non-finite `m` (no finite element, or a +inf).
#[inline(always)]
fn lse_online<T: Real, A: Arch>(x: &[T]) -> (T, T) {
    let (mut m, mut total) = (T::neg_infinity(), T::zero());
    for block in x.chunks(LSE_BLOCK) {
        let bm = max_skip_nan::<T, A>(block);
        if bm > m {
            if m > T::neg_infinity() {
                total *= (m - bm).exp_nonpos_k::<A>();
            }
            m = bm;
        }
        if !m.is_finite() {
            continue; // all -inf so far (adds nothing), or +inf: caller
        }
        // Lanes restart per block, so an f32 lane never adds more than
        // LSE_BLOCK/16 terms; blocks are then added one by one.
        let mut acc = [T::zero(); 16];
        let mut chunks = block.chunks_exact(16);
        for c in &mut chunks {
            for (a, &v) in acc.iter_mut().zip(c) {
                *a += (v - m).exp_nonpos_k::<A>();
            }
        }
        for (a, &v) in acc.iter_mut().zip(chunks.remainder()) {
            *a += (v - m).exp_nonpos_k::<A>();
        }
        total += super::pairwise_lanes(acc);
    }
    (m, total)
}
twin!(lse_online, lse_online_avx2, (x: &[T]) -> (T, T));

/// Largest non-NaN element (a plain `maxps` lane loop; NaNs are skipped,
/// so callers must let them reach the result another way).
#[inline(always)]
fn max_skip_nan<T: Real, A: Arch>(x: &[T]) -> T {
    let mut acc = [T::neg_infinity(); 16];
    let mut chunks = x.chunks_exact(16);
    for c in &mut chunks {
        for (a, &v) in acc.iter_mut().zip(c) {
            *a = if v > *a { v } else { *a };
        }
    }
    let m = chunks
        .remainder()
        .iter()
        .fold(T::neg_infinity(), |m, &v| if v > m { v } else { m });
    acc.iter().fold(m, |m, &v| if v > m { v } else { m })
}

fn lse_pass<T: Real>(x: &[T]) -> (T, T) {
    dispatch!(lse_online, lse_online_avx2, T, (x))
}

pub(super) fn lse_one<T: Real>(x: &[T]) -> T {
    let (m, s) = lse_pass(x);
    if m.is_finite() {
        return m + s.ln();
    }
    // No finite element was the maximum: the exact, NaN-aware rules.
    match max(x) {
        None => T::neg_infinity(),
        Some(m) => m, // NaN, +inf, or every element -inf
    }
}
