//! `Eye`: NumPy's `eye(n, m, k, dtype)`: an `n x m` matrix with ones on
//! diagonal `k` (above the main one for `k > 0`) and zeros elsewhere. The
//! sizes and `k` may be symbolic integer scalars.

use crate::dtype::DType;
use crate::error::{Error, Result, Site};
use crate::graph::{Op, PerformCtx, TensorType, Var};
use crate::ops::operand::Operand;
use crate::ops::shape::dims::{int_scalar, static_int};
use crate::ops::shape::shape_i;
use crate::tensor::{Scalar, Tensor};

/// An identity-like matrix from integer scalar inputs n, m, k; `n` and `m`
/// hold the sizes when they were statically known.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Eye {
    pub dtype: DType,
    pub n: Option<usize>,
    pub m: Option<usize>,
}

impl Op for Eye {
    fn name(&self) -> String {
        format!("eye{{dtype={}}}", self.dtype)
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        if inputs.len() != 3 {
            return Err(Error::value(
                self.name(),
                format!("takes 3 inputs, got {}", inputs.len()),
            ));
        }
        for (i, t) in inputs.iter().enumerate() {
            if t.ndim() != 0 || !t.dtype.is_int() {
                return Err(Error::value(
                    self.name(),
                    format!("input {i} must be an integer scalar, got {t}"),
                ));
            }
        }
        Ok(vec![TensorType::new(self.dtype, vec![self.n, self.m])])
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let [n, m, k] = [0, 1, 2].map(|i| inputs[i].item().as_i64());
        if n < 0 || m < 0 {
            return Err(Error::value(
                self.name(),
                format!("negative dimensions are not allowed: n={n}, m={m}"),
            ));
        }
        let (rows, cols) = (n as usize, m as usize);
        let values: Vec<Scalar> = (0..rows * cols)
            .map(|i| {
                let (r, c) = ((i / cols) as i64, (i % cols) as i64);
                Scalar::Int((c - r == k) as i64)
            })
            .collect();
        Ok(vec![Tensor::from_scalars(
            self.dtype,
            &[rows, cols],
            &values,
        )?])
    }

    fn differentiable(&self) -> bool {
        false
    }
}

/// A static size from a constant, or an error for a negative one.
fn static_size(what: &str, var: &Var) -> Result<Option<usize>> {
    match static_int(var) {
        Some(d) if d < 0 => Err(Error::value(
            "eye",
            format!("{what} must not be negative, got {d}"),
        )),
        d => Ok(d.map(|d| d as usize)),
    }
}

/// NumPy's `eye(n, m, k, dtype)` with integer literals or symbolic scalars.
#[track_caller]
pub fn try_eye(
    n: impl Into<Operand>,
    m: impl Into<Operand>,
    k: impl Into<Operand>,
    dtype: DType,
) -> Result<Var> {
    let site = Site::caller();
    let at = |e: Error| e.at(&site);
    let n = int_scalar("eye", "n", n.into()).map_err(at)?;
    let m = int_scalar("eye", "m", m.into()).map_err(at)?;
    let k = int_scalar("eye", "k", k.into()).map_err(at)?;
    let op = Eye {
        dtype,
        n: static_size("n", &n).map_err(at)?,
        m: static_size("m", &m).map_err(at)?,
    };
    Var::apply1(op, &[n, m, k])
}

/// [`try_eye`] that panics with the error.
#[track_caller]
pub fn eye(
    n: impl Into<Operand>,
    m: impl Into<Operand>,
    k: impl Into<Operand>,
    dtype: DType,
) -> Var {
    try_eye(n, m, k, dtype).unwrap_or_else(|e| panic!("{e}"))
}

/// The `n x n` identity matrix (NumPy's `identity`).
#[track_caller]
pub fn identity(n: impl Into<Operand>, dtype: DType) -> Var {
    let n: Operand = n.into();
    eye(n.clone(), n, 0i64, dtype)
}

/// Theano's `identity_like(x)`: the identity of matrix `x`'s shape and dtype.
#[track_caller]
pub fn identity_like(x: &Var) -> Var {
    if x.ndim() != 2 {
        panic!(
            "{}",
            Error::value("identity_like", format!("needs a matrix, got {}", x.ty()))
                .at(&Site::caller())
        );
    }
    eye(shape_i(x, 0), shape_i(x, 1), 0i64, x.dtype())
}
