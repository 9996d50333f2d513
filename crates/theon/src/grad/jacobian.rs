//! `jacobian` and `hessian`.
//!
//! When the vector's length `n` is statically known, the Jacobian is built
//! from `n` vector-Jacobian products (one backward pass per element, each
//! seeded with a one-hot constant through `known_grads`), and the rows are
//! assembled by broadcasting each one-hot against its row and summing.
//! Otherwise it is one symbolic loop, as in Theano: a `map` over
//! `arange(n)` whose step is the gradient of element `i`.

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
        1 => match expression.ty().shape[0] {
            Some(n) => jacobian_rows(expression, n, wrt),
            None => jacobian_by_scan(expression, wrt),
        },
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

/// The Hessian of a scalar `cost` with respect to each vector in `wrt`:
/// an `(n, n)` matrix per `wrt` of length `n`.
#[track_caller]
pub fn hessian(cost: &Var, wrt: &[Var]) -> Result<Vec<Var>> {
    let mut out = Vec::with_capacity(wrt.len());
    for w in wrt {
        if w.ndim() != 1 {
            return Err(Error::grad(
                "hessian",
                format!(
                    "expects vectors as wrt, got '{}' of type {}",
                    w.label(),
                    w.ty()
                ),
            )
            .at(w.site()));
        }
        let g = grad(cost, std::slice::from_ref(w), &GradOptions::default())?.remove(0);
        out.push(jacobian(&g, std::slice::from_ref(w))?.remove(0));
    }
    Ok(out)
}

/// Rows `∂expression[i]/∂wrt` for every `i`, computed by a `map` over
/// `arange(len(expression))` (the length need not be known statically).
#[track_caller]
fn jacobian_by_scan(expression: &Var, wrt: &[Var]) -> Result<Vec<Var>> {
    use crate::ops::control::scan::map;
    use crate::ops::creation::try_arange;
    use crate::ops::indexing::{try_index, IndexItem};
    check_connected(expression, wrt)?;
    let n = crate::ops::shape::try_shape_i(expression, 0)?;
    let positions = try_arange(0i64, &n, 1i64, crate::DType::I64)?;
    // The step differentiates the outer graph itself (scan takes the
    // variables it reads from outside as implicit non-sequences): inner
    // placeholders for `expression` and `wrt` would not be connected.
    let rows = map(
        |args| -> Result<Vec<Var>> {
            let element = try_index(expression, &[IndexItem::Int(args.seq(0).into())])?;
            let options = GradOptions::new().disconnected_inputs(DisconnectedInputs::Ignore);
            grad(&element, wrt, &options)
        },
        &[positions],
        &[],
    )?;
    Ok(rows.outputs)
}

/// `jacobian` of an expression that does not depend on a `wrt` is an error.
fn check_connected(expression: &Var, wrt: &[Var]) -> Result<()> {
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
    Ok(())
}

/// Rows `∂expression[i]/∂wrt` for `i < n`, stacked along a new first axis.
fn jacobian_rows(expression: &Var, n: usize, wrt: &[Var]) -> Result<Vec<Var>> {
    check_connected(expression, wrt)?;
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
