//! Argument conversions shared by the op bindings: shapes (a sequence of
//! ints and integer scalar variables, or an integer vector variable), axes,
//! and integer operands.

use crate::operand::{as_var, operand};
use crate::variable::PyVar;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use theon::ops::reduce::Axis;
use theon::ops::shape::{Dim, IntoShape, ShapeArg};
use theon::ops::Operand;
use theon::Var;

/// A shape as Python gives it: `(2, n, -1)` (ints and integer scalar
/// variables, e.g. `x.shape[0]`) or an integer vector variable (`y.shape`).
pub enum ShapeSpec {
    Vector(Var),
    Dims(Vec<Dim>),
}

impl IntoShape for ShapeSpec {
    fn into_shape(self, op: &str) -> theon::Result<ShapeArg> {
        match self {
            ShapeSpec::Vector(v) => v.into_shape(op),
            ShapeSpec::Dims(d) => d.into_shape(op),
        }
    }
}

fn dim(item: &Bound<'_, PyAny>, op: &str) -> PyResult<Dim> {
    if let Ok(v) = item.cast::<PyVar>() {
        return Ok(Dim::Var(v.get().var.clone()));
    }
    item.extract::<i64>().map(Dim::Const).map_err(|_| {
        PyTypeError::new_err(format!(
            "{op}: shape entries are ints or integer scalar variables, got {}",
            crate::variable::type_name(item)
        ))
    })
}

/// Parses a shape argument; a lone int or scalar variable is a 1-d shape.
pub fn shape_spec(obj: &Bound<'_, PyAny>, op: &str) -> PyResult<ShapeSpec> {
    if let Ok(v) = obj.cast::<PyVar>() {
        let var = v.get().var.clone();
        return Ok(if var.ndim() == 0 {
            ShapeSpec::Dims(vec![Dim::Var(var)])
        } else {
            ShapeSpec::Vector(var)
        });
    }
    if let Ok(i) = obj.extract::<i64>() {
        return Ok(ShapeSpec::Dims(vec![Dim::Const(i)]));
    }
    if obj.hasattr("__array_interface__")? {
        return Ok(ShapeSpec::Vector(as_var(obj)?));
    }
    let items: Vec<Bound<'_, PyAny>> = obj
        .try_iter()
        .map_err(|_| {
            PyTypeError::new_err(format!(
                "{op}: a shape is a sequence of ints/integer scalars or an integer vector, got {}",
                crate::variable::type_name(obj)
            ))
        })?
        .collect::<PyResult<_>>()?;
    Ok(ShapeSpec::Dims(
        items.iter().map(|i| dim(i, op)).collect::<PyResult<_>>()?,
    ))
}

/// A Python `axis` argument: None (all axes), an int, or a sequence of ints.
pub fn parse_axis(axis: Option<&Bound<'_, PyAny>>) -> PyResult<Axis> {
    match axis {
        None => Ok(Axis::All),
        Some(a) if a.is_none() => Ok(Axis::All),
        Some(a) => match a.extract::<i64>() {
            Ok(i) => Ok(Axis::Some(vec![i])),
            Err(_) => Ok(Axis::Some(a.extract::<Vec<i64>>()?)),
        },
    }
}

/// An operand (a weak Python scalar or a variable) for integer arguments
/// such as shifts, repeats and bounds.
pub fn int_operand(obj: &Bound<'_, PyAny>) -> PyResult<Operand> {
    operand(obj)
}

/// Variables from a Python sequence of variables or values.
pub fn var_list(objs: &Bound<'_, PyAny>) -> PyResult<Vec<Var>> {
    objs.try_iter()?
        .map(|o| as_var(&o?))
        .collect::<PyResult<Vec<_>>>()
}

/// Runs an engine builder that reports bad arguments by panicking (the
/// engine's composite helpers have no `try_` form) and turns the panic
/// into a `ValueError` carrying the engine's message.
pub fn guarded<R>(build: impl FnOnce() -> R) -> PyResult<R> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(build)).map_err(|payload| {
        let message = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "invalid arguments".into());
        pyo3::exceptions::PyValueError::new_err(message)
    })
}
