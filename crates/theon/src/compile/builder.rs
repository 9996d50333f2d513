//! `FunctionBuilder`: the arguments of Theano's `function(inputs, outputs,
//! updates, givens, mode, name, profile, on_unused_input,
//! allow_input_downcast, no_default_updates, accept_inplace)`, checked and
//! lowered into a [`Function`].

use super::debug::DebugMode;
use super::function::{Function, InputSpec, Updates};
use super::history::History;
use super::io::{In, Out};
use super::kernel::KernelRegistry;
use super::nanguard::NanGuardMode;
use super::program::Program;
use crate::config::config;
use crate::error::{Error, ErrorKind, Result, Site};
use crate::graph::{clone_replace, graph_inputs, graph_leaves, toposort, SharedVar, Var};
use crate::rewrite::{FunctionGraph, Mode};
use std::collections::HashMap;
use std::sync::Arc;

/// What to do with an input that no output depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnusedInput {
    Raise,
    Warn,
    Ignore,
}

/// Theano's `no_default_updates`: skip every shared variable's default
/// update, none, or those of the listed variables.
#[derive(Clone, Default)]
pub enum NoDefaultUpdates {
    #[default]
    None,
    All,
    Only(Vec<SharedVar>),
}

/// Run-time checks a function performs (Theano's `DebugMode` and
/// `NanGuardMode` modes).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Checks {
    pub debug: Option<DebugMode>,
    pub nan_guard: Option<NanGuardMode>,
}

/// Collects the arguments of `function` (Rust's form of keyword arguments).
pub struct FunctionBuilder {
    inputs: Vec<In>,
    outputs: Vec<Out>,
    updates: Vec<(SharedVar, Var)>,
    givens: Vec<(Var, Var)>,
    name: String,
    on_unused_input: UnusedInput,
    mode: Option<Mode>,
    allow_input_downcast: Option<bool>,
    no_default_updates: NoDefaultUpdates,
    accept_inplace: bool,
    profile: Option<bool>,
    checks: Option<Checks>,
    kernels: Option<KernelRegistry>,
    site: Site,
}

impl FunctionBuilder {
    #[track_caller]
    pub(crate) fn new(inputs: Vec<In>, outputs: Vec<Out>) -> FunctionBuilder {
        FunctionBuilder {
            inputs,
            outputs,
            updates: vec![],
            givens: vec![],
            name: "function".into(),
            on_unused_input: UnusedInput::Raise,
            mode: None,
            allow_input_downcast: None,
            no_default_updates: NoDefaultUpdates::None,
            accept_inplace: false,
            profile: None,
            checks: None,
            kernels: None,
            site: Site::caller(),
        }
    }

    /// Shared variables to update after each call, in order:
    /// `(variable, new value)`. All new values are computed from the old
    /// state, then applied together.
    pub fn updates(mut self, updates: impl IntoIterator<Item = (SharedVar, Var)>) -> Self {
        self.updates.extend(updates);
        self
    }

    /// Variables to substitute before compiling: `(variable, replacement)`.
    pub fn givens(mut self, givens: impl IntoIterator<Item = (Var, Var)>) -> Self {
        self.givens.extend(givens);
        self
    }

    /// The function's name (in errors and profiles).
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

    /// Theano's `allow_input_downcast` for every input that does not set
    /// its own `allow_downcast`.
    pub fn allow_input_downcast(mut self, allow: bool) -> Self {
        self.allow_input_downcast = Some(allow);
        self
    }

    pub fn no_default_updates(mut self, which: NoDefaultUpdates) -> Self {
        self.no_default_updates = which;
        self
    }

    /// Accept user graphs that contain ops overwriting their inputs.
    pub fn accept_inplace(mut self, accept: bool) -> Self {
        self.accept_inplace = accept;
        self
    }

    /// Collect a run-time profile (default: `config().profile`).
    pub fn profile(mut self, profile: bool) -> Self {
        self.profile = Some(profile);
        self
    }

    /// Run every node under DebugMode's checks.
    pub fn debug_mode(mut self, mode: DebugMode) -> Self {
        self.checks.get_or_insert_with(Checks::default).debug = Some(mode);
        self
    }

    /// Check every node's outputs for NaN / Inf / huge values.
    pub fn nan_guard(mut self, guard: NanGuardMode) -> Self {
        self.checks.get_or_insert_with(Checks::default).nan_guard = Some(guard);
        self
    }

