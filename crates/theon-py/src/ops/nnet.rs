//! `theon.tensor.nnet`: `softmax`/`log_softmax` (stable, dedicated ops),
//! the activations (`relu`, `elu`, `selu`, `softsign`, `hard_sigmoid`,
//! `ultra_fast_sigmoid`) and the cross-entropies.

use super::args::guarded;
use crate::errors::IntoPyResult;
use crate::operand::as_var;
use crate::site::at_caller;
use crate::variable::wrap;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use theon::ops::nnet;
use theon::Var;

/// `softmax(x, axis=-1)`.
#[pyfunction]
#[pyo3(signature = (x, axis=-1))]
fn softmax(py: Python<'_>, x: &Bound<'_, PyAny>, axis: i64) -> PyResult<Py<PyAny>> {
    let var = at_caller(py, || nnet::try_softmax(&as_var(x)?, axis).py_result())??;
    wrap(py, var)
}

/// `log_softmax(x, axis=-1)`.
#[pyfunction]
#[pyo3(signature = (x, axis=-1))]
fn log_softmax(py: Python<'_>, x: &Bound<'_, PyAny>, axis: i64) -> PyResult<Py<PyAny>> {
    let var = at_caller(py, || nnet::try_log_softmax(&as_var(x)?, axis).py_result())??;
    wrap(py, var)
}

/// A float variable (activations are defined on reals only).
fn float_input(x: &Bound<'_, PyAny>, op: &str) -> PyResult<Var> {
    let var = as_var(x)?;
    if !var.dtype().is_float() {
        return Err(PyTypeError::new_err(format!(
            "{op}: expects a float input, got {} of type {}\n  created at {}",
            var.label(),
            var.ty(),
            var.site()
        )));
    }
    Ok(var)
}

/// `activation(name, x, alpha)`: relu (leaky with alpha != 0), elu, selu,
/// softsign, hard_sigmoid, ultra_fast_sigmoid.
#[pyfunction]
#[pyo3(signature = (name, x, alpha=0.0))]
fn activation(py: Python<'_>, name: &str, x: &Bound<'_, PyAny>, alpha: f64) -> PyResult<Py<PyAny>> {
    let build: fn(&Var, f64) -> Var = match name {
        "relu" => nnet::relu,
        "elu" => nnet::elu,
        "selu" => |x, _| nnet::selu(x),
        "softsign" => |x, _| nnet::softsign(x),
        "hard_sigmoid" => |x, _| nnet::hard_sigmoid(x),
        "ultra_fast_sigmoid" => |x, _| nnet::ultra_fast_sigmoid(x),
        _ => {
            return Err(PyValueError::new_err(format!(
                "theon has no activation named '{name}'"
            )))
        }
    };
    let var = at_caller(py, || -> PyResult<Var> {
        let x = float_input(x, name)?;
        guarded(|| build(&x, alpha))
    })??;
    wrap(py, var)
}

/// `categorical_crossentropy(coding_dist, true_dist)`: integer labels or
/// a distribution per row.
#[pyfunction]
fn categorical_crossentropy(
    py: Python<'_>,
    coding_dist: &Bound<'_, PyAny>,
    true_dist: &Bound<'_, PyAny>,
) -> PyResult<Py<PyAny>> {
    let var = at_caller(py, || -> PyResult<Var> {
        let coding = float_input(coding_dist, "categorical_crossentropy")?;
        nnet::try_categorical_crossentropy(&coding, &as_var(true_dist)?).py_result()
    })??;
    wrap(py, var)
}

/// `binary_crossentropy(output, target)` (probabilities) or
/// `sigmoid_binary_crossentropy(logits, target)`, elementwise.
#[pyfunction]
fn crossentropy(
    py: Python<'_>,
    name: &str,
    output: &Bound<'_, PyAny>,
    target: &Bound<'_, PyAny>,
) -> PyResult<Py<PyAny>> {
    let build: fn(&Var, &Var) -> Var = match name {
        "binary_crossentropy" => nnet::binary_crossentropy,
        "sigmoid_binary_crossentropy" => nnet::sigmoid_binary_crossentropy,
        _ => {
            return Err(PyValueError::new_err(format!(
                "theon has no cross-entropy named '{name}'"
            )))
        }
    };
    let var = at_caller(py, || -> PyResult<Var> {
        let output = float_input(output, name)?;
        let target = as_var(target)?;
        guarded(|| build(&output, &target))
    })??;
    wrap(py, var)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(softmax, m)?)?;
    m.add_function(wrap_pyfunction!(log_softmax, m)?)?;
    m.add_function(wrap_pyfunction!(activation, m)?)?;
    m.add_function(wrap_pyfunction!(categorical_crossentropy, m)?)?;
    m.add_function(wrap_pyfunction!(crossentropy, m)?)?;
    Ok(())
}
