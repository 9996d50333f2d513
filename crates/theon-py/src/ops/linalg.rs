//! `theon.tensor.nlinalg` and `theon.tensor.slinalg`: inverses,
//! determinants, factorizations, eigendecompositions, linear systems,
//! `norm`, `kron` and `expm`. Theano's and SciPy's argument spellings
//! (`UPLO`, `assume_a`, `mode`) are translated in the Python modules.

use super::args::guarded;
use crate::errors::IntoPyResult;
use crate::operand::as_var;
use crate::site::at_caller;
use crate::variable::wrap;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use theon::ops::linalg;
use theon::Var;

fn wrap_all(py: Python<'_>, vars: Vec<Var>) -> PyResult<Vec<Py<PyAny>>> {
    vars.into_iter().map(|v| wrap(py, v)).collect()
}

/// Builds a one-input linalg node at the caller's line.
fn unary(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    build: impl FnOnce(&Var) -> Var,
) -> PyResult<Py<PyAny>> {
    let var = at_caller(py, || -> PyResult<Var> {
        let x = as_var(x)?;
        guarded(|| build(&x))
    })??;
    wrap(py, var)
}

/// Builds a several-output linalg node at the caller's line.
fn unary_many(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    build: impl FnOnce(&Var) -> Vec<Var>,
) -> PyResult<Vec<Py<PyAny>>> {
    let vars = at_caller(py, || -> PyResult<Vec<Var>> {
        let x = as_var(x)?;
        guarded(|| build(&x))
    })??;
    wrap_all(py, vars)
}

#[pyfunction]
fn matrix_inverse(py: Python<'_>, a: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    unary(py, a, linalg::matrix_inverse)
}

#[pyfunction]
fn pinv(py: Python<'_>, a: &Bound<'_, PyAny>, rcond: f64) -> PyResult<Py<PyAny>> {
    unary(py, a, |a| linalg::pinv(a, rcond))
}

#[pyfunction]
fn matrix_power(py: Python<'_>, a: &Bound<'_, PyAny>, n: i64) -> PyResult<Py<PyAny>> {
    unary(py, a, |a| linalg::matrix_power(a, n))
}

#[pyfunction]
fn det(py: Python<'_>, a: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    unary(py, a, linalg::det)
}

/// `[sign, logabsdet]`.
#[pyfunction]
fn slogdet(py: Python<'_>, a: &Bound<'_, PyAny>) -> PyResult<Vec<Py<PyAny>>> {
    unary_many(py, a, |a| {
        let (sign, log) = linalg::slogdet(a);
        vec![sign, log]
    })
}

#[pyfunction]
fn cholesky(py: Python<'_>, a: &Bound<'_, PyAny>, lower: bool) -> PyResult<Py<PyAny>> {
    unary(py, a, |a| linalg::cholesky(a, lower))
}

/// `qr(a, mode)` with NumPy's modes "reduced", "complete", "r".
#[pyfunction]
fn qr(py: Python<'_>, a: &Bound<'_, PyAny>, mode: &str) -> PyResult<Vec<Py<PyAny>>> {
    let mode = match mode {
        "reduced" => linalg::QrMode::Reduced,
        "complete" => linalg::QrMode::Complete,
        "r" => linalg::QrMode::R,
        _ => {
            return Err(PyValueError::new_err(format!(
                "qr: mode must be 'reduced', 'complete' or 'r', got '{mode}'"
            )))
        }
    };
    unary_many(py, a, |a| linalg::qr(a, mode))
}

/// `[u, s, vh]`, or `[s]` without `compute_uv`.
#[pyfunction]
fn svd(
    py: Python<'_>,
    a: &Bound<'_, PyAny>,
    full_matrices: bool,
    compute_uv: bool,
) -> PyResult<Vec<Py<PyAny>>> {
    unary_many(py, a, |a| linalg::svd(a, full_matrices, compute_uv))
}

/// `[w, v]` (`vectors`) or `[w]`, reading the `lower` or upper triangle.
#[pyfunction]
fn eigh(
    py: Python<'_>,
    a: &Bound<'_, PyAny>,
    lower: bool,
    vectors: bool,
) -> PyResult<Vec<Py<PyAny>>> {
    unary_many(py, a, |a| match vectors {
        true => {
            let (w, v) = linalg::eigh(a, lower);
            vec![w, v]
        }
        false => vec![linalg::eigvalsh(a, lower)],
    })
}

/// `[w, v]` of a general matrix with a real spectrum.
#[pyfunction]
fn eig(py: Python<'_>, a: &Bound<'_, PyAny>) -> PyResult<Vec<Py<PyAny>>> {
    unary_many(py, a, |a| {
        let (w, v) = linalg::eig(a);
        vec![w, v]
    })
}

