//! Shape and layout ops: `dimshuffle(x, pattern)` (ints and `'x'`) and
//! `transpose(x, axes=None)`.

use crate::errors::IntoPyResult;
use crate::operand::as_var;
use crate::site::at_caller;
use crate::variable::wrap;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use theon::ops::shape::try_dimshuffle;
use theon::Var;

/// A Theano dimshuffle pattern entry: an input axis, or `'x'` for a new
/// broadcastable axis.
fn pattern_entry(item: &Bound<'_, PyAny>) -> PyResult<Option<usize>> {
    if let Ok(s) = item.extract::<String>() {
        return if s == "x" {
            Ok(None)
        } else {
            Err(PyValueError::new_err(format!(
                "dimshuffle: pattern entries are axes or 'x', got '{s}'"
            )))
        };
    }
    let axis: i64 = item
        .extract()
        .map_err(|_| PyTypeError::new_err("dimshuffle: pattern entries are axes (ints) or 'x'"))?;
    usize::try_from(axis).map(Some).map_err(|_| {
        PyValueError::new_err(format!(
            "dimshuffle: axis {axis} is negative; the pattern takes axes counted from 0"
        ))
    })
}

#[pyfunction]
fn dimshuffle(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    pattern: Vec<Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let pattern = pattern
        .iter()
        .map(pattern_entry)
        .collect::<PyResult<Vec<_>>>()?;
    let var = at_caller(py, || try_dimshuffle(&as_var(x)?, &pattern).py_result())??;
    wrap(py, var)
}

/// Permutes axes (`axes=None` reverses them); negative axes count from the end.
#[pyfunction]
#[pyo3(signature = (x, axes=None))]
fn transpose(py: Python<'_>, x: &Bound<'_, PyAny>, axes: Option<Vec<i64>>) -> PyResult<Py<PyAny>> {
    let var = at_caller(py, || -> PyResult<Var> {
        let x = as_var(x)?;
        let ndim = x.ndim();
        let pattern = match axes {
            None => (0..ndim).rev().map(Some).collect(),
            Some(axes) => axes
                .iter()
                .map(|&a| theon::error::normalize_axis("transpose", a, ndim).map(Some))
                .collect::<theon::Result<Vec<_>>>()
                .py_result()?,
        };
        if pattern.len() != ndim {
            return Err(PyValueError::new_err(format!(
                "transpose: axes {pattern:?} do not match an input of rank {ndim}"
            )));
        }
        try_dimshuffle(&x, &pattern).py_result()
    })??;
    wrap(py, var)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(dimshuffle, m)?)?;
    m.add_function(wrap_pyfunction!(transpose, m)?)?;
    Ok(())
}
