//! `Var`, the base class of every Python graph variable, and `TensorType`.
//!
//! The Python classes `theon.tensor.TensorVariable`, `TensorConstant` and
//! `TensorSharedVariable` subclass `Var` and add Theano's operators and
//! methods; they register themselves with [`register_variable_classes`] so
//! that every variable the bindings return is an instance of the right one.

use crate::dtypes::parse_dtype;
use crate::numpy_interop::tensor_to_numpy;
use crate::site::at_caller;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyTuple;
use theon::graph::NodeKind;
use theon::{TensorType, Var};

/// A handle on a graph variable (an output of a node, or a leaf).
#[pyclass(name = "Var", module = "theon._theon", subclass, frozen)]
pub struct PyVar {
    pub var: Var,
}

/// The Python classes variables are returned as: (plain, constant, shared).
static CLASSES: PyOnceLock<(Py<PyAny>, Py<PyAny>, Py<PyAny>)> = PyOnceLock::new();

/// Called once by `theon.tensor.var` with its three variable classes.
#[pyfunction]
pub fn register_variable_classes(
    py: Python<'_>,
    variable: Py<PyAny>,
    constant: Py<PyAny>,
    shared: Py<PyAny>,
) -> PyResult<()> {
    CLASSES
        .set(py, (variable, constant, shared))
        .map_err(|_| PyValueError::new_err("variable classes are already registered"))
}

/// The Python object for a graph variable: an instance of the registered
/// class for its kind (a bare `Var` before `theon.tensor` is imported).
pub fn wrap(py: Python<'_>, var: Var) -> PyResult<Py<PyAny>> {
    let Some((variable, constant, shared)) = CLASSES.get(py) else {
        return Ok(Py::new(py, PyVar { var })?.into_any());
    };
    let cls = match var.node().kind {
        NodeKind::Constant(_) => constant,
        NodeKind::Shared(_) => shared,
        NodeKind::Input | NodeKind::Apply(_) => variable,
    };
    Ok(cls.bind(py).call1((PyVar { var },))?.unbind())
}

/// The engine variable behind a Python variable (or a `TypeError`).
pub fn var_of(obj: &Bound<'_, PyAny>) -> PyResult<Var> {
    match obj.cast::<PyVar>() {
        Ok(v) => Ok(v.get().var.clone()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "expected a theon variable, got {}",
            type_name(obj)
        ))),
    }
}

pub fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".into())
}

#[pymethods]
impl PyVar {
    /// Subclasses are built from an existing handle: `TensorVariable(v)`.
    #[new]
    fn py_new(other: PyRef<'_, PyVar>) -> Self {
        PyVar {
            var: other.var.clone(),
        }
    }

    #[getter]
    fn name(&self) -> Option<String> {
        self.var.name()
    }

    #[setter]
    fn set_name(&self, name: Option<String>) {
        self.var.set_name(name);
    }

    #[getter]
    fn dtype(&self) -> &'static str {
        self.var.dtype().name()
    }

    #[getter]
    fn ndim(&self) -> usize {
        self.var.ndim()
    }

    #[getter]
    fn broadcastable<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.var.ty().broadcastable())
    }

    /// The variable's type.
    #[getter]
    fn r#type(&self) -> PyTensorType {
        PyTensorType {
            ty: self.var.ty().clone(),
            name: None,
        }
    }

    /// "input", "constant", "shared" or "apply".
    #[getter]
    fn kind(&self) -> &'static str {
        match self.var.node().kind {
            NodeKind::Input => "input",
            NodeKind::Constant(_) => "constant",
            NodeKind::Shared(_) => "shared",
            NodeKind::Apply(_) => "apply",
        }
    }

    /// The name of the op that computes this variable (None for leaves).
    #[getter]
    fn op_name(&self) -> Option<String> {
        self.var.op().map(|op| op.name())
    }

    /// The variables the op reads (empty for leaves).
    #[getter]
    fn op_inputs(&self, py: Python<'_>) -> PyResult<Vec<Py<PyAny>>> {
        self.var
            .inputs()
            .iter()
            .map(|v| wrap(py, v.clone()))
            .collect()
    }

    /// Where the variable was created ("file:line").
    #[getter]
    fn site(&self) -> String {
        self.var.site().to_string()
    }

    /// The value of a constant as a new NumPy array.
    fn _constant_value<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let value = self.var.constant_value().ok_or_else(|| {
            PyTypeError::new_err(format!("{} is not a constant", self.var.label()))
        })?;
        Ok(tensor_to_numpy(py, value))
    }

    /// Variables are equal only to themselves (Theano's identity semantics);
    /// two Python objects for one graph variable compare equal.
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        match other.cast::<PyVar>() {
            Ok(o) => o.get().var == self.var,
            Err(_) => false,
        }
    }

    fn __ne__(&self, other: &Bound<'_, PyAny>) -> bool {
        !self.__eq__(other)
    }

    fn __hash__(&self) -> u64 {
        let (id, index) = self.var.key();
        id.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ index as u64
    }

    fn __repr__(&self) -> String {
        expression(&self.var, 3)
    }

    fn __str__(&self) -> String {
        expression(&self.var, 3)
    }
}

