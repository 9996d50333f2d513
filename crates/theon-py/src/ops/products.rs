//! Products: `dot`, `matmul`, `outer`, `tensordot`, `batched_dot`,
//! `batched_tensordot` and `einsum`, with NumPy's result dtypes.

use crate::errors::IntoPyResult;
use crate::operand::{as_var, operand_vars};
use crate::site::at_caller;
use crate::variable::wrap;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use theon::ops::products::{
    try_batched_dot, try_batched_tensordot, try_dot, try_einsum, try_matmul, try_outer,
    try_tensordot, TensorDotAxes,
};
use theon::Var;

/// NumPy's `axes` of tensordot: an int `n`, or `(a_axes, b_axes)` where
/// each is an int or a sequence of ints.
fn tensordot_axes(axes: &Bound<'_, PyAny>) -> PyResult<TensorDotAxes> {
    if let Ok(n) = axes.extract::<i64>() {
        return Ok(TensorDotAxes::Count(n));
    }
    let side = |obj: Bound<'_, PyAny>| -> PyResult<Vec<i64>> {
        match obj.extract::<i64>() {
            Ok(i) => Ok(vec![i]),
            Err(_) => obj.extract::<Vec<i64>>(),
        }
    };
    let pair: Vec<Bound<'_, PyAny>> = axes
        .try_iter()
        .and_then(|it| it.collect::<PyResult<Vec<_>>>())
        .map_err(|_| PyTypeError::new_err("tensordot: axes is an int or a pair of axis lists"))?;
    match <[Bound<'_, PyAny>; 2]>::try_from(pair) {
        Ok([a, b]) => Ok(TensorDotAxes::Pairs(side(a)?, side(b)?)),
        Err(_) => Err(PyValueError::new_err(
            "tensordot: axes is an int or a pair (a_axes, b_axes)",
        )),
    }
}

/// `product(name, a, b)` for dot, matmul, outer and batched_dot.
#[pyfunction]
fn product(
    py: Python<'_>,
    name: &str,
    a: &Bound<'_, PyAny>,
    b: &Bound<'_, PyAny>,
) -> PyResult<Py<PyAny>> {
    let build: fn(&Var, &Var) -> theon::Result<Var> = match name {
        "dot" => |a, b| try_dot(a, b),
        "matmul" => |a, b| try_matmul(a, b),
        "outer" => |a, b| try_outer(a, b),
        "batched_dot" => |a, b| try_batched_dot(a, b),
        _ => {
            return Err(PyValueError::new_err(format!(
                "theon has no product named '{name}'"
            )))
        }
    };
    let var = at_caller(py, || -> PyResult<Var> {
        let vars = operand_vars(&[a.clone(), b.clone()])?;
        build(&vars[0], &vars[1]).py_result()
    })??;
    wrap(py, var)
}

/// `tensordot(a, b, axes=2, batched=False)`.
#[pyfunction]
#[pyo3(signature = (a, b, axes, batched=false))]
fn tensordot(
    py: Python<'_>,
    a: &Bound<'_, PyAny>,
    b: &Bound<'_, PyAny>,
    axes: &Bound<'_, PyAny>,
    batched: bool,
) -> PyResult<Py<PyAny>> {
    let axes = tensordot_axes(axes)?;
    let var = at_caller(py, || -> PyResult<Var> {
        let (a, b) = (as_var(a)?, as_var(b)?);
        if batched {
            try_batched_tensordot(&a, &b, axes).py_result()
        } else {
            try_tensordot(&a, &b, axes).py_result()
        }
    })??;
    wrap(py, var)
}

/// `einsum(subscripts, *operands)`.
#[pyfunction]
#[pyo3(signature = (subscripts, *operands))]
fn einsum(py: Python<'_>, subscripts: &str, operands: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
    let var = at_caller(py, || -> PyResult<Var> {
        let vars = operands
            .iter()
            .map(|o| as_var(&o))
            .collect::<PyResult<Vec<_>>>()?;
        let refs: Vec<&Var> = vars.iter().collect();
        try_einsum(subscripts, &refs).py_result()
    })??;
    wrap(py, var)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(product, m)?)?;
    m.add_function(wrap_pyfunction!(tensordot, m)?)?;
    m.add_function(wrap_pyfunction!(einsum, m)?)?;
    Ok(())
}
