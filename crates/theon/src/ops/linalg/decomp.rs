//! Factorizations: `Cholesky` (lower or upper; a matrix that is not
//! positive definite is an error, as SciPy/NumPy raise `LinAlgError`),
//! `Qr` (NumPy's modes reduced, complete, r) and `Svd`.

use super::bridge::{
    batch_shape, check_matrix, common_dtype, matrices, push_one, square_like, stack_matrices,
    stack_vectors,
};
use crate::error::{Error, Result};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::tensor::Tensor;
use faer::{Mat, Side};

fn min_dim(m: Option<usize>, n: Option<usize>) -> Option<usize> {
    Some(m?.min(n?))
}

/// The Cholesky factor of each symmetric positive-definite matrix, reading
/// its lower triangle (as NumPy): `L` with `L·Lᵀ = A`, or `U = Lᵀ`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Cholesky {
    pub lower: bool,
}

/// The lower Cholesky factor, or `None` when `a` is not positive definite.
pub fn cholesky_lower(a: &Mat<f64>) -> Option<Mat<f64>> {
    if a.nrows() == 0 {
        return Some(Mat::zeros(0, 0));
    }
    let llt = a.llt(Side::Lower).ok()?;
    let l = llt.L();
    Some(Mat::from_fn(a.nrows(), a.ncols(), |i, j| {
        if j <= i {
            l[(i, j)]
        } else {
            0.0
        }
    }))
}

impl Op for Cholesky {
    fn name(&self) -> String {
        format!("cholesky{{lower={}}}", self.lower)
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        square_like(&self.name(), inputs)
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let b = matrices(&self.name(), 0, &inputs[0], true)?;
        let factor = b.map(ctx.output_types[0].dtype, (b.rows, b.cols), |k, a| {
            let l = cholesky_lower(a).ok_or_else(|| {
                Error::value(
                    self.name(),
                    format!("input 0 is not positive definite (matrix {k} of the batch)"),
                )
            })?;
            Ok(if self.lower {
                l
            } else {
                l.transpose().to_owned()
            })
        })?;
        Ok(vec![factor])
    }

    fn pullback(&self, inputs: &[Var], outputs: &[Var], output_grads: &[Var]) -> Result<Vec<Grad>> {
        self.cholesky_pullback(&inputs[0], &outputs[0], &output_grads[0])
    }

    fn pushforward(
        &self,
        _inputs: &[Var],
        outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        push_one(tangents, |t| self.cholesky_pushforward(&outputs[0], t))
    }
}

/// NumPy's QR modes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QrMode {
    /// `Q (m, k)`, `R (k, n)` with `k = min(m, n)`.
    Reduced,
    /// `Q (m, m)`, `R (m, n)`.
    Complete,
    /// Only `R (k, n)`.
    R,
}

/// The QR factorization of each matrix (Householder; the signs of `R`'s
/// diagonal are whatever the factorization gives, as in LAPACK).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Qr {
    pub mode: QrMode,
}

impl Op for Qr {
    fn name(&self) -> String {
        format!("qr{{mode={:?}}}", self.mode).to_lowercase()
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let (m, n) = check_matrix(&self.name(), 0, &inputs[0], false)?;
        let dtype = common_dtype(&self.name(), inputs)?;
        let k = min_dim(m, n);
        let ty = |tail: &[Option<usize>]| TensorType::new(dtype, batch_shape(&inputs[0], tail));
        Ok(match self.mode {
            QrMode::Reduced => vec![ty(&[m, k]), ty(&[k, n])],
            QrMode::Complete => vec![ty(&[m, m]), ty(&[m, n])],
            QrMode::R => vec![ty(&[k, n])],
        })
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let b = matrices(&self.name(), 0, &inputs[0], false)?;
        let (m, n) = (b.rows, b.cols);
        let k = m.min(n);
        let (mut qs, mut rs) = (Vec::new(), Vec::new());
        for a in &b.mats {
            if k == 0 {
                qs.push(Mat::<f64>::identity(
                    m,
                    if self.mode == QrMode::Complete { m } else { k },
                ));
                rs.push(Mat::zeros(
                    if self.mode == QrMode::Complete { m } else { k },
                    n,
                ));
                continue;
            }
            let qr = a.qr();
            let r_rows = if self.mode == QrMode::Complete { m } else { k };
            let r = qr.R();
            rs.push(Mat::from_fn(r_rows, n, |i, j| {
                if i <= j && i < k {
                    r[(i, j)]
                } else {
                    0.0
                }
            }));
            qs.push(if self.mode == QrMode::Complete {
                qr.compute_Q()
            } else {
                qr.compute_thin_Q()
            });
        }
        let dtype = ctx.output_types[0].dtype;
        let q_cols = if self.mode == QrMode::Complete { m } else { k };
        let r_t = stack_matrices(dtype, &b.batch, &rs, q_cols, n)?;
        Ok(match self.mode {
            QrMode::R => vec![r_t],
            _ => vec![stack_matrices(dtype, &b.batch, &qs, m, q_cols)?, r_t],
        })
    }

