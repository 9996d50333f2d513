//! The CPU backend's kernel library: vectorised transcendental functions,
//! reductions, GEMM/GEMV and layout copies over f32/f64 data.
//!
//! Every kernel is compiled twice where it matters — for AVX2+FMA and for the
//! baseline target — and the variant is chosen once at run time ([`isa`]).

pub mod copy;
pub mod fused;
pub mod gemm;
pub mod gemm_thin;
pub mod math;
pub mod node;
pub mod real;
pub mod reduce;
pub mod registry;
mod simd;
pub mod sysblas;
#[cfg(test)]
pub(crate) mod testing;

pub use real::Real;
pub use simd::{isa, Isa};
