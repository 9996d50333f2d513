//! Theano's `scan(fn, sequences, outputs_info, non_sequences, n_steps,
//! truncate_gradient, go_backwards, mode, name, strict)` as a builder over
//! a Rust closure. The closure receives placeholders ([`StepArgs`]) and
//! returns the step's outputs ([`StepOutputs`]); `build` desugars it into
//! one [`Scan`](super::Scan) node.
//!
//! ```
//! use theon::prelude::*;
//! use theon::ops::control::{scan, OutputInfo};
//! // Cumulative sum: h_t = h_{t-1} + x_t.
//! let x = vector("x", F64);
//! let h0 = scalar("h0", F64);
//! let r = scan(|s| s.prev(0) + s.seq(0))
//!     .sequences([&x])
//!     .outputs_info([OutputInfo::initial(&h0)])
//!     .build()
//!     .unwrap();
//! let f = function(&[x, h0], &[r.outputs[0].clone()]).unwrap();
//! let xs = Tensor::from_vec(vec![1.0f64, 2.0, 3.0], &[3]).unwrap();
//! let out = f.call(&[xs, Tensor::scalar(10.0f64)]).unwrap();
//! assert_eq!(out[0].to_vec::<f64>(), vec![11.0, 13.0, 16.0]);
//! ```

use super::desugar::desugar;
use crate::error::{Result, Site};
use crate::graph::{SharedVar, Var};
use crate::ops::operand::Operand;
use crate::rewrite::Mode;
use std::borrow::Borrow;

/// A sequence: Theano's `dict(input=x, taps=[...])` (default taps `[0]`).
#[derive(Clone, Debug)]
pub struct Seq {
    pub input: Var,
    pub taps: Vec<i64>,
}

impl Seq {
    /// `x` read at the current step.
    pub fn new(input: &Var) -> Seq {
        Seq::taps(input, &[0])
    }

    /// `x` read at `t + tap` for each tap (e.g. `[-1, 0, 1]`).
    pub fn taps(input: &Var, taps: &[i64]) -> Seq {
        Seq {
            input: input.clone(),
            taps: taps.to_vec(),
        }
    }
}

impl From<&Var> for Seq {
    fn from(v: &Var) -> Seq {
        Seq::new(v)
    }
}
impl From<Var> for Seq {
    fn from(v: Var) -> Seq {
        Seq::new(&v)
    }
}

/// One entry of `outputs_info`: a recurrent output with its initial value
/// and taps, or `None` for an output the step does not read back.
#[derive(Clone, Debug)]
pub enum OutputInfo {
    None,
    Initial { initial: Var, taps: Vec<i64> },
}

impl OutputInfo {
    /// Recurrent with tap `-1`: `initial` is the state before step 0.
    pub fn initial(initial: &Var) -> OutputInfo {
        OutputInfo::taps(initial, &[-1])
    }

    /// Recurrent with negative taps (e.g. `[-2, -1]`): `initial` holds the
    /// `-min(taps)` states before step 0 along its first axis, oldest
    /// first. Taps `[-1]` alone take the state itself, as in Theano.
    pub fn taps(initial: &Var, taps: &[i64]) -> OutputInfo {
        OutputInfo::Initial {
            initial: initial.clone(),
            taps: taps.to_vec(),
        }
    }

    /// An output that is not fed back.
    pub fn none() -> OutputInfo {
        OutputInfo::None
    }
}

impl From<&Var> for OutputInfo {
    fn from(v: &Var) -> OutputInfo {
        OutputInfo::initial(v)
    }
}
impl From<Var> for OutputInfo {
    fn from(v: Var) -> OutputInfo {
        OutputInfo::initial(&v)
    }
}
impl From<Option<Var>> for OutputInfo {
    fn from(v: Option<Var>) -> OutputInfo {
        v.map_or(OutputInfo::None, |v| OutputInfo::initial(&v))
    }
}

/// What the step function receives: placeholders for this step's values.
pub struct StepArgs {
    pub(super) seqs: Vec<Vec<Var>>,
    pub(super) outputs: Vec<Vec<Var>>,
    pub(super) non_seqs: Vec<Var>,
}

impl StepArgs {
    /// Sequence `i` at its first tap (the current element for default taps).
    pub fn seq(&self, i: usize) -> &Var {
        &self.seqs[i][0]
    }

    /// Sequence `i` at each of its taps, in the order given.
    pub fn seq_taps(&self, i: usize) -> &[Var] {
        &self.seqs[i]
    }

    /// Output `i`'s most recent state (its last tap, `t-1` by default).
    /// Panics if output `i` has no initial value (it is not fed back).
    pub fn prev(&self, i: usize) -> &Var {
        self.outputs[i]
            .last()
            .unwrap_or_else(|| panic!("scan: output {i} has no outputs_info, so no previous state"))
    }

    /// Output `i`'s states at each of its taps, in the order given.
    pub fn output_taps(&self, i: usize) -> &[Var] {
        &self.outputs[i]
    }

    /// Non-sequence `i`.
    pub fn non_seq(&self, i: usize) -> &Var {
        &self.non_seqs[i]
    }

    /// Every argument in Theano's order: sequence taps, output taps,
    /// non-sequences.
    pub fn args(&self) -> Vec<Var> {
        let seqs = self.seqs.iter().flatten();
        let outs = self.outputs.iter().flatten();
        seqs.chain(outs).chain(&self.non_seqs).cloned().collect()
    }
}

/// What the step function returns: one output per `outputs_info` entry,
/// shared-variable updates, and an optional stop condition.
#[derive(Clone, Default)]
pub struct StepOutputs {
    pub outputs: Vec<Var>,
    pub updates: Vec<(SharedVar, Var)>,
    pub until: Option<Var>,
}

