//! Rules of the inverses, determinants and solvers: `matrix_inverse`,
//! `det`, `slogdet`, `matrix_power`, `pinv`, `solve` and `lstsq`.

use super::{
    append_axes, as_rows, eye_cols, eye_rows, mm, mm3, mt, onto_triangle, sym_from, zero_grad,
};
use crate::error::Result;
use crate::graph::{Grad, Var};
use crate::ops::creation::{is_zeros, try_full, zeros_like};
use crate::ops::extra::{tril, triu};
use crate::ops::indexing::{try_index, IndexItem};
use crate::ops::linalg::decomp::svd;
use crate::ops::linalg::det::{Det, SlogDet};
use crate::ops::linalg::inverse::{
    matrix_inverse, matrix_power, pinv, MatrixInverse, MatrixPower, Pinv,
};
use crate::ops::linalg::solve::{try_solve, Lstsq, Solve, Structure};
use crate::ops::reduce::{try_reduce, ReduceKind};
use crate::ops::shape::{try_concatenate, try_dimshuffle, try_shape_i, Dim};

/// `Σ_ij x[..., i, j] · y[..., i, j]` per matrix of the batch.
fn inner(x: &Var, y: &Var) -> Result<Var> {
    try_reduce(&(x * y), ReduceKind::Sum, vec![-2i64, -1], false)
}

impl MatrixInverse {
    /// `Ā = -Yᵀ·Ȳ·Yᵀ` for `Y = A⁻¹`.
    pub(in crate::ops::linalg) fn inverse_pullback(
        &self,
        a: &Var,
        y: &Var,
        g: &Var,
    ) -> Result<Vec<Grad>> {
        if !a.dtype().is_float() {
            return Ok(vec![zero_grad(a)]);
        }
        let yt = mt(y)?;
        Ok(vec![Grad::Value(-mm3(&yt, g, &yt)?)])
    }

    /// `dY = -Y·dA·Y`.
    pub(in crate::ops::linalg) fn inverse_pushforward(&self, y: &Var, t: &Var) -> Result<Var> {
        Ok(-mm3(y, t, y)?)
    }
}

impl Det {
    /// `Ā = ḡ·det·A⁻ᵀ`.
    pub(in crate::ops::linalg) fn det_pullback(
        &self,
        a: &Var,
        d: &Var,
        g: &Var,
    ) -> Result<Vec<Grad>> {
        if !a.dtype().is_float() {
            return Ok(vec![zero_grad(a)]);
        }
        let scale = append_axes(&(g * d), 2)?;
        Ok(vec![Grad::Value(scale * mt(&matrix_inverse(a))?)])
    }

    /// `d det = det · tr(A⁻¹·dA)`.
    pub(in crate::ops::linalg) fn det_pushforward(&self, a: &Var, d: &Var, t: &Var) -> Result<Var> {
        Ok(d * inner(&mt(&matrix_inverse(a))?, t)?)
    }
}

impl SlogDet {
    /// `log|det|` has gradient `A⁻ᵀ`; the sign is piecewise constant.
    pub(in crate::ops::linalg) fn slogdet_pullback(
        &self,
        a: &Var,
        g_log: &Var,
    ) -> Result<Vec<Grad>> {
        if !a.dtype().is_float() {
            return Ok(vec![zero_grad(a)]);
        }
        let scale = append_axes(g_log, 2)?;
        Ok(vec![Grad::Value(scale * mt(&matrix_inverse(a))?)])
    }

    /// `d log|det| = tr(A⁻¹·dA)`; the sign's tangent is zero.
    pub(in crate::ops::linalg) fn slogdet_pushforward(
        &self,
        a: &Var,
        sign: &Var,
        t: &Var,
    ) -> Result<Vec<Option<Var>>> {
        let dlog = inner(&mt(&matrix_inverse(a))?, t)?;
        Ok(vec![Some(zeros_like(sign, None)), Some(dlog)])
    }
}

impl MatrixPower {
    /// The base raised to a non-negative power: `A` itself, or `A⁻¹` for a
    /// negative `n`; with that power `m = |n|`.
    fn base(&self, a: &Var) -> (Var, u64) {
        match self.n < 0 {
            true => (matrix_inverse(a), self.n.unsigned_abs()),
            false => (a.clone(), self.n as u64),
        }
    }

    /// `Σ_k (B^k)ᵀ·Ḡ·(B^{m-1-k})ᵀ`, then through the inverse for `n < 0`.
    pub(in crate::ops::linalg) fn power_pullback(&self, a: &Var, g: &Var) -> Result<Vec<Grad>> {
        if !a.dtype().is_float() {
            return Ok(vec![zero_grad(a)]);
        }
        let (b, m) = self.base(a);
        let powers: Vec<Var> = (0..m as i64).map(|k| matrix_power(&b, k)).collect();
        let mut gb = zeros_like(a, Some(g.dtype()));
        for k in 0..m as usize {
            gb = gb + mm3(&mt(&powers[k])?, g, &mt(&powers[m as usize - 1 - k])?)?;
        }
        if self.n < 0 {
            let bt = mt(&b)?;
            gb = -mm3(&bt, &gb, &bt)?;
        }
        Ok(vec![Grad::Value(gb)])
    }

