//! Linear systems: `Solve` (general, symmetric, positive-definite or
//! triangular `a`, SciPy's `solve(assume_a, lower)` and
//! `solve_triangular`) and `Lstsq` (NumPy's least squares). A singular `a`
//! (an exactly zero pivot, as LAPACK reports it) or a non-positive-definite
//! one is an error naming the op, as SciPy raises `LinAlgError`.

use super::bridge::{check_matrix, common_dtype, matrices, nonsingular_lu, singular, Batch};
use super::decomp::cholesky_lower;
use crate::dtype::DType;
use crate::error::{Error, ErrorKind, Result};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::ops::extra::FloatParam;
use crate::tensor::{Scalar, Tensor};
use faer::linalg::solvers::Solve as _;
use faer::Mat;

/// What `Solve` may assume about `a`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Structure {
    General,
    /// Symmetric: only the triangle named by `lower` is read.
    Symmetric,
    /// Symmetric positive definite (Cholesky): only one triangle is read.
    PositiveDefinite,
    /// Triangular: only the triangle named by `lower` is read.
    Triangular,
}

/// Solves `a·x = b` for each matrix of a batch. `b` is a vector (for a
/// single matrix `a`) or a batch of matrices with `a`'s batch dims.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Solve {
    pub structure: Structure,
    pub lower: bool,
}

fn rhs_mismatch(op: &str, b: &[usize], a: &[usize]) -> Error {
    ErrorKind::ShapeMismatch {
        op: op.into(),
        index: 1,
        got: b.to_vec(),
        want: format!(
            "a vector or matrix with as many rows as input 0 (shape {a:?}) and its batch dims"
        ),
    }
    .into()
}

/// The type-time form of [`rhs_mismatch`] (dims may be unknown).
fn static_rhs_mismatch(op: &str, a: &TensorType, b: &TensorType) -> Error {
    Error::value(
        op,
        format!("input 1 has type {b}, but input 0 has type {a}: expected a vector or matrix with as many rows as input 0 and its batch dims"),
    )
}

/// The full matrix whose triangle (`lower` or upper) is `a`'s: mirrored
/// (`symmetric`) or zero on the other side.
fn from_triangle(a: &Mat<f64>, lower: bool, symmetric: bool) -> Mat<f64> {
    Mat::from_fn(a.nrows(), a.ncols(), |i, j| {
        let inside = if lower { j <= i } else { j >= i };
        match (inside, symmetric) {
            (true, _) => a[(i, j)],
            (false, true) => a[(j, i)],
            (false, false) => 0.0,
        }
    })
}

impl Solve {
    fn solve_one(&self, k: usize, a: &Mat<f64>, b: &Mat<f64>) -> Result<Mat<f64>> {
        let mut x = b.clone();
        if a.nrows() == 0 {
            return Ok(x);
        }
        match self.structure {
            Structure::General | Structure::Symmetric => {
                let full = match self.structure {
                    Structure::General => a.clone(),
                    _ => from_triangle(a, self.lower, true),
                };
                let lu = nonsingular_lu(&full).ok_or_else(|| singular(&self.name(), 0, k))?;
                lu.solve_in_place(x.as_mut());
            }
            Structure::PositiveDefinite => {
                let l = cholesky_lower(&from_triangle(a, self.lower, true)).ok_or_else(|| {
                    Error::value(
                        self.name(),
                        format!("input 0 is not positive definite (matrix {k} of the batch)"),
                    )
                })?;
                l.solve_lower_triangular_in_place(x.as_mut());
                l.transpose().solve_upper_triangular_in_place(x.as_mut());
            }
            Structure::Triangular => {
                let t = from_triangle(a, self.lower, false);
                if let Some(i) = (0..t.nrows()).find(|&i| t[(i, i)] == 0.0) {
                    return Err(Error::value(self.name(), format!("input 0 is singular: zero on the diagonal at {i} (matrix {k} of the batch)")));
                }
                match self.lower {
                    true => t.solve_lower_triangular_in_place(x.as_mut()),
                    false => t.solve_upper_triangular_in_place(x.as_mut()),
                }
            }
        }
        Ok(x)
    }
}

