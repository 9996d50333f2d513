//! Theano's `In` inputs, `no_default_updates` and `Function.copy` for the
//! bindings: Python descriptions turned into the engine's `In`,
//! `NoDefaultUpdates` and `CopyOptions`. `theon.In` (in
//! `theon/compile/io.py`) is a plain Python object; its attributes are read
//! here.

use crate::casting::{filter_value, Destination};
use crate::errors::IntoPyResult;
use crate::variable::var_of;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyBool;
use theon::compile::{CopyOptions, In, NoDefaultUpdates};
use theon::graph::Arg;
use theon::{Function, SharedVar};

/// An input: a variable, or a `theon.In` (read by its attributes).
pub fn input_of(obj: &Bound<'_, PyAny>) -> PyResult<In> {
    if let Ok(var) = var_of(obj) {
        return Ok(In::new(&var));
    }
    let Ok(variable) = obj.getattr("variable") else {
        return Err(PyTypeError::new_err(format!(
            "function inputs must be variables or theon.In, got {}",
            obj.get_type().name()?
        )));
    };
    let var = var_of(&variable)?;
    let mut input = In::new(&var);
    input.name = obj.getattr("name")?.extract()?;
    input.mutable = obj.getattr("mutable")?.extract()?;
    input.borrow = obj
        .getattr("borrow")?
        .extract::<Option<bool>>()?
        .unwrap_or(false);
    input.strict = obj.getattr("strict")?.extract()?;
    input.allow_downcast = obj.getattr("allow_downcast")?.extract()?;
    let update = obj.getattr("update")?;
    if !update.is_none() {
        input.update = Some(var_of(&update)?);
    }
    let value = obj.getattr("value")?;
    if !value.is_none() {
        let label = input.name.clone().unwrap_or_else(|| var.label());
        let dest = Destination {
            function: "In",
            input: &label,
            ty: var.ty(),
            site: Some(var.site()),
        };
        input.value = Some(Arg::Array(filter_value(
            &value,
            &dest,
            input.allow_downcast,
        )?));
    }
    Ok(input)
}

/// Theano's `no_default_updates`: False (none skipped), True (all) or a
/// list of shared variables whose default updates are skipped.
pub fn no_default_updates_of(obj: Option<&Bound<'_, PyAny>>) -> PyResult<NoDefaultUpdates> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(NoDefaultUpdates::None);
    };
    if obj.is_instance_of::<PyBool>() {
        return Ok(if obj.extract()? {
            NoDefaultUpdates::All
        } else {
            NoDefaultUpdates::None
        });
    }
    let shared = obj
        .try_iter()?
        .map(|item| shared_of(&item?, "no_default_updates"))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(NoDefaultUpdates::Only(shared))
}

fn shared_of(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<SharedVar> {
    let var = var_of(obj)?;
    var.as_shared().ok_or_else(|| {
        PyTypeError::new_err(format!("{what}: {} is not a shared variable", var.label()))
    })
}

/// Theano's `f.copy(swap=..., delete_updates=..., name=...)`: `swap` maps
/// shared variables of `f` to ones of the same type used instead.
pub fn copy_function(
    function: &Function,
    swap: Option<&Bound<'_, PyAny>>,
    delete_updates: bool,
    name: Option<String>,
) -> PyResult<Function> {
    let mut pairs = Vec::new();
    if let Some(swap) = swap.filter(|s| !s.is_none()) {
        for item in swap.call_method0("items")?.try_iter()? {
            let (old, new): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item?.extract()?;
            pairs.push((
                shared_of(&old, "copy(swap)")?,
                shared_of(&new, "copy(swap)")?,
            ));
        }
    }
    function
        .copy_with(CopyOptions {
            swap: pairs,
            delete_updates,
            name,
        })
        .py_result()
}
