//! Theano's `scan_checkpoints(fn, sequences, outputs_info, non_sequences,
//! name, n_steps, save_every_N)`: a scan whose gradient stores the states
//! of every `N`-th step only and recomputes the others.
//!
//! It is two nested scans. The outer one runs over blocks of `N` steps
//! (the last block may be shorter) and keeps one state per block; its body
//! is an inner scan that runs the user's step over the block's rows. The
//! gradient of the outer scan reads the stored block states and, being the
//! vector-Jacobian product of the outer body, runs the inner scan again
//! for its block before backpropagating through it: memory for states
//! drops from `T` to `T/N + N`, for about one more forward pass.
//!
//! ```
//! use theon::prelude::*;
//! use theon::ops::control::scan::scan_checkpoints;
//! // Cumulative sum with a checkpoint every 4 steps.
//! let x = vector("x", F64);
//! let h0 = scalar("h0", F64);
//! let r = scan_checkpoints(|s| s.prev(0) + s.seq(0))
//!     .sequences([&x])
//!     .outputs_info([&h0])
//!     .save_every_n(4)
//!     .build()
//!     .unwrap();
//! let f = function(&[x, h0], &[r.outputs[0].clone(), r.last[0].clone().unwrap()]).unwrap();
//! let xs = Tensor::from_vec((1..=10).map(f64::from).collect(), &[10]).unwrap();
//! let out = f.call(&[xs, Tensor::scalar(0.0f64)]).unwrap();
//! // The states after steps 4, 8 and 10, then the last one.
//! assert_eq!(out[0].to_vec::<f64>(), vec![10.0, 36.0, 55.0]);
//! assert_eq!(out[1].item().as_f64(), 55.0);
//! ```

use super::builder::{scan, IntoStepOutputs, OutputInfo, ScanResult, Seq, StepArgs};
use crate::dtype::DType;
use crate::error::{Error, Result, Site};
use crate::graph::Var;
use crate::ops::creation::try_arange;
use crate::ops::elemwise::minimum;
use crate::ops::indexing::IndexItem;
use crate::ops::operand::Operand;
use crate::ops::shape::dims::int_scalar;
use std::borrow::Borrow;

/// Collects `scan_checkpoints`' arguments; see the module docs.
pub struct ScanCheckpoints<F> {
    step: F,
    sequences: Vec<Var>,
    outputs_info: Vec<OutputInfo>,
    non_sequences: Vec<Var>,
    n_steps: Option<Operand>,
    save_every_n: usize,
    name: String,
    site: Site,
}

/// Theano's `scan_checkpoints` over the step function `step`: like
/// [`scan`](super::scan) with sequences read one row per step (taps `[0]`)
/// and recurrent outputs with taps `[-1]`, but [`ScanResult::outputs`]
/// holds the state after every `save_every_n`-th step (and after the last
/// step), not after every step.
#[track_caller]
pub fn scan_checkpoints<F, R>(step: F) -> ScanCheckpoints<F>
where
    F: FnOnce(&StepArgs) -> R,
    R: IntoStepOutputs,
{
    ScanCheckpoints {
        step,
        sequences: vec![],
        outputs_info: vec![],
        non_sequences: vec![],
        n_steps: None,
        save_every_n: 10,
        name: "checkpointscan_fn".into(),
        site: Site::caller(),
    }
}

