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
fn per_row<T: Real, U: Send>(x: &[T], cols: usize, out: &mut [U], f: impl Fn(&[T]) -> U + Sync) {
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
    check("argmax_rows", x, rows, cols, out);
    empty_rows("argmax", rows, cols)?;
    per_row(x, cols, out, |r| super::argmax(r).unwrap_or(0));
    Ok(())
}

/// `out[i] = log(sum(exp(x[i, :])))`, stable (see [`super::logsumexp`]).
pub fn logsumexp_rows<T: Real>(x: &[T], rows: usize, cols: usize, out: &mut [T]) {
    check("logsumexp_rows", x, rows, cols, out);
    per_row(x, cols, out, lse_one);
}

/// Sum of `exp(x - m)` over lanes: one pass, the exp inlined and vectorised.
#[inline(always)]
fn lse_row<T: Real, A: Arch>(x: &[T], m: T) -> T {
    let mut acc = [T::zero(); 16];
    let mut chunks = x.chunks_exact(16);
    for c in &mut chunks {
        for (a, &v) in acc.iter_mut().zip(c) {
            *a += (v - m).exp_k::<A>();
        }
    }
    let mut tail = T::zero();
    for &v in chunks.remainder() {
        tail += (v - m).exp_k::<A>();
    }
    acc.iter().fold(tail, |s, &a| s + a)
}
twin!(lse_row, lse_row_avx2, (x: &[T], m: T) -> T);

fn lse_sum<T: Real>(x: &[T], m: T) -> T {
    dispatch!(lse_row, lse_row_avx2, T, (x, m))
}

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
twin!(max_skip_nan, max_skip_nan_avx2, (x: &[T]) -> T);

fn fast_max<T: Real>(x: &[T]) -> T {
    dispatch!(max_skip_nan, max_skip_nan_avx2, T, (x))
}

pub(super) fn lse_one<T: Real>(x: &[T]) -> T {
    // A finite NaN-skipping maximum is a valid shift: any NaN then reaches
    // the sum through exp(NaN - m). Otherwise take the exact, NaN-aware one.
    let mut m = fast_max(x);
    if !m.is_finite() {
        m = match max(x) {
            None => return T::neg_infinity(),
            Some(m) => m,
        };
        if !m.is_finite() {
            return m; // NaN, +inf, or every element -inf
        }
    }
    // Long rows: sum blocks separately so f32 lanes never add more than a
    // few thousand terms each.
    let s = x
        .chunks(1 << 14)
        .map(|b| lse_sum(b, m))
        .fold(T::zero(), |a, b| a + b);
    m + s.ln()
}
