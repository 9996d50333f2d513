//! Creation ops: `alloc`, `full` (zeros/ones), `second`/`fill`,
//! `full_like` (zeros_like/ones_like), `arange`, `eye` and
//! `identity_like`. Sizes and bounds may be ints or symbolic scalars.

use super::args::{int_operand, shape_spec};
use crate::dtypes::parse_dtype;
use crate::errors::IntoPyResult;
use crate::operand::{as_var, operand, operand_vars};
use crate::site::at_caller;
use crate::variable::wrap;
use pyo3::prelude::*;
use theon::ops::creation::{try_alloc, try_arange, try_eye, try_full, try_second};
use theon::ops::shape::try_shape_i;
use theon::ops::Operand;
use theon::{DType, Error, Site, Tensor, Var};

fn optional_dtype(dtype: Option<&Bound<'_, PyAny>>) -> PyResult<Option<DType>> {
    dtype.filter(|d| !d.is_none()).map(parse_dtype).transpose()
}

/// `alloc(value, shape)`: a new array of `shape` filled with `value`.
#[pyfunction]
fn alloc(
    py: Python<'_>,
    value: &Bound<'_, PyAny>,
    shape: &Bound<'_, PyAny>,
) -> PyResult<Py<PyAny>> {
    let spec = shape_spec(shape, "alloc")?;
    let var = at_caller(py, || try_alloc(&as_var(value)?, spec).py_result())??;
    wrap(py, var)
}

/// `full(shape, value, dtype)`: an array of `shape` and `dtype` holding `value`.
#[pyfunction]
fn full(
    py: Python<'_>,
    shape: &Bound<'_, PyAny>,
    value: &Bound<'_, PyAny>,
    dtype: &Bound<'_, PyAny>,
) -> PyResult<Py<PyAny>> {
    let spec = shape_spec(shape, "full")?;
    let dtype = parse_dtype(dtype)?;
    let value = operand(value)?;
    let var = at_caller(py, || try_full(spec, value, dtype).py_result())??;
    wrap(py, var)
}

/// Theano's `second(a, b)` / `fill(a, b)`: `b` broadcast to the shape of
/// `a + b` (a Python scalar `b` takes `a`'s dtype).
#[pyfunction]
fn second(py: Python<'_>, a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let var = at_caller(py, || -> PyResult<Var> {
        let vars = operand_vars(&[a.clone(), b.clone()])?;
        try_second(&vars[0], &vars[1]).py_result()
    })??;
    wrap(py, var)
}

/// `full_like(model, value, dtype=None)`: `value` in `model`'s shape, of
/// `dtype` (default `model`'s).
#[pyfunction]
#[pyo3(signature = (model, value, dtype=None))]
fn full_like(
    py: Python<'_>,
    model: &Bound<'_, PyAny>,
    value: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let dtype = optional_dtype(dtype)?;
    let value = operand(value)?;
    let var = at_caller(py, || -> PyResult<Var> {
        let model = as_var(model)?;
        let dtype = dtype.unwrap_or(model.dtype());
        let value = match value {
            Operand::Var(v) if v.dtype() == dtype => v,
            Operand::Var(v) => theon::ops::elemwise::try_elemwise(
                theon::ops::elemwise::ScalarOp::Cast(dtype),
                vec![Operand::Var(v)],
            )
            .py_result()?,
            Operand::Weak(s, _) => Var::constant(Tensor::full(dtype, &[], s)),
        };
        try_second(&model, &value).py_result()
    })??;
    wrap(py, var)
}

/// NumPy's `arange(start, stop, step, dtype=None)` (bounds may be symbolic).
#[pyfunction]
#[pyo3(signature = (start, stop, step, dtype=None))]
fn arange(
    py: Python<'_>,
    start: &Bound<'_, PyAny>,
    stop: &Bound<'_, PyAny>,
    step: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let dtype = optional_dtype(dtype)?;
    let (start, stop, step) = (int_operand(start)?, int_operand(stop)?, int_operand(step)?);
    let var = at_caller(py, || try_arange(start, stop, step, dtype).py_result())??;
    wrap(py, var)
}

/// NumPy's `eye(n, m, k, dtype)`.
#[pyfunction]
fn eye(
    py: Python<'_>,
    n: &Bound<'_, PyAny>,
    m: &Bound<'_, PyAny>,
    k: &Bound<'_, PyAny>,
    dtype: &Bound<'_, PyAny>,
) -> PyResult<Py<PyAny>> {
    let dtype = parse_dtype(dtype)?;
    let (n, m, k) = (int_operand(n)?, int_operand(m)?, int_operand(k)?);
    let var = at_caller(py, || try_eye(n, m, k, dtype).py_result())??;
    wrap(py, var)
}

/// Theano's `identity_like(x)`: the identity of matrix `x`'s shape and dtype.
#[pyfunction]
fn identity_like(py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let var = at_caller(py, || -> PyResult<Var> {
        let x = as_var(x)?;
        if x.ndim() != 2 {
            let msg = format!("needs a matrix, got {} of type {}", x.label(), x.ty());
            return Err(Error::value("identity_like", msg).at(&Site::caller())).py_result();
        }
        let rows = try_shape_i(&x, 0).py_result()?;
        let cols = try_shape_i(&x, 1).py_result()?;
        try_eye(rows, cols, 0i64, x.dtype()).py_result()
    })??;
    wrap(py, var)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(alloc, m)?)?;
    m.add_function(wrap_pyfunction!(full, m)?)?;
    m.add_function(wrap_pyfunction!(second, m)?)?;
    m.add_function(wrap_pyfunction!(full_like, m)?)?;
    m.add_function(wrap_pyfunction!(arange, m)?)?;
    m.add_function(wrap_pyfunction!(eye, m)?)?;
    m.add_function(wrap_pyfunction!(identity_like, m)?)?;
    Ok(())
}
