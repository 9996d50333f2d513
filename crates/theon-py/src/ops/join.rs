//! Joining and rearranging: `concatenate`, `stack`, `split`, `tile`,
//! `repeat`, `flip` and `roll`.

use super::args::{int_operand, parse_axis, shape_spec, var_list};
use crate::errors::IntoPyResult;
use crate::operand::as_var;
use crate::site::at_caller;
use crate::variable::wrap;
use pyo3::prelude::*;
use theon::ops::shape::{
    try_concatenate, try_flip, try_repeat, try_roll, try_split, try_stack, try_tile,
};

/// `concatenate(tensors, axis=0)`: joins along an existing axis.
#[pyfunction]
#[pyo3(signature = (tensors, axis=0))]
fn concatenate(py: Python<'_>, tensors: &Bound<'_, PyAny>, axis: i64) -> PyResult<Py<PyAny>> {
    let var = at_caller(py, || {
        try_concatenate(&var_list(tensors)?, axis).py_result()
    })??;
    wrap(py, var)
}

/// `stack(tensors, axis=0)`: joins along a new axis.
#[pyfunction]
#[pyo3(signature = (tensors, axis=0))]
fn stack(py: Python<'_>, tensors: &Bound<'_, PyAny>, axis: i64) -> PyResult<Py<PyAny>> {
    let var = at_caller(py, || try_stack(&var_list(tensors)?, axis).py_result())??;
    wrap(py, var)
}

/// `split(x, sizes, axis=0)`: pieces of the given sizes (a list, or an
/// integer vector of static length).
#[pyfunction]
#[pyo3(signature = (x, sizes, axis=0))]
fn split(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    sizes: &Bound<'_, PyAny>,
    axis: i64,
) -> PyResult<Vec<Py<PyAny>>> {
    let spec = shape_spec(sizes, "split")?;
    let vars = at_caller(py, || try_split(&as_var(x)?, spec, axis).py_result())??;
    vars.into_iter().map(|v| wrap(py, v)).collect()
}

/// `tile(x, reps)`: NumPy's tiling.
#[pyfunction]
fn tile(py: Python<'_>, x: &Bound<'_, PyAny>, reps: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let spec = shape_spec(reps, "tile")?;
    let var = at_caller(py, || try_tile(&as_var(x)?, spec).py_result())??;
    wrap(py, var)
}

/// `repeat(x, repeats, axis=None)`: each element `repeats` times (an int,
/// a scalar, or one count per element along `axis`); None flattens first.
#[pyfunction]
#[pyo3(signature = (x, repeats, axis=None))]
fn repeat(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    repeats: &Bound<'_, PyAny>,
    axis: Option<i64>,
) -> PyResult<Py<PyAny>> {
    let repeats = int_operand(repeats)?;
    let var = at_caller(py, || try_repeat(&as_var(x)?, repeats, axis).py_result())??;
    wrap(py, var)
}

/// `flip(x, axis=None)`: reverses the given axes (all when None).
#[pyfunction]
#[pyo3(signature = (x, axis=None))]
fn flip(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let axis = parse_axis(axis)?;
    let var = at_caller(py, || try_flip(&as_var(x)?, axis).py_result())??;
    wrap(py, var)
}

/// `roll(x, shift, axis=None)`: rotates elements (the flattened array when
/// `axis` is None); `shift` may be symbolic.
#[pyfunction]
#[pyo3(signature = (x, shift, axis=None))]
fn roll(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    shift: &Bound<'_, PyAny>,
    axis: Option<i64>,
) -> PyResult<Py<PyAny>> {
    let shift = int_operand(shift)?;
    let var = at_caller(py, || try_roll(&as_var(x)?, shift, axis).py_result())??;
    wrap(py, var)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(concatenate, m)?)?;
    m.add_function(wrap_pyfunction!(stack, m)?)?;
    m.add_function(wrap_pyfunction!(split, m)?)?;
    m.add_function(wrap_pyfunction!(tile, m)?)?;
    m.add_function(wrap_pyfunction!(repeat, m)?)?;
    m.add_function(wrap_pyfunction!(flip, m)?)?;
    m.add_function(wrap_pyfunction!(roll, m)?)?;
    Ok(())
}
