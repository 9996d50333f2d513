//! exp and expm1: Cody–Waite reduction `x = n ln2 + r`, one polynomial for
//! `e^r` (and one for `e^r - 1`) on |r| ≤ ln2/2 per float type, shared by
//! every variant. The variants differ only in how they scale by `2^n`:
//!
//! - accurate (`exp32`, `exp64_dd`): any argument, in two exact halves so
//!   that results in the subnormal range round only once;
//! - normal-range (`exp32_normal`, `exp64_normal`, `*_nonpos`): one integer
//!   add to the exponent field, valid while the result is a normal number.
//!
//! The slice kernels `exp_f32` / `exp_f64` run the normal-range form (the
//! hot loop of W1-type bodies) and recompute afterwards, with the accurate
//! form, the rare elements outside its range (|x| beyond the normal
//! results, infinities, NaN), as the sin/cos kernels do for huge arguments.

use super::poly::{estrin11_64, estrin6_32, horner32, horner64};
use crate::backend::cpu::simd::{unary_kernel, Arch};
use crate::backend::cpu::Isa;

const MAGIC32: f32 = 12_582_912.0; // 1.5 * 2^23: adding it rounds to an integer
const MAGIC64: f64 = 6_755_399_441_055_744.0; // 1.5 * 2^52
const LOG2E32: f32 = std::f32::consts::LOG2_E;
const LOG2E64: f64 = std::f64::consts::LOG2_E;
// ln2 split so that n * hi is exact for the n that occur (Cephes, fdlibm).
const LN2_HI32: f32 = 0.693_359_4;
const LN2_LO32: f32 = -2.121_944_4e-4;
pub(crate) const LN2_HI64: f64 = 6.931_471_803_691_238_164_90e-1;
pub(crate) const LN2_LO64: f64 = 1.908_214_929_270_587_700_02e-10;

/// Largest |x| whose e^x the normal-range f32 form computes (e^±87 and
/// everything between are normal floats).
const NORMAL32: f32 = 87.0;
/// As [`NORMAL32`] for f64 (e^±708).
const NORMAL64: f64 = 708.0;

/// Cephes `expf` coefficients of `(e^r - 1 - r) / r²`.
const EXP32_POLY: [f32; 6] = [
    1.987_569_2e-4,
    1.398_199_9e-3,
    8.333_452e-3,
    4.166_579_6e-2,
    1.666_666_5e-1,
    5.000_000_1e-1,
];

/// Taylor coefficients 1/14!, 1/13!, ..., 1/2! of e^r (expm1, degree 14).
const EXP64_POLY: [f64; 13] = [
    1.0 / 87_178_291_200.0,
    1.0 / 6_227_020_800.0,
    1.0 / 479_001_600.0,
    1.0 / 39_916_800.0,
    1.0 / 3_628_800.0,
    1.0 / 362_880.0,
    1.0 / 40_320.0,
    1.0 / 5_040.0,
    1.0 / 720.0,
    1.0 / 120.0,
    1.0 / 24.0,
    1.0 / 6.0,
    0.5,
];

/// `x = n ln2 + r`: returns `(n, t, r)` with `t = n + MAGIC32` (n in its
/// low mantissa bits).
#[inline(always)]
fn reduce32<A: Arch>(x: f32) -> (f32, f32, f32) {
    let t = A::mla32(x, LOG2E32, MAGIC32);
    let n = t - MAGIC32;
    let r = A::mla32(n, -LN2_HI32, x);
    (n, t, A::mla32(n, -LN2_LO32, r))
}

/// As [`reduce32`], for `hi + lo` (`lo` a small correction to `hi`).
#[inline(always)]
fn reduce64<A: Arch>(hi: f64, lo: f64) -> (f64, f64, f64) {
    let t = A::mla64(hi, LOG2E64, MAGIC64);
    let n = t - MAGIC64;
    let r = A::mla64(n, -LN2_HI64, hi);
    (n, t, A::mla64(n, -LN2_LO64, r) + lo)
}

