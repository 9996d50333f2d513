//! Shape ops: `reshape`, `flatten`, `shape`, `shape_i`, `specify_shape`,
//! `squeeze`, `expand_dims` and `broadcast_to`. Shapes may mix ints and
//! symbolic integer scalars, or be an integer vector (`y.shape`).

use super::args::{parse_axis, shape_spec};
use crate::errors::IntoPyResult;
use crate::operand::as_var;
use crate::site::at_caller;
use crate::variable::wrap;
use pyo3::prelude::*;
use theon::ops::shape::{
    shape as shape_of, try_broadcast_to, try_expand_dims, try_flatten, try_reshape, try_shape_i,
    try_specify_shape, try_squeeze,
};

/// `reshape(x, shape)`: one `-1` entry is inferred.
#[pyfunction]
fn reshape(py: Python<'_>, x: &Bound<'_, PyAny>, shape: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let spec = shape_spec(shape, "reshape")?;
    let var = at_caller(py, || try_reshape(&as_var(x)?, spec).py_result())??;
    wrap(py, var)
}

/// `flatten(x, ndim)`: keeps the first `ndim - 1` axes, merges the rest.
#[pyfunction]
fn flatten(py: Python<'_>, x: &Bound<'_, PyAny>, ndim: usize) -> PyResult<Py<PyAny>> {
    let var = at_caller(py, || try_flatten(&as_var(x)?, ndim).py_result())??;
    wrap(py, var)
}

/// `shape(x)`: the symbolic int64 shape vector (of static length).
#[pyfunction]
fn shape(py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let var = at_caller(py, || as_var(x).map(|x| shape_of(&x)))??;
    wrap(py, var)
}

/// `shape_i(x, i)`: the symbolic length of axis `i`.
#[pyfunction]
fn shape_i(py: Python<'_>, x: &Bound<'_, PyAny>, i: i64) -> PyResult<Py<PyAny>> {
    let var = at_caller(py, || try_shape_i(&as_var(x)?, i).py_result())??;
    wrap(py, var)
}

/// `specify_shape(x, shape)`: `x`, with the static sizes given (None for
/// unknown) checked at run time.
#[pyfunction]
fn specify_shape(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    shape: Vec<Option<usize>>,
) -> PyResult<Py<PyAny>> {
    let var = at_caller(py, || try_specify_shape(&as_var(x)?, &shape).py_result())??;
    wrap(py, var)
}

/// `squeeze(x, axis=None)`: drops the given axes, or every statically
/// broadcastable one.
#[pyfunction]
#[pyo3(signature = (x, axis=None))]
fn squeeze(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let axis = parse_axis(axis)?;
    let var = at_caller(py, || try_squeeze(&as_var(x)?, axis).py_result())??;
    wrap(py, var)
}

/// `expand_dims(x, axis)`: inserts axes of length 1 (positions in the output).
#[pyfunction]
fn expand_dims(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    axis: &Bound<'_, PyAny>,
) -> PyResult<Py<PyAny>> {
    let axis = parse_axis(Some(axis))?;
    let var = at_caller(py, || try_expand_dims(&as_var(x)?, axis).py_result())??;
    wrap(py, var)
}

/// `broadcast_to(x, shape)`: NumPy's broadcasting to an explicit shape.
#[pyfunction]
fn broadcast_to(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    shape: &Bound<'_, PyAny>,
) -> PyResult<Py<PyAny>> {
    let spec = shape_spec(shape, "broadcast_to")?;
    let var = at_caller(py, || try_broadcast_to(&as_var(x)?, spec).py_result())??;
    wrap(py, var)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(reshape, m)?)?;
    m.add_function(wrap_pyfunction!(flatten, m)?)?;
    m.add_function(wrap_pyfunction!(shape, m)?)?;
    m.add_function(wrap_pyfunction!(shape_i, m)?)?;
    m.add_function(wrap_pyfunction!(specify_shape, m)?)?;
    m.add_function(wrap_pyfunction!(squeeze, m)?)?;
    m.add_function(wrap_pyfunction!(expand_dims, m)?)?;
    m.add_function(wrap_pyfunction!(broadcast_to, m)?)?;
    Ok(())
}
