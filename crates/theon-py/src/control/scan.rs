//! `_theon.scan`: Theano's `scan` with a Python step function. The engine's
//! builder calls the step once on placeholders (with the GIL held: this
//! is graph-building time); a Python exception raised by the step is
//! kept and re-raised unchanged once the builder has unwound.

use super::interrupted;
use crate::errors::IntoPyResult;
use crate::function::engine_mode;
use crate::operand::{as_var, operand};
use crate::site::at_caller;
use crate::variable::{var_of, wrap};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use std::cell::RefCell;
use theon::graph::clone_replace;
use theon::ops::control::{self, OutputInfo, ScanResult, Seq, StepArgs, StepOutputs};
use theon::{Error, Var};

/// What the Python side passes for a sequence: `(input, taps)`.
type SeqArg<'py> = (Bound<'py, PyAny>, Vec<i64>);

/// What `scan` returns to `theon.scan_module`: the outputs (one per step
/// output), the final state of each recurrent output (`None` for the
/// others) and the updates of shared variables, as `(shared, value)`.
type ScanReturn = (
    Vec<Py<PyAny>>,
    Vec<Option<Py<PyAny>>>,
    Vec<(Py<PyAny>, Py<PyAny>)>,
);

/// The step's values as parsed by `theon.scan_module.scan`:
/// `(outputs, [(shared, new value)], until or None)`.
type Parsed<'py> = (
    Vec<Bound<'py, PyAny>>,
    Vec<(Bound<'py, PyAny>, Bound<'py, PyAny>)>,
    Option<Bound<'py, PyAny>>,
);

/// Calls the Python step with Theano's arguments: the placeholders of the
/// sequence and output taps, then the outer `non_sequences` themselves
/// (as Theano does, so that the step can take gradients with respect to
/// them), which are replaced by their placeholders afterwards.
fn call_step(
    py: Python<'_>,
    step: &Bound<'_, PyAny>,
    args: &StepArgs,
    non_seqs: &[Var],
) -> PyResult<StepOutputs> {
    let mut vars = args.args();
    vars.truncate(vars.len() - non_seqs.len());
    vars.extend(non_seqs.iter().cloned());
    let wrapped = vars
        .into_iter()
        .map(|v| wrap(py, v))
        .collect::<PyResult<Vec<_>>>()?;
    let result = step.call1((PyTuple::new(py, wrapped)?,))?;
    let (outputs, updates, until): Parsed<'_> = result.extract()?;
    let mut values = outputs.iter().map(as_var).collect::<PyResult<Vec<_>>>()?;
    let mut targets = Vec::new();
    for (target, value) in &updates {
        let target = var_of(target)?;
        targets.push(target.as_shared().ok_or_else(|| {
            PyTypeError::new_err(format!(
                "scan: the step function returned an update of {}, which is not a shared variable",
                target.label()
            ))
        })?);
        values.push(as_var(value)?);
    }
    values.extend(until.as_ref().map(as_var).transpose()?);
    // A shared variable the step updates stays itself: the engine makes
    // it a carry. Other non-sequences become their placeholders.
    let pairs: Vec<(Var, Var)> = non_seqs
        .iter()
        .enumerate()
        .filter(|(_, v)| !targets.iter().any(|s| s.var() == **v))
        .map(|(i, v)| (v.clone(), args.non_seq(i).clone()))
        .collect();
    let mut values = clone_replace(&values, &pairs).py_result()?;
    let cond = until
        .is_some()
        .then(|| values.pop().expect("until is last"));
    let updated = values.split_off(outputs.len());
    let mut out = StepOutputs::new(values);
    for (shared, value) in targets.iter().zip(updated) {
        out = out.update(shared, value);
    }
    if let Some(cond) = cond {
        out = out.until(&cond);
    }
    Ok(out)
}

