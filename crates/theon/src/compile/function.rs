//! `Function`: a compiled, callable program with Theano's calling
//! semantics. A call binds its arguments (positional, keyword, defaults),
//! converts them by Theano's rules, runs the program, and only when every
//! node succeeded applies all updates at once: shared variables under
//! their write locks, taken together in a fixed order, then stateful inputs.
//! A failed call changes nothing.
//!
//! Thread safety: a `Function` is `Send + Sync`. Calls of one function are
//! serialized by an internal lock (they share the executor's frame). Calls
//! of different functions run concurrently; each reads all its shared
//! variables under their read locks at once and writes all its updates
//! under their write locks at once (locks taken in storage order), so it
//! sees, and leaves, either all or none of another call's updates.

use super::builder::input_error;
use super::debug::DebugHook;
use super::exec::{Frame, NoHook};
use super::kernel::KernelRegistry;
use super::profile::{Profiler, RunProfile};
use super::program::Program;
use super::Checks;
use crate::error::{Error, ErrorKind, Result, Site};
use crate::graph::{clone_replace, Arg, Filter, SharedVar, Var};
use crate::rewrite::CompileProfile;
use crate::tensor::Tensor;
use std::collections::HashMap;
use std::panic::Location;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

/// What a call needs to know about one input.
#[derive(Clone)]
pub(crate) struct InputSpec {
    pub var: Var,
    pub keyword: Option<String>,
    pub filter: Filter,
    /// The default (state, for an input with an update), already converted.
    pub default: Option<Tensor>,
    pub mutable: bool,
}

/// Which results are update values: shared variables (in order), then the
/// inputs with an update (their indices).
#[derive(Clone)]
pub(crate) struct Updates {
    pub shared: Vec<SharedVar>,
    pub inputs: Vec<usize>,
}

/// The mutable part of a function, behind its call lock.
struct CallState {
    frame: Frame,
    /// Per input: its current default / state.
    containers: Vec<Option<Tensor>>,
    profile: RunProfile,
    /// Extra handles on non-mutable arguments moved in by `call_owned`.
    pins: Vec<Tensor>,
}

/// Options of [`Function::copy_with`] (Theano's `copy(swap, delete_updates,
/// name)`).
#[derive(Clone, Default)]
pub struct CopyOptions {
    /// `(old, new)`: the copy reads and updates `new` where this function
    /// uses `old` (same type required).
    pub swap: Vec<(SharedVar, SharedVar)>,
    /// The copy applies no shared-variable updates.
    pub delete_updates: bool,
    pub name: Option<String>,
}

/// A compiled function (see the module docs for semantics and threads).
pub struct Function {
    name: String,
    site: Site,
    inputs: Vec<InputSpec>,
    output_borrow: Vec<bool>,
    updates: Updates,
    /// Indices into `updates.shared`, in storage (lock) order.
    write_order: Vec<usize>,
    program: Arc<Program>,
    /// The optimized graph: outputs, shared update values, input updates.
    optimized: Vec<Var>,
    history: HashMap<u64, Vec<String>>,
    kernels: KernelRegistry,
    compile_profile: CompileProfile,
    checks: Checks,
    profiling: bool,
    state: Mutex<CallState>,
}

