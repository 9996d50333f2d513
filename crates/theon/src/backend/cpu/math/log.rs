//! log, log1p and log2: `x = 2^k m` with m in [√½, √2), then
//! `log(m) = f - f²/2 + s (f²/2 + R(s²))`, s = f / (2 + f) (fdlibm/musl).
//! Subnormal inputs are scaled into the normal range first.

use super::exp::{LN2_HI64, LN2_LO64};
use crate::backend::cpu::simd::{unary_kernel, Arch};

const LN2_HI32: f32 = 6.931_381_2e-1;
const LN2_LO32: f32 = 9.058_000_6e-6;

/// Exponent k and reduced `f = m - 1` for positive finite normal-or-subnormal x.
#[inline(always)]
fn reduce32(x: f32) -> (f32, f32) {
    let tiny = x < f32::MIN_POSITIVE;
    let xs = if tiny { x * 33_554_432.0 } else { x }; // 2^25
    let bias = if tiny { -25.0 } else { 0.0 };
    let ix = xs.to_bits().wrapping_add(0x3f80_0000 - 0x3f35_04f3);
    let k = ((ix >> 23) as i32 - 0x7f) as f32 + bias;
    let m = f32::from_bits((ix & 0x007f_ffff) + 0x3f35_04f3);
    (k, m - 1.0)
}

#[inline(always)]
fn reduce64(x: f64) -> (f64, f64) {
    let tiny = x < f64::MIN_POSITIVE;
    let xs = if tiny {
        x * 18_014_398_509_481_984.0
    } else {
        x
    }; // 2^54
    let bias = if tiny { -54.0 } else { 0.0 };
    const SHIFT: u64 = (0x3ff0_0000 - 0x3fe6_a09e) << 32;
    let ix = xs.to_bits().wrapping_add(SHIFT);
    let k = ((ix >> 52) as i64 - 0x3ff) as f64 + bias;
    let m = f64::from_bits((ix & 0x000f_ffff_ffff_ffff) + (0x3fe6_a09e << 32));
    (k, m - 1.0)
}

/// Applies IEEE special cases: NaN → NaN, x < 0 → NaN, ±0 → -inf, +inf → +inf.
#[inline(always)]
fn special32(x: f32, y: f32) -> f32 {
    let y = if x == f32::INFINITY { x } else { y };
    let y = if x == 0.0 { f32::NEG_INFINITY } else { y };
    if x < 0.0 || x.is_nan() {
        f32::NAN
    } else {
        y
    }
}

#[inline(always)]
fn special64(x: f64, y: f64) -> f64 {
    let y = if x == f64::INFINITY { x } else { y };
    let y = if x == 0.0 { f64::NEG_INFINITY } else { y };
    if x < 0.0 || x.is_nan() {
        f64::NAN
    } else {
        y
    }
}

/// Natural log for f32.
#[inline(always)]
pub(crate) fn log32<A: Arch>(x: f32) -> f32 {
    let (k, f) = reduce32(x);
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * A::mla32(w, 0.242_790_79, 0.400_009_72);
    let t2 = z * A::mla32(w, 0.284_987_87, 0.666_666_6);
    let hfsq = 0.5 * f * f;
    let y = A::mla32(s, hfsq + (t1 + t2), k * LN2_LO32) - hfsq + f + k * LN2_HI32;
    special32(x, y)
}

/// `R(z)` of fdlibm's log: `log(1+f) = f - hfsq + s (hfsq + R)`.
#[inline(always)]
fn log_r64<A: Arch>(z: f64) -> f64 {
    let w = z * z;
    let t1 = w * A::mla64(
        w,
        A::mla64(
            w,
            1.531_383_769_920_937_332e-1,
            2.222_219_843_214_978_396e-1,
        ),
        3.999_999_999_940_941_908e-1,
    );
    let t2 = z * A::mla64(
        w,
        A::mla64(
            w,
            A::mla64(
                w,
                1.479_819_860_511_658_591e-1,
                1.818_357_216_161_805_012e-1,
            ),
            2.857_142_874_366_239_149e-1,
        ),
        6.666_666_666_666_735_130e-1,
    );
    t1 + t2
}