    /// The kernels to select from (default: [`KernelRegistry::standard`]).
    pub fn kernels(mut self, kernels: KernelRegistry) -> Self {
        self.kernels = Some(kernels);
        self
    }

    /// Checks the graph against the inputs, optimizes it and lowers it.
    pub fn build(mut self) -> Result<Function> {
        self.check_declared_inputs()?;
        self.add_default_updates()?;
        self.check_updates()?;
        let mut results: Vec<Var> = self.outputs.iter().map(|o| o.variable.clone()).collect();
        results.extend(self.updates.iter().map(|(_, v)| v.clone()));
        let input_updates: Vec<usize> = (0..self.inputs.len())
            .filter(|&i| self.inputs[i].update.is_some())
            .collect();
        results.extend(
            input_updates
                .iter()
                .map(|&i| self.inputs[i].update.clone().expect("has update")),
        );
        let results = clone_replace(&results, &self.givens).map_err(|e| e.at(&self.site))?;
        self.check_graph(&results)?;
        let (mode, config_checks) = self.resolve_mode()?;
        let checks = self.checks.take().or(config_checks).unwrap_or_default();
        let vars: Vec<Var> = self.inputs.iter().map(|i| i.variable.clone()).collect();
        let mut fg = FunctionGraph::from_vars(&vars, &results)?;
        let history_feature = fg.attach_feature(Box::new(History::default()));
        let compile_profile = mode.optimize(&mut fg);
        let (optimized, exported) = fg.to_vars_mapped()?;
        let chains = &fg
            .feature::<History>(history_feature)
            .expect("attached")
            .chains;
        let history: HashMap<u64, Vec<String>> = exported
            .into_iter()
            .filter_map(|(id, node)| chains.get(&id).map(|c| (node, c.clone())))
            .collect();
        let kernels = self.kernels.take().unwrap_or_else(KernelRegistry::standard);
        let program = Arc::new(Program::build(&vars, &optimized, &kernels, &history));
        let inputs = self.input_specs()?;
        Ok(Function::assemble(
            self.name,
            self.site,
            inputs,
            self.outputs.iter().map(|o| o.borrow).collect(),
            Updates {
                shared: self.updates.into_iter().map(|(s, _)| s).collect(),
                inputs: input_updates,
            },
            program,
            optimized,
            history,
            kernels,
            compile_profile,
            checks,
            self.profile.unwrap_or_else(|| config().profile),
        ))
    }

    fn check_declared_inputs(&self) -> Result<()> {
        for (i, input) in self.inputs.iter().enumerate() {
            let v = &input.variable;
            if !v.is_input() {
                let what = if v.constant_value().is_some() {
                    "a constant"
                } else if v.as_shared().is_some() {
                    "a shared variable (use updates, not inputs)"
                } else {
                    "computed by an op"
                };
                let msg = format!("(argument {i}) is {what}, not a graph input");
                return Err(input_error(&self.name, v, msg).at(v.site()));
            }
            if self.inputs[..i].iter().any(|o| o.variable == *v) {
                return Err(input_error(&self.name, v, "is listed twice".into()).at(v.site()));
            }
            if let Some(update) = &input.update {
                if !v.ty().compatible(update.ty()) {
                    let msg = format!(
                        "has type {} but its update has type {}",
                        v.ty(),
                        update.ty()
                    );
                    return Err(input_error(&self.name, v, msg).at(update.site()));
                }
            }
        }
        Ok(())
    }

    /// Adds Theano's default updates of the shared variables the graph
    /// reads (and those their updates read), unless excluded.
    fn add_default_updates(&mut self) -> Result<()> {
        if matches!(self.no_default_updates, NoDefaultUpdates::All) {
            return Ok(());
        }
        loop {
            let mut roots: Vec<Var> = self.outputs.iter().map(|o| o.variable.clone()).collect();
            roots.extend(self.updates.iter().map(|(_, v)| v.clone()));
            roots.extend(self.inputs.iter().filter_map(|i| i.update.clone()));
            let mut added = false;
            for leaf in graph_leaves(&roots) {
                let Some(shared) = leaf.as_shared() else {
                    continue;
                };
                let excluded = match &self.no_default_updates {
                    NoDefaultUpdates::Only(list) => list.iter().any(|s| s.same_storage(&shared)),
                    _ => false,
                };
                let updated = self.updates.iter().any(|(s, _)| s.same_storage(&shared));
                if let (false, false, Some(update)) = (excluded, updated, shared.default_update()) {
                    self.updates.push((shared, update));
                    added = true;
                }
            }
            if !added {
                return Ok(());
            }
        }
    }

