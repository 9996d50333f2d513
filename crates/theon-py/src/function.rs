//! Compiled functions: `compile_function(...)` (called by
//! `theon.function`) and the callable `Function`, whose `__call__` is the
//! direct entry point (no Python wrapper). A call converts its arguments
//! with Theano's casting rules (a NumPy array of the input's dtype is
//! borrowed, not copied: see `casting::filter_arg`), releases the GIL while
//! the engine computes, and returns NumPy arrays. What each input needs for
//! that (its type, label, keyword) is computed once, when the function is
//! built.

use crate::casting::{filter_arg, filter_value, Destination};
use crate::errors::{to_pyerr, IntoPyResult};
use crate::function_io;
use crate::numpy_interop::{
    array_dtype, array_to_tensor_borrowed, tensor_into_numpy, tensor_to_numpy,
};
use crate::operand::as_var;
use crate::site::at_caller;
use crate::variable::{type_repr, var_of};
use numpy::PyUntypedArray;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use std::sync::atomic::{AtomicBool, Ordering};
use theon::compile::UnusedInput;
use theon::{ErrorKind, Function, Mode, SharedVar, Tensor, Var};

/// A compiled function; call it with NumPy arrays, lists or scalars.
#[pyclass(name = "Function", module = "theon.compile.function", frozen)]
pub struct PyFunction {
    function: Function,
    /// Per input, in call order: what a call needs to convert its argument.
    inputs: Vec<InputInfo>,
    /// Return the only output bare instead of in a list.
    single_output: bool,
    allow_input_downcast: Option<bool>,
    /// PyTensor's `trust_input`: arguments must be positional NumPy arrays
    /// of the inputs' exact dtypes; nothing is converted.
    trust_input: AtomicBool,
}

/// One input of a compiled function, as calls see it.
struct InputInfo {
    var: Var,
    /// `var.label()`, for error messages.
    label: String,
    /// The keyword it is passed by.
    keyword: Option<String>,
}

/// What calls need about each input; the keyword is the `In` name, else
/// the variable's.
fn input_infos(function: &Function) -> Vec<InputInfo> {
    function
        .inputs()
        .into_iter()
        .zip(function.input_names())
        .map(|(var, keyword)| InputInfo {
            label: var.label(),
            keyword,
            var,
        })
        .collect()
}

impl InputInfo {
    /// The receiver of an argument, for the casting rules' messages.
    fn destination<'a>(&'a self, function: &'a str) -> Destination<'a> {
        Destination {
            function,
            input: &self.label,
            ty: self.var.ty(),
            site: Some(self.var.site()),
        }
    }
}

fn unused_policy(name: &str) -> PyResult<UnusedInput> {
    match name {
        "raise" => Ok(UnusedInput::Raise),
        "warn" => Ok(UnusedInput::Warn),
        "ignore" => Ok(UnusedInput::Ignore),
        _ => Err(PyValueError::new_err(format!(
            "on_unused_input must be 'raise', 'warn' or 'ignore', got '{name}'"
        ))),
    }
}

/// A variable or a value converted to `like`'s type (Theano converts
/// literal update and givens values into the type they stand for).
fn var_like(obj: &Bound<'_, PyAny>, like: &Var, role: &str) -> PyResult<Var> {
    if let Ok(var) = var_of(obj) {
        return Ok(var);
    }
    let label = like.label();
    let dest = Destination {
        function: role,
        input: &label,
        ty: like.ty(),
        site: None,
    };
    Ok(Var::constant(filter_value(obj, &dest, None)?))
}

/// Theano raises `TypeError` when a replacement's dtype or rank differs.
fn check_same_kind(old: &Var, new: &Var, what: &str) -> PyResult<()> {
    if old.dtype() == new.dtype() && old.ndim() == new.ndim() {
        return Ok(());
    }
    Err(PyTypeError::new_err(format!(
        "{what}: {} has type {} but {} has type {}; convert it explicitly (e.g. with theon.tensor.cast)\n  created at {}",
        new.label(),
        type_repr(new.ty()),
        old.label(),
        type_repr(old.ty()),
        new.site()
    )))
}

fn updates_of(pairs: &[(Bound<'_, PyAny>, Bound<'_, PyAny>)]) -> PyResult<Vec<(SharedVar, Var)>> {
    let updates = pairs
        .iter()
        .map(|(target, value)| {
            let target = var_of(target)?;
            let shared = target.as_shared().ok_or_else(|| {
                PyTypeError::new_err(format!(
                    "updates: {} is not a shared variable, only shared variables can be updated",
                    target.label()
                ))
            })?;
            let value = var_like(value, &target, "updates")?;
            check_same_kind(&target, &value, "updates")?;
            Ok((shared, value))
        })
        .collect::<PyResult<Vec<_>>>()?;
    for (i, (shared, _)) in updates.iter().enumerate() {
        if updates[..i].iter().any(|(s, _)| s.same_storage(shared)) {
            return Err(PyValueError::new_err(format!(
                "updates: shared variable {} is updated twice",
                shared.var().label()
            )));
        }
    }
    Ok(updates)
}

