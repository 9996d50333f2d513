//! Op families, one binding file each: a family registers its functions in
//! `register`, and the Python package exposes them under Theano's names
//! (`python/theon/tensor/<family>.py`). Every function builds its nodes at
//! the caller's Python line and returns Theano-style variables.

pub mod elemwise;
pub mod reduce;
pub mod shape;

use pyo3::prelude::*;

/// Adds every op family's functions to the extension module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    elemwise::register(m)?;
    reduce::register(m)?;
    shape::register(m)?;
    Ok(())
}