/// Natural log for f64.
#[inline(always)]
pub(crate) fn log64<A: Arch>(x: f64) -> f64 {
    let (k, f) = reduce64(x);
    let s = f / (2.0 + f);
    let hfsq = 0.5 * f * f;
    let r = log_r64::<A>(s * s);
    let y = A::mla64(s, hfsq + r, k * LN2_LO64) - hfsq + f + k * LN2_HI64;
    special64(x, y)
}

/// log(1 + x): log of `u = 1 + x` plus the first-order correction for the
/// rounding of u, `(x - (u - 1)) / u`.
#[inline(always)]
pub(crate) fn log1p32<A: Arch>(x: f32) -> f32 {
    let u = 1.0 + x;
    let c = (x - (u - 1.0)) / u;
    let c = if u > 0.0 && u < f32::INFINITY { c } else { 0.0 };
    let y = log32::<A>(u) + c;
    if x == 0.0 {
        x
    } else {
        y
    }
}

#[inline(always)]
pub(crate) fn log1p64<A: Arch>(x: f64) -> f64 {
    let u = 1.0 + x;
    let c = (x - (u - 1.0)) / u;
    let c = if u > 0.0 && u < f64::INFINITY { c } else { 0.0 };
    let y = log64::<A>(u) + c;
    if x == 0.0 {
        x
    } else {
        y
    }
}

/// log2 for f64 (musl): `log(m)` split into hi (32 significant bits, so
/// products with the split 1/ln2 are exact) + lo, then `k + log(m)/ln2`.
#[inline(always)]
pub(crate) fn log2_64<A: Arch>(x: f64) -> f64 {
    const IVLN2HI: f64 = 1.442_695_040_721_446_275_71;
    const IVLN2LO: f64 = 1.675_171_316_488_651_183_53e-10;
    let (k, f) = reduce64(x);
    let s = f / (2.0 + f);
    let hfsq = 0.5 * f * f;
    let r = log_r64::<A>(s * s);
    let hi = f64::from_bits((f - hfsq).to_bits() & 0xffff_ffff_0000_0000);
    let lo = f - hi - hfsq + s * (hfsq + r);
    let val_hi = hi * IVLN2HI;
    let val_lo = (lo + hi) * IVLN2LO + lo * IVLN2HI;
    let w = k + val_hi;
    let val_lo = val_lo + ((k - w) + val_hi);
    special64(x, val_lo + w)
}

/// log2 for f32, evaluated in f64 (exactly representable input, one final
/// rounding): accuracy over speed for this rarely hot function.
#[inline(always)]
pub(crate) fn log2_32<A: Arch>(x: f32) -> f32 {
    log2_64::<A>(x as f64) as f32
}

unary_kernel!(
    /// `out[i] = ln x[i]` (f32).
    log_f32, log_f32_on, f32, log32
);
unary_kernel!(
    /// `out[i] = ln x[i]` (f64).
    log_f64, log_f64_on, f64, log64
);
unary_kernel!(
    /// `out[i] = ln(1 + x[i])`, accurate near 0 (f32).
    log1p_f32, log1p_f32_on, f32, log1p32
);
unary_kernel!(
    /// `out[i] = ln(1 + x[i])`, accurate near 0 (f64).
    log1p_f64, log1p_f64_on, f64, log1p64
);
unary_kernel!(
    /// `out[i] = log2 x[i]` (f32, computed in f64).
    log2_f32, log2_f32_on, f32, log2_32
);
unary_kernel!(
    /// `out[i] = log2 x[i]` (f64).
    log2_f64, log2_f64_on, f64, log2_64
);