fn givens_of(pairs: &[(Bound<'_, PyAny>, Bound<'_, PyAny>)]) -> PyResult<Vec<(Var, Var)>> {
    pairs
        .iter()
        .map(|(old, new)| {
            let old = var_of(old)?;
            let new = var_like(new, &old, "givens")?;
            check_same_kind(&old, &new, "givens")?;
            Ok((old, new))
        })
        .collect()
}

/// A compile mode from `(base, including, excluding)`: the base is
/// `FAST_RUN`, `FAST_COMPILE` or `NONE`; the lists add or remove rules and
/// tags by name.
pub(crate) fn engine_mode(
    (base, including, excluding): (String, Vec<String>, Vec<String>),
) -> PyResult<Mode> {
    Ok(Mode::named(&base)
        .py_result()?
        .including(including)
        .excluding(excluding))
}

/// Compiles a function; `theon.function` normalizes the arguments first.
#[pyfunction]
#[pyo3(signature = (inputs, outputs, updates, givens, name, on_unused_input, allow_input_downcast, single_output, mode=None, no_default_updates=None))]
#[allow(clippy::too_many_arguments)]
fn compile_function(
    py: Python<'_>,
    inputs: Vec<Bound<'_, PyAny>>,
    outputs: Vec<Bound<'_, PyAny>>,
    updates: Vec<(Bound<'_, PyAny>, Bound<'_, PyAny>)>,
    givens: Vec<(Bound<'_, PyAny>, Bound<'_, PyAny>)>,
    name: Option<String>,
    on_unused_input: &str,
    allow_input_downcast: Option<bool>,
    single_output: bool,
    mode: Option<(String, Vec<String>, Vec<String>)>,
    no_default_updates: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyFunction> {
    let policy = unused_policy(on_unused_input)?;
    let skip_defaults = function_io::no_default_updates_of(no_default_updates)?;
    let mode = mode.map(engine_mode).transpose()?;
    let function = at_caller(py, || -> PyResult<Function> {
        let inputs = inputs
            .iter()
            .map(function_io::input_of)
            .collect::<PyResult<Vec<_>>>()?;
        let outputs = outputs.iter().map(as_var).collect::<PyResult<Vec<_>>>()?;
        let mut builder = Function::builder(&inputs, &outputs)
            .updates(updates_of(&updates)?)
            .givens(givens_of(&givens)?)
            .on_unused_input(policy)
            .no_default_updates(skip_defaults);
        if let Some(name) = &name {
            builder = builder.name(name);
        }
        if let Some(mode) = mode {
            builder = builder.mode(mode);
        }
        builder.build().py_result()
    })??;
    Ok(PyFunction {
        inputs: input_infos(&function),
        function,
        single_output,
        allow_input_downcast,
        trust_input: AtomicBool::new(false),
    })
}

impl PyFunction {
    /// The engine's compiled function.
    pub fn engine(&self) -> &Function {
        &self.function
    }

    /// The arguments in input order: positional first, then by input name.
    fn collect_args<'py>(
        &self,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Vec<Bound<'py, PyAny>>> {
        let inputs = &self.inputs;
        let arg_count = |got: usize| self.arg_count_error(got);
        if args.len() > inputs.len() {
            return Err(arg_count(args.len()));
        }
        let mut slots: Vec<Option<Bound<'py, PyAny>>> = args.iter().map(Some).collect();
        slots.resize(inputs.len(), None);
        for (key, value) in kwargs.into_iter().flat_map(|d| d.iter()) {
            let key: String = key.extract()?;
            let index = inputs
                .iter()
                .position(|i| i.keyword.as_deref() == Some(key.as_str()))
                .ok_or_else(|| {
                    PyTypeError::new_err(format!(
                        "{}: no input is named '{key}'",
                        self.function.name()
                    ))
                })?;
            if slots[index].replace(value).is_some() {
                return Err(PyTypeError::new_err(format!(
                    "{}: input '{key}' is given twice",
                    self.function.name()
                )));
            }
        }
        let given = slots.iter().filter(|s| s.is_some()).count();
        // Omitted inputs take their `In(value=...)` default (or state).
        for (i, slot) in slots.iter_mut().enumerate() {
            if slot.is_none() {
                *slot = self
                    .function
                    .input_value(i)
                    .map(|t| tensor_to_numpy(args.py(), &t));
            }
        }
        slots
            .into_iter()
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| arg_count(given))
    }

    fn arg_count_error(&self, got: usize) -> PyErr {
        to_pyerr(
            ErrorKind::ArgCount {
                function: self.function.name().into(),
                expected: self.inputs.len(),
                got,
            }
            .into(),
        )
    }

    /// The call's argument values, converted, in input order.
    fn values(
        &self,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Vec<Tensor>> {
        let name = self.function.name();
        if self.trust_input.load(Ordering::Relaxed) {
            if kwargs.is_some_and(|k| !k.is_empty()) || args.len() != self.inputs.len() {
                return Err(PyTypeError::new_err(format!(
                    "{name}: with trust_input, pass exactly {} positional arguments",
                    self.inputs.len()
                )));
            }
            return args
                .iter()
                .zip(&self.inputs)
                .map(|(arg, input)| trusted_arg(&arg, &input.destination(name)))
                .collect();
        }
        let convert = |arg: &Bound<'_, PyAny>, input: &InputInfo| {
            filter_arg(arg, &input.destination(name), self.allow_input_downcast)
        };
        if kwargs.is_none_or(|k| k.is_empty()) && args.len() == self.inputs.len() {
            // The common case: every argument positional.
            return args
                .iter()
                .zip(&self.inputs)
                .map(|(arg, input)| convert(&arg, input))
                .collect();
        }
        let args = self.collect_args(args, kwargs)?;
        args.iter()
            .zip(&self.inputs)
            .map(|(arg, input)| convert(arg, input))
            .collect()
    }
}

