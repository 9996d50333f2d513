//! Determinants: `Det` and `SlogDet` (sign and log of the absolute value)
//! from the LU factors. A singular matrix is not an error: its determinant
//! is 0 (slogdet: sign 0, log -inf), as in NumPy.

use super::bridge::{
    batch_shape, check_matrix, common_dtype, matrices, permutation_sign, push_one,
};
use crate::error::Result;
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::tensor::Tensor;
use faer::Mat;

/// `(sign, log|det|)` of a square matrix from its LU factors.
pub fn sign_logdet(a: &Mat<f64>) -> (f64, f64) {
    let n = a.nrows();
    if n == 0 {
        return (1.0, 0.0);
    }
    let lu = a.partial_piv_lu();
    let (u, p) = (lu.U(), lu.P());
    let mut sign = permutation_sign(p.arrays().0);
    let mut log = 0.0;
    for i in 0..n {
        let d = u[(i, i)];
        if d == 0.0 {
            return (0.0, f64::NEG_INFINITY);
        }
        sign *= d.signum();
        log += d.abs().ln();
    }
    (sign, log)
}

/// The determinant of each square matrix in the last two axes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Det;

impl Op for Det {
    fn name(&self) -> String {
        "det".into()
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        check_matrix(&self.name(), 0, &inputs[0], true)?;
        Ok(vec![TensorType::new(
            common_dtype(&self.name(), inputs)?,
            batch_shape(&inputs[0], &[]),
        )])
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let b = matrices(&self.name(), 0, &inputs[0], true)?;
        let dets: Vec<f64> = b
            .mats
            .iter()
            .map(|a| {
                if a.nrows() == 0 {
                    return 1.0;
                }
                let lu = a.partial_piv_lu();
                let u = lu.U();
                // Stop at the first zero pivot: the elimination past it
                // divides by zero and leaves NaNs in the later pivots.
                let mut product = permutation_sign(lu.P().arrays().0);
                for i in 0..a.nrows() {
                    if u[(i, i)] == 0.0 {
                        return 0.0;
                    }
                    product *= u[(i, i)];
                }
                product
            })
            .collect();
        Ok(vec![Tensor::from_f64s(
            ctx.output_types[0].dtype,
            &b.batch,
            &dets,
        )?])
    }

    fn pullback(&self, inputs: &[Var], outputs: &[Var], output_grads: &[Var]) -> Result<Vec<Grad>> {
        self.det_pullback(&inputs[0], &outputs[0], &output_grads[0])
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        push_one(tangents, |t| {
            self.det_pushforward(&inputs[0], &outputs[0], t)
        })
    }
}

/// Two outputs per matrix: the sign of the determinant (-1, 0 or 1) and
/// the natural log of its absolute value (NumPy's `slogdet`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SlogDet;

impl Op for SlogDet {
    fn name(&self) -> String {
        "slogdet".into()
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        check_matrix(&self.name(), 0, &inputs[0], true)?;
        let t = TensorType::new(
            common_dtype(&self.name(), inputs)?,
            batch_shape(&inputs[0], &[]),
        );
        Ok(vec![t.clone(), t])
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let b = matrices(&self.name(), 0, &inputs[0], true)?;
        let pairs: Vec<(f64, f64)> = b.mats.iter().map(sign_logdet).collect();
        let dtype = ctx.output_types[0].dtype;
        let signs: Vec<f64> = pairs.iter().map(|p| p.0).collect();
        let logs: Vec<f64> = pairs.iter().map(|p| p.1).collect();
        Ok(vec![
            Tensor::from_f64s(dtype, &b.batch, &signs)?,
            Tensor::from_f64s(dtype, &b.batch, &logs)?,
        ])
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        self.slogdet_pullback(&inputs[0], &output_grads[1])
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        match &tangents[0] {
            Some(t) => self.slogdet_pushforward(&inputs[0], &outputs[0], t),
            None => Ok(vec![None; 2]),
        }
    }
}

/// NumPy's `linalg.det`.
#[track_caller]
pub fn det(a: &Var) -> Var {
    Var::apply1(Det, std::slice::from_ref(a)).unwrap_or_else(|e| panic!("{e}"))
}

/// NumPy's `linalg.slogdet`: `(sign, logabsdet)`.
#[track_caller]
pub fn slogdet(a: &Var) -> (Var, Var) {
    let mut outs = Var::apply(SlogDet, std::slice::from_ref(a)).unwrap_or_else(|e| panic!("{e}"));
    let log = outs.pop().expect("two outputs");
    (outs.pop().expect("two outputs"), log)
}
