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

/// `c[0] x^5 + ... + c[5]` by Estrin's scheme: neighbouring terms are
/// paired with x, the pairs with x², then x⁴, so the dependency chain is
/// three multiply-adds deep instead of five. A hot loop whose body is one
/// long chain is bound by latency (the out-of-order window holds only a
/// few iterations), so this runs faster than Horner for about the same
/// number of operations. (Written out: a generic loop form was not
/// unrolled by LLVM, which then did not vectorise the kernels.)
#[inline(always)]
pub(crate) fn estrin6_32<A: Arch>(x: f32, c: [f32; 6]) -> f32 {
    let x2 = x * x;
    let b0 = A::mla32(c[4], x, c[5]);
    let b1 = A::mla32(c[2], x, c[3]);
    let b2 = A::mla32(c[0], x, c[1]);
    let c0 = A::mla32(b1, x2, b0);
    A::mla32(b2, x2 * x2, c0)
}

/// `c[0] x^10 + ... + c[10]` by Estrin's scheme (see [`estrin6_32`]): four
/// multiply-adds deep instead of ten.
#[inline(always)]
pub(crate) fn estrin11_64<A: Arch>(x: f64, c: [f64; 11]) -> f64 {
    let x2 = x * x;
    let x4 = x2 * x2;
    let b0 = A::mla64(c[9], x, c[10]);
    let b1 = A::mla64(c[7], x, c[8]);
    let b2 = A::mla64(c[5], x, c[6]);
    let b3 = A::mla64(c[3], x, c[4]);
    let b4 = A::mla64(c[1], x, c[2]);
    let c0 = A::mla64(b1, x2, b0);
    let c1 = A::mla64(b3, x2, b2);
    let c2 = A::mla64(c[0], x2, b4);
    let d0 = A::mla64(c1, x4, c0);
    A::mla64(c2, x4 * x4, d0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::cpu::simd::{Fused, Plain};

    #[test]
    fn estrin_agrees_with_horner() {
        let c64 = [
            0.3, -1.7, 2.5, 0.125, -3.0, 1.0, 0.75, -0.2, 4.0, 0.01, -0.6,
        ];
        let c32 = [0.3f32, -1.7, 2.5, 0.125, -3.0, 1.0];
        for x in [-1.3, -0.2, 0.0, 0.37, 1.9] {
            let h = horner64::<Plain, 11>(x, c64);
            for e in [estrin11_64::<Plain>(x, c64), estrin11_64::<Fused>(x, c64)] {
                assert!(
                    (h - e).abs() <= 1e-13 * (1.0 + h.abs()),
                    "at {x}: {h} vs {e}"
                );
            }
            let (x, h) = (x as f32, horner32::<Plain, 6>(x as f32, c32));
            for e in [estrin6_32::<Plain>(x, c32), estrin6_32::<Fused>(x, c32)] {
                assert!(
                    (h - e).abs() <= 1e-5 * (1.0 + h.abs()),
                    "at {x}: {h} vs {e}"
                );
            }
        }
    }
}
