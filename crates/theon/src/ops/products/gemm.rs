//! BLAS-shaped products with scaling, which the specialize phase makes of
//! `dot` + scale + add patterns: `Gemm` (`beta*z + alpha*dot(x, y)` for
//! matrices), `Gemv` (matrix-vector) and `Ger` (`z + alpha*outer(x, y)`).
//! Operands share one float dtype; `alpha` and `beta` are rank-0 tensors of
//! it. The reference kernels are plain loops accumulating in f64 (the fast
//! CPU backend gives them tuned kernels); `z` is read, never overwritten.
//! Their derivative rules live in `gemm_grad.rs`.

use super::gemm_grad::{scaled_product_pullback, scaled_product_pushforward, Product};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::ops::shape::infer::same_as;
use crate::tensor::Tensor;

/// `beta*z + alpha*dot(x, y)`: inputs `(z, alpha, x, y, beta)`, with `z`
/// (M, N), `x` (M, K), `y` (K, N).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Gemm;

/// `beta*z + alpha*dot(a, x)`: inputs `(z, alpha, a, x, beta)`, with `z`
/// (M,), `a` (M, K), `x` (K,).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Gemv;

/// `z + alpha*outer(x, y)`: inputs `(z, alpha, x, y)`, with `z` (M, N),
/// `x` (M,), `y` (N,).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ger;

/// An axis of an input: (input, axis).
type InputAxis = (usize, usize);

/// Which input is which, and the rank each must have.
struct Signature {
    names: &'static [&'static str],
    ranks: &'static [usize],
    /// Pairs of (input, axis) that must agree: (z rows, ...), etc.
    agree: &'static [(InputAxis, InputAxis)],
}

const GEMM: Signature = Signature {
    names: &["z", "alpha", "x", "y", "beta"],
    ranks: &[2, 0, 2, 2, 0],
    agree: &[((0, 0), (2, 0)), ((0, 1), (3, 1)), ((2, 1), (3, 0))],
};
const GEMV: Signature = Signature {
    names: &["z", "alpha", "a", "x", "beta"],
    ranks: &[1, 0, 2, 1, 0],
    agree: &[((0, 0), (2, 0)), ((2, 1), (3, 0))],
};
const GER: Signature = Signature {
    names: &["z", "alpha", "x", "y"],
    ranks: &[2, 0, 1, 1],
    agree: &[((0, 0), (2, 0)), ((0, 1), (3, 0))],
};

/// Checks dtypes, ranks and static dims; returns z's type with every dim
/// the operands know.
fn check_types(op: &str, sig: &Signature, inputs: &[TensorType]) -> Result<TensorType> {
    if inputs.len() != sig.names.len() {
        return Err(Error::value(
            op,
            format!("takes {} inputs, got {}", sig.names.len(), inputs.len()),
        ));
    }
    let dtype = inputs[0].dtype;
    if !matches!(dtype, DType::F32 | DType::F64 | DType::F16) {
        return Err(Error::dtype(op, 0, dtype, "needs floats"));
    }
    for (i, (t, &rank)) in inputs.iter().zip(sig.ranks).enumerate() {
        if t.dtype != dtype {
            return Err(Error::dtype(
                op,
                i,
                t.dtype,
                format!("input {i} ({}) must have z's dtype {dtype}", sig.names[i]),
            ));
        }
        if t.ndim() != rank {
            return Err(Error::value(
                op,
                format!(
                    "input {i} ({}) must have rank {rank}, got {t}",
                    sig.names[i]
                ),
            ));
        }
    }
    let mut out = inputs[0].clone();
    for &((a, da), (b, db)) in sig.agree {
        let (x, y) = (inputs[a].shape[da], inputs[b].shape[db]);
        if let (Some(x), Some(y)) = (x, y) {
            if x != y {
                return Err(mismatch(op, sig, a, b, &inputs[a].shape, &inputs[b].shape));
            }
        }
        if a == 0 {
            out.shape[da] = x.or(y);
        }
    }
    Ok(out)
}

fn mismatch<T: std::fmt::Debug>(
    op: &str,
    sig: &Signature,
    a: usize,
    b: usize,
    sa: &T,
    sb: &T,
) -> Error {
    Error::value(
        op,
        format!(
            "input {a} ({}) of shape {sa:?} and input {b} ({}) of shape {sb:?} do not align",
            sig.names[a], sig.names[b]
        ),
    )
}

/// Runtime check of the same agreements.
fn check_values(op: &str, sig: &Signature, inputs: &[Tensor]) -> Result<()> {
    for &((a, da), (b, db)) in sig.agree {
        if inputs[a].shape()[da] != inputs[b].shape()[db] {
            return Err(mismatch(
                op,
                sig,
                a,
                b,
                &inputs[a].shape(),
                &inputs[b].shape(),
            ));
        }
    }
    Ok(())
}