/// `(e^r - 1 - r) / r²` for f64 on |r| ≤ ln2/2: a Chebyshev fit of
/// degree 10 (made with mpmath; error 1.4e-18, a thousandth of an ulp of
/// `e^r`), one degree less than the Taylor form expm1 keeps.
const EXP64_FIT: [f64; 11] = [
    2.091_468_696_808_687_6e-9,
    2.510_521_700_472_074_5e-8,
    2.755_727_364_311_03e-7,
    2.755_725_540_020_642_2e-6,
    2.480_158_732_554_774_3e-5,
    1.984_126_987_482_062_7e-4,
    1.388_888_888_888_374_8e-3,
    8.333_333_333_326_136e-3,
    4.166_666_666_666_667e-2,
    1.666_666_666_666_667e-1,
    0.5,
];

/// e^r on the reduced interval (polynomials by Estrin's scheme: this is
/// the critical path of every exp-based kernel).
#[inline(always)]
fn exp_r32<A: Arch>(r: f32) -> f32 {
    A::mla32(estrin6_32::<A>(r, EXP32_POLY), r * r, r) + 1.0
}

#[inline(always)]
fn exp_r64<A: Arch>(r: f64) -> f64 {
    A::mla64(estrin11_64::<A>(r, EXP64_FIT), r * r, r) + 1.0
}

/// `e · 2^n` for the n held in `t = n + MAGIC32`, by adding n to the
/// exponent field: exact while the result is normal (e is near 1).
#[inline(always)]
fn ldexp_normal32(e: f32, t: f32) -> f32 {
    f32::from_bits(e.to_bits().wrapping_add(t.to_bits() << 23))
}

#[inline(always)]
fn ldexp_normal64(e: f64, t: f64) -> f64 {
    f64::from_bits(e.to_bits().wrapping_add(t.to_bits() << 52))
}

/// `2^k` for the integer `k` held in `t = k + MAGIC32` (|k| ≤ 127).
#[inline(always)]
fn pow2_32(t: f32) -> f32 {
    f32::from_bits(t.to_bits().wrapping_add(127) << 23)
}

/// `2^k` for the integer `k` held in `t = k + MAGIC64` (|k| ≤ 1023).
#[inline(always)]
fn pow2_64(t: f64) -> f64 {
    f64::from_bits(t.to_bits().wrapping_add(1023) << 52)
}

/// Scales `e` by `2^n` (n an integer-valued float, |n| ≤ 254 in two halves).
#[inline(always)]
fn scale32(e: f32, n: f32) -> f32 {
    let half = (n * 0.5 + MAGIC32) - MAGIC32; // round(n/2), exact
    e * pow2_32(half + MAGIC32) * pow2_32((n - half) + MAGIC32)
}

#[inline(always)]
fn scale64(e: f64, n: f64) -> f64 {
    let half = (n * 0.5 + MAGIC64) - MAGIC64;
    e * pow2_64(half + MAGIC64) * pow2_64((n - half) + MAGIC64)
}

/// e^x for f32, any argument (Cephes `expf` polynomial).
#[inline(always)]
pub(crate) fn exp32<A: Arch>(x: f32) -> f32 {
    // Comparisons with NaN are false, so NaN passes the clamps unchanged.
    let x = if x > 89.0 { 89.0 } else { x };
    let x = if x < -104.0 { -104.0 } else { x };
    let (n, _, r) = reduce32::<A>(x);
    scale32(exp_r32::<A>(r), n)
}

/// e^x for f32, right for |x| ≤ [`NORMAL32`] only (arguments beyond are
/// clamped to ±87; NaN gives an unspecified value).
#[inline(always)]
pub(crate) fn exp32_normal<A: Arch>(x: f32) -> f32 {
    let x = if x > NORMAL32 { NORMAL32 } else { x };
    let x = if x < -NORMAL32 { -NORMAL32 } else { x };
    exp32_in_range::<A>(x)
}

