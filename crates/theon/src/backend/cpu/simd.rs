//! Instruction-set dispatch: which compiled variant of a kernel runs, chosen
//! once per process by CPU feature detection, and the `Arch` strategy that
//! tells the shared scalar code whether a fused multiply-add is cheap.

use std::sync::OnceLock;

/// A compiled variant of the kernels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Isa {
    /// The crate's compile-time target features only (SSE2 on x86-64).
    Baseline,
    /// AVX2 and FMA, enabled per function with `#[target_feature]`.
    Avx2Fma,
}

/// The best variant this CPU supports, detected on the first call and cached.
pub fn isa() -> Isa {
    static CHOICE: OnceLock<Isa> = OnceLock::new();
    *CHOICE.get_or_init(detect)
}

fn detect() -> Isa {
    #[cfg(target_arch = "x86_64")]
    {
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            return Isa::Avx2Fma;
        }
    }
    Isa::Baseline
}

/// Clamps a requested variant to what this CPU can run, so callers (tests,
/// benchmarks) may ask for `Avx2Fma` anywhere without undefined behaviour.
pub(crate) fn supported(requested: Isa) -> Isa {
    match requested {
        Isa::Avx2Fma if isa() == Isa::Avx2Fma => Isa::Avx2Fma,
        _ => Isa::Baseline,
    }
}

/// How the scalar kernels evaluate `a * b + c`: fused where the hardware
/// has FMA (one rounding, one instruction), plainly elsewhere (a libm `fma`
/// call would be exact but far too slow in a hot loop).
pub trait Arch: Copy {
    fn mla32(a: f32, b: f32, c: f32) -> f32;
    fn mla64(a: f64, b: f64, c: f64) -> f64;
    /// The exact rounding error of `a * b`: `a * b - fl(a * b)`.
    fn prod_err64(a: f64, b: f64, p: f64) -> f64;
}

/// Variant with hardware FMA.
#[derive(Clone, Copy)]
pub struct Fused;

/// Variant without FMA.
#[derive(Clone, Copy)]
pub struct Plain;

impl Arch for Fused {
    #[inline(always)]
    fn mla32(a: f32, b: f32, c: f32) -> f32 {
        a.mul_add(b, c)
    }
    #[inline(always)]
    fn mla64(a: f64, b: f64, c: f64) -> f64 {
        a.mul_add(b, c)
    }
    #[inline(always)]
    fn prod_err64(a: f64, b: f64, p: f64) -> f64 {
        a.mul_add(b, -p)
    }
}

impl Arch for Plain {
    #[inline(always)]
    fn mla32(a: f32, b: f32, c: f32) -> f32 {
        a * b + c
    }
    #[inline(always)]
    fn mla64(a: f64, b: f64, c: f64) -> f64 {
        a * b + c
    }
    #[inline(always)]
    fn prod_err64(a: f64, b: f64, p: f64) -> f64 {
        // Dekker's product: split each factor into 26-bit halves whose
        // partial products are exact in f64.
        let (ah, al) = split64(a);
        let (bh, bl) = split64(b);
        ((ah * bh - p) + ah * bl + al * bh) + al * bl
    }
}

#[inline(always)]
fn split64(a: f64) -> (f64, f64) {
    let t = 134_217_729.0 * a; // 2^27 + 1
    let hi = t - (t - a);
    (hi, a - hi)
}

/// Defines a public slice kernel `$name(x, out)` and `$name_on(isa, x, out)`
/// applying the scalar function `$f::<A: Arch>` elementwise.
macro_rules! unary_kernel {
    ($(#[$doc:meta])* $name:ident, $name_on:ident, $t:ty, $f:ident) => {
        $(#[$doc])*
        ///
        /// Panics if `x` and `out` differ in length.
        pub fn $name(x: &[$t], out: &mut [$t]) {
            $name_on($crate::backend::cpu::isa(), x, out)
        }

        #[doc = concat!("[`", stringify!($name), "`] on a chosen variant (clamped to what the CPU supports).")]
        pub fn $name_on(isa: $crate::backend::cpu::Isa, x: &[$t], out: &mut [$t]) {
            assert_eq!(x.len(), out.len(), concat!(stringify!($name), ": input and output lengths differ"));
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2,fma")]
                unsafe fn avx2(x: &[$t], out: &mut [$t]) {
                    for (o, &v) in out.iter_mut().zip(x) {
                        *o = $f::<$crate::backend::cpu::simd::Fused>(v);
                    }
                }
                if $crate::backend::cpu::simd::supported(isa) == $crate::backend::cpu::Isa::Avx2Fma {
                    // SAFETY: `supported` returns Avx2Fma only when the CPU
                    // reports AVX2 and FMA, the features `avx2` is built for.
                    unsafe { avx2(x, out) };
                    return;
                }
            }
            let _ = isa;
            for (o, &v) in out.iter_mut().zip(x) {
                *o = $f::<$crate::backend::cpu::simd::Plain>(v);
            }
        }
    };
}

/// Like `unary_kernel!` for a two-argument scalar function.
macro_rules! binary_kernel {
    ($(#[$doc:meta])* $name:ident, $name_on:ident, $t:ty, $f:ident) => {
        $(#[$doc])*
        ///
        /// Panics if `x`, `y` and `out` differ in length.
        pub fn $name(x: &[$t], y: &[$t], out: &mut [$t]) {
            $name_on($crate::backend::cpu::isa(), x, y, out)
        }

        #[doc = concat!("[`", stringify!($name), "`] on a chosen variant (clamped to what the CPU supports).")]
        pub fn $name_on(isa: $crate::backend::cpu::Isa, x: &[$t], y: &[$t], out: &mut [$t]) {
            assert!(x.len() == out.len() && y.len() == out.len(), concat!(stringify!($name), ": input and output lengths differ"));
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2,fma")]
                unsafe fn avx2(x: &[$t], y: &[$t], out: &mut [$t]) {
                    for ((o, &a), &b) in out.iter_mut().zip(x).zip(y) {
                        *o = $f::<$crate::backend::cpu::simd::Fused>(a, b);
                    }
                }
                if $crate::backend::cpu::simd::supported(isa) == $crate::backend::cpu::Isa::Avx2Fma {
                    // SAFETY: `supported` returns Avx2Fma only when the CPU
                    // reports AVX2 and FMA, the features `avx2` is built for.
                    unsafe { avx2(x, y, out) };
                    return;
                }
            }
            let _ = isa;
            for ((o, &a), &b) in out.iter_mut().zip(x).zip(y) {
                *o = $f::<$crate::backend::cpu::simd::Plain>(a, b);
            }
        }
    };
}

pub(crate) use {binary_kernel, unary_kernel};
