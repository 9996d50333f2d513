//! Shared variables: `shared(value, name=None, borrow=False)` and their
//! `get_value` / `set_value`. New values are converted with Theano's rules
//! (see `casting`) and must keep the variable's dtype and rank.
//!
//! `borrow=True` is accepted but still copies: aliasing a NumPy array needs
//! zero-copy tensors (see `numpy_interop`), which are left to do.

use crate::casting::{filter_value, Destination};
use crate::errors::IntoPyResult;
use crate::numpy_interop::{tensor_to_numpy, to_tensor};
use crate::site::at_caller;
use crate::variable::{var_of, wrap};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use theon::{SharedVar, TensorType};

fn shared_of(obj: &Bound<'_, PyAny>) -> PyResult<SharedVar> {
    let var = var_of(obj)?;
    var.as_shared()
        .ok_or_else(|| PyTypeError::new_err(format!("{} is not a shared variable", var.label())))
}

/// Theano's `shared(value, name=None, borrow=False, broadcastable=None)`:
/// storage holding a copy of `value`, with its dtype and rank; dims are
/// unknown (so `set_value` may change the shape) unless `broadcastable`
/// marks some as static 1.
#[pyfunction]
#[pyo3(signature = (value, name=None, borrow=false, broadcastable=None))]
fn shared(
    py: Python<'_>,
    value: &Bound<'_, PyAny>,
    name: Option<String>,
    borrow: bool,
    broadcastable: Option<Vec<bool>>,
) -> PyResult<Py<PyAny>> {
    let _ = borrow;
    let value = to_tensor(value)?;
    let ty = match broadcastable {
        None => TensorType::unknown(value.dtype(), value.ndim()),
        Some(b) => {
            let ty = TensorType::from_broadcastable(value.dtype(), &b);
            let label = name.clone().unwrap_or_else(|| "shared".into());
            ty.check_value(&value, "shared", &label).py_result()?;
            ty
        }
    };
    let name = name.unwrap_or_default();
    let shared = at_caller(py, || SharedVar::with_type(value, ty, &name))?;
    wrap(py, shared.var())
}

/// The value of a shared variable as a new NumPy array.
#[pyfunction]
#[pyo3(signature = (var, borrow=false))]
fn shared_get_value<'py>(
    py: Python<'py>,
    var: &Bound<'py, PyAny>,
    borrow: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let _ = borrow;
    Ok(tensor_to_numpy(py, &shared_of(var)?.get_value()))
}

/// Replaces the value of a shared variable (converted like a function input).
#[pyfunction]
#[pyo3(signature = (var, value, borrow=false))]
fn shared_set_value(
    var: &Bound<'_, PyAny>,
    value: &Bound<'_, PyAny>,
    borrow: bool,
) -> PyResult<()> {
    let _ = borrow;
    let shared = shared_of(var)?;
    let label = shared.name().unwrap_or_else(|| "shared".into());
    let var = shared.var();
    let dest = Destination {
        function: "set_value",
        input: &label,
        ty: shared.ty(),
        site: Some(var.site()),
    };
    let value = filter_value(value, &dest, None)?;
    shared
        .set_value(value)
        .map_err(|e| e.at(var.site()))
        .py_result()
}

/// Theano's `shared.default_update`: the variable's new value after each
/// call of a function that reads it (unless `no_default_updates`), or None.
#[pyfunction]
fn shared_default_update(py: Python<'_>, var: &Bound<'_, PyAny>) -> PyResult<Option<Py<PyAny>>> {
    shared_of(var)?
        .default_update()
        .map(|update| wrap(py, update))
        .transpose()
}

/// Sets (or, with None, clears) a shared variable's `default_update`; the
/// update must have the variable's dtype and rank.
#[pyfunction]
fn shared_set_default_update(
    var: &Bound<'_, PyAny>,
    update: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    let shared = shared_of(var)?;
    let update = update.map(var_of).transpose()?;
    shared.set_default_update(update).py_result()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(shared_default_update, m)?)?;
    m.add_function(wrap_pyfunction!(shared_set_default_update, m)?)?;
    m.add_function(wrap_pyfunction!(shared, m)?)?;
    m.add_function(wrap_pyfunction!(shared_get_value, m)?)?;
    m.add_function(wrap_pyfunction!(shared_set_value, m)?)?;
    Ok(())
}
