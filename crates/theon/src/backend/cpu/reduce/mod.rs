//! Reductions over contiguous f32/f64 data: whole slices, rows (the last
//! axis of a row-major matrix) and columns (its first axis).
//!
//! Sums accumulate 16 lanes over leaves of at most `LEAF` elements and
//! combine leaves pairwise, so the f32 rounding error grows like
//! `O(LEAF/16 + log n)` ulp rather than `O(n)`. max/min/argmax follow NumPy:
//! any NaN makes the result NaN (argmax: the index of the first NaN); ties
//! pick the first index. Variance and product accumulate in f64 (see
//! `moments`). Work above `PAR_MIN` elements is split over rayon.

mod cols;
mod moments;
mod rows;

pub use cols::{argmax_cols, argmin_cols, max_cols, min_cols, sum_cols};
pub use moments::{prod_cols, prod_rows, variance_cols, variance_rows, Spread};
pub use rows::{argmax_rows, argmin_rows, logsumexp_rows, max_rows, min_rows, sum_rows};

use super::simd::{Arch, Fused, Plain};
use super::{isa, Isa, Real};

/// Elements summed by one leaf of the pairwise tree.
const LEAF: usize = 1024;
/// Lanes accumulated side by side (two AVX2 registers of f32).
const LANES: usize = 16;
/// Below this many elements a reduction stays on one thread (measured:
/// see docs/kernels.md; rayon's fork/join costs a few microseconds).
pub const PAR_MIN: usize = 1 << 20;

/// Calls `$twin` (the AVX2+FMA build of `$body`) when the CPU has those
/// features, else `$body::<T, Plain>`; returns from the enclosing function.
macro_rules! dispatch {
    ($body:ident, $twin:ident, $t:ty, ($($arg:expr),*)) => {{
        #[cfg(target_arch = "x86_64")]
        {
            if isa() == Isa::Avx2Fma {
                // SAFETY: `isa()` reports Avx2Fma only when the CPU has AVX2
                // and FMA, the features the twin is compiled for.
                return unsafe { $twin::<$t>($($arg),*) };
            }
        }
        $body::<$t, Plain>($($arg),*)
    }};
}
pub(crate) use dispatch;

/// Generates the AVX2+FMA twin of a generic leaf kernel.
macro_rules! twin {
    ($name:ident, $twin:ident, ($($arg:ident: $ty:ty),*) -> $ret:ty) => {
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2,fma")]
        pub(crate) unsafe fn $twin<T: Real>($($arg: $ty),*) -> $ret {
            $name::<T, Fused>($($arg),*)
        }
    };
}

#[inline(always)]
fn sum_leaf<T: Real, A: Arch>(x: &[T]) -> T {
    let mut acc = [T::zero(); LANES];
    let mut chunks = x.chunks_exact(LANES);
    for c in &mut chunks {
        for (a, &v) in acc.iter_mut().zip(c) {
            *a += v;
        }
    }
    for (a, &v) in acc.iter_mut().zip(chunks.remainder()) {
        *a += v;
    }
    pairwise_lanes(acc)
}
twin!(sum_leaf, sum_leaf_avx2, (x: &[T]) -> T);

#[inline(always)]
fn pairwise_lanes<T: Real>(mut acc: [T; LANES]) -> T {
    let mut width = LANES;
    while width > 1 {
        width /= 2;
        for i in 0..width {
            let upper = acc[i + width];
            acc[i] += upper;
        }
    }
    acc[0]
}

/// NaN-propagating "is `v` the new maximum": true for a larger v or a NaN v,
/// never once the running value is NaN.
#[inline(always)]
pub(crate) fn takes_max<T: Real>(v: T, m: T) -> bool {
    (v > m || v.is_nan()) && !m.is_nan()
}

#[inline(always)]
pub(crate) fn takes_min<T: Real>(v: T, m: T) -> bool {
    (v < m || v.is_nan()) && !m.is_nan()
}

/// [`takes_max`] (`MAX`) or [`takes_min`], written with non-short-circuit
/// `&`/`|` so a loop over it compiles to compares and a blend.
#[inline(always)]
pub(crate) fn takes<T: Real, const MAX: bool>(v: T, m: T) -> bool {
    let better = if MAX { v > m } else { v < m };
    (better | v.is_nan()) & !m.is_nan()
}