    fn pullback(&self, inputs: &[Var], outputs: &[Var], output_grads: &[Var]) -> Result<Vec<Grad>> {
        self.qr_pullback(&inputs[0], outputs, output_grads)
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        match &tangents[0] {
            Some(t) => self.qr_pushforward(&inputs[0], outputs, t),
            None => Ok(vec![None; outputs.len()]),
        }
    }
}

/// The singular value decomposition `A = U·diag(S)·Vh` of each matrix;
/// singular values descending. Outputs `U, S, Vh` (full or reduced), or
/// only `S` when `compute_uv` is false.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Svd {
    pub full_matrices: bool,
    pub compute_uv: bool,
}

impl Op for Svd {
    fn name(&self) -> String {
        format!(
            "svd{{full_matrices={}, compute_uv={}}}",
            self.full_matrices, self.compute_uv
        )
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let (m, n) = check_matrix(&self.name(), 0, &inputs[0], false)?;
        let dtype = common_dtype(&self.name(), inputs)?;
        let k = min_dim(m, n);
        let ty = |tail: &[Option<usize>]| TensorType::new(dtype, batch_shape(&inputs[0], tail));
        if !self.compute_uv {
            return Ok(vec![ty(&[k])]);
        }
        Ok(match self.full_matrices {
            true => vec![ty(&[m, m]), ty(&[k]), ty(&[n, n])],
            false => vec![ty(&[m, k]), ty(&[k]), ty(&[k, n])],
        })
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let b = matrices(&self.name(), 0, &inputs[0], false)?;
        let (m, n) = (b.rows, b.cols);
        let k = m.min(n);
        let (uc, vr) = if self.full_matrices { (m, n) } else { (k, k) };
        let (mut us, mut ss, mut vhs) = (Vec::new(), Vec::new(), Vec::new());
        for a in &b.mats {
            if k == 0 {
                us.push(Mat::<f64>::identity(m, uc));
                ss.push(Vec::new());
                vhs.push(Mat::<f64>::identity(vr, n));
                continue;
            }
            let svd = if self.full_matrices {
                a.svd()
            } else {
                a.thin_svd()
            }
            .map_err(|_| Error::value(self.name(), "the SVD did not converge"))?;
            let s = svd.S().column_vector();
            ss.push((0..k).map(|i| s[i]).collect());
            us.push(svd.U().to_owned());
            vhs.push(svd.V().transpose().to_owned());
        }
        let dtype = ctx.output_types[0].dtype;
        let s_t = stack_vectors(dtype, &b.batch, &ss, k)?;
        if !self.compute_uv {
            return Ok(vec![s_t]);
        }
        Ok(vec![
            stack_matrices(dtype, &b.batch, &us, m, uc)?,
            s_t,
            stack_matrices(dtype, &b.batch, &vhs, vr, n)?,
        ])
    }

    fn pullback(&self, inputs: &[Var], outputs: &[Var], output_grads: &[Var]) -> Result<Vec<Grad>> {
        self.svd_pullback(&inputs[0], outputs, output_grads)
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        match &tangents[0] {
            Some(t) => self.svd_pushforward(&inputs[0], outputs, t),
            None => Ok(vec![None; outputs.len()]),
        }
    }
}

/// NumPy's `linalg.cholesky` (`lower`) or SciPy's with `lower=False`.
#[track_caller]
pub fn cholesky(a: &Var, lower: bool) -> Var {
    Var::apply1(Cholesky { lower }, std::slice::from_ref(a)).unwrap_or_else(|e| panic!("{e}"))
}

/// NumPy's `linalg.qr(a, mode)`: `[q, r]`, or `[r]` for `QrMode::R`.
#[track_caller]
pub fn qr(a: &Var, mode: QrMode) -> Vec<Var> {
    Var::apply(Qr { mode }, std::slice::from_ref(a)).unwrap_or_else(|e| panic!("{e}"))
}

/// NumPy's `linalg.svd(a, full_matrices, compute_uv)`: `[u, s, vh]` or `[s]`.
#[track_caller]
pub fn svd(a: &Var, full_matrices: bool, compute_uv: bool) -> Vec<Var> {
    let op = Svd {
        full_matrices,
        compute_uv,
    };
    Var::apply(op, std::slice::from_ref(a)).unwrap_or_else(|e| panic!("{e}"))
}
