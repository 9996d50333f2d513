//! Vectorised transcendental functions over slices of f32 and f64.
//!
//! Each function is a branch-free scalar routine (selects, bit tricks and
//! polynomials, no calls) that LLVM auto-vectorises in the slice loop; the
//! loop is compiled for AVX2+FMA and for the baseline, and [`isa`] picks one
//! once per process. Measured accuracy (ulp) is tabulated in docs/kernels.md
//! and asserted by the sweep in `tests.rs`.
//!
//! [`isa`]: crate::backend::cpu::isa

// Coefficients are kept exactly as published (fdlibm, Cephes) or as fitted,
// so they can be checked against their sources.
#![allow(clippy::excessive_precision, clippy::approx_constant)]

mod exp;
mod log;
mod poly;
mod pow;
mod special;
mod trig;

pub use exp::{
    exp_f32, exp_f32_on, exp_f64, exp_f64_on, expm1_f32, expm1_f32_on, expm1_f64, expm1_f64_on,
};
pub use log::{
    log1p_f32, log1p_f32_on, log1p_f64, log1p_f64_on, log2_f32, log2_f32_on, log2_f64, log2_f64_on,
    log_f32, log_f32_on, log_f64, log_f64_on,
};
pub use pow::{
    pow_f32, pow_f32_on, pow_f64, pow_f64_on, reciprocal_f32, reciprocal_f32_on, reciprocal_f64,
    reciprocal_f64_on, sqrt_f32, sqrt_f32_on, sqrt_f64, sqrt_f64_on,
};
pub use special::{
    erf_f32, erf_f32_on, erf_f64, erf_f64_on, sigmoid_f32, sigmoid_f32_on, sigmoid_f64,
    sigmoid_f64_on, softplus_f32, softplus_f32_on, softplus_f64, softplus_f64_on, tanh_f32,
    tanh_f32_on, tanh_f64, tanh_f64_on,
};
pub use trig::{
    cos_f32, cos_f32_on, cos_f64, cos_f64_on, sin_f32, sin_f32_on, sin_f64, sin_f64_on,
};

/// Scalar forms for other kernels (reductions) to inline into their loops.
pub(crate) mod scalar {
    pub(crate) use super::exp::{exp32, exp32_nonpos, exp64, exp64_nonpos};
    pub(crate) use super::log::{log32, log64};
}

#[cfg(test)]
mod tests;
