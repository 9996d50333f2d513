//! Ops written in Python (`theon.Op` subclasses and `theon.compile.ops.as_op`):
//! one engine `Op` holding the Python op object. Its type rule returns the
//! output types that the Python `make_node` declared; `perform`,
//! `pullback` and `infer_shape` take the GIL and call the Python op through
//! the helpers of `theon.compile.ops` (NumPy arrays in and out, symbolic
//! variables for gradients). Equality and hashing come from the Python op
//! (`__props__`), so equal ops on equal inputs merge.

use crate::errors::IntoPyResult;
use crate::numpy_interop::{array_to_tensor, as_numpy_array, tensor_to_numpy};
use crate::site::at_caller;
use crate::variable::{var_of, wrap, PyTensorType};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyList;
use std::fmt;
use std::hash::{Hash, Hasher};
use theon::graph::{Grad, Op, PerformCtx};
use theon::{Error, Result, Tensor, TensorType, Var};

/// An op implemented by a Python object (a `theon.Op` instance).
pub struct PyOp {
    /// The Python op (`theon.Op`): `perform`, `grad`, `infer_shape`.
    obj: Py<PyAny>,
    /// `str(op)`: the class name and props, for printing and errors.
    name: String,
    /// `hash(op)`, taken once (Python ops hash their `__props__`).
    props_hash: isize,
    /// How many inputs `make_node` took.
    n_inputs: usize,
    /// The output types `make_node` declared.
    output_types: Vec<TensorType>,
}

impl fmt::Debug for PyOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PyOp({})", self.name)
    }
}

impl PartialEq for PyOp {
    fn eq(&self, other: &Self) -> bool {
        self.props_hash == other.props_hash
            && self.output_types == other.output_types
            && Python::attach(|py| self.obj.bind(py).eq(other.obj.bind(py)).unwrap_or(false))
    }
}

impl Eq for PyOp {}

impl Hash for PyOp {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.props_hash.hash(state);
        self.output_types.hash(state);
    }
}

/// The helper module `theon.compile.ops`.
fn helpers(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    static MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    MODULE
        .get_or_try_init(py, || Ok(py.import("theon.compile.ops")?.unbind()))
        .map(|m| m.bind(py))
}

/// A Python exception raised by the user's op: "perform raised ValueError: ...".
fn python_failure(py: Python<'_>, during: &str, err: &PyErr) -> String {
    let kind = err
        .get_type(py)
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "Exception".into());
    format!("{during} raised {kind}: {}", err.value(py))
}

fn type_objects(py: Python<'_>, types: &[TensorType]) -> PyResult<Vec<Py<PyTensorType>>> {
    types
        .iter()
        .map(|ty| {
            let ty = PyTensorType {
                ty: ty.clone(),
                name: None,
            };
            Py::new(py, ty)
        })
        .collect()
}

impl PyOp {
    /// Runs the Python `perform` and reads back one array per output.
    fn call_perform(
        &self,
        py: Python<'_>,
        inputs: &[Tensor],
        ctx: &PerformCtx,
    ) -> PyResult<Vec<Tensor>> {
        let arrays: Vec<Bound<'_, PyAny>> = inputs.iter().map(|t| tensor_to_numpy(py, t)).collect();
        let in_types = type_objects(py, ctx.input_types)?;
        let out_types = type_objects(py, ctx.output_types)?;
        let outputs = helpers(py)?.getattr("_perform")?.call1((
            self.obj.bind(py),
            in_types,
            out_types,
            PyList::new(py, arrays)?,
        ))?;
        let mut tensors = Vec::with_capacity(self.output_types.len());
        for out in outputs.try_iter()? {
            tensors.push(array_to_tensor(&as_numpy_array(&out?)?)?);
        }
        Ok(tensors)
    }

