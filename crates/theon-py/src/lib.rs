//! `theon._theon`: the Python extension behind the `theon` package.
//!
//! The bindings translate only: Python values to tensors and operands,
//! Theano's argument conventions to engine calls, engine errors to Python
//! exceptions (with the user's Python file:line). Graph logic lives in the
//! `theon` crate. One file per concern; op families live under `ops/`.

mod casting;
mod config;
mod control;
mod dtypes;
mod errors;
mod function;
mod function_io;
mod gradient;
mod numpy_interop;
mod operand;
mod ops;
mod printing;
mod pyop;
mod random;
mod shared;
mod site;
mod variable;

use pyo3::prelude::*;

#[pymodule]
fn _theon(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<variable::PyVar>()?;
    m.add_class::<variable::PyTensorType>()?;
    m.add_function(wrap_pyfunction!(variable::register_variable_classes, m)?)?;
    m.add_function(wrap_pyfunction!(operand::constant, m)?)?;
    m.add_function(wrap_pyfunction!(operand::as_tensor_variable, m)?)?;
    config::register(m)?;
    function::register(m)?;
    shared::register(m)?;
    ops::register(m)?;
    gradient::register(m)?;
    printing::register(m)?;
    pyop::register(m)?;
    control::register(m)?;
    random::register(m)?;
    Ok(())
}