impl Function {
    /// A builder for `function(inputs, outputs, ...)` with options. Inputs
    /// are `Var`s or [`super::In`]s, outputs `Var`s or [`super::Out`]s.
    #[track_caller]
    pub fn builder<I, O>(inputs: &[I], outputs: &[O]) -> super::FunctionBuilder
    where
        I: Clone + Into<super::In>,
        O: Clone + Into<super::Out>,
    {
        super::FunctionBuilder::new(
            inputs.iter().cloned().map(Into::into).collect(),
            outputs.iter().cloned().map(Into::into).collect(),
        )
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn assemble(
        name: String,
        site: Site,
        inputs: Vec<InputSpec>,
        output_borrow: Vec<bool>,
        updates: Updates,
        program: Arc<Program>,
        optimized: Vec<Var>,
        history: HashMap<u64, Vec<String>>,
        kernels: KernelRegistry,
        compile_profile: CompileProfile,
        checks: Checks,
        profiling: bool,
    ) -> Function {
        let mut write_order: Vec<usize> = (0..updates.shared.len()).collect();
        write_order.sort_by_key(|&i| updates.shared[i].storage_id());
        let containers = inputs.iter().map(|i| i.default.clone()).collect();
        let profile = RunProfile {
            name: name.clone(),
            compile: compile_profile.clone(),
            ..RunProfile::default()
        };
        Function {
            state: Mutex::new(CallState {
                frame: Frame::new(&program),
                containers,
                profile,
                pins: Vec::new(),
            }),
            name,
            site,
            inputs,
            output_borrow,
            updates,
            write_order,
            program,
            optimized,
            history,
            kernels,
            compile_profile,
            checks,
            profiling,
        }
    }

    /// The input variables, in call order.
    pub fn inputs(&self) -> Vec<Var> {
        self.inputs.iter().map(|i| i.var.clone()).collect()
    }

    /// The keyword each input is passed by (`None` for an unnamed input).
    pub fn input_names(&self) -> Vec<Option<String>> {
        self.inputs.iter().map(|i| i.keyword.clone()).collect()
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where the function was compiled.
    pub fn site(&self) -> &Site {
        &self.site
    }

    /// The shared variables each call updates, in update order.
    pub fn updated_shared(&self) -> &[SharedVar] {
        &self.updates.shared
    }

    /// The optimized graph the function runs: its outputs, then the new
    /// values of its updated shared variables, then of stateful inputs.
    pub fn optimized_outputs(&self) -> &[Var] {
        &self.optimized
    }

    /// The lowered program (schedule, kernels, liveness).
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// What the optimizer did: per-rule time and hits, phases, failures.
    pub fn compile_profile(&self) -> &CompileProfile {
        &self.compile_profile
    }

    /// The run-time profile so far (empty unless built with `profile`).
    pub fn profile(&self) -> RunProfile {
        self.lock().profile.clone()
    }

    /// Whether calls collect a run-time profile.
    pub fn is_profiling(&self) -> bool {
        self.profiling
    }

    /// The run-time checks (DebugMode, NanGuardMode) calls perform.
    pub fn checks(&self) -> &Checks {
        &self.checks
    }

    /// The current value of input `i`'s default / state.
    pub fn input_value(&self, i: usize) -> Option<Tensor> {
        self.lock().containers.get(i).cloned().flatten()
    }

    fn lock(&self) -> MutexGuard<'_, CallState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Calls with positional arguments (missing trailing ones take their
    /// defaults). Arguments of the exact type go straight in; others are
    /// converted by Theano's rules or rejected.
    #[track_caller]
    pub fn call(&self, args: &[Tensor]) -> Result<Vec<Tensor>> {
        let caller = Location::caller();
        if args.len() == self.inputs.len() && self.exact(args) {
            let values = args.iter().cloned();
            let mut state = self.lock();
            return self.execute(&mut state, values, caller);
        }
        let positional = args.iter().map(|t| Arg::Array(t.clone())).collect();
        self.call_at(positional, Vec::new(), caller)
    }

    /// Calls with arguments moved in. An input declared `mutable` may have
    /// its argument's buffer overwritten (reused for a result); others are
    /// kept intact.
    #[track_caller]
    pub fn call_owned(&self, args: Vec<Tensor>) -> Result<Vec<Tensor>> {
        let caller = Location::caller();
        if args.len() != self.inputs.len() || !self.exact(&args) {
            let positional = args.into_iter().map(Arg::Array).collect();
            return self.call_at(positional, Vec::new(), caller);
        }
        let mut state = self.lock();
        state.pins.clear();
        for (spec, arg) in self.inputs.iter().zip(&args) {
            if !spec.mutable {
                state.pins.push(arg.clone());
            }
        }
        let result = self.execute(&mut state, args.into_iter(), caller);
        state.pins.clear();
        result
    }

    /// Theano's `f(*positional, **keywords)`: binds positional arguments,
    /// then keywords by input name, then defaults; converts each by the
    /// input's filter.
    #[track_caller]
    pub fn call_args(
        &self,
        positional: Vec<Arg>,
        keywords: Vec<(String, Arg)>,
    ) -> Result<Vec<Tensor>> {
        self.call_at(positional, keywords, Location::caller())
    }

    /// Calls with keyword arguments only.
    #[track_caller]
    pub fn call_named(&self, keywords: &[(&str, Tensor)]) -> Result<Vec<Tensor>> {
        let keywords = keywords
            .iter()
            .map(|(k, v)| (k.to_string(), Arg::Array(v.clone())))
            .collect();
        self.call_at(Vec::new(), keywords, Location::caller())
    }

    /// A builder for a call mixing positional and keyword arguments.
    pub fn args(&self) -> CallArgs<'_> {
        CallArgs {
            function: self,
            positional: Vec::new(),
            keywords: Vec::new(),
        }
    }

    fn exact(&self, args: &[Tensor]) -> bool {
        self.inputs.iter().zip(args).all(|(spec, arg)| {
            let ty = spec.var.ty();
            arg.dtype() == ty.dtype && ty.check_layout(arg).is_ok()
        })
    }

    fn call_at(
        &self,
        positional: Vec<Arg>,
        keywords: Vec<(String, Arg)>,
        caller: &'static Location<'static>,
    ) -> Result<Vec<Tensor>> {
        let mut state = self.lock();
        let values = self
            .bind(&state.containers, positional, keywords)
            .map_err(|e| e.at(&Site::from_location(caller)))?;
        self.execute(&mut state, values.into_iter(), caller)
    }

    /// One value per input, converted: positional, keyword or default.
    fn bind(
        &self,
        containers: &[Option<Tensor>],
        positional: Vec<Arg>,
        keywords: Vec<(String, Arg)>,
    ) -> Result<Vec<Tensor>> {
        let n = self.inputs.len();
        if positional.len() > n {
            return Err(ErrorKind::ArgCount {
                function: self.name.clone(),
                expected: n,
                got: positional.len(),
            }
            .into());
        }
        let mut given: Vec<Option<Arg>> = positional.into_iter().map(Some).collect();
        given.resize(n, None);
        for (keyword, arg) in keywords {
            let i = self.keyword_index(&keyword)?;
            if given[i].is_some() {
                let msg = format!("got several values (keyword '{keyword}')");
                return Err(input_error(&self.name, &self.inputs[i].var, msg));
            }
            given[i] = Some(arg);
        }
        let mut values = Vec::with_capacity(n);
        for (i, (spec, arg)) in self.inputs.iter().zip(given).enumerate() {
            let value = match (arg, &containers[i]) {
                (Some(arg), _) => spec
                    .var
                    .ty()
                    .filter(arg, spec.filter)
                    .map_err(|m| input_error(&self.name, &spec.var, m))?,
                (None, Some(default)) => default.clone(),
                (None, None) => {
                    let msg = format!("(argument {i}) is missing and has no default value");
                    return Err(input_error(&self.name, &spec.var, msg));
                }
            };
            values.push(value);
        }
        Ok(values)
    }

    fn keyword_index(&self, keyword: &str) -> Result<usize> {
        let matches: Vec<usize> = (0..self.inputs.len())
            .filter(|&i| self.inputs[i].keyword.as_deref() == Some(keyword))
            .collect();
        match matches.as_slice() {
            [i] => Ok(*i),
            [] => {
                let names: Vec<String> = self
                    .inputs
                    .iter()
                    .map(|i| i.keyword.clone().unwrap_or_else(|| "<unnamed>".into()))
                    .collect();
                Err(Error::value(
                    &self.name,
                    format!(
                        "unknown keyword argument '{keyword}' (inputs: {})",
                        names.join(", ")
                    ),
                ))
            }
            _ => Err(Error::value(
                &self.name,
                format!("keyword '{keyword}' is ambiguous: several inputs have that name"),
            )),
        }
    }

    /// Runs the program and commits its updates.
    fn execute(
        &self,
        state: &mut CallState,
        args: impl Iterator<Item = Tensor>,
        caller: &'static Location<'static>,
    ) -> Result<Vec<Tensor>> {
        let started = self.profiling.then(Instant::now);
        let (one, many) = self.read_shared();
        let shared = one.into_iter().chain(many);
        let program = &*self.program;
        let CallState { frame, profile, .. } = state;
        let plain =
            !self.profiling && self.checks.debug.is_none() && self.checks.nan_guard.is_none();
        let results = if plain {
            program.run(frame, args, shared, &mut NoHook)
        } else {
            let debug = self.checks.debug.as_ref().map(DebugHook::new);
            let nan = self.checks.nan_guard.clone();
            let profiler = self
                .profiling
                .then(|| Profiler::new(profile, &program.steps, program.n_slots));
            let mut hook = (debug, (nan, profiler));
            let results = program.run(frame, args, shared, &mut hook);
            if let (Ok(_), Some(p), Some(started)) = (&results, hook.1 .1, started) {
                p.finish(started);
            }
            results
        };
        let results = results.map_err(|e| e.at(&Site::from_location(caller)))?;
        self.commit(state, results)
    }

    /// Reads every shared variable the program reads, under all their read
    /// locks at once (so the call sees a consistent state).
    fn read_shared(&self) -> (Option<Tensor>, Vec<Tensor>) {
        match self.program.shared_reads.as_slice() {
            [] => (None, Vec::new()),
            [(_, s)] => (Some(s.get_value()), Vec::new()),
            reads => {
                let guards: Vec<_> = reads.iter().map(|(_, s)| s.read_lock()).collect();
                (None, guards.iter().map(|g| (**g).clone()).collect())
            }
        }
    }

    /// Checks the update values, applies them all, and hands the caller
    /// outputs it owns.
    fn commit(&self, state: &mut CallState, mut results: Vec<Tensor>) -> Result<Vec<Tensor>> {
        let n_out = self.output_borrow.len();
        let n_shared = self.updates.shared.len();
        for (shared, value) in self.updates.shared.iter().zip(&results[n_out..]) {
            shared.ty().check_layout(value).map_err(|message| {
                Error::from(ErrorKind::Input {
                    function: self.name.clone(),
                    input: format!(
                        "update of {}",
                        shared.name().unwrap_or_else(|| "shared".into())
                    ),
                    message,
                })
                .at(&self.site)
            })?;
        }
        if n_shared > 0 {
            let mut guards: Vec<_> = self
                .write_order
                .iter()
                .map(|&k| self.updates.shared[k].write_lock())
                .collect();
            for (guard, &k) in guards.iter_mut().zip(&self.write_order) {
                **guard = kept(&results[n_out + k]);
            }
        }
        for (k, &i) in self.updates.inputs.iter().enumerate() {
            state.containers[i] = Some(kept(&results[n_out + n_shared + k]));
        }
        results.truncate(n_out);
        for (out, &borrow) in results.iter_mut().zip(&self.output_borrow) {
            if !borrow && out.buffer_is_shared() {
                // The backend's blocked copy: a transposed view is read a
                // cache line at a time rather than one column at a time.
                *out = crate::backend::cpu::copy::contiguous(out);
            }
        }
        Ok(results)
    }

    /// A copy with its own call state and the same shared storage.
    pub fn copy(&self) -> Function {
        self.copy_with(CopyOptions::default())
            .expect("a plain copy cannot fail")
    }

    /// Theano's `copy(swap, delete_updates, name)`.
    pub fn copy_with(&self, options: CopyOptions) -> Result<Function> {
        let n_out = self.output_borrow.len();
        let n_shared = self.updates.shared.len();
        let mut updates = self.updates.clone();
        let mut results = self.optimized.clone();
        if options.delete_updates {
            results.drain(n_out..n_out + n_shared);
            updates.shared.clear();
        }
        let pairs = self.swap_pairs(&options.swap)?;
        for shared in updates.shared.iter_mut() {
            if let Some((_, new)) = options
                .swap
                .iter()
                .find(|(old, _)| old.same_storage(shared))
            {
                *shared = new.clone();
            }
        }
        let (program, optimized) = if pairs.is_empty() && !options.delete_updates {
            (self.program.clone(), results)
        } else {
            let results = clone_replace(&results, &pairs)?;
            let program = Program::build(&self.inputs(), &results, &self.kernels, &self.history);
            (Arc::new(program), results)
        };
        let copy = Function::assemble(
            options.name.unwrap_or_else(|| self.name.clone()),
            self.site.clone(),
            self.inputs.clone(),
            self.output_borrow.clone(),
            updates,
            program,
            optimized,
            self.history.clone(),
            self.kernels.clone(),
            self.compile_profile.clone(),
            self.checks.clone(),
            self.profiling,
        );
        copy.lock().containers = self.lock().containers.clone();
        Ok(copy)
    }

    fn swap_pairs(&self, swap: &[(SharedVar, SharedVar)]) -> Result<Vec<(Var, Var)>> {
        swap.iter()
            .map(|(old, new)| {
                if old.ty() != new.ty() {
                    return Err(Error::value(
                        "Function::copy",
                        format!(
                            "cannot swap shared variable '{}' of type {} for '{}' of type {}",
                            old.name().unwrap_or_default(),
                            old.ty(),
                            new.name().unwrap_or_default(),
                            new.ty()
                        ),
                    ));
                }
                Ok((old.var(), new.var()))
            })
            .collect()
    }

    /// Theano's `free()`: releases the storage the function keeps between
    /// calls (the executor's frame and scratch vectors; stateful inputs and
    /// the profile are kept), and empties the process-wide buffer pool
    /// ([`crate::tensor::pool::trim`]) so the memory goes back to the
    /// system. The next call rebuilds what it needs.
    pub fn free(&self) {
        let mut state = self.lock();
        state.frame = Frame::new(&self.program);
        state.pins = Vec::new();
        drop(state);
        crate::tensor::pool::trim();
    }
}

/// A value the function keeps as state after the call: a copy if it views
/// borrowed memory (a caller's array), which may change once the call is
/// over.
fn kept(value: &Tensor) -> Tensor {
    if value.is_borrowed() {
        value.to_contiguous_copy()
    } else {
        value.clone()
    }
}

/// Positional and keyword arguments collected for one call.
pub struct CallArgs<'f> {
    function: &'f Function,
    positional: Vec<Arg>,
    keywords: Vec<(String, Arg)>,
}

impl CallArgs<'_> {
    /// The next positional argument.
    pub fn arg(mut self, value: impl Into<Arg>) -> Self {
        self.positional.push(value.into());
        self
    }

    /// A keyword argument (by input name).
    pub fn kw(mut self, name: &str, value: impl Into<Arg>) -> Self {
        self.keywords.push((name.to_string(), value.into()));
        self
    }

    /// Makes the call.
    #[track_caller]
    pub fn call(self) -> Result<Vec<Tensor>> {
        self.function
            .call_at(self.positional, self.keywords, Location::caller())
    }
}

impl std::fmt::Debug for Function {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Function")
            .field("name", &self.name)
            .field("inputs", &self.input_names())
            .field("outputs", &self.output_borrow.len())
            .field("steps", &self.program.steps.len())
            .field("site", &self.site.to_string())
            .finish()
    }
}
