//! `Expm`: the matrix exponential by Padé approximation with scaling and
//! squaring (Higham 2005, the algorithm of SciPy's `expm`): the smallest
//! Padé degree (3, 5, 7, 9, 13) whose error bound holds for the 1-norm,
//! after halving the matrix `s` times and squaring the result back.

use super::bridge::{matrices, nonsingular_lu, push_one, square_like};
use crate::error::{Error, Result};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::tensor::Tensor;
use faer::linalg::solvers::Solve as _;
use faer::Mat;

/// `exp(A)` for each square matrix in the last two axes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Expm;

/// Padé coefficients `b_0..b_m` for degrees 3, 5, 7, 9 and 13.
const PADE: [&[f64]; 5] = [
    &[120.0, 60.0, 12.0, 1.0],
    &[30240.0, 15120.0, 3360.0, 420.0, 30.0, 1.0],
    &[
        17297280.0, 8648640.0, 1995840.0, 277200.0, 25200.0, 1512.0, 56.0, 1.0,
    ],
    &[
        17643225600.0,
        8821612800.0,
        2075673600.0,
        302702400.0,
        30270240.0,
        2162160.0,
        110880.0,
        3960.0,
        90.0,
        1.0,
    ],
    &[
        64764752532480000.0,
        32382376266240000.0,
        7771770303897600.0,
        1187353796428800.0,
        129060195264000.0,
        10559470521600.0,
        670442572800.0,
        33522128640.0,
        1323241920.0,
        40840800.0,
        960960.0,
        16380.0,
        182.0,
        1.0,
    ],
];

/// The largest 1-norm for which each degree is accurate to f64 precision.
const THETA: [f64; 5] = [
    1.495585217958292e-2,
    2.539_398_330_063_23e-1,
    9.504178996162932e-1,
    2.097847961257068e0,
    5.371920351148152e0,
];

fn one_norm(a: &Mat<f64>) -> f64 {
    (0..a.ncols())
        .map(|j| (0..a.nrows()).map(|i| a[(i, j)].abs()).sum::<f64>())
        .fold(0.0, f64::max)
}

/// `sum_k c_k · M_k` for matrices of one shape.
fn combine(terms: &[(f64, &Mat<f64>)]) -> Mat<f64> {
    let (m, n) = (terms[0].1.nrows(), terms[0].1.ncols());
    Mat::from_fn(m, n, |i, j| terms.iter().map(|(c, t)| c * t[(i, j)]).sum())
}

/// The Padé approximant of degree `PADE[d]` at `a`: `(V - U)⁻¹ (V + U)`.
fn pade(a: &Mat<f64>, d: usize) -> Option<Mat<f64>> {
    let b = PADE[d];
    let n = a.nrows();
    let id = Mat::<f64>::identity(n, n);
    let a2 = a * a;
    let (u_inner, v) = if d < 4 {
        // Even powers I, A², A⁴, ... up to the degree.
        let mut powers = vec![id.clone(), a2.clone()];
        while powers.len() * 2 < b.len() {
            let next = powers.last().expect("non-empty") * &a2;
            powers.push(next);
        }
        let odd: Vec<(f64, &Mat<f64>)> = powers
            .iter()
            .enumerate()
            .map(|(k, p)| (b[2 * k + 1], p))
            .collect();
        let even: Vec<(f64, &Mat<f64>)> = powers
            .iter()
            .enumerate()
            .map(|(k, p)| (b[2 * k], p))
            .collect();
        (combine(&odd), combine(&even))
    } else {
        let a4 = &a2 * &a2;
        let a6 = &a4 * &a2;
        let u_high = &a6 * combine(&[(b[13], &a6), (b[11], &a4), (b[9], &a2)]);
        let v_high = &a6 * combine(&[(b[12], &a6), (b[10], &a4), (b[8], &a2)]);
        let u_inner = combine(&[
            (1.0, &u_high),
            (b[7], &a6),
            (b[5], &a4),
            (b[3], &a2),
            (b[1], &id),
        ]);
        let v = combine(&[
            (1.0, &v_high),
            (b[6], &a6),
            (b[4], &a4),
            (b[2], &a2),
            (b[0], &id),
        ]);
        (u_inner, v)
    };
    let u = a * &u_inner;
    let lu = nonsingular_lu(&combine(&[(1.0, &v), (-1.0, &u)]))?;
    let mut r = combine(&[(1.0, &v), (1.0, &u)]);
    lu.solve_in_place(r.as_mut());
    Some(r)
}

/// The matrix exponential of `a`, or `None` if the Padé denominator is
/// singular (only possible for non-finite input).
pub fn expm_of(a: &Mat<f64>) -> Option<Mat<f64>> {
    if a.nrows() == 0 {
        return Some(Mat::zeros(0, 0));
    }
    let norm = one_norm(a);
    if let Some(d) = (0..4).find(|&d| norm <= THETA[d]) {
        return pade(a, d);
    }
    let s = (norm / THETA[4]).log2().ceil().max(0.0) as i32;
    let scaled = combine(&[(0.5f64.powi(s), a)]);
    let mut r = pade(&scaled, 4)?;
    for _ in 0..s {
        r = &r * &r;
    }
    Some(r)
}

impl Op for Expm {
    fn name(&self) -> String {
        "expm".into()
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        square_like(&self.name(), inputs)
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let b = matrices(&self.name(), 0, &inputs[0], true)?;
        let exp = b.map(ctx.output_types[0].dtype, (b.rows, b.cols), |k, a| {
            expm_of(a).ok_or_else(|| {
                Error::value(
                    self.name(),
                    format!("input 0 (matrix {k} of the batch) has non-finite values"),
                )
            })
        })?;
        Ok(vec![exp])
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        self.expm_pullback(&inputs[0], &output_grads[0])
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        push_one(tangents, |t| self.expm_pushforward(&inputs[0], t))
    }
}

/// SciPy's `linalg.expm(a)`.
#[track_caller]
pub fn expm(a: &Var) -> Var {
    Var::apply1(Expm, std::slice::from_ref(a)).unwrap_or_else(|e| panic!("{e}"))
}
