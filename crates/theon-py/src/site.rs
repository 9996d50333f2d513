//! The user's Python source line for every node the bindings build: the
//! caller's frame is found with `sys._getframe`, skipping frames of the
//! `theon` package itself, and the engine is run under
//! `Site::with_override` so nodes and errors name that file:line.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;
use theon::Site;

fn getframe(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static GETFRAME: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    GETFRAME
        .get_or_try_init(py, || Ok(py.import("sys")?.getattr("_getframe")?.unbind()))
        .map(|f| f.bind(py))
}

/// True for frames of the `theon` package (its own Python modules).
fn is_theon_frame(frame: &Bound<'_, PyAny>) -> PyResult<bool> {
    let globals = frame.getattr("f_globals")?;
    let globals = globals.cast::<PyDict>()?;
    let Some(name) = globals.get_item("__name__")? else {
        return Ok(false);
    };
    let name: String = name.extract().unwrap_or_default();
    Ok(name == "theon" || name.starts_with("theon."))
}

/// The innermost Python frame outside the `theon` package, as a `Site`.
pub fn python_caller(py: Python<'_>) -> PyResult<Option<Site>> {
    let mut frame = getframe(py)?.call1((0,))?;
    loop {
        if !is_theon_frame(&frame)? {
            let file: String = frame.getattr("f_code")?.getattr("co_filename")?.extract()?;
            let line: u32 = frame.getattr("f_lineno")?.extract()?;
            return Ok(Some(Site::new(&file, line)));
        }
        frame = frame.getattr("f_back")?;
        if frame.is_none() {
            return Ok(None);
        }
    }
}

/// Runs `build` with every node it creates attributed to the user's line.
pub fn at_caller<R>(py: Python<'_>, build: impl FnOnce() -> R) -> PyResult<R> {
    Ok(match python_caller(py)? {
        Some(site) => Site::with_override(site, build),
        None => build(),
    })
}
