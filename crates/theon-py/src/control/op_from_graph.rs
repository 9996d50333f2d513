//! `_theon.OpFromGraph`: a subgraph packaged as one engine op, applied to
//! new variables with `call`. A Python gradient override is called back
//! (with the GIL) when a gradient through the op is built.

use super::python_failure;
use crate::errors::IntoPyResult;
use crate::operand::as_var;
use crate::site::at_caller;
use crate::variable::{var_of, wrap};
use pyo3::prelude::*;
use theon::ops::control::OpFromGraph;
use theon::{Error, Var};

/// The engine op behind `theon.compile.builders.OpFromGraph`.
#[pyclass(name = "OpFromGraph", module = "theon._theon", frozen)]
pub struct PyOpFromGraph {
    op: OpFromGraph,
}

fn wrap_all(py: Python<'_>, vars: &[Var]) -> PyResult<Vec<Py<PyAny>>> {
    vars.iter().map(|v| wrap(py, v.clone())).collect()
}

/// Calls the Python override `grad(inputs, output_grads)`, which returns
/// one variable per explicit input.
fn call_grad(
    py: Python<'_>,
    grad: &Py<PyAny>,
    inputs: &[Var],
    grads: &[Var],
) -> PyResult<Vec<Var>> {
    let result = grad
        .bind(py)
        .call1((wrap_all(py, inputs)?, wrap_all(py, grads)?))?;
    result.try_iter()?.map(|g| var_of(&g?)).collect()
}

#[pymethods]
impl PyOpFromGraph {
    /// Packages `outputs` as a function of `inputs` (distinct graph
    /// inputs; shared variables read become implicit inputs). `grad`, if
    /// given, is a Python callable `(inputs, output_grads) -> [grads]`.
    #[new]
    #[pyo3(signature = (inputs, outputs, inline=false, name=None, grad=None))]
    fn py_new(
        py: Python<'_>,
        inputs: Vec<Bound<'_, PyAny>>,
        outputs: Vec<Bound<'_, PyAny>>,
        inline: bool,
        name: Option<String>,
        grad: Option<Py<PyAny>>,
    ) -> PyResult<Self> {
        let inputs = inputs.iter().map(var_of).collect::<PyResult<Vec<_>>>()?;
        let outputs = outputs.iter().map(as_var).collect::<PyResult<Vec<_>>>()?;
        let mut op = at_caller(py, || OpFromGraph::new(&inputs, &outputs))?
            .py_result()?
            .inline(inline);
        if let Some(name) = &name {
            op = op.named(name);
        }
        if let Some(grad) = grad {
            let label = op.name.clone();
            op = op.with_grad(move |inputs, grads| {
                Python::attach(|py| {
                    call_grad(py, &grad, inputs, grads)
                        .map_err(|e| Error::grad(&label, python_failure(py, "grad_overrides", &e)))
                })
            });
        }
        Ok(PyOpFromGraph { op })
    }

    /// Applies the op to `args` (variables or values, one per input);
    /// returns its output variables.
    fn call(&self, py: Python<'_>, args: Vec<Bound<'_, PyAny>>) -> PyResult<Vec<Py<PyAny>>> {
        let args = args.iter().map(as_var).collect::<PyResult<Vec<_>>>()?;
        let outputs = at_caller(py, || self.op.try_call(&args))?.py_result()?;
        wrap_all(py, &outputs)
    }

    /// The op's name.
    #[getter]
    fn name(&self) -> String {
        self.op.name.clone()
    }

    /// Whether the optimizer inlines calls.
    #[getter]
    fn inline(&self) -> bool {
        self.op.inline
    }

    /// How many inputs a call takes.
    #[getter]
    fn n_inputs(&self) -> usize {
        self.op.body.inputs.len() - self.op.implicit.len()
    }

    /// How many outputs a call gives.
    #[getter]
    fn n_outputs(&self) -> usize {
        self.op.body.outputs.len()
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyOpFromGraph>()?;
    Ok(())
}