#[inline(always)]
fn max_leaf<T: Real, A: Arch>(x: &[T]) -> T {
    let mut acc = [T::neg_infinity(); LANES];
    let mut chunks = x.chunks_exact(LANES);
    for c in &mut chunks {
        for (a, &v) in acc.iter_mut().zip(c) {
            *a = if takes_max(v, *a) { v } else { *a };
        }
    }
    let mut m = T::neg_infinity();
    for &v in acc.iter().chain(chunks.remainder()) {
        m = if takes_max(v, m) { v } else { m };
    }
    m
}
twin!(max_leaf, max_leaf_avx2, (x: &[T]) -> T);

#[inline(always)]
fn min_leaf<T: Real, A: Arch>(x: &[T]) -> T {
    let mut acc = [T::infinity(); LANES];
    let mut chunks = x.chunks_exact(LANES);
    for c in &mut chunks {
        for (a, &v) in acc.iter_mut().zip(c) {
            *a = if takes_min(v, *a) { v } else { *a };
        }
    }
    let mut m = T::infinity();
    for &v in acc.iter().chain(chunks.remainder()) {
        m = if takes_min(v, m) { v } else { m };
    }
    m
}
twin!(min_leaf, min_leaf_avx2, (x: &[T]) -> T);
pub(crate) use twin;

pub(crate) fn sum_serial<T: Real>(x: &[T]) -> T {
    dispatch!(sum_leaf, sum_leaf_avx2, T, (x))
}

pub(crate) fn max_serial<T: Real>(x: &[T]) -> T {
    dispatch!(max_leaf, max_leaf_avx2, T, (x))
}

pub(crate) fn min_serial<T: Real>(x: &[T]) -> T {
    dispatch!(min_leaf, min_leaf_avx2, T, (x))
}

/// Pairwise tree over leaves of at most `LEAF` elements (split at
/// multiples of `LANES`); halves run in parallel above `PAR_MIN`.
pub(super) fn tree<T: Real, R: Send>(
    x: &[T],
    leaf: &(dyn Fn(&[T]) -> R + Sync),
    combine: fn(R, R) -> R,
) -> R {
    if x.len() <= LEAF {
        return leaf(x);
    }
    let mid = (x.len() / 2).next_multiple_of(LANES).min(x.len());
    let (a, b) = x.split_at(mid);
    let (ra, rb) = if x.len() >= PAR_MIN {
        rayon::join(|| tree(a, leaf, combine), || tree(b, leaf, combine))
    } else {
        (tree(a, leaf, combine), tree(b, leaf, combine))
    };
    combine(ra, rb)
}

/// Sum of `x` (0 when empty), pairwise-accurate.
pub fn sum<T: Real>(x: &[T]) -> T {
    tree(x, &sum_serial, |a, b| a + b)
}

fn max2<T: Real>(a: T, b: T) -> T {
    if takes_max(b, a) {
        b
    } else {
        a
    }
}

fn min2<T: Real>(a: T, b: T) -> T {
    if takes_min(b, a) {
        b
    } else {
        a
    }
}

/// Largest element (NaN if any is NaN); `None` when empty.
pub fn max<T: Real>(x: &[T]) -> Option<T> {
    (!x.is_empty()).then(|| tree(x, &max_serial, max2))
}

/// Smallest element (NaN if any is NaN); `None` when empty.
pub fn min<T: Real>(x: &[T]) -> Option<T> {
    (!x.is_empty()).then(|| tree(x, &min_serial, min2))
}

/// Index of the first maximum (of the first NaN if any); `None` when empty.
pub fn argmax<T: Real>(x: &[T]) -> Option<usize> {
    max(x).and_then(|m| position_of(x, m))
}

/// Index of the first minimum (of the first NaN if any); `None` when empty.
pub fn argmin<T: Real>(x: &[T]) -> Option<usize> {
    min(x).and_then(|m| position_of(x, m))
}

/// Index of the first element equal to the extremum `m` (the first NaN
/// when `m` is NaN, since an extremum is NaN exactly when a NaN is present).
fn position_of<T: Real>(x: &[T], m: T) -> Option<usize> {
    if m.is_nan() {
        x.iter().position(|v| v.is_nan())
    } else {
        x.iter().position(|&v| v == m)
    }
}

/// `log(sum(exp(x)))` without overflow: `m + log(sum(exp(x - m)))`, m the
/// maximum. Empty or all -inf gives -inf; any +inf gives +inf; NaN → NaN.
pub fn logsumexp<T: Real>(x: &[T]) -> T {
    rows::lse_one(x)
}

#[cfg(test)]
mod tests;
