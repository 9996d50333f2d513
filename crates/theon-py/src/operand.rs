//! Python values as graph operands. Python `bool`, `int` and `float` are
//! *weak* (NEP 50: they take the dtype of the variables they meet); NumPy
//! scalars, arrays and lists become constants of their own (strong) dtype.

use crate::dtypes::parse_dtype;
use crate::numpy_interop::to_tensor;
use crate::site::at_caller;
use crate::variable::{var_of, wrap, PyVar};
use pyo3::exceptions::{PyOverflowError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt};
use theon::dtype::WeakKind;
use theon::ops::{resolve_operands, Operand};
use theon::{Scalar, Var};

/// A Python value as an operand (weak literal or variable).
pub fn operand(obj: &Bound<'_, PyAny>) -> PyResult<Operand> {
    if let Ok(v) = obj.cast::<PyVar>() {
        return Ok(Operand::Var(v.get().var.clone()));
    }
    if obj.is_exact_instance_of::<PyBool>() {
        return Ok(Operand::Weak(Scalar::Bool(obj.extract()?), WeakKind::Bool));
    }
    if obj.is_exact_instance_of::<PyInt>() {
        let value = if let Ok(i) = obj.extract::<i64>() {
            Scalar::Int(i)
        } else if let Ok(u) = obj.extract::<u64>() {
            Scalar::UInt(u)
        } else {
            return Err(PyOverflowError::new_err(format!(
                "Python int {obj} does not fit in 64 bits"
            )));
        };
        return Ok(Operand::Weak(value, WeakKind::Int));
    }
    if obj.is_exact_instance_of::<PyFloat>() {
        return Ok(Operand::Weak(
            Scalar::Float(obj.extract()?),
            WeakKind::Float,
        ));
    }
    Ok(Operand::Var(constant_var(obj, None)?))
}

/// Operands to variables (weak literals typed by NEP 50 against the rest).
/// As in NumPy 2, a Python int that the chosen integer dtype cannot hold
/// raises `OverflowError` instead of wrapping.
pub fn operand_vars(objs: &[Bound<'_, PyAny>]) -> PyResult<Vec<Var>> {
    let operands = objs.iter().map(operand).collect::<PyResult<Vec<_>>>()?;
    let vars = resolve_operands(operands.clone());
    for (operand, var) in operands.iter().zip(&vars) {
        if let Operand::Weak(value, WeakKind::Int) = operand {
            check_int_fits(*value, var)?;
        }
    }
    Ok(vars)
}

fn check_int_fits(value: Scalar, var: &Var) -> PyResult<()> {
    let Some(stored) = var.constant_value().map(|t| t.item()) else {
        return Ok(());
    };
    let as_i128 = |s: Scalar| match s {
        Scalar::Int(i) => Some(i as i128),
        Scalar::UInt(u) => Some(u as i128),
        Scalar::Bool(b) => Some(b as i128),
        Scalar::Float(_) => None,
    };
    match (as_i128(value), as_i128(stored)) {
        (Some(a), Some(b)) if a != b => Err(PyOverflowError::new_err(format!(
            "Python integer {a} out of bounds for {}",
            var.dtype()
        ))),
        _ => Ok(()),
    }
}

/// A variable for any value: itself if it is one, else a constant.
pub fn as_var(obj: &Bound<'_, PyAny>) -> PyResult<Var> {
    match obj.cast::<PyVar>() {
        Ok(v) => Ok(v.get().var.clone()),
        Err(_) => constant_var(obj, None),
    }
}

/// A constant holding `obj` (NumPy's dtype for it; a Python float is
/// `floatX` as in Theano), optionally cast to `dtype`.
fn constant_var(obj: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<Var> {
    let mut value = to_tensor(obj)?;
    if let Some(d) = dtype.filter(|d| !d.is_none()) {
        value = value.cast(parse_dtype(d)?);
    } else if obj.is_exact_instance_of::<PyFloat>() {
        value = value.cast(theon::config::float_x());
    }
    Ok(Var::constant(value))
}

/// Theano's `constant(x, name=None, ndim=None, dtype=None)`.
#[pyfunction]
#[pyo3(signature = (x, name=None, ndim=None, dtype=None))]
pub fn constant(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    name: Option<String>,
    ndim: Option<usize>,
    dtype: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let var = at_caller(py, || constant_var(x, dtype))??;
    check_ndim(&var, ndim)?;
    if name.is_some() {
        var.set_name(name);
    }
    wrap(py, var)
}

/// Theano's `as_tensor_variable(x, name=None, ndim=None)`: a variable is
/// returned as it is, anything else becomes a constant.
#[pyfunction]
#[pyo3(signature = (x, name=None, ndim=None))]
pub fn as_tensor_variable(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    name: Option<String>,
    ndim: Option<usize>,
) -> PyResult<Py<PyAny>> {
    if x.cast::<PyVar>().is_ok() {
        let var = var_of(x)?;
        check_ndim(&var, ndim)?;
        return Ok(x.clone().unbind());
    }
    constant(py, x, name, ndim, None)
}

fn check_ndim(var: &Var, ndim: Option<usize>) -> PyResult<()> {
    match ndim {
        Some(n) if n != var.ndim() => Err(PyValueError::new_err(format!(
            "{} has {} dimensions, expected {n}",
            var.label(),
            var.ndim()
        ))),
        _ => Ok(()),
    }
}
