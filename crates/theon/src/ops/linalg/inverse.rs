//! Inverses: `MatrixInverse` (an error for a singular matrix, as
//! NumPy/SciPy raise `LinAlgError`), `Pinv` (Moore-Penrose, through the
//! SVD) and `MatrixPower` (negative powers through the inverse).

use super::bridge::{
    batch_shape, check_matrix, common_dtype, matrices, nonsingular_lu, push_one, singular,
    square_like,
};
use crate::error::Result;
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::ops::extra::FloatParam;
use crate::tensor::Tensor;
use faer::linalg::solvers::DenseSolveCore;
use faer::Mat;

/// The inverse of each square matrix in the last two axes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MatrixInverse;

/// The inverse of `a`, or `None` when `a` is singular.
pub fn inverse_of(a: &Mat<f64>) -> Option<Mat<f64>> {
    if a.nrows() == 0 {
        return Some(Mat::zeros(0, 0));
    }
    nonsingular_lu(a).map(|lu| lu.inverse())
}

impl Op for MatrixInverse {
    fn name(&self) -> String {
        "matrix_inverse".into()
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        square_like(&self.name(), inputs)
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let b = matrices(&self.name(), 0, &inputs[0], true)?;
        let inverse = b.map(ctx.output_types[0].dtype, (b.rows, b.cols), |k, a| {
            inverse_of(a).ok_or_else(|| singular(&self.name(), 0, k))
        })?;
        Ok(vec![inverse])
    }

    fn pullback(&self, inputs: &[Var], outputs: &[Var], output_grads: &[Var]) -> Result<Vec<Grad>> {
        self.inverse_pullback(&inputs[0], &outputs[0], &output_grads[0])
    }

    fn pushforward(
        &self,
        _inputs: &[Var],
        outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        push_one(tangents, |t| self.inverse_pushforward(&outputs[0], t))
    }
}

/// The pseudo-inverse of each matrix: singular values at most
/// `rcond * largest` count as zero (NumPy's default `rcond` is 1e-15).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Pinv {
    pub rcond: FloatParam,
}

/// The pseudo-inverse of `a` with relative cutoff `rcond`.
pub fn pinv_of(a: &Mat<f64>, rcond: f64) -> Result<Mat<f64>> {
    let (m, n) = (a.nrows(), a.ncols());
    if m == 0 || n == 0 {
        return Ok(Mat::zeros(n, m));
    }
    let svd = a
        .thin_svd()
        .map_err(|_| crate::Error::value("pinv", "the SVD did not converge"))?;
    let s = svd.S().column_vector();
    let cutoff = rcond * s[0];
    let (u, v) = (svd.U(), svd.V());
    Ok(Mat::from_fn(n, m, |i, j| {
        (0..s.nrows())
            .filter(|&k| s[k] > cutoff)
            .map(|k| v[(i, k)] * u[(j, k)] / s[k])
            .sum()
    }))
}

impl Op for Pinv {
    fn name(&self) -> String {
        format!("pinv{{rcond={}}}", self.rcond.0)
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let (m, n) = check_matrix(&self.name(), 0, &inputs[0], false)?;
        let shape = batch_shape(&inputs[0], &[n, m]);
        Ok(vec![TensorType::new(
            common_dtype(&self.name(), inputs)?,
            shape,
        )])
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let b = matrices(&self.name(), 0, &inputs[0], false)?;
        let pinv = b.map(ctx.output_types[0].dtype, (b.cols, b.rows), |_, a| {
            pinv_of(a, self.rcond.0)
        })?;
        Ok(vec![pinv])
    }

    fn pullback(&self, inputs: &[Var], outputs: &[Var], output_grads: &[Var]) -> Result<Vec<Grad>> {
        self.pinv_pullback(&inputs[0], &outputs[0], &output_grads[0])
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        push_one(tangents, |t| {
            self.pinv_pushforward(&inputs[0], &outputs[0], t)
        })
    }
}

/// Each square matrix raised to the integer power `n` (`n = 0` gives the
/// identity; `n < 0` inverts first, an error for a singular matrix).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MatrixPower {
    pub n: i64,
}

impl Op for MatrixPower {
    fn name(&self) -> String {
        format!("matrix_power{{n={}}}", self.n)
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        square_like(&self.name(), inputs)
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let b = matrices(&self.name(), 0, &inputs[0], true)?;
        let power = b.map(ctx.output_types[0].dtype, (b.rows, b.cols), |k, a| {
            let base = if self.n < 0 {
                inverse_of(a).ok_or_else(|| singular(&self.name(), 0, k))?
            } else {
                a.clone()
            };
            Ok(power_by_squaring(&base, self.n.unsigned_abs()))
        })?;
        Ok(vec![power])
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        self.power_pullback(&inputs[0], &output_grads[0])
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        push_one(tangents, |t| {
            self.power_pushforward(&inputs[0], &outputs[0], t)
        })
    }
}

/// `a^p` by repeated squaring.
fn power_by_squaring(a: &Mat<f64>, mut p: u64) -> Mat<f64> {
    let n = a.nrows();
    let mut result = Mat::<f64>::identity(n, n);
    let mut square = a.clone();
    while p > 0 {
        if p & 1 == 1 {
            result = &result * &square;
        }
        p >>= 1;
        if p > 0 {
            square = &square * &square;
        }
    }
    result
}

/// NumPy's `linalg.inv` (Theano's `matrix_inverse`).
#[track_caller]
pub fn matrix_inverse(a: &Var) -> Var {
    Var::apply1(MatrixInverse, std::slice::from_ref(a)).unwrap_or_else(|e| panic!("{e}"))
}

/// NumPy's `linalg.pinv(a, rcond)`.
#[track_caller]
pub fn pinv(a: &Var, rcond: f64) -> Var {
    Var::apply1(
        Pinv {
            rcond: FloatParam(rcond),
        },
        std::slice::from_ref(a),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// NumPy's `linalg.matrix_power(a, n)`.
#[track_caller]
pub fn matrix_power(a: &Var, n: i64) -> Var {
    Var::apply1(MatrixPower { n }, std::slice::from_ref(a)).unwrap_or_else(|e| panic!("{e}"))
}