/// e^x for f32 arguments the caller keeps within ±[`NORMAL32`] (no clamp).
#[inline(always)]
pub(crate) fn exp32_in_range<A: Arch>(x: f32) -> f32 {
    let (_, t, r) = reduce32::<A>(x);
    ldexp_normal32(exp_r32::<A>(r), t)
}

/// e^x for f32 arguments x ≤ 0 (shifted logits in logsumexp/softmax):
/// arguments below -87 (results under the smallest normal) give e^-87 ≈
/// 1.6e-38 instead, which is negligible beside the 1 the maximum
/// contributes. NaN stays NaN.
#[inline(always)]
pub(crate) fn exp32_nonpos<A: Arch>(x: f32) -> f32 {
    let x = if x < -NORMAL32 { -NORMAL32 } else { x };
    let (_, t, r) = reduce32::<A>(x);
    exp_r32::<A>(r) * pow2_32(t)
}

/// e^x for f64 arguments x ≤ 0, as [`exp32_nonpos`] (arguments below -708
/// give e^-708 ≈ 3e-308).
#[inline(always)]
pub(crate) fn exp64_nonpos<A: Arch>(x: f64) -> f64 {
    let x = if x < -NORMAL64 { -NORMAL64 } else { x };
    let (_, t, r) = reduce64::<A>(x, 0.0);
    exp_r64::<A>(r) * pow2_64(t)
}

/// e^x for f64, right for |x| ≤ [`NORMAL64`] only (as [`exp32_normal`]).
#[inline(always)]
pub(crate) fn exp64_normal<A: Arch>(x: f64) -> f64 {
    let x = if x > NORMAL64 { NORMAL64 } else { x };
    let x = if x < -NORMAL64 { -NORMAL64 } else { x };
    exp64_in_range::<A>(x)
}

/// e^x for f64 arguments the caller keeps within ±[`NORMAL64`] (no clamp).
#[inline(always)]
pub(crate) fn exp64_in_range<A: Arch>(x: f64) -> f64 {
    let (_, t, r) = reduce64::<A>(x, 0.0);
    ldexp_normal64(exp_r64::<A>(r), t)
}

/// e^(hi + lo) for f64, any argument, where `lo` is a small correction to
/// `hi` (0 for plain exp; pow passes the tail of a double-double product).
#[inline(always)]
pub(crate) fn exp64_dd<A: Arch>(hi: f64, lo: f64) -> f64 {
    let x = if hi > 710.0 { 710.0 } else { hi };
    let x = if x < -746.0 { -746.0 } else { x };
    let (n, _, r) = reduce64::<A>(x, lo);
    scale64(exp_r64::<A>(r), n)
}

/// e^x for f64, any argument.
#[inline(always)]
pub(crate) fn exp64<A: Arch>(x: f64) -> f64 {
    exp64_dd::<A>(x, 0.0)
}

/// e^x - 1 for f32: `2^n (e^r - 1) + (2^n - 1)`, with the polynomial for
/// `e^r - 1` keeping full relative accuracy near 0.
#[inline(always)]
pub(crate) fn expm1_32<A: Arch>(x: f32) -> f32 {
    let xs = if x > 20.0 { 20.0 } else { x };
    let xs = if xs < -30.0 { -30.0 } else { xs };
    let y = expm1_core32::<A>(xs);
    let y = if x > 20.0 { exp32::<A>(x) } else { y };
    // Keeps the sign of -0 (the sum in the core gives +0).
    if x == 0.0 {
        x
    } else {
        y
    }
}

/// e^x - 1 for x already clamped to [-30.0, 20.0] (no special cases).
#[inline(always)]
fn expm1_core32<A: Arch>(xs: f32) -> f32 {
    let (_, t, r) = reduce32::<A>(xs);
    let q = horner32::<A, 7>(
        r,
        [
            1.0 / 40_320.0,
            1.0 / 5_040.0,
            1.0 / 720.0,
            1.0 / 120.0,
            1.0 / 24.0,
            1.0 / 6.0,
            0.5,
        ],
    );
    let em = A::mla32(q, r * r, r);
    let p = pow2_32(t);
    A::mla32(p, em, p - 1.0)
}

