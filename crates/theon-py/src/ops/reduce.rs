//! Reductions: `reduce(kind, x, axis=None, keepdims=False)` for sum, prod,
//! max, min, all and any; `argreduce` (argmax/argmin), `mean`,
//! `variance` (var/std with `ddof`) and `cumulative` (cumsum/cumprod).
//! `axis` is None (all axes), an int or a sequence.

use super::args::parse_axis;
use crate::errors::IntoPyResult;
use crate::operand::as_var;
use crate::site::at_caller;
use crate::variable::wrap;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use theon::ops::reduce::{
    try_argreduce, try_cumulative, try_mean, try_reduce, try_variance, ArgKind, CumKind,
    Dispersion, ReduceKind,
};

fn unknown(what: &str, name: &str) -> PyErr {
    PyValueError::new_err(format!("theon has no {what} named '{name}'"))
}

fn reduce_kind(name: &str) -> PyResult<ReduceKind> {
    Ok(match name {
        "sum" => ReduceKind::Sum,
        "prod" => ReduceKind::Prod,
        "max" => ReduceKind::Max,
        "min" => ReduceKind::Min,
        "all" => ReduceKind::All,
        "any" => ReduceKind::Any,
        _ => return Err(unknown("reduction", name)),
    })
}

#[pyfunction]
#[pyo3(signature = (kind, x, axis=None, keepdims=false))]
fn reduce(
    py: Python<'_>,
    kind: &str,
    x: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
    keepdims: bool,
) -> PyResult<Py<PyAny>> {
    let kind = reduce_kind(kind)?;
    let axis = parse_axis(axis)?;
    let var = at_caller(py, || {
        try_reduce(&as_var(x)?, kind, axis, keepdims).py_result()
    })??;
    wrap(py, var)
}

/// `argreduce("argmax" | "argmin", x, axis=None, keepdims=False)`: int64
/// positions (flat positions when `axis` is None).
#[pyfunction]
#[pyo3(signature = (kind, x, axis=None, keepdims=false))]
fn argreduce(
    py: Python<'_>,
    kind: &str,
    x: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
    keepdims: bool,
) -> PyResult<Py<PyAny>> {
    let kind = match kind {
        "argmax" => ArgKind::Max,
        "argmin" => ArgKind::Min,
        _ => return Err(unknown("arg-reduction", kind)),
    };
    let axis = parse_axis(axis)?;
    let var = at_caller(py, || {
        try_argreduce(&as_var(x)?, kind, axis, keepdims).py_result()
    })??;
    wrap(py, var)
}

/// `mean(x, axis=None, keepdims=False)` with NumPy's result dtype.
#[pyfunction]
#[pyo3(signature = (x, axis=None, keepdims=false))]
fn mean(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
    keepdims: bool,
) -> PyResult<Py<PyAny>> {
    let axis = parse_axis(axis)?;
    let var = at_caller(py, || try_mean(&as_var(x)?, axis, keepdims).py_result())??;
    wrap(py, var)
}

/// `variance("var" | "std", x, axis=None, ddof=0, keepdims=False)`.
#[pyfunction]
#[pyo3(signature = (kind, x, axis=None, ddof=0, keepdims=false))]
fn variance(
    py: Python<'_>,
    kind: &str,
    x: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
    ddof: usize,
    keepdims: bool,
) -> PyResult<Py<PyAny>> {
    let kind = match kind {
        "var" => Dispersion::Var,
        "std" => Dispersion::Std,
        _ => return Err(unknown("dispersion statistic", kind)),
    };
    let axis = parse_axis(axis)?;
    let var = at_caller(py, || {
        try_variance(&as_var(x)?, kind, axis, ddof, keepdims).py_result()
    })??;
    wrap(py, var)
}

/// `cumulative("cumsum" | "cumprod", x, axis=None)`; None flattens first.
#[pyfunction]
#[pyo3(signature = (kind, x, axis=None))]
fn cumulative(
    py: Python<'_>,
    kind: &str,
    x: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let kind = match kind {
        "cumsum" => CumKind::Sum,
        "cumprod" => CumKind::Prod,
        _ => return Err(unknown("cumulative op", kind)),
    };
    let axis = parse_axis(axis)?;
    let var = at_caller(py, || try_cumulative(&as_var(x)?, kind, axis).py_result())??;
    wrap(py, var)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(reduce, m)?)?;
    m.add_function(wrap_pyfunction!(argreduce, m)?)?;
    m.add_function(wrap_pyfunction!(mean, m)?)?;
    m.add_function(wrap_pyfunction!(variance, m)?)?;
    m.add_function(wrap_pyfunction!(cumulative, m)?)?;
    Ok(())
}
