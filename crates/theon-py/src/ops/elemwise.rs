//! Elementwise ops by their engine names: `elemwise("exp", x)`,
//! `elemwise("add", a, b, c)` (associative binary ops fold left, like
//! Theano's variadic `add`/`mul`), `elemwise("switch", c, a, b)`, and
//! `cast(x, dtype)`.

use crate::dtypes::parse_dtype;
use crate::errors::IntoPyResult;
use crate::operand::{as_var, operand_vars};
use crate::site::at_caller;
use crate::variable::{wrap, PyVar};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use theon::ops::elemwise::{try_elemwise, BinaryOp, ScalarOp, ALL_BINARY, ALL_UNARY};
use theon::ops::Operand;
use theon::Var;

/// The scalar op with engine name `name`.
fn scalar_op(name: &str) -> PyResult<ScalarOp> {
    if let Some(u) = ALL_UNARY.iter().find(|u| u.name() == name) {
        return Ok(ScalarOp::Unary(*u));
    }
    if let Some(b) = ALL_BINARY.iter().find(|b| b.name() == name) {
        return Ok(ScalarOp::Binary(*b));
    }
    match name {
        "switch" => Ok(ScalarOp::Switch),
        "clip" => Ok(ScalarOp::Clip),
        _ => Err(PyValueError::new_err(format!(
            "theon has no elementwise op named '{name}'"
        ))),
    }
}

/// Binary ops that Theano applies to any number of inputs, folding left.
fn is_variadic(op: ScalarOp) -> bool {
    use BinaryOp::*;
    matches!(
        op,
        ScalarOp::Binary(Add | Mul | Maximum | Minimum | And | Or | Xor | BitAnd | BitOr | BitXor)
    )
}

/// Applies `op` to the operands (weak Python scalars typed against the
/// variables among them, as NumPy 2 does for one expression).
fn apply(op: ScalarOp, vars: Vec<Var>) -> theon::Result<Var> {
    if is_variadic(op) && vars.len() > 2 {
        let mut rest = vars.into_iter();
        let first = rest.next().expect("more than two operands");
        return rest.try_fold(first, |acc, v| {
            try_elemwise(op, vec![Operand::Var(acc), Operand::Var(v)])
        });
    }
    try_elemwise(op, vars.into_iter().map(Operand::Var).collect())
}

/// `elemwise(name, *operands)`: the elementwise op `name` on the operands.
#[pyfunction]
#[pyo3(signature = (name, *operands))]
fn elemwise(py: Python<'_>, name: &str, operands: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
    let op = scalar_op(name)?;
    let objs: Vec<Bound<'_, PyAny>> = operands.iter().collect();
    if objs.len() != op.arity() && !(is_variadic(op) && objs.len() > 2) {
        return Err(PyTypeError::new_err(format!(
            "{name} takes {} inputs, got {}",
            op.arity(),
            objs.len()
        )));
    }
    let var = at_caller(py, || apply(op, operand_vars(&objs)?).py_result())??;
    wrap(py, var)
}

/// `cast(x, dtype)`: converts to `dtype` (the variable itself when it
/// already has that dtype, as in Theano).
#[pyfunction]
fn cast(py: Python<'_>, x: &Bound<'_, PyAny>, dtype: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let dtype = parse_dtype(dtype)?;
    if let Ok(v) = x.cast::<PyVar>() {
        if v.get().var.dtype() == dtype {
            return Ok(x.clone().unbind());
        }
    }
    let var = at_caller(py, || -> PyResult<Var> {
        try_elemwise(ScalarOp::Cast(dtype), vec![Operand::Var(as_var(x)?)]).py_result()
    })??;
    wrap(py, var)
}

/// The engine names of all elementwise ops (unary, binary, others).
#[pyfunction]
fn elemwise_names() -> (Vec<&'static str>, Vec<&'static str>, Vec<&'static str>) {
    (
        ALL_UNARY.iter().map(|u| u.name()).collect(),
        ALL_BINARY.iter().map(|b| b.name()).collect(),
        vec!["switch", "clip"],
    )
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(elemwise, m)?)?;
    m.add_function(wrap_pyfunction!(cast, m)?)?;
    m.add_function(wrap_pyfunction!(elemwise_names, m)?)?;
    Ok(())
}