/// A short readable expression: names, constants and `op(inputs)` down to
/// `depth` levels (`...` below).
pub fn expression(var: &Var, depth: usize) -> String {
    if let Some(name) = var.name() {
        return name;
    }
    match &var.node().kind {
        NodeKind::Input | NodeKind::Shared(_) => format!("<{}>", type_repr(var.ty())),
        NodeKind::Constant(t) if t.size() == 1 => {
            t.to_string().trim_matches(&['[', ']'][..]).to_string()
        }
        NodeKind::Constant(_) => format!("TensorConstant{{{}}}", type_repr(var.ty())),
        NodeKind::Apply(op) if depth == 0 => format!("{}(...)", op.name()),
        NodeKind::Apply(op) => {
            let args: Vec<String> = var
                .inputs()
                .iter()
                .map(|v| expression(v, depth - 1))
                .collect();
            let out = if var.node().output_types.len() > 1 {
                format!(".{}", var.index())
            } else {
                String::new()
            };
            format!("{}({}){out}", op.name(), args.join(", "))
        }
    }
}

/// Theano's way of printing a tensor type: `TensorType(float64, matrix)`.
pub fn type_repr(ty: &TensorType) -> String {
    let pattern: Vec<Option<usize>> = ty.shape.clone();
    let named = match pattern.as_slice() {
        [] => Some("scalar"),
        [None] => Some("vector"),
        [Some(1), None] => Some("row"),
        [None, Some(1)] => Some("col"),
        [None, None] => Some("matrix"),
        [None, None, None] => Some("3D"),
        [None, None, None, None] => Some("4D"),
        _ => None,
    };
    match named {
        Some(n) => format!("TensorType({}, {n})", ty.dtype),
        None => {
            let dims: Vec<String> = pattern
                .iter()
                .map(|d| d.map_or("?".into(), |d| d.to_string()))
                .collect();
            let comma = if dims.len() == 1 { "," } else { "" };
            format!(
                "TensorType({}, shape=({}{comma}))",
                ty.dtype,
                dims.join(", ")
            )
        }
    }
}

/// Theano's `TensorType(dtype, broadcastable)`: a dtype and a static shape.
/// Calling it makes a graph input: `TensorType('float64', (False,))('x')`.
#[pyclass(name = "TensorType", module = "theon.tensor", frozen)]
#[derive(Clone)]
pub struct PyTensorType {
    pub ty: TensorType,
    /// A display name (Theano's `TensorType(..., name=...)`).
    pub name: Option<String>,
}

#[pymethods]
impl PyTensorType {
    /// `broadcastable` (Theano) marks dims of static size 1; `shape`
    /// (PyTensor) gives each dim as an int or None. One of them is needed.
    #[new]
    #[pyo3(signature = (dtype, broadcastable=None, name=None, shape=None))]
    fn py_new(
        dtype: &Bound<'_, PyAny>,
        broadcastable: Option<Vec<bool>>,
        name: Option<String>,
        shape: Option<Vec<Option<usize>>>,
    ) -> PyResult<Self> {
        let dtype = parse_dtype(dtype)?;
        let ty = match (broadcastable, shape) {
            (Some(b), None) => TensorType::from_broadcastable(dtype, &b),
            (None, Some(s)) => TensorType::new(dtype, s),
            (Some(b), Some(s)) => {
                let ty = TensorType::new(dtype, s);
                if ty.broadcastable() != b {
                    return Err(PyValueError::new_err(format!(
                        "TensorType: broadcastable {b:?} disagrees with shape {:?}",
                        ty.shape
                    )));
                }
                ty
            }
            (None, None) => {
                return Err(PyTypeError::new_err(
                    "TensorType needs broadcastable=(...) or shape=(...)",
                ))
            }
        };
        Ok(PyTensorType { ty, name })
    }

    /// A new graph input of this type.
    #[pyo3(signature = (name=None))]
    fn __call__(&self, py: Python<'_>, name: Option<String>) -> PyResult<Py<PyAny>> {
        let ty = self.ty.clone();
        let var = at_caller(py, || Var::input(name.as_deref().unwrap_or(""), ty))?;
        wrap(py, var)
    }

    #[getter]
    fn dtype(&self) -> &'static str {
        self.ty.dtype.name()
    }

    #[getter]
    fn ndim(&self) -> usize {
        self.ty.ndim()
    }

    #[getter]
    fn broadcastable<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.ty.broadcastable())
    }

    /// The static shape: an int per known dim, None per unknown one.
    #[getter]
    fn shape<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.ty.shape.clone())
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        match other.cast::<PyTensorType>() {
            Ok(o) => o.get().ty == self.ty,
            Err(_) => false,
        }
    }

    fn __ne__(&self, other: &Bound<'_, PyAny>) -> bool {
        !self.__eq__(other)
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.ty.hash(&mut h);
        h.finish()
    }

    fn __repr__(&self) -> String {
        self.name.clone().unwrap_or_else(|| type_repr(&self.ty))
    }
}
