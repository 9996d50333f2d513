//! `Lane`: what the fused loops need of f32/f64 beyond `Real` — the
//! vectorised slice kernel for each transcendental function, and exact
//! conversions through f64 for the scalar fallbacks.

use crate::backend::cpu::{math, Real};
use crate::ops::elemwise::UnaryOp;

/// A slice kernel `f(x, out)` from `backend::cpu::math`.
pub(crate) type SliceFn<T> = fn(&[T], &mut [T]);
/// A two-argument slice kernel `f(x, y, out)`.
pub(crate) type SliceFn2<T> = fn(&[T], &[T], &mut [T]);

/// f32 or f64 as a fused-loop element.
pub(crate) trait Lane: Real {
    /// The vectorised kernel of `op`, where `backend::cpu::math` has one.
    fn math(op: UnaryOp) -> Option<SliceFn<Self>>;
    /// The vectorised `pow`.
    fn pow() -> SliceFn2<Self>;
    /// Exact widening to f64.
    fn widen(self) -> f64;
    /// Rounding from f64 (exact for f64).
    fn narrow(x: f64) -> Self;
    /// Round half to even (NumPy's `round`).
    fn round_even(self) -> Self;
    /// 1 or 0.
    fn from_bool(b: bool) -> Self;
}

macro_rules! lane {
    ($t:ty, $($op:ident => $f:ident),* ; pow => $pow:ident) => {
        impl Lane for $t {
            fn math(op: UnaryOp) -> Option<SliceFn<$t>> {
                Some(match op {
                    $(UnaryOp::$op => math::$f,)*
                    _ => return None,
                })
            }
            fn pow() -> SliceFn2<$t> {
                math::$pow
            }
            #[inline(always)]
            fn widen(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn narrow(x: f64) -> $t {
                x as $t
            }
            #[inline(always)]
            fn round_even(self) -> $t {
                self.round_ties_even()
            }
            #[inline(always)]
            fn from_bool(b: bool) -> $t {
                b as u8 as $t
            }
        }
    };
}

lane!(f32, Exp => exp_f32, Expm1 => expm1_f32, Log => log_f32, Log2 => log2_f32,
    Log1p => log1p_f32, Tanh => tanh_f32, Sigmoid => sigmoid_f32, Softplus => softplus_f32,
    Sin => sin_f32, Cos => cos_f32, Erf => erf_f32, Sqrt => sqrt_f32,
    Reciprocal => reciprocal_f32; pow => pow_f32);
lane!(f64, Exp => exp_f64, Expm1 => expm1_f64, Log => log_f64, Log2 => log2_f64,
    Log1p => log1p_f64, Tanh => tanh_f64, Sigmoid => sigmoid_f64, Softplus => softplus_f64,
    Sin => sin_f64, Cos => cos_f64, Erf => erf_f64, Sqrt => sqrt_f64,
    Reciprocal => reciprocal_f64; pow => pow_f64);
