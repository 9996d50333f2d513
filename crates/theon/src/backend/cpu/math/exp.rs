//! exp and expm1: Cody–Waite reduction `x = n ln2 + r`, a polynomial for
//! `e^r` on |r| ≤ ln2/2, and exact scaling by `2^n` in two steps so that
//! results in the subnormal range round only once.

use super::poly::{horner32, horner64};
use crate::backend::cpu::simd::{unary_kernel, Arch};

const MAGIC32: f32 = 12_582_912.0; // 1.5 * 2^23: adding it rounds to an integer
const MAGIC64: f64 = 6_755_399_441_055_744.0; // 1.5 * 2^52
const LOG2E32: f32 = std::f32::consts::LOG2_E;
const LOG2E64: f64 = std::f64::consts::LOG2_E;
// ln2 split so that n * hi is exact for the n that occur (Cephes, fdlibm).
const LN2_HI32: f32 = 0.693_359_4;
const LN2_LO32: f32 = -2.121_944_4e-4;
pub(crate) const LN2_HI64: f64 = 6.931_471_803_691_238_164_90e-1;
pub(crate) const LN2_LO64: f64 = 1.908_214_929_270_587_700_02e-10;

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

/// e^x for f32 (Cephes `expf` polynomial).
#[inline(always)]
pub(crate) fn exp32<A: Arch>(x: f32) -> f32 {
    // Comparisons with NaN are false, so NaN passes the clamps unchanged.
    let x = if x > 89.0 { 89.0 } else { x };
    let x = if x < -104.0 { -104.0 } else { x };
    let n = A::mla32(x, LOG2E32, MAGIC32) - MAGIC32;
    let r = A::mla32(n, -LN2_HI32, x);
    let r = A::mla32(n, -LN2_LO32, r);
    let p = horner32::<A, 6>(
        r,
        [
            1.987_569_2e-4,
            1.398_199_9e-3,
            8.333_452e-3,
            4.166_579_6e-2,
            1.666_666_5e-1,
            5.000_000_1e-1,
        ],
    );
    let e = A::mla32(p, r * r, r) + 1.0;
    scale32(e, n)
}

/// e^x for f32 arguments x ≤ 0 (shifted logits in logsumexp/softmax):
/// the polynomial of [`exp32`] with one `2^n` scaling; arguments below
/// -87 (results under the smallest normal) give e^-87 ≈ 1.6e-38 instead,
/// which is negligible beside the 1 the maximum contributes. NaN stays NaN.
#[inline(always)]
pub(crate) fn exp32_nonpos<A: Arch>(x: f32) -> f32 {
    let x = if x < -87.0 { -87.0 } else { x };
    let n = A::mla32(x, LOG2E32, MAGIC32) - MAGIC32;
    let r = A::mla32(n, -LN2_HI32, x);
    let r = A::mla32(n, -LN2_LO32, r);
    let p = horner32::<A, 6>(
        r,
        [
            1.987_569_2e-4,
            1.398_199_9e-3,
            8.333_452e-3,
            4.166_579_6e-2,
            1.666_666_5e-1,
            5.000_000_1e-1,
        ],
    );
    let e = A::mla32(p, r * r, r) + 1.0;
    e * pow2_32(n + MAGIC32)
}

/// e^x for f64 arguments x ≤ 0, as [`exp32_nonpos`] (arguments below -708
/// give e^-708 ≈ 3e-308).
#[inline(always)]
pub(crate) fn exp64_nonpos<A: Arch>(x: f64) -> f64 {
    let x = if x < -708.0 { -708.0 } else { x };
    let n = A::mla64(x, LOG2E64, MAGIC64) - MAGIC64;
    let r = A::mla64(n, -LN2_HI64, x);
    let r = A::mla64(n, -LN2_LO64, r);
    let p = horner64::<A, 12>(r, EXP64_POLY);
    let e = A::mla64(p, r * r, r) + 1.0;
    e * pow2_64(n + MAGIC64)
}

/// Taylor coefficients 1/13!, ..., 1/2! of e^r.
const EXP64_POLY: [f64; 12] = [
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

/// e^(hi + lo) for f64, where `lo` is a small correction to `hi` (0 for
/// plain exp; pow passes the tail of a double-double product).
#[inline(always)]
pub(crate) fn exp64_dd<A: Arch>(hi: f64, lo: f64) -> f64 {
    let x = if hi > 710.0 { 710.0 } else { hi };
    let x = if x < -746.0 { -746.0 } else { x };
    let n = A::mla64(x, LOG2E64, MAGIC64) - MAGIC64;
    let r = A::mla64(n, -LN2_HI64, x);
    let r = A::mla64(n, -LN2_LO64, r) + lo;
    let p = horner64::<A, 12>(r, EXP64_POLY);
    let e = A::mla64(p, r * r, r) + 1.0;
    scale64(e, n)
}

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
pub(crate) fn expm1_core32<A: Arch>(xs: f32) -> f32 {
    let n = A::mla32(xs, LOG2E32, MAGIC32) - MAGIC32;
    let r = A::mla32(n, -LN2_HI32, xs);
    let r = A::mla32(n, -LN2_LO32, r);
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
    let p = pow2_32(n + MAGIC32);
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
pub(crate) fn expm1_core64<A: Arch>(xs: f64) -> f64 {
    let n = A::mla64(xs, LOG2E64, MAGIC64) - MAGIC64;
    let r = A::mla64(n, -LN2_HI64, xs);
    let r = A::mla64(n, -LN2_LO64, r);
    let q = horner64::<A, 13>(
        r,
        [
            1.0 / 87_178_291_200.0,
            EXP64_POLY[0],
            EXP64_POLY[1],
            EXP64_POLY[2],
            EXP64_POLY[3],
            EXP64_POLY[4],
            EXP64_POLY[5],
            EXP64_POLY[6],
            EXP64_POLY[7],
            EXP64_POLY[8],
            EXP64_POLY[9],
            EXP64_POLY[10],
            EXP64_POLY[11],
        ],
    );
    let em = A::mla64(q, r * r, r);
    let p = pow2_64(n + MAGIC64);
    A::mla64(p, em, p - 1.0)
}

unary_kernel!(
    /// `out[i] = e^x[i]` (f32, ≤ 1 ulp measured; see docs/kernels.md).
    exp_f32, exp_f32_on, f32, exp32
);
unary_kernel!(
    /// `out[i] = e^x[i]` (f64).
    exp_f64, exp_f64_on, f64, exp64
);
unary_kernel!(
    /// `out[i] = e^x[i] - 1`, accurate near 0 (f32).
    expm1_f32, expm1_f32_on, f32, expm1_32
);
unary_kernel!(
    /// `out[i] = e^x[i] - 1`, accurate near 0 (f64).
    expm1_f64, expm1_f64_on, f64, expm1_64
);