fn sequences(seqs: &[SeqArg<'_>]) -> PyResult<Vec<Seq>> {
    seqs.iter()
        .map(|(input, taps)| Ok(Seq::taps(&as_var(input)?, taps)))
        .collect()
}

fn outputs_info(infos: &[Option<SeqArg<'_>>]) -> PyResult<Vec<OutputInfo>> {
    infos
        .iter()
        .map(|info| match info {
            None => Ok(OutputInfo::none()),
            Some((initial, taps)) => Ok(OutputInfo::taps(&as_var(initial)?, taps)),
        })
        .collect()
}

/// Theano's `truncate_gradient`: -1 for none, else at least 1 step.
fn truncation(name: &str, n: i64) -> theon::Result<Option<usize>> {
    match n {
        -1 => Ok(None),
        n if n >= 0 => Ok(Some(n as usize)),
        n => Err(Error::value(
            format!("scan '{name}'"),
            format!("truncate_gradient is {n}; use -1 (no truncation) or a number of steps >= 1"),
        )),
    }
}

fn wrap_result(py: Python<'_>, result: ScanResult) -> PyResult<ScanReturn> {
    let outputs = result
        .outputs
        .into_iter()
        .map(|v| wrap(py, v))
        .collect::<PyResult<_>>()?;
    let last = result
        .last
        .into_iter()
        .map(|v| v.map(|v| wrap(py, v)).transpose())
        .collect::<PyResult<_>>()?;
    let updates = result
        .updates
        .into_iter()
        .map(|(s, v)| Ok((wrap(py, s.var())?, wrap(py, v)?)))
        .collect::<PyResult<_>>()?;
    Ok((outputs, last, updates))
}

/// The engine's step function for a Python `step`, as `build` sees it.
type StepFn<'a> = &'a dyn Fn(&StepArgs) -> theon::Result<StepOutputs>;

/// Runs `build` at the user's Python line with the Python `step` as the
/// engine's step function. A Python exception raised by the step is
/// re-raised unchanged once the engine has unwound; otherwise the built
/// loop is wrapped for Python.
fn build_with_step(
    py: Python<'_>,
    step: &Bound<'_, PyAny>,
    non_seqs: &[Var],
    op: &str,
    build: impl FnOnce(StepFn<'_>) -> theon::Result<ScanResult>,
) -> PyResult<ScanReturn> {
    let failure: RefCell<Option<PyErr>> = RefCell::new(None);
    let step_fn = |args: &StepArgs| -> theon::Result<StepOutputs> {
        call_step(py, step, args, non_seqs).map_err(|e| {
            *failure.borrow_mut() = Some(e);
            interrupted(op)
        })
    };
    let built = at_caller(py, || build(&step_fn))?;
    if let Some(err) = failure.take() {
        return Err(err);
    }
    wrap_result(py, built.py_result()?)
}

/// Builds a scan. `theon.scan_module.scan` normalizes Theano's arguments:
/// sequences as `(input, taps)`, outputs_info entries as `(initial, taps)`
/// or `None`, `truncate_gradient` as an int (-1: none), `mode` as
/// `(base, including, excluding)`.
#[pyfunction]
#[pyo3(signature = (step, sequences, outputs_info, non_sequences, n_steps, truncate_gradient, go_backwards, name, strict, mode=None))]
#[allow(clippy::too_many_arguments)]
fn scan(
    py: Python<'_>,
    step: &Bound<'_, PyAny>,
    sequences: Vec<SeqArg<'_>>,
    outputs_info: Vec<Option<SeqArg<'_>>>,
    non_sequences: Vec<Bound<'_, PyAny>>,
    n_steps: Option<Bound<'_, PyAny>>,
    truncate_gradient: i64,
    go_backwards: bool,
    name: Option<String>,
    strict: bool,
    mode: Option<(String, Vec<String>, Vec<String>)>,
) -> PyResult<ScanReturn> {
    let seqs = self::sequences(&sequences)?;
    let infos = self::outputs_info(&outputs_info)?;
    let non_seqs = non_sequences
        .iter()
        .map(as_var)
        .collect::<PyResult<Vec<Var>>>()?;
    let n_steps = n_steps.as_ref().map(operand).transpose()?;
    let mode = mode.map(engine_mode).transpose()?;
    let name = name.unwrap_or_else(|| "scan".into());
    build_with_step(py, step, &non_seqs, "scan", |step_fn| {
        let mut builder = control::scan(step_fn)
            .sequences(seqs)
            .outputs_info(infos)
            .non_sequences(&non_seqs)
            .go_backwards(go_backwards)
            .strict(strict)
            .name(&name);
        if let Some(n) =
            truncation(&name, truncate_gradient).map_err(|e| e.at(&theon::Site::caller()))?
        {
            builder = builder.truncate_gradient(n);
        }
        if let Some(n) = n_steps {
            builder = builder.n_steps(n);
        }
        if let Some(mode) = mode {
            builder = builder.mode(mode);
        }
        builder.build()
    })
}

/// Builds Theano's `scan_checkpoints`: sequences read one row per step,
/// recurrent outputs with taps `[-1]`, and only every `save_every_n`-th
/// state kept (the gradient recomputes the others).
#[pyfunction]
#[pyo3(signature = (step, sequences, outputs_info, non_sequences, n_steps, save_every_n, name))]
#[allow(clippy::too_many_arguments)]
fn scan_checkpoints(
    py: Python<'_>,
    step: &Bound<'_, PyAny>,
    sequences: Vec<Bound<'_, PyAny>>,
    outputs_info: Vec<Bound<'_, PyAny>>,
    non_sequences: Vec<Bound<'_, PyAny>>,
    n_steps: Option<Bound<'_, PyAny>>,
    save_every_n: usize,
    name: Option<String>,
) -> PyResult<ScanReturn> {
    let vars = |xs: &[Bound<'_, PyAny>]| xs.iter().map(as_var).collect::<PyResult<Vec<Var>>>();
    let (seqs, initials, non_seqs) = (
        vars(&sequences)?,
        vars(&outputs_info)?,
        vars(&non_sequences)?,
    );
    let n_steps = n_steps.as_ref().map(operand).transpose()?;
    build_with_step(py, step, &non_seqs, "scan_checkpoints", |step_fn| {
        let mut builder = control::scan::scan_checkpoints(step_fn)
            .sequences(&seqs)
            .outputs_info(initials.iter().map(OutputInfo::initial))
            .non_sequences(&non_seqs)
            .save_every_n(save_every_n);
        if let Some(name) = &name {
            builder = builder.name(name);
        }
        if let Some(n) = n_steps {
            builder = builder.n_steps(n);
        }
        builder.build()
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(scan, m)?)?;
    m.add_function(wrap_pyfunction!(scan_checkpoints, m)?)?;
    Ok(())
}