impl Op for Solve {
    fn name(&self) -> String {
        format!(
            "solve{{assume_a={:?}, lower={}}}",
            self.structure, self.lower
        )
        .to_lowercase()
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let (a, b) = (&inputs[0], &inputs[1]);
        let (n, _) = check_matrix(&self.name(), 0, a, true)?;
        let vector = b.ndim() == 1;
        let bad = || static_rhs_mismatch(&self.name(), a, b);
        if (vector && a.ndim() != 2) || (!vector && b.ndim() != a.ndim()) {
            return Err(bad());
        }
        let rows = if vector {
            b.shape[0]
        } else {
            b.shape[b.ndim() - 2]
        };
        let batch_ok = vector
            || a.shape[..a.ndim() - 2]
                .iter()
                .zip(&b.shape)
                .all(|(x, y)| x.is_none() || y.is_none() || x == y);
        if !batch_ok || matches!((n, rows), (Some(p), Some(q)) if p != q) {
            return Err(bad());
        }
        Ok(vec![b.with_dtype(common_dtype(&self.name(), inputs)?)])
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let (a, b) = (&inputs[0], &inputs[1]);
        let vector = b.ndim() == 1;
        let bt = if vector {
            b.reshape(&[b.shape()[0] as i64, 1])?
        } else {
            b.clone()
        };
        let am = matrices(&self.name(), 0, a, true)?;
        let bm = matrices(&self.name(), 1, &bt, false)?;
        if am.batch != bm.batch || bm.rows != am.rows {
            return Err(rhs_mismatch(&self.name(), b.shape(), a.shape()));
        }
        let xs = am
            .mats
            .iter()
            .zip(&bm.mats)
            .enumerate()
            .map(|(k, (a, b))| self.solve_one(k, a, b))
            .collect::<Result<Vec<_>>>()?;
        let x = super::bridge::stack_matrices(
            ctx.output_types[0].dtype,
            &bm.batch,
            &xs,
            bm.rows,
            bm.cols,
        )?;
        Ok(vec![if vector {
            x.reshape(&[b.shape()[0] as i64])?
        } else {
            x
        }])
    }

    fn pullback(&self, inputs: &[Var], outputs: &[Var], output_grads: &[Var]) -> Result<Vec<Grad>> {
        self.solve_pullback(inputs, &outputs[0], &output_grads[0])
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        if tangents.iter().all(Option::is_none) {
            return Ok(vec![None]);
        }
        Ok(vec![Some(self.solve_pushforward(
            inputs,
            &outputs[0],
            tangents,
        )?)])
    }
}

/// Least squares `min ‖a·x - b‖₂` through the SVD: outputs `x`, the
/// residual sums of squares (empty unless `a` has full column rank and
/// more rows than columns), the int64 rank and the singular values.
/// Singular values at most `rcond · largest` count as zero; the default
/// (`None`) is NumPy 2's `eps · max(m, n)`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Lstsq {
    pub rcond: Option<FloatParam>,
}

/// `(x, rank, singular values)` for one system.
fn lstsq_one(a: &Mat<f64>, b: &Mat<f64>, rcond: f64) -> Result<(Mat<f64>, usize, Vec<f64>)> {
    let (m, n) = (a.nrows(), a.ncols());
    if m == 0 || n == 0 {
        return Ok((Mat::zeros(n, b.ncols()), 0, Vec::new()));
    }
    let svd = a
        .thin_svd()
        .map_err(|_| Error::value("lstsq", "the SVD did not converge"))?;
    let s: Vec<f64> = (0..m.min(n)).map(|i| svd.S().column_vector()[i]).collect();
    let cutoff = rcond * s[0];
    let kept: Vec<usize> = (0..s.len()).filter(|&i| s[i] > cutoff).collect();
    let (u, v) = (svd.U(), svd.V());
    // c = diag(1/s)·Uᵀ·b on the kept singular values, then x = V·c.
    let c = Mat::from_fn(kept.len(), b.ncols(), |r, j| {
        let i = kept[r];
        (0..m).map(|p| u[(p, i)] * b[(p, j)]).sum::<f64>() / s[i]
    });
    let x = Mat::from_fn(n, b.ncols(), |p, j| {
        (0..kept.len()).map(|r| v[(p, kept[r])] * c[(r, j)]).sum()
    });
    Ok((x, kept.len(), s))
}