/// e^x - 1 for f64 (as `expm1_32`, Taylor to degree 14).
#[inline(always)]
pub(crate) fn expm1_64<A: Arch>(x: f64) -> f64 {
    let xs = if x > 40.0 { 40.0 } else { x };
    let xs = if xs < -40.0 { -40.0 } else { xs };
    let y = expm1_core64::<A>(xs);
    let y = if x > 40.0 { exp64::<A>(x) } else { y };
    // Keeps the sign of -0 (the sum in the core gives +0).
    if x == 0.0 {
        x
    } else {
        y
    }
}

/// e^x - 1 for x already clamped to [-40.0, 40.0] (no special cases).
#[inline(always)]
fn expm1_core64<A: Arch>(xs: f64) -> f64 {
    let (_, t, r) = reduce64::<A>(xs, 0.0);
    let em = A::mla64(horner64::<A, 13>(r, EXP64_POLY), r * r, r);
    let p = pow2_64(t);
    A::mla64(p, em, p - 1.0)
}

// The normal-range loops; the public kernels below add the fix-up pass.
#[allow(dead_code)]
mod normal {
    use super::*;
    unary_kernel!(exp_f32, exp_f32_on, f32, exp32_normal);
    unary_kernel!(exp_f64, exp_f64_on, f64, exp64_normal);
}

/// Recomputes with `accurate` the elements of `out` whose argument lies
/// outside the normal-range form's domain (`!(|x| <= bound)`: also
/// infinities and NaN). The scan is a vectorised or-reduction; the
/// recomputation runs only where some element needs it.
fn fix_outside<T: Copy + Into<f64>>(x: &[T], out: &mut [T], bound: f64, accurate: impl Fn(T) -> T) {
    // NaN compares false, so it is not inside.
    let inside = |v: T| v.into().abs() <= bound;
    let outside = |v: T| !inside(v);
    if !x.iter().fold(false, |any, &v| any | outside(v)) {
        return;
    }
    for (o, &v) in out.iter_mut().zip(x) {
        if outside(v) {
            *o = accurate(v);
        }
    }
}

/// `out[i] = e^x[i]` (f32, ≤ 1 ulp measured; see docs/kernels.md).
///
/// Panics if `x` and `out` differ in length.
pub fn exp_f32(x: &[f32], out: &mut [f32]) {
    exp_f32_on(crate::backend::cpu::isa(), x, out)
}

/// [`exp_f32`] on a chosen variant (clamped to what the CPU supports).
pub fn exp_f32_on(isa: Isa, x: &[f32], out: &mut [f32]) {
    normal::exp_f32_on(isa, x, out);
    fix_outside(x, out, NORMAL32 as f64, |v| {
        exp32::<crate::backend::cpu::simd::Plain>(v)
    });
}

/// `out[i] = e^x[i]` (f64).
///
/// Panics if `x` and `out` differ in length.
pub fn exp_f64(x: &[f64], out: &mut [f64]) {
    exp_f64_on(crate::backend::cpu::isa(), x, out)
}

/// [`exp_f64`] on a chosen variant (clamped to what the CPU supports).
pub fn exp_f64_on(isa: Isa, x: &[f64], out: &mut [f64]) {
    normal::exp_f64_on(isa, x, out);
    fix_outside(x, out, NORMAL64, |v| {
        exp64::<crate::backend::cpu::simd::Plain>(v)
    });
}

unary_kernel!(
    /// `out[i] = e^x[i] - 1`, accurate near 0 (f32).
    expm1_f32, expm1_f32_on, f32, expm1_32
);
unary_kernel!(
    /// `out[i] = e^x[i] - 1`, accurate near 0 (f64).
    expm1_f64, expm1_f64_on, f64, expm1_64
);
