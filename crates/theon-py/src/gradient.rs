//! `theon.gradient` over the engine's `grad` module: `grad` (Theano's
//! keyword arguments), `jacobian`, `hessian`, `Rop`, `Lop`, the gradient
//! modifiers and `verify_grad` with a Python callable building the graph.

use crate::errors::IntoPyResult;
use crate::numpy_interop::to_tensor;
use crate::operand::as_var;
use crate::site::at_caller;
use crate::variable::{var_of, wrap};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use std::cell::RefCell;
use theon::grad as engine;
use theon::grad::{
    DisconnectedInputs, GradOptions, NullGradients, ReturnDisconnected, VerifyGradOptions,
};
use theon::graph::Grad;
use theon::{Error, Var};

fn vars(objs: &[Bound<'_, PyAny>]) -> PyResult<Vec<Var>> {
    objs.iter().map(as_var).collect()
}

fn wrap_all(py: Python<'_>, vars: Vec<Var>) -> PyResult<Vec<Py<PyAny>>> {
    vars.into_iter().map(|v| wrap(py, v)).collect()
}

fn policy<T>(what: &str, name: &str, choices: &[(&str, T)]) -> PyResult<T>
where
    T: Copy,
{
    choices
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| *v)
        .ok_or_else(|| {
            let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
            PyValueError::new_err(format!("{what} must be one of {names:?}, got '{name}'"))
        })
}

/// `grad(cost, wrt, consider_constant, disconnected_inputs,
/// return_disconnected, null_gradients, known_grads)`: one entry per `wrt`,
/// a variable, `None` (disconnected, when asked for) or the reason string
/// of an undefined gradient (with `null_gradients='return'`).
#[pyfunction]
#[pyo3(signature = (cost, wrt, consider_constant, disconnected_inputs, return_disconnected, null_gradients, known_grads))]
#[allow(clippy::too_many_arguments)]
fn grad(
    py: Python<'_>,
    cost: Option<Bound<'_, PyAny>>,
    wrt: Vec<Bound<'_, PyAny>>,
    consider_constant: Vec<Bound<'_, PyAny>>,
    disconnected_inputs: &str,
    return_disconnected: &str,
    null_gradients: &str,
    known_grads: Vec<(Bound<'_, PyAny>, Bound<'_, PyAny>)>,
) -> PyResult<Vec<Py<PyAny>>> {
    use DisconnectedInputs as D;
    use ReturnDisconnected as R;
    let mut options = GradOptions::new()
        .consider_constant(&vars(&consider_constant)?)
        .disconnected_inputs(policy(
            "disconnected_inputs",
            disconnected_inputs,
            &[
                ("raise", D::Raise),
                ("warn", D::Warn),
                ("ignore", D::Ignore),
            ],
        )?)
        .return_disconnected(policy(
            "return_disconnected",
            return_disconnected,
            &[
                ("zero", R::Zero),
                ("none", R::None),
                ("disconnected", R::Disconnected),
            ],
        )?)
        .null_gradients(policy(
            "null_gradients",
            null_gradients,
            &[
                ("raise", NullGradients::Raise),
                ("return", NullGradients::Return),
            ],
        )?);
    let pairs = known_grads
        .iter()
        .map(|(v, g)| Ok((var_of(v)?, as_var(g)?)))
        .collect::<PyResult<Vec<_>>>()?;
    options = options.known_grads(pairs);
    let cost = cost.as_ref().map(as_var).transpose()?;
    let wrt = vars(&wrt)?;
    let terms = at_caller(py, || {
        engine::grad_terms(cost.as_ref(), &wrt, &options).py_result()
    })??;
    terms
        .into_iter()
        .map(|t| match t {
            Grad::Value(v) => wrap(py, v),
            Grad::Disconnected => Ok(py.None()),
            Grad::Undefined(reason) => Ok(reason.into_pyobject(py)?.into_any().unbind()),
        })
        .collect()
}

/// `jacobian(expression, wrt)`: one Jacobian per `wrt`.
#[pyfunction]
fn jacobian(
    py: Python<'_>,
    expression: &Bound<'_, PyAny>,
    wrt: Vec<Bound<'_, PyAny>>,
) -> PyResult<Vec<Py<PyAny>>> {
    let (expression, wrt) = (as_var(expression)?, vars(&wrt)?);
    let out = at_caller(py, || engine::jacobian(&expression, &wrt).py_result())??;
    wrap_all(py, out)
}