impl Op for Lstsq {
    fn name(&self) -> String {
        let rcond = self.rcond.map_or("None".to_string(), |r| r.0.to_string());
        format!("lstsq{{rcond={rcond}}}")
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let (a, b) = (&inputs[0], &inputs[1]);
        let (m, n) = check_matrix(&self.name(), 0, a, false)?;
        if a.ndim() != 2
            || !(b.ndim() == 1 || b.ndim() == 2)
            || matches!((m, b.shape[0]), (Some(p), Some(q)) if p != q)
        {
            return Err(static_rhs_mismatch(&self.name(), a, b));
        }
        let dtype = common_dtype(&self.name(), inputs)?;
        let x_shape = if b.ndim() == 1 {
            vec![n]
        } else {
            vec![n, b.shape[1]]
        };
        let k = match (m, n) {
            (Some(m), Some(n)) => Some(m.min(n)),
            _ => None,
        };
        Ok(vec![
            TensorType::new(dtype, x_shape),
            TensorType::unknown(dtype, 1),
            TensorType::scalar(DType::I64),
            TensorType::new(dtype, vec![k]),
        ])
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let (a, b) = (&inputs[0], &inputs[1]);
        let bt = if b.ndim() == 1 {
            b.reshape(&[b.shape()[0] as i64, 1])?
        } else {
            b.clone()
        };
        let Batch {
            mats: am,
            rows: m,
            cols: n,
            ..
        } = matrices(&self.name(), 0, a, false)?;
        let bm = matrices(&self.name(), 1, &bt, false)?;
        if bm.rows != m {
            return Err(rhs_mismatch(&self.name(), b.shape(), a.shape()));
        }
        let rcond = self.rcond.map_or(f64::EPSILON * m.max(n) as f64, |r| r.0);
        let (x, rank, s) = lstsq_one(&am[0], &bm.mats[0], rcond)?;
        let dtype = ctx.output_types[0].dtype;
        let k = bm.cols;
        let residuals: Vec<f64> = if rank == n && m > n {
            (0..k)
                .map(|j| {
                    (0..m)
                        .map(|i| {
                            let r = bm.mats[0][(i, j)]
                                - (0..n).map(|p| am[0][(i, p)] * x[(p, j)]).sum::<f64>();
                            r * r
                        })
                        .sum()
                })
                .collect()
        } else {
            Vec::new()
        };
        let x_t = super::bridge::stack_matrices(dtype, &[], std::slice::from_ref(&x), n, k)?;
        let x_t = if b.ndim() == 1 {
            x_t.reshape(&[n as i64])?
        } else {
            x_t
        };
        Ok(vec![
            x_t,
            Tensor::from_f64s(dtype, &[residuals.len()], &residuals)?,
            Tensor::from_scalars(DType::I64, &[], &[Scalar::Int(rank as i64)])?,
            Tensor::from_f64s(dtype, &[s.len()], &s)?,
        ])
    }

    fn pullback(&self, inputs: &[Var], outputs: &[Var], output_grads: &[Var]) -> Result<Vec<Grad>> {
        self.lstsq_pullback(inputs, outputs, output_grads)
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        if tangents.iter().all(Option::is_none) {
            return Ok(vec![None; 4]);
        }
        self.lstsq_pushforward(inputs, outputs, tangents)
    }
}

/// SciPy's `solve(a, b, assume_a, lower)`.
#[track_caller]
pub fn try_solve(a: &Var, b: &Var, structure: Structure, lower: bool) -> Result<Var> {
    Var::apply1(Solve { structure, lower }, &[a.clone(), b.clone()])
}

/// Like [`try_solve`] for a general `a`; panics with the error's message.
#[track_caller]
pub fn solve(a: &Var, b: &Var) -> Var {
    try_solve(a, b, Structure::General, false).unwrap_or_else(|e| panic!("{e}"))
}

/// SciPy's `solve_triangular(a, b, lower)`.
#[track_caller]
pub fn solve_triangular(a: &Var, b: &Var, lower: bool) -> Var {
    try_solve(a, b, Structure::Triangular, lower).unwrap_or_else(|e| panic!("{e}"))
}

/// NumPy's `linalg.lstsq(a, b, rcond)`: `[x, residuals, rank, s]`.
#[track_caller]
pub fn lstsq(a: &Var, b: &Var, rcond: Option<f64>) -> Vec<Var> {
    let op = Lstsq {
        rcond: rcond.map(FloatParam),
    };
    Var::apply(op, &[a.clone(), b.clone()]).unwrap_or_else(|e| panic!("{e}"))
}