/// An argument under `trust_input`: a NumPy array of the input's dtype,
/// borrowed (copied only where its memory cannot be read in place).
fn trusted_arg(arg: &Bound<'_, PyAny>, dest: &Destination<'_>) -> PyResult<Tensor> {
    let want = dest.ty.dtype;
    let arr = arg.cast::<PyUntypedArray>().ok();
    match arr.map(|a| (array_dtype(a), a)) {
        Some((Ok(dtype), arr)) if dtype == want => array_to_tensor_borrowed(arr, dtype),
        _ => Err(PyTypeError::new_err(format!(
            "{}: input {} expects a NumPy array of dtype {want} (trust_input is set, so nothing is converted), got {}",
            dest.function,
            dest.input,
            arg.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        ))),
    }
}

#[pymethods]
impl PyFunction {
    #[pyo3(signature = (*args, **kwargs))]
    fn __call__(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let values = self.values(args, kwargs)?;
        let function = &self.function;
        let mut results = py.detach(|| function.call(&values)).py_result()?;
        if self.single_output {
            return Ok(tensor_into_numpy(py, results.swap_remove(0))?.unbind());
        }
        let arrays: Vec<Bound<'_, PyAny>> = results
            .into_iter()
            .map(|t| tensor_into_numpy(py, t))
            .collect::<PyResult<_>>()?;
        Ok(PyList::new(py, arrays)?.into_any().unbind())
    }

    /// Theano's `f.copy(share_memory=False, swap=None, delete_updates=False,
    /// name=None, profile=None)`: the same function, reading and updating
    /// the shared variables `swap` maps to instead of the originals, without
    /// shared updates if `delete_updates`. `share_memory` and `profile` are
    /// accepted and ignored.
    #[pyo3(signature = (share_memory=false, swap=None, delete_updates=false, name=None, profile=None))]
    fn copy(
        &self,
        share_memory: bool,
        swap: Option<&Bound<'_, PyAny>>,
        delete_updates: bool,
        name: Option<String>,
        profile: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyFunction> {
        let _ = (share_memory, profile);
        let function = function_io::copy_function(&self.function, swap, delete_updates, name)?;
        Ok(PyFunction {
            inputs: input_infos(&function),
            function,
            single_output: self.single_output,
            allow_input_downcast: self.allow_input_downcast,
            trust_input: AtomicBool::new(self.trust_input.load(Ordering::Relaxed)),
        })
    }

    /// Theano's `f.free()`: drops the storage the function keeps between
    /// calls and empties the process-wide buffer pool, returning its
    /// memory to the system (results already returned stay valid).
    fn free(&self, py: Python<'_>) {
        let function = &self.function;
        py.detach(|| function.free());
    }

    /// PyTensor's `trust_input`: when set, a call takes exactly one
    /// positional NumPy array per input, of the input's dtype, and raises
    /// `TypeError` for anything else instead of converting it.
    #[getter]
    fn trust_input(&self) -> bool {
        self.trust_input.load(Ordering::Relaxed)
    }

    #[setter]
    fn set_trust_input(&self, value: bool) {
        self.trust_input.store(value, Ordering::Relaxed);
    }

    #[getter]
    fn name(&self) -> &str {
        self.function.name()
    }

    /// Theano's `f.maker`: gives `f.maker.fgraph`, the optimized graph.
    #[getter]
    fn maker<'py>(slf: Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let module = slf.py().import("theon.compile.function")?;
        module.getattr("FunctionMaker")?.call1((slf,))
    }

    /// Where the function was compiled ("file:line").
    #[getter]
    fn site(&self) -> String {
        self.function.site().to_string()
    }

    fn __repr__(&self) -> String {
        let inputs: Vec<&str> = self.inputs.iter().map(|i| i.label.as_str()).collect();
        format!(
            "<theon Function {}({})>",
            self.function.name(),
            inputs.join(", ")
        )
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyFunction>()?;
    m.add_function(wrap_pyfunction!(compile_function, m)?)?;
    Ok(())
}
