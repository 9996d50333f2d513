//! `jacobian` and `hessian`.
//!
//! Limitation: with no scan op and no indexing/stacking op yet, the
//! Jacobian of a length-`n` vector is built from `n` vector-Jacobian
//! products (one backward pass per element, each seeded with a one-hot
//! constant through `known_grads`), and the rows are assembled by
//! broadcasting each one-hot against its row and summing. This needs the
//! vector's length statically (a known dim) and builds `O(n)` gradient
//! graphs; once scan lands, a single symbolic loop should replace it.

use super::options::{DisconnectedInputs, GradOptions};
use super::reverse::{grad, grad_terms};
use crate::error::{Error, Result};
use crate::graph::{depends_on, Grad, Var};
use crate::tensor::Tensor;

/// The Jacobian of a scalar or vector `expression` with respect to each of
/// `wrt`: for a vector of length `n`, an array of shape `(n, *wrt.shape)`;
/// for a scalar, the gradient. The vector's length must be statically known.
#[track_caller]
pub fn jacobian(expression: &Var, wrt: &[Var]) -> Result<Vec<Var>> {
    match expression.ndim() {
        0 => grad(expression, wrt, &GradOptions::default()),
        1 => {
            let n = expression.ty().shape[0].ok_or_else(|| {
                Error::grad(
                    "jacobian",
                    format!(
                        "needs the expression's length statically (got type {}) until a scan op \
                         exists",
                        expression.ty()
                    ),
                )
                .at(expression.site())
            })?;
            jacobian_rows(expression, n, wrt)
        }
        _ => Err(Error::grad(
            "jacobian",
            format!(
                "expects a scalar or vector expression, got type {} (flatten it first)",
                expression.ty()
            ),
        )
        .at(expression.site())),
    }
}

/// The Hessian of a scalar `cost` with respect to each vector in `wrt`
/// (each of statically known length `n`): an `(n, n)` matrix per `wrt`.
#[track_caller]
pub fn hessian(cost: &Var, wrt: &[Var]) -> Result<Vec<Var>> {
    let mut out = Vec::with_capacity(wrt.len());
    for w in wrt {
        let n = match w.ty().shape.as_slice() {
            [Some(n)] => *n,
            _ => {
                return Err(Error::grad(
                    "hessian",
                    format!(
                        "expects vectors of statically known length as wrt, got '{}' of type {}",
                        w.label(),
                        w.ty()
                    ),
                )
                .at(w.site()))
            }
        };
        let g = grad(cost, std::slice::from_ref(w), &GradOptions::default())?.remove(0);
        out.push(jacobian_rows(&g, n, std::slice::from_ref(w))?.remove(0));
    }
    Ok(out)
}

/// Rows `∂expression[i]/∂wrt` for `i < n`, stacked along a new first axis.
fn jacobian_rows(expression: &Var, n: usize, wrt: &[Var]) -> Result<Vec<Var>> {
    for w in wrt {
        if !depends_on(std::slice::from_ref(expression), w) {
            let msg = format!(
                "the expression does not depend on '{}' (pass it through grad_terms with \
                 disconnected_inputs=Ignore for zeros)",
                w.label()
            );
            return Err(Error::grad("jacobian", msg).at(w.site()));
        }
    }
    let dtype = expression.dtype();
    let mut sums: Vec<Option<Var>> = vec![None; wrt.len()];
    for i in 0..n {
        let mut one_hot = vec![0.0; n];
        one_hot[i] = 1.0;
        let seed = Var::constant(Tensor::from_f64s(dtype, &[n], &one_hot)?);
        let options = GradOptions::new()
            .known_grads([(expression.clone(), seed.clone())])
            .disconnected_inputs(DisconnectedInputs::Ignore);
        let rows = grad_terms(None, wrt, &options)?;
        for ((w, row), sum) in wrt.iter().zip(rows).zip(&mut sums) {
            let Grad::Value(row) = row else {
                unreachable!("zero return for disconnected rows")
            };
            let placed = place_row(&seed, &row, w.ndim());
            *sum = Some(match sum.take() {
                None => placed,
                Some(s) => s + placed,
            });
        }
    }
    Ok(sums
        .into_iter()
        .zip(wrt)
        .map(|(s, w)| s.unwrap_or_else(|| empty_jacobian(w)))
        .collect())
}

/// `one_hot[:, None, ...] * row[None, ...]`: the row placed at its index.
fn place_row(one_hot: &Var, row: &Var, row_ndim: usize) -> Var {
    let mut column = vec![Some(0)];
    column.extend(std::iter::repeat_n(None, row_ndim));
    let mut lifted = vec![None];
    lifted.extend((0..row_ndim).map(Some));
    one_hot.dimshuffle(&column) * row.dimshuffle(&lifted)
}

/// The `(0, *w.shape)` Jacobian of an empty vector.
fn empty_jacobian(w: &Var) -> Var {
    let empty = Var::constant(Tensor::zeros(w.dtype(), &[0]));
    let mut column = vec![Some(0)];
    column.extend(std::iter::repeat_n(None, w.ndim()));
    let mut lifted = vec![None];
    lifted.extend((0..w.ndim()).map(Some));
    empty.dimshuffle(&column) * w.dimshuffle(&lifted)
}
