//! Rules of the factorizations: `cholesky` (Murray 2016), `qr`
//! (Walter–Lehmann, extended to wide matrices by splitting `A = [A₁ A₂]`)
//! and `svd` (Townsend 2016).

use super::{
    as_cols, as_rows, block, diag_embed, diag_part, eye_cols, eye_rows, inverse_gaps, min_dim, mm,
    mm3, mt, onto_triangle, phi, static_square, static_wide_or_square, sym_from, zero_grad,
};
use crate::error::{Error, Result};
use crate::graph::{Grad, Var};
use crate::ops::creation::is_zeros;
use crate::ops::extra::{tril, triu};
use crate::ops::linalg::decomp::{qr, svd, Cholesky, Qr, QrMode, Svd};
use crate::ops::linalg::solve::{try_solve, Structure};
use crate::ops::shape::try_concatenate;

/// `T⁻¹·v` for a triangular `t` (`lower` or upper).
fn tri_solve(t: &Var, v: &Var, lower: bool) -> Result<Var> {
    try_solve(t, v, Structure::Triangular, lower)
}

/// `v·T⁻¹` for a triangular `t`: `(T⁻ᵀ·vᵀ)ᵀ`.
fn tri_solve_right(v: &Var, t: &Var, lower: bool) -> Result<Var> {
    mt(&tri_solve(&mt(t)?, &mt(v)?, !lower)?)
}

impl Cholesky {
    /// `Ā = onto_lower(L⁻ᵀ·Φ(Lᵀ·L̄)·L⁻¹)`: the op reads `A`'s lower triangle.
    pub(in crate::ops::linalg) fn cholesky_pullback(
        &self,
        a: &Var,
        out: &Var,
        g: &Var,
    ) -> Result<Vec<Grad>> {
        if !a.dtype().is_float() {
            return Ok(vec![zero_grad(a)]);
        }
        let (l, gl) = match self.lower {
            true => (out.clone(), g.clone()),
            false => (mt(out)?, mt(g)?),
        };
        let p = phi(&mm(&mt(&l)?, &gl)?)?;
        let s = tri_solve_right(&tri_solve(&mt(&l)?, &p, false)?, &l, true)?;
        Ok(vec![Grad::Value(onto_triangle(&s, true)?)])
    }

    /// `dL = L·Φ(L⁻¹·dS·L⁻ᵀ)`, `dS` the symmetric matrix read from `dA`.
    pub(in crate::ops::linalg) fn cholesky_pushforward(&self, out: &Var, t: &Var) -> Result<Var> {
        let l = match self.lower {
            true => out.clone(),
            false => mt(out)?,
        };
        let ds = sym_from(t, true)?;
        let m = tri_solve_right(&tri_solve(&l, &ds, true)?, &mt(&l)?, false)?;
        let dl = mm(&l, &phi(&m)?)?;
        match self.lower {
            true => Ok(dl),
            false => mt(&dl),
        }
    }
}

/// The pieces of `A = Q·[R₁ R₂]` the QR rules use: `Q (m, k)`, `R₁ (k, k)`
/// upper triangular, and `k = min(m, n)`, the columns of `A₁`.
struct QrParts {
    q: Var,
    r1: Var,
    a1_cols: super::IntArg,
}

impl Qr {
    /// `Q` and `R` as the reduced factorization, or `None` where they are
    /// not unique (the complete `Q` of a tall, or unknown-shaped, matrix).
    fn reduced_factors(&self, a: &Var, outputs: &[Var]) -> Option<(Var, Var)> {
        match self.mode {
            QrMode::Reduced => Some((outputs[0].clone(), outputs[1].clone())),
            QrMode::Complete if static_wide_or_square(a) => {
                Some((outputs[0].clone(), outputs[1].clone()))
            }
            _ => None,
        }
    }

    fn parts(a: &Var, q: Var, r: &Var) -> Result<QrParts> {
        let k = min_dim(a)?;
        Ok(QrParts {
            q,
            r1: block(r, (None, None), (None, Some(k.clone())))?,
            a1_cols: k,
        })
    }

