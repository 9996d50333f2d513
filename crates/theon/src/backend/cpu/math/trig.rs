//! sin and cos: quadrant reduction `x = n π/2 + r` with pi/2 in three
//! 33-bit pieces (fdlibm's medium-size reduction, exact products for
//! |n| < 2^20), then fdlibm's kernels on |r| ≤ π/4. Arguments beyond
//! `TRIG_BOUND` (rare) are recomputed afterwards with libm's Payne–Hanek
//! reduction, keeping the hot loop branch-free. f32 runs through the f64 path.

use super::poly::horner64;
use crate::backend::cpu::simd::{unary_kernel, Arch};
use crate::backend::cpu::Isa;

const MAGIC64: f64 = 6_755_399_441_055_744.0;
/// Largest |x| reduced in the vector loop (2^19 π/2, as fdlibm).
pub(crate) const TRIG_BOUND: f64 = 823_549.6;

/// (r_head, r_tail, n mod 4).
#[inline(always)]
fn reduce<A: Arch>(x: f64) -> (f64, f64, u64) {
    const PIO2_1: f64 = 1.570_796_326_734_125_614_17;
    const PIO2_2: f64 = 6.077_100_506_303_965_976_60e-11;
    const PIO2_3: f64 = 2.022_266_248_711_166_455_80e-21;
    const PIO2_3T: f64 = 8.478_427_660_368_899_569_97e-32;
    let t = A::mla64(x, std::f64::consts::FRAC_2_PI, MAGIC64);
    let n = t - MAGIC64;
    let quadrant = t.to_bits() & 3;
    // Each n * PIO2_k is exact (33-bit pieces, |n| < 2^20) and each
    // subtraction's rounding error is recovered exactly (Fast2Sum), so
    // `r3 - tail` is x - n pi/2 to about 2^-100 relative.
    let r = x - n * PIO2_1;
    let w2 = n * PIO2_2;
    let r2 = r - w2;
    let e2 = (r - r2) - w2;
    let w3 = n * PIO2_3;
    let r3 = r2 - w3;
    let e3 = (r2 - r3) - w3;
    let tail = n * PIO2_3T - e3 - e2;
    let y0 = r3 - tail;
    let y1 = (r3 - y0) - tail;
    (y0, y1, quadrant)
}

#[inline(always)]
fn sin_k<A: Arch>(x: f64, y: f64) -> f64 {
    let z = x * x;
    let v = z * x;
    let r = horner64::<A, 5>(
        z,
        [
            1.589_690_995_211_550_102_21e-10,
            -2.505_076_025_340_686_341_95e-8,
            2.755_731_370_707_006_767_89e-6,
            -1.984_126_982_985_794_931_34e-4,
            8.333_333_333_322_489_461_24e-3,
        ],
    );
    x - ((z * (0.5 * y - v * r) - y) - v * -1.666_666_666_666_663_243_48e-1)
}

#[inline(always)]
fn cos_k<A: Arch>(x: f64, y: f64) -> f64 {
    let z = x * x;
    let w = z * z;
    let r = z * horner64::<A, 3>(
        z,
        [
            2.480_158_728_947_672_941_78e-5,
            -1.388_888_888_887_410_957_49e-3,
            4.166_666_666_666_660_190_37e-2,
        ],
    ) + w
        * w
        * horner64::<A, 3>(
            z,
            [
                -1.135_964_755_778_819_482_65e-11,
                2.087_572_321_298_174_827_90e-9,
                -2.755_731_435_139_066_330_35e-7,
            ],
        );
    let hz = 0.5 * z;
    let w = 1.0 - hz;
    w + (((1.0 - w) - hz) + (z * r - x * y))
}

#[inline(always)]
fn flip(v: f64, negate: u64) -> f64 {
    f64::from_bits(v.to_bits() ^ (negate << 62 & (1 << 63)))
}

#[inline(always)]
pub(crate) fn sin64<A: Arch>(x: f64) -> f64 {
    let (y0, y1, q) = reduce::<A>(x);
    let s = sin_k::<A>(y0, y1);
    let c = cos_k::<A>(y0, y1);
    let v = if q & 1 == 1 { c } else { s };
    let v = flip(v, q & 2);
    if x == 0.0 {
        x
    } else {
        v
    }
}

#[inline(always)]
pub(crate) fn cos64<A: Arch>(x: f64) -> f64 {
    let (y0, y1, q) = reduce::<A>(x);
    let s = sin_k::<A>(y0, y1);
    let c = cos_k::<A>(y0, y1);
    let v = if q & 1 == 1 { s } else { c };
    flip(v, (q + 1) & 2)
}

#[inline(always)]
pub(crate) fn sin32<A: Arch>(x: f32) -> f32 {
    sin64::<A>(x as f64) as f32
}

#[inline(always)]
pub(crate) fn cos32<A: Arch>(x: f32) -> f32 {
    cos64::<A>(x as f64) as f32
}

// Only the `_on` forms are wrapped; the plain ones are unused here.
#[allow(dead_code)]
mod fast {
    use super::*;
    unary_kernel!(sin_f32, sin_f32_on, f32, sin32);
    unary_kernel!(cos_f32, cos_f32_on, f32, cos32);
    unary_kernel!(sin_f64, sin_f64_on, f64, sin64);
    unary_kernel!(cos_f64, cos_f64_on, f64, cos64);
}

/// Recomputes the elements whose argument was too large for the fast
/// reduction (finite |x| > TRIG_BOUND) with `slow`.
fn fix_large<T: Copy + Into<f64>>(x: &[T], out: &mut [T], slow: impl Fn(T) -> T) {
    for (o, &v) in out.iter_mut().zip(x) {
        let a = v.into().abs();
        if a > TRIG_BOUND && a.is_finite() {
            *o = slow(v);
        }
    }
}

macro_rules! trig_kernel {
    ($(#[$doc:meta])* $name:ident, $name_on:ident, $t:ty, $slow:expr) => {
        $(#[$doc])*
        ///
        /// Panics if `x` and `out` differ in length.
        pub fn $name(x: &[$t], out: &mut [$t]) {
            $name_on(crate::backend::cpu::isa(), x, out)
        }

        #[doc = concat!("[`", stringify!($name), "`] on a chosen variant.")]
        pub fn $name_on(isa: Isa, x: &[$t], out: &mut [$t]) {
            fast::$name_on(isa, x, out);
            fix_large(x, out, $slow);
        }
    };
}

trig_kernel!(
    /// `out[i] = sin x[i]` (f32, computed in f64).
    sin_f32, sin_f32_on, f32, |v: f32| libm::sin(v as f64) as f32
);
trig_kernel!(
    /// `out[i] = cos x[i]` (f32, computed in f64).
    cos_f32, cos_f32_on, f32, |v: f32| libm::cos(v as f64) as f32
);
trig_kernel!(
    /// `out[i] = sin x[i]` (f64).
    sin_f64, sin_f64_on, f64, libm::sin
);
trig_kernel!(
    /// `out[i] = cos x[i]` (f64).
    cos_f64, cos_f64_on, f64, libm::cos
);
