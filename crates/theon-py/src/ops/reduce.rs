//! Reductions: `reduce(kind, x, axis=None, keepdims=False)` for sum, prod,
//! max, min, all and any. `axis` is None (all axes), an int or a sequence.

use crate::errors::IntoPyResult;
use crate::operand::as_var;
use crate::site::at_caller;
use crate::variable::wrap;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use theon::ops::reduce::{try_reduce, Axis, ReduceKind};

fn reduce_kind(name: &str) -> PyResult<ReduceKind> {
    Ok(match name {
        "sum" => ReduceKind::Sum,
        "prod" => ReduceKind::Prod,
        "max" => ReduceKind::Max,
        "min" => ReduceKind::Min,
        "all" => ReduceKind::All,
        "any" => ReduceKind::Any,
        _ => {
            return Err(PyValueError::new_err(format!(
                "theon has no reduction named '{name}'"
            )))
        }
    })
}

/// A Python `axis` argument: None, an int, or a sequence of ints.
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

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(reduce, m)?)?;
    Ok(())
}