/// `hessian(cost, wrt)`: one Hessian per vector in `wrt`.
#[pyfunction]
fn hessian(
    py: Python<'_>,
    cost: &Bound<'_, PyAny>,
    wrt: Vec<Bound<'_, PyAny>>,
) -> PyResult<Vec<Py<PyAny>>> {
    let (cost, wrt) = (as_var(cost)?, vars(&wrt)?);
    let out = at_caller(py, || engine::hessian(&cost, &wrt).py_result())??;
    wrap_all(py, out)
}

/// `operator("Rop" | "Lop", f, wrt, eval_points)` with lists.
#[pyfunction]
fn operator(
    py: Python<'_>,
    which: &str,
    f: Vec<Bound<'_, PyAny>>,
    wrt: Vec<Bound<'_, PyAny>>,
    eval_points: Vec<Bound<'_, PyAny>>,
) -> PyResult<Vec<Py<PyAny>>> {
    let (f, wrt, points) = (vars(&f)?, vars(&wrt)?, vars(&eval_points)?);
    let out = at_caller(py, || match which {
        "Rop" => engine::rop(&f, &wrt, &points).py_result(),
        "Lop" => engine::lop(&f, &wrt, &points).py_result(),
        _ => Err(PyValueError::new_err(format!("no operator '{which}'"))),
    })??;
    wrap_all(py, out)
}

/// `modifier(name, x, a=0, b=0)`: consider_constant, disconnected_grad,
/// zero_grad, undefined_grad, grad_clip (bounds a, b), grad_scale (factor a).
#[pyfunction]
#[pyo3(signature = (name, x, a=0.0, b=0.0))]
fn modifier(
    py: Python<'_>,
    name: &str,
    x: &Bound<'_, PyAny>,
    a: f64,
    b: f64,
) -> PyResult<Py<PyAny>> {
    let x = as_var(x)?;
    let var = at_caller(py, || -> PyResult<Var> {
        Ok(match name {
            "consider_constant" => engine::consider_constant(&x),
            "disconnected_grad" => engine::disconnected_grad(&x),
            "zero_grad" => engine::zero_grad(&x),
            "undefined_grad" => engine::undefined_grad(&x),
            "grad_clip" => engine::try_grad_clip(&x, a, b).py_result()?,
            "grad_scale" => engine::grad_scale(&x, a),
            _ => {
                return Err(PyValueError::new_err(format!(
                    "no gradient modifier '{name}'"
                )))
            }
        })
    })??;
    wrap(py, var)
}

/// `verify_grad(fun, pt, n_tests, seed, eps, abs_tol, rel_tol)`: compares
/// the symbolic gradient of a random projection of `fun(*inputs)` with
/// central differences at the points `pt`; raises `GradientError` on a
/// mismatch.
#[pyfunction]
#[pyo3(signature = (fun, pt, n_tests, seed, eps=None, abs_tol=None, rel_tol=None))]
#[allow(clippy::too_many_arguments)]
fn verify_grad(
    py: Python<'_>,
    fun: &Bound<'_, PyAny>,
    pt: Vec<Bound<'_, PyAny>>,
    n_tests: usize,
    seed: u64,
    eps: Option<f64>,
    abs_tol: Option<f64>,
    rel_tol: Option<f64>,
) -> PyResult<()> {
    let points = pt.iter().map(to_tensor).collect::<PyResult<Vec<_>>>()?;
    let options = VerifyGradOptions {
        n_tests,
        seed,
        eps,
        abs_tol,
        rel_tol,
    };
    let python_error: RefCell<Option<PyErr>> = RefCell::new(None);
    let build = |inputs: &[Var]| -> theon::Result<Var> {
        let call = || -> PyResult<Var> {
            let args = inputs
                .iter()
                .map(|v| wrap(py, v.clone()))
                .collect::<PyResult<Vec<_>>>()?;
            var_of(&fun.call1(PyTuple::new(py, args)?)?)
        };
        call().map_err(|e| {
            *python_error.borrow_mut() = Some(e);
            Error::value("verify_grad", "the function raised an exception")
        })
    };
    let result = at_caller(py, || engine::verify_grad(build, &points, &options))?;
    if let Some(err) = python_error.take() {
        return Err(err);
    }
    result.py_result()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(grad, m)?)?;
    m.add_function(wrap_pyfunction!(jacobian, m)?)?;
    m.add_function(wrap_pyfunction!(hessian, m)?)?;
    m.add_function(wrap_pyfunction!(operator, m)?)?;
    m.add_function(wrap_pyfunction!(modifier, m)?)?;
    m.add_function(wrap_pyfunction!(verify_grad, m)?)?;
    Ok(())
}
