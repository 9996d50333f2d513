//! `Function` and its builder: Theano's `function(inputs, outputs, updates,
//! givens, ...)`. Updates are computed from the old state together with the
//! outputs and applied all at once, only when the whole call succeeded.

use super::Program;
use crate::error::{Error, ErrorKind, Result, Site};
use crate::graph::{clone_replace, graph_inputs, SharedVar, Var};
use crate::rewrite::{CompileProfile, FunctionGraph, Mode};
use crate::tensor::Tensor;
use std::sync::Mutex;

/// What to do with an input that no output depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnusedInput {
    Raise,
    Warn,
    Ignore,
}

/// Collects the arguments of `function` (Rust's form of keyword arguments).
pub struct FunctionBuilder {
    inputs: Vec<Var>,
    outputs: Vec<Var>,
    updates: Vec<(SharedVar, Var)>,
    givens: Vec<(Var, Var)>,
    name: String,
    on_unused_input: UnusedInput,
    mode: Option<Mode>,
    site: Site,
}

/// Compiles `outputs` as a function of `inputs` with default options.
#[track_caller]
pub fn function(inputs: &[Var], outputs: &[Var]) -> Result<Function> {
    Function::builder(inputs, outputs).build()
}

impl FunctionBuilder {
    /// Shared variables to update after each call: `(variable, new value)`.
    pub fn updates(mut self, updates: impl IntoIterator<Item = (SharedVar, Var)>) -> Self {
        self.updates.extend(updates);
        self
    }

    /// Variables to substitute before compiling: `(variable, replacement)`.
    pub fn givens(mut self, givens: impl IntoIterator<Item = (Var, Var)>) -> Self {
        self.givens.extend(givens);
        self
    }

    pub fn name(mut self, name: &str) -> Self {
        self.name = name.to_string();
        self
    }

    pub fn on_unused_input(mut self, policy: UnusedInput) -> Self {
        self.on_unused_input = policy;
        self
    }

    /// The compile mode (which rewrites run); default: `config().mode`.
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = Some(mode);
        self
    }

    /// Checks the graph against the inputs and builds the program.
    pub fn build(self) -> Result<Function> {
        let fname = self.name.clone();
        for (i, v) in self.inputs.iter().enumerate() {
            if !v.is_input() {
                let what = if v.constant_value().is_some() {
                    "a constant"
                } else if v.as_shared().is_some() {
                    "a shared variable"
                } else {
                    "computed by an op"
                };
                return Err(input_error(
                    &fname,
                    v,
                    format!("(argument {i}) is {what}, not a graph input"),
                )
                .at(v.site()));
            }
            if self.inputs[..i].contains(v) {
                return Err(input_error(&fname, v, "is listed twice".into()).at(v.site()));
            }
        }
        let mut results = self.outputs.clone();
        for (shared, value) in &self.updates {
            if !shared.ty().compatible(value.ty()) {
                let name = shared.name().unwrap_or_else(|| "shared".into());
                return Err(Error::value(
                    &fname,
                    format!(
                        "update for shared variable '{name}' has type {}, expected {}",
                        value.ty(),
                        shared.ty()
                    ),
                )
                .at(value.site()));
            }
            results.push(value.clone());
        }
        let results = clone_replace(&results, &self.givens)?;
        self.check_inputs(&results)?;
        let mode = match &self.mode {
            Some(mode) => mode.clone(),
            None => Mode::from_config().map_err(|e| e.at(&self.site))?,
        };
        let mut fg = FunctionGraph::from_vars(&self.inputs, &results)?;
        let profile = mode.optimize(&mut fg);
        let optimized = fg.to_vars()?;
        let program = Program::build(&self.inputs, &optimized);
        Ok(Function {
            name: fname,
            inputs: self.inputs,
            n_outputs: self.outputs.len(),
            updates: self.updates.into_iter().map(|(s, _)| s).collect(),
            program,
            optimized,
            profile,
            call_lock: Mutex::new(()),
            site: self.site,
        })
    }

    fn check_inputs(&self, results: &[Var]) -> Result<()> {
        let needed = graph_inputs(results);
        if let Some(missing) = needed.iter().find(|v| !self.inputs.contains(v)) {
            return Err(input_error(
                &self.name,
                missing,
                "is needed to compute the outputs but is not among the function's inputs".into(),
            )
            .at(&self.site));
        }
        for v in &self.inputs {
            if !needed.contains(v) {
                let msg =
                    "is not used to compute any output (pass on_unused_input=ignore to allow it)";
                match self.on_unused_input {
                    UnusedInput::Raise => {
                        return Err(input_error(&self.name, v, msg.into()).at(&self.site))
                    }
                    UnusedInput::Warn => eprintln!(
                        "theon: warning: {}",
                        input_error(&self.name, v, msg.into()).at(&self.site)
                    ),
                    UnusedInput::Ignore => {}
                }
            }
        }
        Ok(())
    }
}

fn input_error(function: &str, v: &Var, message: String) -> Error {
    ErrorKind::Input {
        function: function.into(),
        input: v.label(),
        message,
    }
    .into()
}

/// A compiled function. Calls are serialized by an internal lock, so one
/// `Function` may be shared between threads; updates are atomic per call.
pub struct Function {
    name: String,
    inputs: Vec<Var>,
    n_outputs: usize,
    updates: Vec<SharedVar>,
    program: Program,
    /// The optimized graph: outputs, then update values.
    optimized: Vec<Var>,
    profile: CompileProfile,
    call_lock: Mutex<()>,
    site: Site,
}

impl Function {
    /// A builder for `function(inputs, outputs, ...)` with options.
    #[track_caller]
    pub fn builder(inputs: &[Var], outputs: &[Var]) -> FunctionBuilder {
        FunctionBuilder {
            inputs: inputs.to_vec(),
            outputs: outputs.to_vec(),
            updates: vec![],
            givens: vec![],
            name: "function".into(),
            on_unused_input: UnusedInput::Raise,
            mode: None,
            site: Site::caller(),
        }
    }

    pub fn inputs(&self) -> &[Var] {
        &self.inputs
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The optimized graph the function runs: its outputs, then the new
    /// values of its updated shared variables.
    pub fn optimized_outputs(&self) -> &[Var] {
        &self.optimized
    }

    /// What the optimizer did: per-rule time and hits, phases, failures.
    pub fn compile_profile(&self) -> &CompileProfile {
        &self.profile
    }

    /// Where the function was compiled.
    pub fn site(&self) -> &Site {
        &self.site
    }

    /// Runs the function: checks every argument against its input's type,
    /// computes outputs and updates, then applies the updates together.
    pub fn call(&self, args: &[Tensor]) -> Result<Vec<Tensor>> {
        if args.len() != self.inputs.len() {
            return Err(ErrorKind::ArgCount {
                function: self.name.clone(),
                expected: self.inputs.len(),
                got: args.len(),
            }
            .into());
        }
        for (var, value) in self.inputs.iter().zip(args) {
            var.ty()
                .check_value(value, &self.name, &var.label())
                .map_err(|e| e.at(var.site()))?;
        }
        let _guard = self.call_lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut results = self.program.run(args.to_vec())?;
        let new_values = results.split_off(self.n_outputs);
        for (shared, value) in self.updates.iter().zip(&new_values) {
            let name = shared.name().unwrap_or_else(|| "shared".into());
            shared
                .ty()
                .check_value(value, &self.name, &format!("update of {name}"))?;
        }
        for (shared, value) in self.updates.iter().zip(new_values) {
            shared.set_value(value)?;
        }
        Ok(results)
    }
}