    /// `Σ_k B^k·dB·B^{m-1-k}` with `dB = dA`, or `-A⁻¹·dA·A⁻¹` for `n < 0`.
    pub(in crate::ops::linalg) fn power_pushforward(
        &self,
        a: &Var,
        out: &Var,
        t: &Var,
    ) -> Result<Var> {
        let (b, m) = self.base(a);
        let tb = match self.n < 0 {
            true => -mm3(&b, t, &b)?,
            false => t.clone(),
        };
        let powers: Vec<Var> = (0..m as i64).map(|k| matrix_power(&b, k)).collect();
        let mut total = zeros_like(out, None);
        for k in 0..m as usize {
            total = total + mm3(&powers[k], &tb, &powers[m as usize - 1 - k])?;
        }
        Ok(total)
    }
}

/// The gradient of `A` through `Y = A⁺` given `Ȳ` (Golub–Pereyra):
/// `-Yᵀ·Ȳ·Yᵀ + (I - A·Y)·Ȳᵀ·Y·Yᵀ + Yᵀ·Y·Ȳᵀ·(I - Y·A)`.
fn pinv_adjoint(a: &Var, y: &Var, g: &Var) -> Result<Var> {
    let (yt, gt) = (mt(y)?, mt(g)?);
    let left = eye_rows(a)? - mm(a, y)?;
    let right = eye_cols(a)? - mm(y, a)?;
    Ok(-mm3(&yt, g, &yt)? + mm3(&left, &gt, &mm(y, &yt)?)? + mm3(&mm(&yt, y)?, &gt, &right)?)
}

/// The tangent of `Y = A⁺`: `-Y·dA·Y + Y·Yᵀ·dAᵀ·(I - A·Y) + (I - Y·A)·dAᵀ·Yᵀ·Y`.
fn pinv_tangent(a: &Var, y: &Var, t: &Var) -> Result<Var> {
    let (yt, tt) = (mt(y)?, mt(t)?);
    let left = eye_rows(a)? - mm(a, y)?;
    let right = eye_cols(a)? - mm(y, a)?;
    Ok(-mm3(y, t, y)? + mm3(&mm(y, &yt)?, &tt, &left)? + mm3(&right, &tt, &mm(&yt, y)?)?)
}

impl Pinv {
    pub(in crate::ops::linalg) fn pinv_pullback(
        &self,
        a: &Var,
        y: &Var,
        g: &Var,
    ) -> Result<Vec<Grad>> {
        if !a.dtype().is_float() {
            return Ok(vec![zero_grad(a)]);
        }
        Ok(vec![Grad::Value(pinv_adjoint(a, y, g)?)])
    }

    pub(in crate::ops::linalg) fn pinv_pushforward(
        &self,
        a: &Var,
        y: &Var,
        t: &Var,
    ) -> Result<Var> {
        pinv_tangent(a, y, t)
    }
}

/// A vector as a one-column matrix; matrices unchanged.
fn as_column(v: &Var) -> Result<Var> {
    match v.ndim() {
        1 => try_dimshuffle(v, &[Some(0), None]),
        _ => Ok(v.clone()),
    }
}

/// The first column of a one-column matrix, when `like` is a vector.
fn like_rhs(m: &Var, like: &Var) -> Result<Var> {
    match like.ndim() {
        1 => try_index(m, &[IndexItem::full(), IndexItem::from(0i64)]),
        _ => Ok(m.clone()),
    }
}

impl Solve {
    /// What the op reads of `a` (a tangent or gradient of it): the whole
    /// matrix, the mirrored triangle, or the triangle alone.
    fn effective(&self, a: &Var) -> Result<Var> {
        match self.structure {
            Structure::General => Ok(a.clone()),
            Structure::Symmetric | Structure::PositiveDefinite => sym_from(a, self.lower),
            Structure::Triangular => Ok(match self.lower {
                true => tril(a, 0),
                false => triu(a, 0),
            }),
        }
    }

    /// `A_eff⁻ᵀ·v` with the op's own structure (symmetric ones are their
    /// own transpose; a triangle's transpose is the other triangle).
    fn solve_transposed(&self, a: &Var, v: &Var) -> Result<Var> {
        match self.structure {
            Structure::General => try_solve(&mt(a)?, v, Structure::General, false),
            Structure::Triangular => try_solve(&mt(a)?, v, Structure::Triangular, !self.lower),
            s => try_solve(a, v, s, self.lower),
        }
    }

    /// `B̄ = A⁻ᵀ·X̄`, `Ā = -B̄·Xᵀ` (projected onto what the op reads).
    pub(in crate::ops::linalg) fn solve_pullback(
        &self,
        inputs: &[Var],
        x: &Var,
        g: &Var,
    ) -> Result<Vec<Grad>> {
        let (a, b) = (&inputs[0], &inputs[1]);
        let gb = self.solve_transposed(a, g)?;
        let ga_full = -mm(&as_column(&gb)?, &mt(&as_column(x)?)?)?;
        let ga = match self.structure {
            Structure::General => ga_full,
            Structure::Symmetric | Structure::PositiveDefinite => {
                onto_triangle(&ga_full, self.lower)?
            }
            Structure::Triangular => self.effective(&ga_full)?,
        };
        Ok(vec![
            match a.dtype().is_float() {
                true => Grad::Value(ga),
                false => zero_grad(a),
            },
            match b.dtype().is_float() {
                true => Grad::Value(gb),
                false => zero_grad(b),
            },
        ])
    }

