//! Derivative rules of the BLAS-shaped products (the `Op` methods in
//! `gemm.rs` call these). Each is `beta*z + alpha*P(a, b)` with `P` a
//! product linear in each operand (`Ger` is the case `beta = 1`):
//!
//! - `gz = beta*g`, `galpha = Σ g ⊙ P(a, b)`, `gbeta = Σ g ⊙ z`;
//! - `ga`, `gb`: `alpha` times the product's own pullback — for `Gemm`
//!   (`P = a @ b`) `g @ bᵀ` and `aᵀ @ g`, for `Gemv` (`P = A @ x`)
//!   `outer(g, x)` and `Aᵀ @ g`, for `Ger` (`P = outer(x, y)`) `g @ y` and
//!   `gᵀ @ x`;
//! - the pushforward, by the product rule: `tbeta*z + beta*tz +
//!   talpha*P(a, b) + alpha*(P(ta, b) + P(a, tb))`.
//!
//! The rules build graphs of `dot`/`outer` and elementwise ops, so they
//! differentiate again (the optimizer turns them back into GEMMs).

use super::dot::{try_dot, try_outer};
use crate::error::Result;
use crate::graph::{Grad, Var};
use crate::ops::reduce::{try_reduce, Axis, ReduceKind};

/// Which product a scaled-product op computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Product {
    /// `Gemm`: matrix @ matrix.
    MatMat,
    /// `Gemv`: matrix @ vector.
    MatVec,
    /// `Ger`: outer(vector, vector).
    Outer,
}

impl Product {
    fn apply(self, a: &Var, b: &Var) -> Result<Var> {
        match self {
            Product::MatMat | Product::MatVec => try_dot(a, b),
            Product::Outer => try_outer(a, b),
        }
    }

    /// The product's pullback `(ga, gb)` for output gradient `g`.
    fn pullback(self, a: &Var, b: &Var, g: &Var) -> Result<(Var, Var)> {
        match self {
            Product::MatMat => Ok((try_dot(g, &b.t())?, try_dot(&a.t(), g)?)),
            Product::MatVec => Ok((try_outer(g, b)?, try_dot(&a.t(), g)?)),
            Product::Outer => Ok((try_dot(g, b)?, try_dot(&g.t(), a)?)),
        }
    }
}

/// The operands of `beta*z + alpha*P(a, b)`, as views of a node's inputs
/// `(z, alpha, a, b[, beta])`; `beta` is `None` for `Ger` (`beta = 1`).
struct Operands<'a> {
    z: &'a Var,
    alpha: &'a Var,
    a: &'a Var,
    b: &'a Var,
    beta: Option<&'a Var>,
}

fn operands(inputs: &[Var]) -> Operands<'_> {
    Operands {
        z: &inputs[0],
        alpha: &inputs[1],
        a: &inputs[2],
        b: &inputs[3],
        beta: inputs.get(4),
    }
}

fn total(v: Var) -> Result<Var> {
    try_reduce(&v, ReduceKind::Sum, Axis::All, false)
}

/// The gradients of `(z, alpha, a, b[, beta])` given the output's `g`.
pub(super) fn scaled_product_pullback(
    product: Product,
    inputs: &[Var],
    g: &Var,
) -> Result<Vec<Grad>> {
    let o = operands(inputs);
    let g = g.cast(o.z.dtype());
    let (ga, gb) = product.pullback(o.a, o.b, &g)?;
    let mut grads = vec![
        Grad::Value(match o.beta {
            Some(beta) => &g * beta,
            None => g.clone(),
        }),
        Grad::Value(total(&g * product.apply(o.a, o.b)?)?),
        Grad::Value(ga * o.alpha),
        Grad::Value(gb * o.alpha),
    ];
    if o.beta.is_some() {
        grads.push(Grad::Value(total(&g * o.z)?));
    }
    Ok(grads)
}

/// The output tangent given tangents of `(z, alpha, a, b[, beta])`, or
/// `None` when no input has one.
pub(super) fn scaled_product_pushforward(
    product: Product,
    inputs: &[Var],
    tangents: &[Option<Var>],
) -> Result<Vec<Option<Var>>> {
    let o = operands(inputs);
    let tangent = |i: usize| tangents.get(i).and_then(Option::as_ref);
    let mut terms: Vec<Var> = Vec::new();
    if let Some(tz) = tangent(0) {
        terms.push(match o.beta {
            Some(beta) => tz * beta,
            None => tz.clone(),
        });
    }
    if let Some(tbeta) = tangent(4) {
        terms.push(o.z * tbeta);
    }
    if let Some(talpha) = tangent(1) {
        terms.push(product.apply(o.a, o.b)? * talpha);
    }
    if let Some(ta) = tangent(2) {
        terms.push(product.apply(ta, o.b)? * o.alpha);
    }
    if let Some(tb) = tangent(3) {
        terms.push(product.apply(o.a, tb)? * o.alpha);
    }
    Ok(vec![terms.into_iter().reduce(|sum, term| sum + term)])
}
