//! `theon.tensor.extra_ops`: sorting and searching, counting, `diff`,
//! one-hot, diagonals and triangles, index conversion, `isclose`, `ptp`,
//! `choose` and one-argument `where`. Theano's argument handling (defaults,
//! `sorter`, `keepdims`) lives in `python/theon/tensor/extra_ops.py`.

use super::args::{guarded, parse_axis, var_list};
use crate::dtypes::parse_dtype;
use crate::errors::IntoPyResult;
use crate::operand::as_var;
use crate::site::at_caller;
use crate::variable::wrap;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use theon::ops::extra;
use theon::Var;

/// Wraps several variables as a Python list.
fn wrap_all(py: Python<'_>, vars: Vec<Var>) -> PyResult<Vec<Py<PyAny>>> {
    vars.into_iter().map(|v| wrap(py, v)).collect()
}

/// `sort(x, axis, indices)`: the sorted values, or (`indices`) argsort's
/// int64 positions; `axis=None` sorts the flattened array.
#[pyfunction]
#[pyo3(signature = (x, axis, indices=false))]
fn sort(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    axis: Option<i64>,
    indices: bool,
) -> PyResult<Py<PyAny>> {
    let kind = match indices {
        true => extra::SortKind::Indices,
        false => extra::SortKind::Values,
    };
    let var = at_caller(py, || extra::try_sort(&as_var(x)?, kind, axis).py_result())??;
    wrap(py, var)
}

/// `searchsorted(a, v, side)` with `side` "left" or "right".
#[pyfunction]
fn searchsorted(
    py: Python<'_>,
    a: &Bound<'_, PyAny>,
    v: &Bound<'_, PyAny>,
    side: &str,
) -> PyResult<Py<PyAny>> {
    let side = match side {
        "left" => extra::Side::Left,
        "right" => extra::Side::Right,
        _ => {
            return Err(PyValueError::new_err(format!(
                "searchsorted: side must be 'left' or 'right', got '{side}'"
            )))
        }
    };
    let var = at_caller(py, || {
        extra::try_searchsorted(&as_var(a)?, &as_var(v)?, side).py_result()
    })??;
    wrap(py, var)
}

/// `unique(x, return_index, return_inverse, return_counts)`: the sorted
/// unique values of the flattened array, then the requested int64 outputs.
#[pyfunction]
fn unique(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    return_index: bool,
    return_inverse: bool,
    return_counts: bool,
) -> PyResult<Vec<Py<PyAny>>> {
    let vars = at_caller(py, || -> PyResult<Vec<Var>> {
        let x = as_var(x)?;
        guarded(|| extra::unique(&x, return_index, return_inverse, return_counts))
    })??;
    wrap_all(py, vars)
}

/// `bincount(x, weights, minlength)`.
#[pyfunction]
#[pyo3(signature = (x, weights=None, minlength=0))]
fn bincount(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    weights: Option<&Bound<'_, PyAny>>,
    minlength: usize,
) -> PyResult<Py<PyAny>> {
    let var = at_caller(py, || -> PyResult<Var> {
        let weights = weights.map(as_var).transpose()?;
        extra::try_bincount(&as_var(x)?, weights.as_ref(), minlength).py_result()
    })??;
    wrap(py, var)
}

/// `diff(x, n, axis)`.
#[pyfunction]
fn diff(py: Python<'_>, x: &Bound<'_, PyAny>, n: usize, axis: i64) -> PyResult<Py<PyAny>> {
    let var = at_caller(py, || extra::try_diff(&as_var(x)?, n, axis).py_result())??;
    wrap(py, var)
}

/// `to_one_hot(y, nb_class, dtype)`.
#[pyfunction]
fn to_one_hot(
    py: Python<'_>,
    y: &Bound<'_, PyAny>,
    nb_class: usize,
    dtype: &Bound<'_, PyAny>,
) -> PyResult<Py<PyAny>> {
    let dtype = parse_dtype(dtype)?;
    let var = at_caller(py, || {
        extra::try_to_one_hot(&as_var(y)?, nb_class, dtype).py_result()
    })??;
    wrap(py, var)
}

/// `fill_diagonal(a, value, offset)`.
#[pyfunction]
fn fill_diagonal(
    py: Python<'_>,
    a: &Bound<'_, PyAny>,
    value: &Bound<'_, PyAny>,
    offset: i64,
) -> PyResult<Py<PyAny>> {
    let var = at_caller(py, || {
        extra::try_fill_diagonal(&as_var(a)?, &as_var(value)?, offset).py_result()
    })??;
    wrap(py, var)
}

/// `diag(x, k)`: the k-th diagonal of a matrix, or a matrix from a vector.
#[pyfunction]
fn diag(py: Python<'_>, x: &Bound<'_, PyAny>, k: i64) -> PyResult<Py<PyAny>> {
    let var = at_caller(py, || extra::try_diag(&as_var(x)?, k).py_result())??;
    wrap(py, var)
}

/// `diagonal(x, offset, axis1, axis2)`, or its sum with `summed` (trace).
#[pyfunction]
fn diagonal(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    offset: i64,
    axis1: i64,
    axis2: i64,
    summed: bool,
) -> PyResult<Py<PyAny>> {
    let var = at_caller(py, || {
        let x = as_var(x)?;
        match summed {
            true => extra::try_trace(&x, offset, axis1, axis2),
            false => extra::try_diagonal(&x, offset, axis1, axis2),
        }
        .py_result()
    })??;
    wrap(py, var)
}

