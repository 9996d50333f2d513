//! `_theon.ifelse(condition, then, else)`: the engine's lazy conditional
//! over lists of branch outputs (only the branch taken runs).

use crate::errors::IntoPyResult;
use crate::operand::as_var;
use crate::site::at_caller;
use crate::variable::wrap;
use pyo3::prelude::*;
use theon::ops::control::try_ifelse;
use theon::Var;

/// `then_branch[i]` where `condition` (a scalar) is true, else
/// `else_branch[i]`; non-variables become constants.
#[pyfunction]
fn ifelse(
    py: Python<'_>,
    condition: &Bound<'_, PyAny>,
    then_branch: Vec<Bound<'_, PyAny>>,
    else_branch: Vec<Bound<'_, PyAny>>,
) -> PyResult<Vec<Py<PyAny>>> {
    let vars = |objs: &[Bound<'_, PyAny>]| objs.iter().map(as_var).collect::<PyResult<Vec<Var>>>();
    let (cond, then, els) = (as_var(condition)?, vars(&then_branch)?, vars(&else_branch)?);
    let outputs = at_caller(py, || try_ifelse(&cond, &then, &els))?.py_result()?;
    outputs.into_iter().map(|v| wrap(py, v)).collect()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(ifelse, m)?)?;
    Ok(())
}
