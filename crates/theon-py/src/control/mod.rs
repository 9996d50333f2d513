//! Control flow from Python: `scan` (a Python step function called once
//! on placeholders), the lazy `ifelse`, and `OpFromGraph`. The Python
//! package (`theon.scan_module`, `theon.ifelse`, `theon.compile.builders`)
//! normalizes Theano's arguments; these bindings build the engine's nodes
//! at the user's Python line.

mod ifelse;
mod op_from_graph;
mod scan;

use pyo3::prelude::*;
use theon::Error;

/// A Python exception raised by user code the engine called back
/// ("grad raised KeyError: ..."), for errors that cannot carry the
/// exception object itself.
fn python_failure(py: Python<'_>, during: &str, err: &PyErr) -> String {
    let kind = err
        .get_type(py)
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "Exception".into());
    format!("{during} raised {kind}: {}", err.value(py))
}

/// Stands in for a Python exception while the engine unwinds; the binding
/// raises the stored exception itself afterwards.
fn interrupted(op: &str) -> Error {
    Error::value(op, "the Python function raised an exception")
}

/// Adds the control-flow functions and classes to the extension module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    scan::register(m)?;
    ifelse::register(m)?;
    op_from_graph::register(m)?;
    Ok(())
}
