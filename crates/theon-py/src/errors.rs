//! Engine errors as Python exceptions. Each `theon::ErrorKind` maps to one
//! class of `theon.exceptions`, a theon subclass of the fitting builtin
//! (`TypeError`, `ValueError`, `IndexError`, `NotImplementedError`), so
//! `except ValueError` keeps working for Theano code. The message is the
//! engine's, including the user's source line ("created at file:line").

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use theon::{Error, ErrorKind};

/// The `theon.exceptions` class for an error kind.
pub fn exception_name(kind: &ErrorKind) -> &'static str {
    match kind {
        ErrorKind::ShapeMismatch { .. } | ErrorKind::Broadcast { .. } => "ShapeError",
        ErrorKind::Axis { .. } => "AxisError",
        ErrorKind::DType { .. } => "DTypeError",
        ErrorKind::Index { .. } => "TheonIndexError",
        ErrorKind::Value { .. } => "TheonValueError",
        ErrorKind::ArgCount { .. } => "ArgCountError",
        ErrorKind::Input { .. } => "InputError",
        ErrorKind::Grad { .. } => "GradientError",
        ErrorKind::NotImplemented { .. } => "TheonNotImplementedError",
    }
}

fn exceptions_module(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    static MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    MODULE
        .get_or_try_init(py, || Ok(py.import("theon.exceptions")?.unbind()))
        .map(|m| m.bind(py))
}

/// Builds the Python exception for an engine error. The instance carries
/// `site` ("file:line" of the user's code, or `None`).
pub fn to_pyerr(err: Error) -> PyErr {
    Python::attach(|py| {
        let build = || -> PyResult<PyErr> {
            let cls = exceptions_module(py)?.getattr(exception_name(&err.kind))?;
            let exc = cls.call1((err.to_string(),))?;
            exc.setattr("site", err.site.as_ref().map(|s| s.to_string()))?;
            Ok(PyErr::from_value(exc))
        };
        build()
            .unwrap_or_else(|e| PyRuntimeError::new_err(format!("{err} (while raising it: {e})")))
    })
}

/// `theon::Result` to `PyResult`.
pub trait IntoPyResult<T> {
    fn py_result(self) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for theon::Result<T> {
    fn py_result(self) -> PyResult<T> {
        self.map_err(to_pyerr)
    }
}
