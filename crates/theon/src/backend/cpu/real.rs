//! `Real`: the two float element types the kernels are generic over.

use crate::backend::cpu::simd::Arch;
use crate::tensor::Element;

/// f32 or f64, with the scalar math the generic kernels inline.
pub trait Real:
    Element
    + num_traits::Float
    + std::ops::AddAssign
    + std::iter::Sum
    + Send
    + Sync
    + std::fmt::Debug
    + 'static
{
    /// e^x, the vectorisable polynomial form.
    fn exp_k<A: Arch>(self) -> Self;
    /// ln x, the vectorisable polynomial form.
    fn ln_k<A: Arch>(self) -> Self;
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
}
