//! `theon.config` over the engine's one configuration object: values are
//! read from and written to `theon::config` (which reads `THEON_FLAGS`,
//! falling back to `THEANO_FLAGS`, on first use).

use pyo3::exceptions::{PyAttributeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyo3::IntoPyObjectExt;

/// The flags `theon.config` exposes, in Theano's spelling.
const KEYS: [&str; 7] = [
    "floatX",
    "mode",
    "optimizer_excluding",
    "optimizer_including",
    "profile",
    "blas__ldflags",
    "buffer_pool_bytes",
];

#[pyfunction]
fn config_keys() -> Vec<&'static str> {
    KEYS.to_vec()
}

/// The current value of a flag (lists are `:`-joined, as in the flags).
#[pyfunction]
fn config_get(py: Python<'_>, key: &str) -> PyResult<Py<PyAny>> {
    let c = theon::config::config();
    match key {
        "floatX" => c.float_x.name().into_py_any(py),
        "mode" => c.mode.into_py_any(py),
        "optimizer_excluding" => c.optimizer_excluding.join(":").into_py_any(py),
        "optimizer_including" => c.optimizer_including.join(":").into_py_any(py),
        "profile" => c.profile.into_py_any(py),
        "blas__ldflags" => c.blas_ldflags.into_py_any(py),
        "buffer_pool_bytes" => c.buffer_pool_bytes.into_py_any(py),
        _ => Err(PyAttributeError::new_err(format!(
            "theon.config has no flag '{key}' (flags: {})",
            KEYS.join(", ")
        ))),
    }
}

/// Sets a flag from its text form (as in `THEON_FLAGS`). A
/// `blas__ldflags` naming a library that cannot be loaded as a CBLAS is
/// refused (the flag keeps its old value).
#[pyfunction]
fn config_set(key: &str, value: &str) -> PyResult<()> {
    if !KEYS.contains(&key) {
        return Err(PyAttributeError::new_err(format!(
            "theon.config has no flag '{key}' (flags: {})",
            KEYS.join(", ")
        )));
    }
    let old = theon::config::config();
    let mut result = Ok(());
    theon::config::update_config(|c| result = c.set(key, value));
    result.map_err(PyValueError::new_err)?;
    if key == "blas__ldflags" {
        if let Err(e) = theon::backend::cpu::sysblas::configured() {
            theon::config::update_config(|c| c.blas_ldflags = old.blas_ldflags);
            return Err(PyValueError::new_err(e.to_string()));
        }
    }
    Ok(())
}

/// The buffer pool's counters (`theon::tensor::pool::stats`) as a dict:
/// `capacity`, `bytes`, `buffers`, `hits`, `misses`.
#[pyfunction]
fn buffer_pool_stats(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let s = theon::tensor::pool::stats();
    let d = PyDict::new(py);
    d.set_item("capacity", s.capacity)?;
    d.set_item("bytes", s.bytes)?;
    d.set_item("buffers", s.buffers)?;
    d.set_item("hits", s.hits)?;
    d.set_item("misses", s.misses)?;
    Ok(d)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(buffer_pool_stats, m)?)?;
    m.add_function(wrap_pyfunction!(config_keys, m)?)?;
    m.add_function(wrap_pyfunction!(config_get, m)?)?;
    m.add_function(wrap_pyfunction!(config_set, m)?)?;
    Ok(())
}