    /// `dX = A⁻¹·(dB - dA_eff·X)`.
    pub(in crate::ops::linalg) fn solve_pushforward(
        &self,
        inputs: &[Var],
        x: &Var,
        tangents: &[Option<Var>],
    ) -> Result<Var> {
        let mut rhs = tangents[1].clone().unwrap_or_else(|| zeros_like(x, None));
        if let Some(ta) = &tangents[0] {
            rhs = rhs - mm(&self.effective(ta)?, x)?;
        }
        try_solve(&inputs[0], &rhs, self.structure, self.lower)
    }
}

impl Lstsq {
    /// `A⁺` with the op's cutoff (NumPy's `pinv` default for `None`: the
    /// solution's derivative needs a full-rank `A`, where the cutoff does
    /// not matter).
    fn pseudo_inverse(&self, a: &Var) -> Var {
        pinv(a, self.rcond.map_or(1e-15, |r| r.0))
    }

    /// `g` (gradients or tangents of the residuals, of length 0 or `k`)
    /// padded with zeros to length `k = columns of x`.
    fn padded(&self, g: &Var, x_col: &Var) -> Result<Var> {
        let missing = try_shape_i(x_col, 1)? - try_shape_i(g, 0)?;
        let zeros = try_full(vec![Dim::Var(missing)], 0.0, g.dtype())?;
        try_concatenate(&[g.clone(), zeros], 0)
    }

    /// Through `x = A⁺·b`, the residuals `r_j = ‖A·x_j - b_j‖²` (where
    /// `Aᵀ(A·x_j - b_j) = 0`) and the singular values.
    pub(in crate::ops::linalg) fn lstsq_pullback(
        &self,
        inputs: &[Var],
        outputs: &[Var],
        grads: &[Var],
    ) -> Result<Vec<Grad>> {
        let (a, b) = (&inputs[0], &inputs[1]);
        let (x_col, b_col, gx_col) = (
            as_column(&outputs[0])?,
            as_column(b)?,
            as_column(&grads[0])?,
        );
        let y = self.pseudo_inverse(a);
        let mut ga = pinv_adjoint(a, &y, &mm(&gx_col, &mt(&b_col)?)?)?;
        let mut gb = mm(&mt(&y)?, &gx_col)?;
        if !is_zeros(&grads[1]) {
            let e = mm(a, &x_col)? - &b_col;
            let weighted = e * as_rows(&self.padded(&grads[1], &x_col)?)?;
            ga = ga + mm(&weighted, &mt(&x_col)?)? * 2.0;
            gb = gb - weighted * 2.0;
        }
        if !is_zeros(&grads[3]) {
            let usv = svd(a, false, true);
            ga = ga + mm(&(&usv[0] * as_rows(&grads[3])?), &usv[2])?;
        }
        Ok(vec![
            match a.dtype().is_float() {
                true => Grad::Value(ga),
                false => zero_grad(a),
            },
            match b.dtype().is_float() {
                true => Grad::Value(like_rhs(&gb, b)?),
                false => zero_grad(b),
            },
        ])
    }

    /// Tangents of `x`, the residuals and the singular values (the rank is
    /// an integer).
    pub(in crate::ops::linalg) fn lstsq_pushforward(
        &self,
        inputs: &[Var],
        outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        let (a, b) = (&inputs[0], &inputs[1]);
        let y = self.pseudo_inverse(a);
        let ta = tangents[0]
            .clone()
            .unwrap_or_else(|| zeros_like(a, Some(outputs[0].dtype())));
        let tb = tangents[1]
            .clone()
            .unwrap_or_else(|| zeros_like(b, Some(outputs[0].dtype())));
        let x_col = as_column(&outputs[0])?;
        let tx = mm(&pinv_tangent(a, &y, &ta)?, &as_column(b)?)? + mm(&y, &as_column(&tb)?)?;
        let e = mm(a, &x_col)? - as_column(b)?;
        let de = mm(&ta, &x_col)? - as_column(&tb)?;
        let tr_full = try_reduce(&(e * de), ReduceKind::Sum, 0i64, false)? * 2.0;
        let n_res = try_shape_i(&outputs[1], 0)?;
        let tr = try_index(
            &tr_full,
            &[IndexItem::slice(None, Some(n_res.into()), None)],
        )?;
        let usv = svd(a, false, true);
        let ts = try_reduce(
            &(&usv[0] * mm(&ta, &mt(&usv[2])?)?),
            ReduceKind::Sum,
            -2i64,
            false,
        )?;
        Ok(vec![Some(like_rhs(&tx, b)?), Some(tr), None, Some(ts)])
    }
}
