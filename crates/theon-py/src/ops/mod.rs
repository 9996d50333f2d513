//! Op families, one binding file each: a family registers its functions in
//! `register`, and the Python package exposes them under Theano's names
//! (`python/theon/tensor/<family>.py`). Every function builds its nodes at
//! the caller's Python line and returns Theano-style variables.

pub mod args;
pub mod creation;
pub mod elemwise;
pub mod extra;
pub mod indexing;
pub mod join;
pub mod layout;
pub mod linalg;
pub mod nnet;
pub mod products;
pub mod reduce;
pub mod shape;

use pyo3::prelude::*;

/// Adds every op family's functions to the extension module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    elemwise::register(m)?;
    reduce::register(m)?;
    shape::register(m)?;
    layout::register(m)?;
    join::register(m)?;
    creation::register(m)?;
    products::register(m)?;
    indexing::register(m)?;
    nnet::register(m)?;
    extra::register(m)?;
    linalg::register(m)?;
    Ok(())
}