impl<F, R> ScanCheckpoints<F>
where
    F: FnOnce(&StepArgs) -> R,
    R: IntoStepOutputs,
{
    pub fn sequences<V: Borrow<Var>>(mut self, seqs: impl IntoIterator<Item = V>) -> Self {
        self.sequences
            .extend(seqs.into_iter().map(|v| v.borrow().clone()));
        self
    }

    pub fn outputs_info<O: Into<OutputInfo>>(mut self, infos: impl IntoIterator<Item = O>) -> Self {
        self.outputs_info.extend(infos.into_iter().map(Into::into));
        self
    }

    pub fn non_sequences<V: Borrow<Var>>(mut self, vars: impl IntoIterator<Item = V>) -> Self {
        self.non_sequences
            .extend(vars.into_iter().map(|v| v.borrow().clone()));
        self
    }

    /// The number of steps (default: the first sequence's length).
    pub fn n_steps(mut self, n: impl Into<Operand>) -> Self {
        self.n_steps = Some(n.into());
        self
    }

    /// Keep the state of every `n`-th step (Theano's `save_every_N`, at
    /// least 1; default 10).
    pub fn save_every_n(mut self, n: usize) -> Self {
        self.save_every_n = n;
        self
    }

    pub fn name(mut self, name: &str) -> Self {
        self.name = name.to_string();
        self
    }

    /// Builds the two nested scans.
    pub fn build(self) -> Result<ScanResult> {
        let site = self.site.clone();
        self.nest().map_err(|e| e.at(&site))
    }

    fn fail(&self, message: String) -> Error {
        Error::value(format!("scan_checkpoints '{}'", self.name), message)
    }

    fn check(&self) -> Result<()> {
        if self.save_every_n == 0 {
            return Err(self.fail("save_every_n must be at least 1".into()));
        }
        if self.outputs_info.is_empty() {
            return Err(self.fail("needs at least one recurrent output".into()));
        }
        for info in &self.outputs_info {
            match info {
                OutputInfo::Initial { taps, .. } if taps == &[-1] => {}
                _ => {
                    return Err(self.fail(
                        "every output must be recurrent with taps [-1] (outputs without \
                         outputs_info and other taps are not supported)"
                            .into(),
                    ))
                }
            }
        }
        if self.sequences.is_empty() && self.n_steps.is_none() {
            return Err(self.fail("needs sequences or n_steps".into()));
        }
        Ok(())
    }

    /// The step count, an int64 scalar.
    fn steps(&self) -> Result<Var> {
        match &self.n_steps {
            Some(n) => Ok(int_scalar(&self.name, "n_steps", n.clone())?.cast(DType::I64)),
            None => Ok(self.sequences[0].shape_i(0)),
        }
    }

    fn nest(self) -> Result<ScanResult> {
        self.check()?;
        let n = self.save_every_n as i64;
        let steps = self.steps()?;
        // Block b runs steps b·N .. b·N + min(N, T - b·N).
        let blocks = (&steps + (n - 1)).floor_div(n);
        let starts = try_arange(0i64, blocks * n, n, DType::I64)?;
        let lengths = minimum(n, &steps - &starts);
        let n_seqs = self.sequences.len();
        let user_non_seqs = self.non_sequences.len();
        let inner_name = format!("{}_inner", self.name);
        let user_step = self.step;
        let checked_name = self.name.clone();
        let step = move |a: &StepArgs| -> Result<super::builder::StepOutputs> {
            let out = user_step(a).into_step_outputs()?;
            if out.until.is_some() || !out.updates.is_empty() {
                let msg = "the step function may not return `until` or shared-variable updates";
                return Err(Error::value(
                    format!("scan_checkpoints '{checked_name}'"),
                    msg,
                ));
            }
            Ok(out)
        };
        let outputs_info = self.outputs_info.clone();
        let mut non_sequences = self.sequences.clone();
        non_sequences.extend(self.non_sequences.iter().cloned());
        let outer = scan(move |s: &StepArgs| -> Result<Vec<Var>> {
            let (start, len) = (s.seq(0), s.seq(1));
            let rows = IndexItem::slice(Some(start.into()), Some((start + len).into()), None);
            let seqs: Vec<Seq> = (0..n_seqs)
                .map(|i| {
                    s.non_seq(i)
                        .try_at(std::slice::from_ref(&rows))
                        .map(Seq::from)
                })
                .collect::<Result<_>>()?;
            let states: Vec<OutputInfo> = (0..outputs_info.len())
                .map(|i| OutputInfo::initial(s.prev(i)))
                .collect();
            let non_seqs: Vec<Var> = (0..user_non_seqs)
                .map(|i| s.non_seq(n_seqs + i).clone())
                .collect();
            let inner = scan(step)
                .sequences(seqs)
                .outputs_info(states)
                .non_sequences(non_seqs)
                .n_steps(len)
                .name(&inner_name)
                .build()?;
            inner
                .last
                .into_iter()
                .map(|l| {
                    l.ok_or_else(|| Error::value("scan_checkpoints", "an output is not recurrent"))
                })
                .collect()
        })
        .sequences([starts, lengths])
        .outputs_info(self.outputs_info)
        .non_sequences(non_sequences)
        .name(&format!("{}_outer", self.name))
        .build()?;
        Ok(ScanResult { steps, ..outer })
    }
}