/// `tri(x, k, upper)`: `tril` (`upper=False`) or `triu`.
#[pyfunction]
fn tri(py: Python<'_>, x: &Bound<'_, PyAny>, k: i64, upper: bool) -> PyResult<Py<PyAny>> {
    let var = at_caller(py, || -> PyResult<Var> {
        let x = as_var(x)?;
        guarded(|| match upper {
            true => extra::triu(&x, k),
            false => extra::tril(&x, k),
        })
    })??;
    wrap(py, var)
}

/// `ravel_multi_index(multi_index, dims)` (mode 'raise', C order).
#[pyfunction]
fn ravel_multi_index(
    py: Python<'_>,
    multi_index: &Bound<'_, PyAny>,
    dims: Vec<usize>,
) -> PyResult<Py<PyAny>> {
    let var = at_caller(py, || {
        extra::try_ravel_multi_index(&var_list(multi_index)?, &dims).py_result()
    })??;
    wrap(py, var)
}

/// `unravel_index(indices, dims)` (C order): one int64 array per dim.
#[pyfunction]
fn unravel_index(
    py: Python<'_>,
    indices: &Bound<'_, PyAny>,
    dims: Vec<usize>,
) -> PyResult<Vec<Py<PyAny>>> {
    let vars = at_caller(py, || {
        extra::try_unravel_index(&as_var(indices)?, &dims).py_result()
    })??;
    wrap_all(py, vars)
}

/// `isclose(a, b, rtol, atol, equal_nan)`, or `allclose` with `all`.
#[pyfunction]
fn isclose(
    py: Python<'_>,
    a: &Bound<'_, PyAny>,
    b: &Bound<'_, PyAny>,
    rtol: f64,
    atol: f64,
    equal_nan: bool,
    all: bool,
) -> PyResult<Py<PyAny>> {
    let var = at_caller(py, || -> PyResult<Var> {
        let close =
            extra::try_isclose(&as_var(a)?, &as_var(b)?, rtol, atol, equal_nan).py_result()?;
        match all {
            true => theon::ops::reduce::try_reduce(
                &close,
                theon::ops::reduce::ReduceKind::All,
                theon::ops::reduce::Axis::All,
                false,
            )
            .py_result(),
            false => Ok(close),
        }
    })??;
    wrap(py, var)
}

/// `ptp(x, axis=None, keepdims=False)`.
#[pyfunction]
#[pyo3(signature = (x, axis=None, keepdims=false))]
fn ptp(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
    keepdims: bool,
) -> PyResult<Py<PyAny>> {
    let axis = parse_axis(axis)?;
    let var = at_caller(py, || {
        extra::try_ptp(&as_var(x)?, axis, keepdims).py_result()
    })??;
    wrap(py, var)
}

/// `choose(a, choices, mode)` with `mode` "raise", "wrap" or "clip".
#[pyfunction]
fn choose(
    py: Python<'_>,
    a: &Bound<'_, PyAny>,
    choices: &Bound<'_, PyAny>,
    mode: &str,
) -> PyResult<Py<PyAny>> {
    let mode = match mode {
        "raise" => extra::ChooseMode::Raise,
        "wrap" => extra::ChooseMode::Wrap,
        "clip" => extra::ChooseMode::Clip,
        _ => {
            return Err(PyValueError::new_err(format!(
                "choose: mode must be 'raise', 'wrap' or 'clip', got '{mode}'"
            )))
        }
    };
    let var = at_caller(py, || {
        extra::try_choose(&as_var(a)?, &var_list(choices)?, mode).py_result()
    })??;
    wrap(py, var)
}

/// `nonzero_tuple(x)`: one int64 vector of coordinates per axis.
#[pyfunction]
fn nonzero_tuple(py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<Vec<Py<PyAny>>> {
    let vars = at_caller(py, || extra::try_nonzero_tuple(&as_var(x)?).py_result())??;
    wrap_all(py, vars)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(sort, m)?)?;
    m.add_function(wrap_pyfunction!(searchsorted, m)?)?;
    m.add_function(wrap_pyfunction!(unique, m)?)?;
    m.add_function(wrap_pyfunction!(bincount, m)?)?;
    m.add_function(wrap_pyfunction!(diff, m)?)?;
    m.add_function(wrap_pyfunction!(to_one_hot, m)?)?;
    m.add_function(wrap_pyfunction!(fill_diagonal, m)?)?;
    m.add_function(wrap_pyfunction!(diag, m)?)?;
    m.add_function(wrap_pyfunction!(diagonal, m)?)?;
    m.add_function(wrap_pyfunction!(tri, m)?)?;
    m.add_function(wrap_pyfunction!(ravel_multi_index, m)?)?;
    m.add_function(wrap_pyfunction!(unravel_index, m)?)?;
    m.add_function(wrap_pyfunction!(isclose, m)?)?;
    m.add_function(wrap_pyfunction!(ptp, m)?)?;
    m.add_function(wrap_pyfunction!(choose, m)?)?;
    m.add_function(wrap_pyfunction!(nonzero_tuple, m)?)?;
    Ok(())
}
