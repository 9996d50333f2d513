//! pow, sqrt and reciprocal. pow is `exp(y log|x|)` with the log and the
//! product carried in double-double so the error of the result stays a few
//! ulp; C99's special cases (signs for odd integer y, NaN for negative x with
//! non-integer y, pow(x, 0) = pow(1, y) = 1) are selected afterwards.

use super::exp::{exp64_dd, LN2_HI64, LN2_LO64};
use crate::backend::cpu::simd::{binary_kernel, unary_kernel, Arch};

const MAGIC64: f64 = 6_755_399_441_055_744.0;

/// ln x as `hi + lo` for x > 0 (±inf / NaN / 0 give hi = ln x, lo = 0).
#[inline(always)]
fn log_dd<A: Arch>(x: f64) -> (f64, f64) {
    let tiny = x < f64::MIN_POSITIVE;
    let xs = if tiny {
        x * 18_014_398_509_481_984.0
    } else {
        x
    };
    let bias = if tiny { -54.0 } else { 0.0 };
    const SHIFT: u64 = (0x3ff0_0000 - 0x3fe6_a09e) << 32;
    let ix = xs.to_bits().wrapping_add(SHIFT);
    let k = ((ix >> 52) as i64 - 0x3ff) as f64 + bias;
    let f = f64::from_bits((ix & 0x000f_ffff_ffff_ffff) + (0x3fe6_a09e << 32)) - 1.0;
    // s = f / (2 + f) as s + s_lo.
    let d = 2.0 + f;
    let d_err = (2.0 - d) + f;
    let s = f / d;
    let p = s * d;
    let s_lo = (((f - p) - A::prod_err64(s, d, p)) - s * d_err) / d;
    let z = s * s;
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
    // ln(1+f) = 2s + s R(s²); k ln2 with ln2_hi exact in the product.
    let a = k * LN2_HI64;
    let b = 2.0 * s;
    let h = a + b;
    let bb = h - a;
    let e = (a - (h - bb)) + (b - bb);
    let lo = e + k * LN2_LO64 + 2.0 * s_lo + s * (t1 + t2);
    let hi = h + lo;
    let lo = lo - (hi - h);
    let finite = x > 0.0 && x < f64::INFINITY;
    let hi = if finite { hi } else { x.ln_guard() };
    let lo = if finite { lo } else { 0.0 };
    (hi, lo)
}

trait LnGuard {
    fn ln_guard(self) -> Self;
}

impl LnGuard for f64 {
    /// ln of the non-finite-or-zero inputs of `log_dd`: 0 → -inf, inf → inf,
    /// NaN → NaN (branch-free selects).
    #[inline(always)]
    fn ln_guard(self) -> f64 {
        let v = if self == 0.0 { f64::NEG_INFINITY } else { self };
        if self < 0.0 {
            f64::NAN
        } else {
            v
        }
    }
}

/// x^y for f64 (C99 `pow` semantics).
#[inline(always)]
pub(crate) fn pow64<A: Arch>(x: f64, y: f64) -> f64 {
    let (lh, ll) = log_dd::<A>(x.abs());
    let yh = y * lh;
    let yl = A::prod_err64(y, lh, yh) + y * ll;
    // The tail only matters where exp is neither 0 nor inf (and is NaN
    // for infinite yh).
    let yl = if yh.abs() < 746.0 { yl } else { 0.0 };
    let r = exp64_dd::<A>(yh, yl);
    let ay = y.abs();
    let huge = ay >= 4_503_599_627_370_496.0; // 2^52: every such y is an even integer
    let rounded = ay + MAGIC64;
    let is_int = huge || rounded - MAGIC64 == ay;
    let odd = !huge && is_int && (rounded.to_bits() & 1) == 1;
    let r = if odd && x.is_sign_negative() { -r } else { r };
    let r = if x < 0.0 && x.is_finite() && !is_int {
        f64::NAN
    } else {
        r
    };
    let r = if x == -1.0 && y.is_infinite() { 1.0 } else { r };
    if y == 0.0 || x == 1.0 {
        1.0
    } else {
        r
    }
}

/// x^y for f32, evaluated in f64 (x and y exactly representable, |y ln x|
/// small enough that the f64 result is far more accurate than f32 needs).
#[inline(always)]
pub(crate) fn pow32<A: Arch>(x: f32, y: f32) -> f32 {
    pow64::<A>(x as f64, y as f64) as f32
}

#[inline(always)]
fn sqrt32<A: Arch>(x: f32) -> f32 {
    x.sqrt()
}

#[inline(always)]
fn sqrt64<A: Arch>(x: f64) -> f64 {
    x.sqrt()
}

#[inline(always)]
fn recip32<A: Arch>(x: f32) -> f32 {
    1.0 / x
}

#[inline(always)]
fn recip64<A: Arch>(x: f64) -> f64 {
    1.0 / x
}

binary_kernel!(
    /// `out[i] = x[i]^y[i]` (f32, computed in f64).
    pow_f32, pow_f32_on, f32, pow32
);
binary_kernel!(
    /// `out[i] = x[i]^y[i]` (f64).
    pow_f64, pow_f64_on, f64, pow64
);
unary_kernel!(
    /// `out[i] = √x[i]`, correctly rounded (hardware `sqrt`).
    sqrt_f32, sqrt_f32_on, f32, sqrt32
);
unary_kernel!(
    /// `out[i] = √x[i]`, correctly rounded (hardware `sqrt`).
    sqrt_f64, sqrt_f64_on, f64, sqrt64
);
unary_kernel!(
    /// `out[i] = 1 / x[i]`, correctly rounded (a true division, not `rcpps`).
    reciprocal_f32, reciprocal_f32_on, f32, recip32
);
unary_kernel!(
    /// `out[i] = 1 / x[i]`, correctly rounded.
    reciprocal_f64, reciprocal_f64_on, f64, recip64
);
