//! `Real`: the two float element types the kernels are generic over.

use crate::backend::cpu::simd::Arch;
use crate::tensor::Element;

/// f32 or f64, with the scalar math the generic kernels inline (and faer's
/// field trait, so products can go through its matmul).
pub trait Real:
    Element
    + num_traits::Float
    + std::ops::AddAssign
    + std::iter::Sum
    + Send
    + Sync
    + std::fmt::Debug
    + faer::traits::ComplexField
    + 'static
{
    /// e^x, the vectorisable polynomial form.
    fn exp_k<A: Arch>(self) -> Self;
    /// ln x, the vectorisable polynomial form.
    fn ln_k<A: Arch>(self) -> Self;
    /// e^x for x ≤ 0, cheaper than [`Real::exp_k`]: results below the
    /// smallest normal come out as a tiny normal number (for sums that
    /// include a 1, such as logsumexp's shifted exponentials).
    fn exp_nonpos_k<A: Arch>(self) -> Self;
    /// `a·b + c`, fused where the variant has FMA.
    fn mla<A: Arch>(a: Self, b: Self, c: Self) -> Self;
}

impl Real for f32 {
    #[inline(always)]
    fn exp_k<A: Arch>(self) -> f32 {
        super::math::scalar::exp32::<A>(self)
    }
    #[inline(always)]
    fn ln_k<A: Arch>(self) -> f32 {
        super::math::scalar::log32::<A>(self)
    }
    #[inline(always)]
    fn exp_nonpos_k<A: Arch>(self) -> f32 {
        super::math::scalar::exp32_nonpos::<A>(self)
    }
    #[inline(always)]
    fn mla<A: Arch>(a: f32, b: f32, c: f32) -> f32 {
        A::mla32(a, b, c)
    }
}

impl Real for f64 {
    #[inline(always)]
    fn exp_k<A: Arch>(self) -> f64 {
        super::math::scalar::exp64::<A>(self)
    }
    #[inline(always)]
    fn ln_k<A: Arch>(self) -> f64 {
        super::math::scalar::log64::<A>(self)
    }
    #[inline(always)]
    fn exp_nonpos_k<A: Arch>(self) -> f64 {
        super::math::scalar::exp64_nonpos::<A>(self)
    }
    #[inline(always)]
    fn mla<A: Arch>(a: f64, b: f64, c: f64) -> f64 {
        A::mla64(a, b, c)
    }
}
