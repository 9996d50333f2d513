//! Products: `dot`, `matmul`, `tensordot`, `outer`, `batched_dot`,
//! `batched_tensordot` and `einsum`. Every product is a [`Contraction`]
//! (einsum form over label ids) sharing one shape rule and one plain-loop
//! reference kernel; `dot`/`matmul` of float32/float64 operands go through
//! ndarray's GEMM (`fast`). Result dtypes follow NumPy's promotion (int
//! products stay int and wrap, bool products are `or` of `and`s).

mod contraction;
mod dot;
mod einsum;
mod fast;
mod gemm;
mod gemm_grad;
mod grad;
mod matmul;
mod tensordot;

pub use contraction::{shape_text, static_shape_text, Contraction};
pub use dot::{dot, outer, try_dot, try_outer, Dot, Outer};
pub use einsum::{einsum, try_einsum, Einsum};
pub use gemm::{try_gemm, try_gemv, try_ger, Gemm, Gemv, Ger};
pub use matmul::{matmul, try_matmul, MatMul};
pub use tensordot::{
    batched_dot, batched_tensordot, tensordot, try_batched_dot, try_batched_tensordot,
    try_tensordot, BatchedDot, BatchedTensorDot, TensorDot, TensorDotAxes,
};

use crate::dtype::promote;
use crate::error::{Error, Result};
use crate::graph::TensorType;

/// NumPy's result dtype of a product of two operands (checks the count).
fn product_dtype(op: &str, inputs: &[TensorType]) -> Result<crate::DType> {
    match inputs {
        [a, b] => Ok(promote(a.dtype, b.dtype)),
        _ => Err(Error::value(
            op,
            format!("takes 2 inputs, got {}", inputs.len()),
        )),
    }
}