    /// Runs the Python `grad` on wrapped variables.
    fn call_grad(
        &self,
        py: Python<'_>,
        inputs: &[Var],
        output_grads: &[Var],
    ) -> PyResult<Vec<Option<Var>>> {
        let wrap_all = |vars: &[Var]| -> PyResult<Vec<Py<PyAny>>> {
            vars.iter().map(|v| wrap(py, v.clone())).collect()
        };
        let grads = helpers(py)?.getattr("_grad")?.call1((
            self.obj.bind(py),
            wrap_all(inputs)?,
            wrap_all(output_grads)?,
        ))?;
        let mut out = Vec::with_capacity(inputs.len());
        for g in grads.try_iter()? {
            let g = g?;
            out.push(if g.is_none() { None } else { Some(var_of(&g)?) });
        }
        Ok(out)
    }

    /// Runs the Python `infer_shape`; `None` when the op has none.
    fn call_infer_shape(
        &self,
        py: Python<'_>,
        inputs: &[Var],
        input_shapes: &[Vec<Var>],
    ) -> PyResult<Option<Vec<Vec<Var>>>> {
        let ins: Vec<Py<PyAny>> = inputs
            .iter()
            .map(|v| wrap(py, v.clone()))
            .collect::<PyResult<_>>()?;
        let shapes: Vec<Vec<Py<PyAny>>> = input_shapes
            .iter()
            .map(|dims| dims.iter().map(|d| wrap(py, d.clone())).collect())
            .collect::<PyResult<_>>()?;
        let result =
            helpers(py)?
                .getattr("_infer_shape")?
                .call1((self.obj.bind(py), ins, shapes))?;
        if result.is_none() {
            return Ok(None);
        }
        let mut out = Vec::new();
        for dims in result.try_iter()? {
            let mut vars = Vec::new();
            for d in dims?.try_iter()? {
                vars.push(var_of(&d?)?);
            }
            out.push(vars);
        }
        Ok(Some(out))
    }
}

impl Op for PyOp {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        if inputs.len() != self.n_inputs {
            return Err(Error::value(
                &self.name,
                format!("takes {} input(s), got {}", self.n_inputs, inputs.len()),
            ));
        }
        Ok(self.output_types.clone())
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let tensors = Python::attach(|py| {
            self.call_perform(py, inputs, ctx)
                .map_err(|e| Error::value(&self.name, python_failure(py, "perform", &e)))
        })?;
        for (i, (value, ty)) in tensors.iter().zip(&self.output_types).enumerate() {
            ty.check_value(value, &self.name, &format!("output {i}"))?;
        }
        Ok(tensors)
    }

    fn infer_shape(&self, inputs: &[Var], input_shapes: &[Vec<Var>]) -> Option<Vec<Vec<Var>>> {
        // A failing Python infer_shape falls back to computing the output.
        Python::attach(|py| {
            self.call_infer_shape(py, inputs, input_shapes)
                .ok()
                .flatten()
        })
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        let grads = Python::attach(|py| {
            self.call_grad(py, inputs, output_grads)
                .map_err(|e| Error::grad(&self.name, python_failure(py, "grad", &e)))
        })?;
        Ok(grads
            .into_iter()
            .map(|g| g.map_or(Grad::Disconnected, Grad::Value))
            .collect())
    }
}

/// `_theon.apply_python_op(op, inputs, outputs)`: applies the Python op to
/// `inputs`, with the types of the placeholder `outputs` that its
/// `make_node` built; returns the node's output variables.
#[pyfunction]
fn apply_python_op(
    py: Python<'_>,
    op: &Bound<'_, PyAny>,
    inputs: Vec<Bound<'_, PyAny>>,
    outputs: Vec<Bound<'_, PyAny>>,
) -> PyResult<Vec<Py<PyAny>>> {
    let inputs: Vec<Var> = inputs.iter().map(var_of).collect::<PyResult<_>>()?;
    let output_types = outputs
        .iter()
        .map(|o| var_of(o).map(|v| v.ty().clone()))
        .collect::<PyResult<_>>()?;
    let py_op = PyOp {
        obj: op.clone().unbind(),
        name: op.str()?.to_string(),
        props_hash: op.hash()?,
        n_inputs: inputs.len(),
        output_types,
    };
    let outs = at_caller(py, || {
        let site = theon::Site::caller();
        Var::apply_arc(std::sync::Arc::new(py_op), &inputs, site)
    })?
    .py_result()?;
    outs.into_iter().map(|v| wrap(py, v)).collect()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(apply_python_op, m)?)?;
    Ok(())
}
