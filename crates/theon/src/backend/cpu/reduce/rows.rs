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
    arg_rows::<T, true>("argmax", x, rows, cols, out)
}

/// `out[i] = argmin(x[i, :])` (first min, or first NaN); errors when `cols == 0 < rows`.
pub fn argmin_rows<T: Real>(x: &[T], rows: usize, cols: usize, out: &mut [usize]) -> Result<()> {
    arg_rows::<T, false>("argmin", x, rows, cols, out)
}

fn arg_rows<T: Real, const MAX: bool>(
    op: &str,
    x: &[T],
    rows: usize,
    cols: usize,
    out: &mut [usize],
) -> Result<()> {
    check(op, x, rows, cols, out);
    empty_rows(op, rows, cols)?;
    per_row(x, cols, out, arg_row_best::<T, MAX>);
    Ok(())
}

/// Elements per chunk of argmax/argmin: the chunk's extremum comes from
/// the vectorised leaf, and only a chunk that beats the best so far is
/// searched again, while it is still in L1 (measured on 1000-wide f32
/// rows: smaller chunks rescan more often and fold lanes more often).
const ARG_CHUNK: usize = 2048;

/// Index of the first maximum (`MAX`) or minimum of `x`, or of its first
/// NaN; 0 when empty. Chunks are visited in order and a chunk replaces the
/// best only when strictly better, so ties keep the first index; a chunk
/// holding a NaN ends the search at its first NaN.
#[inline(always)]
fn arg_row<T: Real, A: Arch, const MAX: bool>(x: &[T]) -> usize {
    let mut best = if MAX {
        T::neg_infinity()
    } else {
        T::infinity()
    };
    let mut at = 0;
    for (k, chunk) in x.chunks(ARG_CHUNK).enumerate() {
        let (m, nan) = extremum_or_nan::<T, MAX>(chunk);
        if nan {
            return k * ARG_CHUNK + first_equal(chunk, T::nan());
        }
        if if MAX { m > best } else { m < best } {
            best = m;
            at = k * ARG_CHUNK + first_equal(chunk, m);
        }
    }
    at
}

/// The extremum of `x` ignoring NaNs (a plain `maxps`/`minps` lane loop),
/// and whether `x` holds a NaN (an or of unordered compares): three vector
/// operations per register instead of the NaN-propagating select's six.
#[inline(always)]
fn extremum_or_nan<T: Real, const MAX: bool>(x: &[T]) -> (T, bool) {
    let start = if MAX {
        T::neg_infinity()
    } else {
        T::infinity()
    };
    let pick = |m: T, v: T| {
        if (MAX && v > m) || (!MAX && v < m) {
            v
        } else {
            m
        }
    };
    let mut acc = [start; 16];
    let mut nan = [false; 16];
    let mut chunks = x.chunks_exact(16);
    for c in &mut chunks {
        for ((a, n), &v) in acc.iter_mut().zip(nan.iter_mut()).zip(c) {
            *a = pick(*a, v);
            *n |= v.is_nan();
        }
    }
    let mut m = acc.iter().fold(start, |m, &v| pick(m, v));
    let mut any = nan.iter().fold(false, |a, &n| a | n);
    for &v in chunks.remainder() {
        m = pick(m, v);
        any |= v.is_nan();
    }
    (m, any)
}

/// Index of the first element of `x` equal to `m` (the first NaN when `m`
/// is NaN; `m` must occur). Blocks of 16 are tested with a branch-free
/// "any equal" before the scalar search, so the test vectorises.
#[inline(always)]
fn first_equal<T: Real>(x: &[T], m: T) -> usize {
    let hit = |v: T| if m.is_nan() { v.is_nan() } else { v == m };
    let mut blocks = x.chunks_exact(16);
    for (b, block) in (&mut blocks).enumerate() {
        if block.iter().fold(false, |any, &v| any | hit(v)) {
            return b * 16 + block.iter().position(|&v| hit(v)).unwrap_or(0);
        }
    }
    let rest = blocks.remainder();
    (x.len() - rest.len()) + rest.iter().position(|&v| hit(v)).unwrap_or(0)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn arg_row_avx2<T: Real, const MAX: bool>(x: &[T]) -> usize {
    arg_row::<T, Fused, MAX>(x)
}

fn arg_row_best<T: Real, const MAX: bool>(x: &[T]) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        if isa() == Isa::Avx2Fma {
            // SAFETY: `isa()` reports Avx2Fma only when the CPU has AVX2
            // and FMA, the features the twin is compiled for.
            return unsafe { arg_row_avx2::<T, MAX>(x) };
        }
    }
    arg_row::<T, Plain, MAX>(x)
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