impl StepOutputs {
    /// The step's outputs.
    pub fn new(outputs: impl IntoIterator<Item = Var>) -> StepOutputs {
        StepOutputs {
            outputs: outputs.into_iter().collect(),
            ..StepOutputs::default()
        }
    }

    /// Stops the loop after the step where `cond` is true (Theano's
    /// `scan_module.until`); the outputs keep that step.
    pub fn until(mut self, cond: &Var) -> StepOutputs {
        self.until = Some(cond.clone());
        self
    }

    /// Updates `shared` to `value` after each step; the final value becomes
    /// an update returned in [`ScanResult::updates`].
    pub fn update(mut self, shared: &SharedVar, value: Var) -> StepOutputs {
        self.updates.push((shared.clone(), value));
        self
    }
}

/// What a step function may return.
pub trait IntoStepOutputs {
    fn into_step_outputs(self) -> Result<StepOutputs>;
}

impl IntoStepOutputs for StepOutputs {
    fn into_step_outputs(self) -> Result<StepOutputs> {
        Ok(self)
    }
}
impl IntoStepOutputs for Var {
    fn into_step_outputs(self) -> Result<StepOutputs> {
        Ok(StepOutputs::new([self]))
    }
}
impl IntoStepOutputs for Vec<Var> {
    fn into_step_outputs(self) -> Result<StepOutputs> {
        Ok(StepOutputs::new(self))
    }
}
impl<T: IntoStepOutputs> IntoStepOutputs for Result<T> {
    fn into_step_outputs(self) -> Result<StepOutputs> {
        self?.into_step_outputs()
    }
}

/// What `scan` returns.
#[derive(Clone)]
pub struct ScanResult {
    /// One per step output: its values at every step (recurrent outputs
    /// without their initial values), stacked on a new first axis.
    pub outputs: Vec<Var>,
    /// For recurrent outputs, the final state (`outputs[i][-1]`, without
    /// indexing); `None` for outputs that are not fed back.
    pub last: Vec<Option<Var>>,
    /// Shared-variable updates to pass to `function`.
    pub updates: Vec<(SharedVar, Var)>,
    /// The number of steps run (less than `n_steps` after `until`).
    pub steps: Var,
}

/// `scan`'s arguments other than the step function.
pub struct ScanOptions {
    pub sequences: Vec<Seq>,
    pub outputs_info: Vec<OutputInfo>,
    pub non_sequences: Vec<Var>,
    pub n_steps: Option<Operand>,
    pub go_backwards: bool,
    pub truncate_gradient: Option<usize>,
    pub name: String,
    pub mode: Option<Mode>,
    pub strict: bool,
    pub site: Site,
}

/// Collects `scan`'s arguments; see the module docs.
pub struct ScanBuilder<F> {
    step: F,
    options: ScanOptions,
}

/// Theano's `scan` over the step function `step`.
#[track_caller]
pub fn scan<F, R>(step: F) -> ScanBuilder<F>
where
    F: FnOnce(&StepArgs) -> R,
    R: IntoStepOutputs,
{
    ScanBuilder {
        step,
        options: ScanOptions {
            sequences: vec![],
            outputs_info: vec![],
            non_sequences: vec![],
            n_steps: None,
            go_backwards: false,
            truncate_gradient: None,
            name: "scan".into(),
            mode: None,
            strict: false,
            site: Site::caller(),
        },
    }
}

impl<F, R> ScanBuilder<F>
where
    F: FnOnce(&StepArgs) -> R,
    R: IntoStepOutputs,
{
    pub fn sequences<S: Into<Seq>>(mut self, seqs: impl IntoIterator<Item = S>) -> Self {
        self.options
            .sequences
            .extend(seqs.into_iter().map(Into::into));
        self
    }

    pub fn outputs_info<O: Into<OutputInfo>>(mut self, infos: impl IntoIterator<Item = O>) -> Self {
        self.options
            .outputs_info
            .extend(infos.into_iter().map(Into::into));
        self
    }

    pub fn non_sequences<V: Borrow<Var>>(mut self, vars: impl IntoIterator<Item = V>) -> Self {
        self.options
            .non_sequences
            .extend(vars.into_iter().map(|v| v.borrow().clone()));
        self
    }

    /// The number of steps: a literal or an integer scalar variable.
    pub fn n_steps(mut self, n: impl Into<Operand>) -> Self {
        self.options.n_steps = Some(n.into());
        self
    }

    /// Iterate the sequences from their end; outputs stay in the order
    /// the steps ran.
    pub fn go_backwards(mut self, yes: bool) -> Self {
        self.options.go_backwards = yes;
        self
    }

    /// Backpropagate through at most `n` steps (from the last one).
    pub fn truncate_gradient(mut self, n: usize) -> Self {
        self.options.truncate_gradient = Some(n);
        self
    }

    pub fn name(mut self, name: &str) -> Self {
        self.options.name = name.to_string();
        self
    }

    /// The compile mode of the body (default: `config().mode`).
    pub fn mode(mut self, mode: Mode) -> Self {
        self.options.mode = Some(mode);
        self
    }

    /// Refuse a body that reads outer variables not passed as sequences or
    /// non-sequences.
    pub fn strict(mut self, yes: bool) -> Self {
        self.options.strict = yes;
        self
    }

    /// Calls the step function on placeholders and builds the scan.
    pub fn build(self) -> Result<ScanResult> {
        let site = self.options.site.clone();
        desugar(self.step, self.options).map_err(|e| e.at(&site))
    }
}
