//! Eigendecompositions: `Eigh` (symmetric input, reading one triangle;
//! ascending eigenvalues, optionally eigenvectors: `eigh` / `eigvalsh`)
//! and `Eig` (general real input). theon has no complex dtype yet, so
//! `eig` returns real eigenvalues and eigenvectors when every eigenvalue is
//! real and is an error naming the first complex eigenvalue otherwise.

use super::bridge::{
    batch_shape, check_matrix, common_dtype, matrices, stack_matrices, stack_vectors,
};
use crate::error::{Error, Result};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::tensor::Tensor;
use faer::{Mat, Side};

/// Eigenvalues (ascending) and, when `vectors`, eigenvectors (columns) of
/// each symmetric matrix, reading its lower (`lower`) or upper triangle.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Eigh {
    pub lower: bool,
    pub vectors: bool,
}

impl Op for Eigh {
    fn name(&self) -> String {
        let f = if self.vectors { "eigh" } else { "eigvalsh" };
        format!("{f}{{UPLO={}}}", if self.lower { "L" } else { "U" })
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let (n, _) = check_matrix(&self.name(), 0, &inputs[0], true)?;
        let n = n.or(inputs[0].shape[inputs[0].ndim() - 1]);
        let dtype = common_dtype(&self.name(), inputs)?;
        let w = TensorType::new(dtype, batch_shape(&inputs[0], &[n]));
        Ok(match self.vectors {
            true => vec![w, inputs[0].with_dtype(dtype)],
            false => vec![w],
        })
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let b = matrices(&self.name(), 0, &inputs[0], true)?;
        let n = b.rows;
        let side = if self.lower { Side::Lower } else { Side::Upper };
        let (mut ws, mut vs) = (Vec::new(), Vec::new());
        for a in &b.mats {
            if n == 0 {
                ws.push(Vec::new());
                vs.push(Mat::zeros(0, 0));
                continue;
            }
            let evd = a.self_adjoint_eigen(side).map_err(|_| {
                Error::value(self.name(), "the eigenvalue iteration did not converge")
            })?;
            let s = evd.S().column_vector();
            ws.push((0..n).map(|i| s[i]).collect());
            vs.push(evd.U().to_owned());
        }
        let dtype = ctx.output_types[0].dtype;
        let mut out = vec![stack_vectors(dtype, &b.batch, &ws, n)?];
        if self.vectors {
            out.push(stack_matrices(dtype, &b.batch, &vs, n, n)?);
        }
        Ok(out)
    }

    fn pullback(&self, inputs: &[Var], outputs: &[Var], output_grads: &[Var]) -> Result<Vec<Grad>> {
        self.eigh_pullback(&inputs[0], outputs, output_grads)
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        match &tangents[0] {
            Some(t) => self.eigh_pushforward(&inputs[0], outputs, t),
            None => Ok(vec![None; outputs.len()]),
        }
    }
}

/// Eigenvalues and right eigenvectors (columns, unit norm) of each general
/// real square matrix, when all eigenvalues are real.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Eig;

impl Op for Eig {
    fn name(&self) -> String {
        "eig".into()
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let (n, _) = check_matrix(&self.name(), 0, &inputs[0], true)?;
        let n = n.or(inputs[0].shape[inputs[0].ndim() - 1]);
        let dtype = common_dtype(&self.name(), inputs)?;
        Ok(vec![
            TensorType::new(dtype, batch_shape(&inputs[0], &[n])),
            inputs[0].with_dtype(dtype),
        ])
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let b = matrices(&self.name(), 0, &inputs[0], true)?;
        let n = b.rows;
        let (mut ws, mut vs) = (Vec::new(), Vec::new());
        for (k, a) in b.mats.iter().enumerate() {
            if n == 0 {
                ws.push(Vec::new());
                vs.push(Mat::zeros(0, 0));
                continue;
            }
            let evd = a.eigen().map_err(|_| {
                Error::value(self.name(), "the eigenvalue iteration did not converge")
            })?;
            let s = evd.S().column_vector();
            if let Some(i) = (0..n).find(|&i| s[i].im != 0.0) {
                return Err(Error::value(
                    self.name(),
                    format!(
                        "input 0 (matrix {k} of the batch) has the complex eigenvalue {} {:+}i; theon has no complex dtype yet, so eig supports only matrices whose eigenvalues are all real (use eigh for symmetric matrices)",
                        s[i].re, s[i].im
                    ),
                ));
            }
            let u = evd.U();
            ws.push((0..n).map(|i| s[i].re).collect());
            // faer's eigenvectors are not unit vectors; NumPy's are.
            let norms: Vec<f64> = (0..n)
                .map(|j| (0..n).map(|i| u[(i, j)].re.powi(2)).sum::<f64>().sqrt())
                .collect();
            vs.push(Mat::from_fn(n, n, |i, j| u[(i, j)].re / norms[j]));
        }
        let dtype = ctx.output_types[0].dtype;
        Ok(vec![
            stack_vectors(dtype, &b.batch, &ws, n)?,
            stack_matrices(dtype, &b.batch, &vs, n, n)?,
        ])
    }

    fn pullback(&self, inputs: &[Var], outputs: &[Var], output_grads: &[Var]) -> Result<Vec<Grad>> {
        self.eig_pullback(&inputs[0], outputs, output_grads)
    }

    fn pushforward(
        &self,
        _inputs: &[Var],
        outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        match &tangents[0] {
            Some(t) => self.eig_pushforward(outputs, t),
            None => Ok(vec![None; 2]),
        }
    }
}

/// NumPy's `linalg.eigh(a, UPLO)`: `(w, v)` with `a·v[:, i] = w[i]·v[:, i]`.
#[track_caller]
pub fn eigh(a: &Var, lower: bool) -> (Var, Var) {
    let op = Eigh {
        lower,
        vectors: true,
    };
    let mut outs = Var::apply(op, std::slice::from_ref(a)).unwrap_or_else(|e| panic!("{e}"));
    let v = outs.pop().expect("two outputs");
    (outs.pop().expect("two outputs"), v)
}

/// NumPy's `linalg.eigvalsh(a, UPLO)`: ascending eigenvalues.
#[track_caller]
pub fn eigvalsh(a: &Var, lower: bool) -> Var {
    Var::apply1(
        Eigh {
            lower,
            vectors: false,
        },
        std::slice::from_ref(a),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// NumPy's `linalg.eig(a)` for real eigenvalues: `(w, v)`.
#[track_caller]
pub fn eig(a: &Var) -> (Var, Var) {
    let mut outs = Var::apply(Eig, std::slice::from_ref(a)).unwrap_or_else(|e| panic!("{e}"));
    let v = outs.pop().expect("two outputs");
    (outs.pop().expect("two outputs"), v)
}