    fn check_updates(&self) -> Result<()> {
        for (k, (shared, value)) in self.updates.iter().enumerate() {
            let name = shared.name().unwrap_or_else(|| "shared".into());
            if !shared.ty().compatible(value.ty()) {
                return Err(Error::value(
                    &self.name,
                    format!(
                        "update for shared variable '{name}' has type {}, expected {}",
                        value.ty(),
                        shared.ty()
                    ),
                )
                .at(value.site()));
            }
            if self.updates[..k]
                .iter()
                .any(|(s, _)| s.same_storage(shared))
            {
                return Err(Error::value(
                    &self.name,
                    format!("shared variable '{name}' is updated twice"),
                )
                .at(value.site()));
            }
        }
        Ok(())
    }

    /// Every graph input is declared; declared inputs are used (or the
    /// policy allows it); inplace ops only with `accept_inplace`.
    fn check_graph(&self, results: &[Var]) -> Result<()> {
        let needed = graph_inputs(results);
        if let Some(missing) = needed
            .iter()
            .find(|v| !self.inputs.iter().any(|i| i.variable == **v))
        {
            let msg = "is needed to compute the outputs but is not among the function's inputs";
            return Err(input_error(&self.name, missing, msg.into()).at(&self.site));
        }
        for input in &self.inputs {
            let v = &input.variable;
            if needed.contains(v) {
                continue;
            }
            let msg = "is not used to compute any output (pass on_unused_input=ignore to allow it)";
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
        if !self.accept_inplace {
            for node in toposort(results) {
                if node.op().is_some_and(|op| !op.destroy_map().is_empty()) {
                    return Err(Error::value(
                        &self.name,
                        format!(
                            "the graph contains {}, which overwrites its inputs; pass accept_inplace=true to allow it",
                            node.label()
                        ),
                    )
                    .at(&node.site));
                }
            }
        }
        Ok(())
    }

    /// The compile mode, and the checks a configured mode name implies
    /// (`DebugMode`, `NanGuardMode`: optimized as `FAST_RUN`).
    fn resolve_mode(&self) -> Result<(Mode, Option<Checks>)> {
        if let Some(mode) = &self.mode {
            return Ok((mode.clone(), None));
        }
        let name = config().mode;
        let checks = match name.as_str() {
            "DebugMode" | "DEBUG_MODE" => Checks {
                debug: Some(DebugMode::default()),
                nan_guard: None,
            },
            "NanGuardMode" => Checks {
                debug: None,
                nan_guard: Some(NanGuardMode::default()),
            },
            _ => return Ok((Mode::named(&name).map_err(|e| e.at(&self.site))?, None)),
        };
        Ok((Mode::fast_run(), Some(checks)))
    }

    /// Per input: keyword, filter, default (converted now, so a bad default
    /// fails at build time), update flag.
    fn input_specs(&self) -> Result<Vec<InputSpec>> {
        self.inputs
            .iter()
            .map(|input| {
                let filter = input.filter(self.allow_input_downcast);
                let default = match &input.value {
                    None => None,
                    Some(value) => {
                        let v = input
                            .variable
                            .ty()
                            .filter(value.clone(), filter)
                            .map_err(|m| {
                                input_error(
                                    &self.name,
                                    &input.variable,
                                    format!("default value: {m}"),
                                )
                                .at(&self.site)
                            })?;
                        Some(if input.borrow {
                            v
                        } else {
                            v.to_contiguous_copy()
                        })
                    }
                };
                Ok(InputSpec {
                    var: input.variable.clone(),
                    keyword: input.keyword(),
                    filter,
                    default,
                    mutable: input.mutable,
                })
            })
            .collect()
    }
}

/// An error about input `v`, pointing at the line that created `v` (for a
/// Python user that is their file:line, not the binding's).
pub(crate) fn input_error(function: &str, v: &Var, message: String) -> Error {
    Error::from(ErrorKind::Input {
        function: function.into(),
        input: v.label(),
        message,
    })
    .at(v.site())
}
