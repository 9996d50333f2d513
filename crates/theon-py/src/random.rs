//! Random variables for `theon.tensor.shared_randomstreams` and
//! `theon.sandbox.rng_mrg`: `random_variable(...)` builds the engine's
//! `RandomVariable` node, `multinomial_variable(...)` its
//! `MultinomialVariable`, `random_state(seed)` gives a generator state to
//! keep in a shared variable. The streams' bookkeeping (one state per
//! variable, seeding, default updates) lives in the Python classes.

use crate::dtypes::parse_dtype;
use crate::errors::IntoPyResult;
use crate::numpy_interop::tensor_to_numpy;
use crate::operand::{as_var, operand_vars};
use crate::site::at_caller;
use crate::variable::{var_of, wrap};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use theon::ops::random::{state_tensor, try_multinomial, try_random, Distribution};

fn distribution(name: &str) -> PyResult<Distribution> {
    match name {
        "uniform" => Ok(Distribution::Uniform),
        "normal" => Ok(Distribution::Normal),
        "binomial" => Ok(Distribution::Binomial),
        "random_integers" => Ok(Distribution::Integers),
        _ => Err(PyValueError::new_err(format!(
            "unknown distribution '{name}' (uniform, normal, binomial, random_integers)"
        ))),
    }
}

/// A draw from `dist` reading generator `state` (a `uint64` vector
/// variable): `(new_state, sample)`. `size` is an integer vector (variable
/// or constant); `a` and `b` are the distribution's two parameters
/// (variables or Python numbers, typed as weak literals against each
/// other), broadcast to the size.
#[pyfunction]
#[pyo3(signature = (dist, state, size, a, b, dtype))]
fn random_variable(
    py: Python<'_>,
    dist: &str,
    state: &Bound<'_, PyAny>,
    size: &Bound<'_, PyAny>,
    a: &Bound<'_, PyAny>,
    b: &Bound<'_, PyAny>,
    dtype: &Bound<'_, PyAny>,
) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
    let dist = distribution(dist)?;
    let dtype = parse_dtype(dtype)?;
    let state = var_of(state)?;
    let size = as_var(size)?;
    // Each parameter is typed on its own (binomial's n stays an integer).
    let a = operand_vars(std::slice::from_ref(a))?.remove(0);
    let b = operand_vars(std::slice::from_ref(b))?.remove(0);
    let (next, sample) =
        at_caller(py, || try_random(dist, &state, &size, &a, &b, dtype))?.py_result()?;
    Ok((wrap(py, next)?, wrap(py, sample)?))
}

/// `n` draws per row of the probability matrix `pvals` reading generator
/// `state`: `(new_state, counts)` (counts shaped like `pvals`).
#[pyfunction]
fn multinomial_variable(
    py: Python<'_>,
    state: &Bound<'_, PyAny>,
    n: &Bound<'_, PyAny>,
    pvals: &Bound<'_, PyAny>,
    dtype: &Bound<'_, PyAny>,
) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
    let dtype = parse_dtype(dtype)?;
    let state = var_of(state)?;
    let n = operand_vars(std::slice::from_ref(n))?.remove(0);
    let pvals = as_var(pvals)?;
    let (next, counts) =
        at_caller(py, || try_multinomial(&state, &n, &pvals, dtype))?.py_result()?;
    Ok((wrap(py, next)?, wrap(py, counts)?))
}

/// The generator state (`uint64[2]`) that `seed` starts from.
#[pyfunction]
fn random_state(py: Python<'_>, seed: u64) -> Bound<'_, PyAny> {
    tensor_to_numpy(py, &state_tensor(seed))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(random_variable, m)?)?;
    m.add_function(wrap_pyfunction!(random_state, m)?)?;
    m.add_function(wrap_pyfunction!(multinomial_variable, m)?)?;
    Ok(())
}
