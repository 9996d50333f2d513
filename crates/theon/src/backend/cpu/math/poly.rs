//! Horner evaluation of fixed-degree polynomials, unrolled at compile time.

use crate::backend::cpu::simd::Arch;

/// `c[0] x^(N-1) + ... + c[N-1]`.
#[inline(always)]
pub(crate) fn horner32<A: Arch, const N: usize>(x: f32, c: [f32; N]) -> f32 {
    let mut acc = c[0];
    for &k in &c[1..] {
        acc = A::mla32(acc, x, k);
    }
    acc
}

/// `c[0] x^(N-1) + ... + c[N-1]`.
#[inline(always)]
pub(crate) fn horner64<A: Arch, const N: usize>(x: f64, c: [f64; N]) -> f64 {
    let mut acc = c[0];
    for &k in &c[1..] {
        acc = A::mla64(acc, x, k);
    }
    acc
}