    /// `[(Q̄' + Q·N)·R₁⁻ᵀ, Q·R̄₂]` with `Q̄' = Q̄ + A₂·R̄₂ᵀ`,
    /// `N = copy_upper_to_lower(R̄₁·R₁ᵀ - Qᵀ·Q̄')`.
    pub(in crate::ops::linalg) fn qr_pullback(
        &self,
        a: &Var,
        outputs: &[Var],
        grads: &[Var],
    ) -> Result<Vec<Grad>> {
        if !a.dtype().is_float() {
            return Ok(vec![zero_grad(a)]);
        }
        let (q, r, gq, gr) = match (self.mode, self.reduced_factors(a, outputs)) {
            (QrMode::R, _) => {
                let qr = qr(a, QrMode::Reduced);
                (qr[0].clone(), qr[1].clone(), None, grads[0].clone())
            }
            (_, Some((q, r))) => (q, r, Some(grads[0].clone()), grads[1].clone()),
            (_, None) if is_zeros(&grads[0]) => {
                // Only R is used: its first k rows are the reduced R.
                let qr = qr(a, QrMode::Reduced);
                let k = min_dim(a)?;
                let gr = block(&grads[1], (None, Some(k)), (None, None))?;
                (qr[0].clone(), qr[1].clone(), None, gr)
            }
            (_, None) => {
                return Ok(vec![Grad::Undefined(
                    "qr: the last m - n columns of the complete Q of a tall matrix (or one of \
                     unknown shape) are not unique, so their gradient is undefined; use \
                     mode='reduced'"
                        .into(),
                )])
            }
        };
        let p = Self::parts(a, q, &r)?;
        let k = p.a1_cols.clone();
        let a2 = block(a, (None, None), (Some(k.clone()), None))?;
        let gr1 = block(&gr, (None, None), (None, Some(k.clone())))?;
        let gr2 = block(&gr, (None, None), (Some(k), None))?;
        let gq = match gq {
            Some(gq) => gq + mm(&a2, &mt(&gr2)?)?,
            None => mm(&a2, &mt(&gr2)?)?,
        };
        let m = mm(&gr1, &mt(&p.r1)?)? - mm(&mt(&p.q)?, &gq)?;
        let n = triu(&m, 0) + mt(&triu(&m, 1))?;
        let ga1 = tri_solve_right(&(gq + mm(&p.q, &n)?), &mt(&p.r1)?, true)?;
        let ga2 = mm(&p.q, &gr2)?;
        Ok(vec![Grad::Value(try_concatenate(&[ga1, ga2], -1)?)])
    }

    /// `X = Qᵀ·dA₁·R₁⁻¹`, `C = tril(X, -1) - tril(X, -1)ᵀ`, `D = X - C`:
    /// `dR₁ = D·R₁`, `dQ = dA₁·R₁⁻¹ - Q·D`, `dR₂ = dQᵀ·A₂ + Qᵀ·dA₂`.
    pub(in crate::ops::linalg) fn qr_pushforward(
        &self,
        a: &Var,
        outputs: &[Var],
        t: &Var,
    ) -> Result<Vec<Option<Var>>> {
        let (q, r) = match (self.mode, self.reduced_factors(a, outputs)) {
            (QrMode::R, _) => {
                let qr = qr(a, QrMode::Reduced);
                (qr[0].clone(), qr[1].clone())
            }
            (_, Some(factors)) => factors,
            (_, None) => {
                return Err(Error::grad(
                    self.name_for_errors(),
                    "the last m - n columns of the complete Q of a tall matrix (or one of \
                     unknown shape) are not unique, so they have no tangent; use mode='reduced'",
                ))
            }
        };
        let p = Self::parts(a, q, &r)?;
        let k = p.a1_cols.clone();
        let a2 = block(a, (None, None), (Some(k.clone()), None))?;
        let t1 = block(t, (None, None), (None, Some(k.clone())))?;
        let t2 = block(t, (None, None), (Some(k), None))?;
        let t1_r = tri_solve_right(&t1, &p.r1, false)?;
        let x = mm(&mt(&p.q)?, &t1_r)?;
        let below = tril(&x, -1);
        let d = x - (&below - mt(&below)?);
        let tq = t1_r - mm(&p.q, &d)?;
        let tr2 = mm(&mt(&tq)?, &a2)? + mm(&mt(&p.q)?, &t2)?;
        let tr = try_concatenate(&[mm(&d, &p.r1)?, tr2], -1)?;
        Ok(match self.mode {
            QrMode::R => vec![Some(tr)],
            _ => vec![Some(tq), Some(tr)],
        })
    }

    fn name_for_errors(&self) -> String {
        crate::graph::Op::name(self)
    }
}

impl Svd {
    /// `U`, `S`, `Vh` of the reduced SVD and their gradients, or `None`
    /// for the factors where they are not unique and used.
    fn reduced(&self, a: &Var, outputs: &[Var], grads: &[Var]) -> Option<[Var; 6]> {
        let unique = !self.full_matrices || static_square(a);
        match self.compute_uv && unique {
            true => Some([
                outputs[0].clone(),
                outputs[1].clone(),
                outputs[2].clone(),
                grads[0].clone(),
                grads[1].clone(),
                grads[2].clone(),
            ]),
            false => None,
        }
    }