/// `solve(a, b, structure, lower)` with `structure` "general",
/// "symmetric", "positive_definite" or "triangular".
#[pyfunction]
fn solve(
    py: Python<'_>,
    a: &Bound<'_, PyAny>,
    b: &Bound<'_, PyAny>,
    structure: &str,
    lower: bool,
) -> PyResult<Py<PyAny>> {
    let structure = match structure {
        "general" => linalg::Structure::General,
        "symmetric" => linalg::Structure::Symmetric,
        "positive_definite" => linalg::Structure::PositiveDefinite,
        "triangular" => linalg::Structure::Triangular,
        _ => {
            return Err(PyValueError::new_err(format!(
                "solve: unknown structure '{structure}'"
            )))
        }
    };
    let var = at_caller(py, || {
        linalg::try_solve(&as_var(a)?, &as_var(b)?, structure, lower).py_result()
    })??;
    wrap(py, var)
}

/// `[x, residuals, rank, s]`.
#[pyfunction]
#[pyo3(signature = (a, b, rcond=None))]
fn lstsq(
    py: Python<'_>,
    a: &Bound<'_, PyAny>,
    b: &Bound<'_, PyAny>,
    rcond: Option<f64>,
) -> PyResult<Vec<Py<PyAny>>> {
    let vars = at_caller(py, || -> PyResult<Vec<Var>> {
        let (a, b) = (as_var(a)?, as_var(b)?);
        guarded(|| linalg::lstsq(&a, &b, rcond))
    })??;
    wrap_all(py, vars)
}

/// NumPy's `ord`: None, "fro", "nuc", ±inf or a number.
fn norm_ord(ord: Option<&Bound<'_, PyAny>>) -> PyResult<linalg::NormOrd> {
    let Some(ord) = ord.filter(|o| !o.is_none()) else {
        return Ok(linalg::NormOrd::Default);
    };
    if let Ok(name) = ord.extract::<String>() {
        return match name.as_str() {
            "fro" => Ok(linalg::NormOrd::Fro),
            "nuc" => Ok(linalg::NormOrd::Nuc),
            _ => Err(PyValueError::new_err(format!("norm: invalid ord '{name}'"))),
        };
    }
    let p: f64 = ord.extract()?;
    Ok(match p {
        f64::INFINITY => linalg::NormOrd::Inf,
        f64::NEG_INFINITY => linalg::NormOrd::NegInf,
        p => linalg::NormOrd::p(p),
    })
}

/// `norm(x, ord=None, axis=None, keepdims=False)`.
#[pyfunction]
#[pyo3(signature = (x, ord=None, axis=None, keepdims=false))]
fn norm(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    ord: Option<&Bound<'_, PyAny>>,
    axis: Option<Vec<i64>>,
    keepdims: bool,
) -> PyResult<Py<PyAny>> {
    let ord = norm_ord(ord)?;
    let var = at_caller(py, || {
        linalg::try_norm(&as_var(x)?, ord, axis.as_deref(), keepdims).py_result()
    })??;
    wrap(py, var)
}

#[pyfunction]
fn kron(py: Python<'_>, a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let var = at_caller(py, || -> PyResult<Var> {
        let (a, b) = (as_var(a)?, as_var(b)?);
        guarded(|| linalg::kron(&a, &b))
    })??;
    wrap(py, var)
}

#[pyfunction]
fn expm(py: Python<'_>, a: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    unary(py, a, linalg::expm)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(matrix_inverse, m)?)?;
    m.add_function(wrap_pyfunction!(pinv, m)?)?;
    m.add_function(wrap_pyfunction!(matrix_power, m)?)?;
    m.add_function(wrap_pyfunction!(det, m)?)?;
    m.add_function(wrap_pyfunction!(slogdet, m)?)?;
    m.add_function(wrap_pyfunction!(cholesky, m)?)?;
    m.add_function(wrap_pyfunction!(qr, m)?)?;
    m.add_function(wrap_pyfunction!(svd, m)?)?;
    m.add_function(wrap_pyfunction!(eigh, m)?)?;
    m.add_function(wrap_pyfunction!(eig, m)?)?;
    m.add_function(wrap_pyfunction!(solve, m)?)?;
    m.add_function(wrap_pyfunction!(lstsq, m)?)?;
    m.add_function(wrap_pyfunction!(norm, m)?)?;
    m.add_function(wrap_pyfunction!(kron, m)?)?;
    m.add_function(wrap_pyfunction!(expm, m)?)?;
    Ok(())
}
