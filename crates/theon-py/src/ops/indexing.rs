//! Indexing with NumPy semantics: `getitem(x, key)` (ints, slices with
//! symbolic bounds and negative steps, `None`, `...`, integer index arrays
//! and boolean masks), Theano's `set_subtensor(x[...], y)` /
//! `inc_subtensor(x[...], y)`, `take` and `nonzero`.

use crate::errors::IntoPyResult;
use crate::operand::as_var;
use crate::site::at_caller;
use crate::variable::{type_name, wrap, PyVar};
use pyo3::exceptions::{PyIndexError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyEllipsis, PySlice, PyTuple};
use theon::ops::indexing::{
    try_nonzero, try_take, try_update_subtensor, IncMode, IndexItem, IntArg,
};
use theon::ops::shape::try_flatten;
use theon::Var;

/// A slice bound or step: None, an int, or an integer scalar variable.
fn int_arg(obj: Bound<'_, PyAny>) -> PyResult<Option<IntArg>> {
    if obj.is_none() {
        return Ok(None);
    }
    if let Ok(v) = obj.cast::<PyVar>() {
        return Ok(Some(IntArg::Var(v.get().var.clone())));
    }
    obj.extract::<i64>()
        .map(|i| Some(IntArg::Const(i)))
        .map_err(|_| {
            PyIndexError::new_err(format!(
                "slice bounds are ints, None or integer scalar variables, got {}",
                type_name(&obj)
            ))
        })
}

/// One entry of an index tuple.
fn index_item(obj: &Bound<'_, PyAny>) -> PyResult<IndexItem> {
    if obj.is_none() {
        return Ok(IndexItem::NewAxis);
    }
    if obj.is_instance_of::<PyEllipsis>() {
        return Ok(IndexItem::Ellipsis);
    }
    if let Ok(s) = obj.cast::<PySlice>() {
        return Ok(IndexItem::slice(
            int_arg(s.getattr("start")?)?,
            int_arg(s.getattr("stop")?)?,
            int_arg(s.getattr("step")?)?,
        ));
    }
    if let Ok(v) = obj.cast::<PyVar>() {
        return Ok(IndexItem::Array(v.get().var.clone()));
    }
    if !obj.is_instance_of::<PyBool>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(IndexItem::Int(IntArg::Const(i)));
        }
    }
    Ok(IndexItem::Array(as_var(obj)?))
}

/// `x[key]`.
#[pyfunction]
fn getitem(py: Python<'_>, x: &Bound<'_, PyAny>, key: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let items = match key.cast::<PyTuple>() {
        Ok(t) => t
            .iter()
            .map(|i| index_item(&i))
            .collect::<PyResult<Vec<_>>>()?,
        Err(_) => vec![index_item(key)?],
    };
    let var = at_caller(py, || {
        theon::ops::indexing::try_index(&as_var(x)?, &items).py_result()
    })??;
    wrap(py, var)
}

/// `update_subtensor(sub, value, mode)`: Theano's `set_subtensor(x[...], y)`
/// (mode "set") and `inc_subtensor(x[...], y)` (mode "inc").
#[pyfunction]
fn update_subtensor(
    py: Python<'_>,
    sub: &Bound<'_, PyAny>,
    value: &Bound<'_, PyAny>,
    mode: &str,
) -> PyResult<Py<PyAny>> {
    let mode = match mode {
        "set" => IncMode::Set,
        "inc" => IncMode::Inc,
        _ => {
            return Err(PyValueError::new_err(format!(
                "mode is 'set' or 'inc', got '{mode}'"
            )))
        }
    };
    let value = crate::operand::operand(value)?;
    let var = at_caller(py, || {
        try_update_subtensor(&as_var(sub)?, value, mode).py_result()
    })??;
    wrap(py, var)
}

/// `take(x, indices, axis=None)`: None takes from the flattened array.
#[pyfunction]
#[pyo3(signature = (x, indices, axis=None))]
fn take(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    indices: &Bound<'_, PyAny>,
    axis: Option<i64>,
) -> PyResult<Py<PyAny>> {
    let var = at_caller(py, || -> PyResult<Var> {
        let (x, indices) = (as_var(x)?, as_var(indices)?);
        match axis {
            Some(axis) => try_take(&x, &indices, axis).py_result(),
            None => try_take(&try_flatten(&x, 1).py_result()?, &indices, 0).py_result(),
        }
    })??;
    wrap(py, var)
}

/// `nonzero(x)`: one int64 index vector per axis.
#[pyfunction]
fn nonzero(py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<Vec<Py<PyAny>>> {
    let vars = at_caller(py, || try_nonzero(&as_var(x)?).py_result())??;
    vars.into_iter().map(|v| wrap(py, v)).collect()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(getitem, m)?)?;
    m.add_function(wrap_pyfunction!(update_subtensor, m)?)?;
    m.add_function(wrap_pyfunction!(take, m)?)?;
    m.add_function(wrap_pyfunction!(nonzero, m)?)?;
    Ok(())
}