    /// Townsend's formula: `Ā = U·[J·S + diag(S̄) + S·K]·Vh
    /// + (I - U·Uᵀ)·Ū·S⁻¹·Vh + U·S⁻¹·V̄ᵀ·(I - V·Vh)` with
    /// `J = F∘(UᵀŪ - ŪᵀU)`, `K = F∘(VᵀV̄ - V̄ᵀV)`, `F = 1 / (s_j² - s_i²)`.
    pub(in crate::ops::linalg) fn svd_pullback(
        &self,
        a: &Var,
        outputs: &[Var],
        grads: &[Var],
    ) -> Result<Vec<Grad>> {
        if !a.dtype().is_float() {
            return Ok(vec![zero_grad(a)]);
        }
        let gs_only = match self.compute_uv {
            false => Some(grads[0].clone()),
            true if is_zeros(&grads[0]) && is_zeros(&grads[2]) => Some(grads[1].clone()),
            true => None,
        };
        if let Some(gs) = gs_only {
            let usv = svd(a, false, true);
            return Ok(vec![Grad::Value(mm(&(&usv[0] * as_rows(&gs)?), &usv[2])?)]);
        }
        let Some([u, s, vh, gu, gs, gvh]) = self.reduced(a, outputs, grads) else {
            return Ok(vec![Grad::Undefined(
                "svd: the extra columns of full U or V of a rectangular matrix (or one of \
                 unknown shape) are not unique, so their gradient is undefined; use \
                 full_matrices=False"
                    .into(),
            )]);
        };
        let gv = mt(&gvh)?;
        let f = inverse_gaps(&(&s * &s))?;
        let ut_gu = mm(&mt(&u)?, &gu)?;
        let vt_gv = mm(&vh, &gv)?;
        let j = &f * (&ut_gu - mt(&ut_gu)?);
        let k = &f * (&vt_gv - mt(&vt_gv)?);
        let core = j * as_rows(&s)? + diag_embed(&gs)? + k * as_cols(&s)?;
        let u_extra = (&gu - mm(&u, &ut_gu)?) / as_rows(&s)?;
        let v_extra = mt(&gv)? - mm(&mt(&vt_gv)?, &vh)?;
        let ga = mm3(&u, &core, &vh)? + mm(&u_extra, &vh)? + mm(&(&u / as_rows(&s)?), &v_extra)?;
        Ok(vec![Grad::Value(ga)])
    }

    /// `dP = Uᵀ·dA·V`: `dS = diag(dP)`,
    /// `dU = U·(F∘(dP·S + S·dPᵀ)) + (I - U·Uᵀ)·dA·V·S⁻¹`,
    /// `dV = V·(F∘(S·dP + dPᵀ·S)) + (I - V·Vᵀ)·dAᵀ·U·S⁻¹`.
    pub(in crate::ops::linalg) fn svd_pushforward(
        &self,
        a: &Var,
        outputs: &[Var],
        t: &Var,
    ) -> Result<Vec<Option<Var>>> {
        let (u, s, vh) = match (self.compute_uv, !self.full_matrices || static_square(a)) {
            (true, true) => (outputs[0].clone(), outputs[1].clone(), outputs[2].clone()),
            (true, false) => {
                return Err(Error::grad(
                    crate::graph::Op::name(self),
                    "the extra columns of full U or V of a rectangular matrix (or one of \
                     unknown shape) are not unique, so they have no tangent; use \
                     full_matrices=False",
                ))
            }
            (false, _) => {
                let usv = svd(a, false, true);
                (usv[0].clone(), usv[1].clone(), usv[2].clone())
            }
        };
        let v = mt(&vh)?;
        let t_v = mm(t, &v)?;
        let dp = mm(&mt(&u)?, &t_v)?;
        let ds = diag_part(&dp)?;
        if !self.compute_uv {
            return Ok(vec![Some(ds)]);
        }
        let f = inverse_gaps(&(&s * &s))?;
        let dp_s = &dp * as_rows(&s)?;
        let s_dp = &dp * as_cols(&s)?;
        let tu = mm(&u, &(&f * (&dp_s + mt(&dp_s)?)))?
            + mm(&(eye_rows(a)? - mm(&u, &mt(&u)?)?), &t_v)? / as_rows(&s)?;
        let tt_u = mm(&mt(t)?, &u)?;
        let tv = mm(&v, &(&f * (&s_dp + mt(&s_dp)?)))?
            + mm(&(eye_cols(a)? - mm(&v, &vh)?), &tt_u)? / as_rows(&s)?;
        Ok(vec![Some(tu), Some(ds), Some(mt(&tv)?)])
    }
}