/// `beta*z + alpha*sum_k x[i,k]*y[k,j]` over the C-order values of the
/// operands; `x_rows` and `y_cols` say how `x` and `y` are indexed.
fn scaled_product(
    z: &Tensor,
    alpha: f64,
    beta: f64,
    x: &Tensor,
    y: &Tensor,
    k: usize,
    ctx: &PerformCtx,
) -> Result<Vec<Tensor>> {
    let (zs, xs, ys) = (z.to_f64_vec(), x.to_f64_vec(), y.to_f64_vec());
    let n = if z.ndim() == 2 { z.shape()[1] } else { 1 };
    let out: Vec<f64> = zs
        .iter()
        .enumerate()
        .map(|(flat, &zv)| {
            let (i, j) = (flat / n, flat % n);
            let dot: f64 = (0..k).map(|l| xs[i * k + l] * ys[l * n + j]).sum();
            beta * zv + alpha * dot
        })
        .collect();
    Ok(vec![Tensor::from_f64s(
        ctx.output_types[0].dtype,
        z.shape(),
        &out,
    )?])
}

/// Gemm and Gemv share one kernel: `beta*z + alpha*a·x` with inputs
/// `(z, alpha, a, x, beta)`; only their rank signatures differ.
fn perform_beta_z_plus_alpha_product(
    name: &str,
    signature: &Signature,
    inputs: &[Tensor],
    ctx: &PerformCtx,
) -> Result<Vec<Tensor>> {
    check_values(name, signature, inputs)?;
    let (alpha, beta) = (inputs[1].item().as_f64(), inputs[4].item().as_f64());
    let k = inputs[2].shape()[1];
    scaled_product(&inputs[0], alpha, beta, &inputs[2], &inputs[3], k, ctx)
}

impl Op for Gemm {
    fn name(&self) -> String {
        "gemm".into()
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        Ok(vec![check_types(&self.name(), &GEMM, inputs)?])
    }

    fn infer_shape(&self, _inputs: &[Var], input_shapes: &[Vec<Var>]) -> Option<Vec<Vec<Var>>> {
        same_as(input_shapes, 0)
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        perform_beta_z_plus_alpha_product(&self.name(), &GEMM, inputs, ctx)
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        scaled_product_pullback(Product::MatMat, inputs, &output_grads[0])
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        scaled_product_pushforward(Product::MatMat, inputs, tangents)
    }
}

impl Op for Gemv {
    fn name(&self) -> String {
        "gemv".into()
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        Ok(vec![check_types(&self.name(), &GEMV, inputs)?])
    }

    fn infer_shape(&self, _inputs: &[Var], input_shapes: &[Vec<Var>]) -> Option<Vec<Vec<Var>>> {
        same_as(input_shapes, 0)
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        perform_beta_z_plus_alpha_product(&self.name(), &GEMV, inputs, ctx)
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        scaled_product_pullback(Product::MatVec, inputs, &output_grads[0])
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        scaled_product_pushforward(Product::MatVec, inputs, tangents)
    }
}

impl Op for Ger {
    fn name(&self) -> String {
        "ger".into()
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        Ok(vec![check_types(&self.name(), &GER, inputs)?])
    }

    fn infer_shape(&self, _inputs: &[Var], input_shapes: &[Vec<Var>]) -> Option<Vec<Vec<Var>>> {
        same_as(input_shapes, 0)
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        check_values(&self.name(), &GER, inputs)?;
        let alpha = inputs[1].item().as_f64();
        // An outer product is a product with an inner dimension of 1.
        scaled_product(&inputs[0], alpha, 1.0, &inputs[2], &inputs[3], 1, ctx)
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        scaled_product_pullback(Product::Outer, inputs, &output_grads[0])
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        scaled_product_pushforward(Product::Outer, inputs, tangents)
    }
}

/// `beta*z + alpha*dot(x, y)` for matrices, or the error.
#[track_caller]
pub fn try_gemm(z: &Var, alpha: &Var, x: &Var, y: &Var, beta: &Var) -> Result<Var> {
    Var::apply1(
        Gemm,
        &[z.clone(), alpha.clone(), x.clone(), y.clone(), beta.clone()],
    )
}

/// `beta*z + alpha*dot(a, x)` for a matrix `a` and vectors, or the error.
#[track_caller]
pub fn try_gemv(z: &Var, alpha: &Var, a: &Var, x: &Var, beta: &Var) -> Result<Var> {
    Var::apply1(
        Gemv,
        &[z.clone(), alpha.clone(), a.clone(), x.clone(), beta.clone()],
    )
}

/// `z + alpha*outer(x, y)`, or the error.
#[track_caller]
pub fn try_ger(z: &Var, alpha: &Var, x: &Var, y: &Var) -> Result<Var> {
    Var::apply1(Ger, &[z.clone(), alpha.clone(), x.clone(), y.clone()])
}

#[cfg(test)]
#[path = "gemm_tests.rs"]
mod tests;
