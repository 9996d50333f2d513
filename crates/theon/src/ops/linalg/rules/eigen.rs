//! Rules of the eigendecompositions, for distinct eigenvalues: `eigh` /
//! `eigvalsh` (symmetric, one triangle read) and `eig` (real spectra,
//! unit-norm eigenvectors). With `X = V⁻¹·dA·V` and
//! `F[i, j] = 1 / (λ_j - λ_i)`: `dλ = diag(X)` and `dV = V·(F∘X)`, then
//! (for `eig`) projected to keep each column's unit norm.

use super::{
    as_rows, diag_embed, diag_part, inverse_gaps, mm, mm3, mt, onto_triangle, sym_from, zero_grad,
};
use crate::error::Result;
use crate::graph::{Grad, Var};
use crate::ops::creation::is_zeros;
use crate::ops::linalg::eigen::{eigh, Eig, Eigh};
use crate::ops::linalg::inverse::matrix_inverse;
use crate::ops::reduce::{try_reduce, ReduceKind};

/// `Σ_i x[..., i, j] · y[..., i, j]`: column-wise inner products.
fn column_dots(x: &Var, y: &Var) -> Result<Var> {
    try_reduce(&(x * y), ReduceKind::Sum, -2i64, false)
}

impl Eigh {
    /// The eigenvectors: the op's second output, or a new `eigh` node.
    fn vectors_of(&self, a: &Var, outputs: &[Var]) -> Var {
        match self.vectors {
            true => outputs[1].clone(),
            false => eigh(a, self.lower).1,
        }
    }

    /// `S̄ = V·(diag(λ̄) + F∘(Vᵀ·V̄))·Vᵀ`, onto the triangle read.
    pub(in crate::ops::linalg) fn eigh_pullback(
        &self,
        a: &Var,
        outputs: &[Var],
        grads: &[Var],
    ) -> Result<Vec<Grad>> {
        if !a.dtype().is_float() {
            return Ok(vec![zero_grad(a)]);
        }
        let v = self.vectors_of(a, outputs);
        let mut core = diag_embed(&grads[0])?;
        if self.vectors && !is_zeros(&grads[1]) {
            core = core + inverse_gaps(&outputs[0])? * mm(&mt(&v)?, &grads[1])?;
        }
        let s = mm3(&v, &core, &mt(&v)?)?;
        Ok(vec![Grad::Value(onto_triangle(&s, self.lower)?)])
    }

    /// `P = Vᵀ·dS·V`: `dλ = diag(P)`, `dV = V·(F∘P)`.
    pub(in crate::ops::linalg) fn eigh_pushforward(
        &self,
        a: &Var,
        outputs: &[Var],
        t: &Var,
    ) -> Result<Vec<Option<Var>>> {
        let v = self.vectors_of(a, outputs);
        let p = mm3(&mt(&v)?, &sym_from(t, self.lower)?, &v)?;
        let dw = diag_part(&p)?;
        if !self.vectors {
            return Ok(vec![Some(dw)]);
        }
        let dv = mm(&v, &(inverse_gaps(&outputs[0])? * p))?;
        Ok(vec![Some(dw), Some(dv)])
    }
}

impl Eig {
    /// `Ā = V⁻ᵀ·(diag(λ̄) + F∘(Vᵀ·V̄'))·Vᵀ`, where `V̄' = V̄ - V·diag(Σ_i V̄∘V)`
    /// undoes the unit-norm projection.
    pub(in crate::ops::linalg) fn eig_pullback(
        &self,
        a: &Var,
        outputs: &[Var],
        grads: &[Var],
    ) -> Result<Vec<Grad>> {
        if !a.dtype().is_float() {
            return Ok(vec![zero_grad(a)]);
        }
        let (w, v) = (&outputs[0], &outputs[1]);
        let mut core = diag_embed(&grads[0])?;
        if !is_zeros(&grads[1]) {
            let gv = &grads[1] - v * as_rows(&column_dots(&grads[1], v)?)?;
            core = core + inverse_gaps(w)? * mm(&mt(v)?, &gv)?;
        }
        let ga = mm3(&mt(&matrix_inverse(v))?, &core, &mt(v)?)?;
        Ok(vec![Grad::Value(ga)])
    }

    /// `X = V⁻¹·dA·V`: `dλ = diag(X)`, `dṼ = V·(F∘X)`, and
    /// `dV = dṼ - V·diag(Σ_i V∘dṼ)` keeps the columns' norms.
    pub(in crate::ops::linalg) fn eig_pushforward(
        &self,
        outputs: &[Var],
        t: &Var,
    ) -> Result<Vec<Option<Var>>> {
        let (w, v) = (&outputs[0], &outputs[1]);
        let x = mm3(&matrix_inverse(v), t, v)?;
        let dw = diag_part(&x)?;
        let dv_free = mm(v, &(inverse_gaps(w)? * x))?;
        let dv = &dv_free - v * as_rows(&column_dots(v, &dv_free)?)?;
        Ok(vec![Some(dw), Some(dv)])
    }
}
