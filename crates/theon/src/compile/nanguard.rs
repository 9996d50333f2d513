//! `NanGuardMode`: checks every node's outputs and stops at the first node
//! that produced a NaN, an Inf or a huge value, naming it, its user line
//! and a summary of its inputs. The call then fails like any other: no
//! shared variable changes.

use super::debug::node_error;
use super::exec::Hook;
use super::program::Step;
use crate::error::Result;
use crate::graph::summary;
use crate::tensor::Tensor;

/// Theano's `NanGuardMode(nan_is_error, inf_is_error, big_is_error)`.
#[derive(Clone, Debug, PartialEq)]
pub struct NanGuardMode {
    pub nan_is_error: bool,
    pub inf_is_error: bool,
    pub big_is_error: bool,
    /// What counts as huge (Theano: 1e10).
    pub big_threshold: f64,
}

impl NanGuardMode {
    /// A guard with Theano's threshold for huge values (`1e10`).
    pub fn new(nan_is_error: bool, inf_is_error: bool, big_is_error: bool) -> NanGuardMode {
        NanGuardMode {
            nan_is_error,
            inf_is_error,
            big_is_error,
            big_threshold: 1e10,
        }
    }

    /// The first offending value of `t`: (what, flat index, value).
    fn offence(&self, t: &Tensor) -> Option<(&'static str, usize, f64)> {
        if !t.dtype().is_float() {
            return None;
        }
        t.to_f64_vec().into_iter().enumerate().find_map(|(k, v)| {
            if v.is_nan() && self.nan_is_error {
                Some(("NaN", k, v))
            } else if v.is_infinite() && self.inf_is_error {
                Some(("Inf", k, v))
            } else if v.is_finite() && v.abs() > self.big_threshold && self.big_is_error {
                Some(("a huge value", k, v))
            } else {
                None
            }
        })
    }
}

impl Default for NanGuardMode {
    fn default() -> Self {
        NanGuardMode::new(true, true, true)
    }
}

impl Hook for NanGuardMode {
    fn before_step(&mut self, _: usize, _: &Step, _: &[Option<Tensor>]) -> Result<()> {
        Ok(())
    }

    fn after_step(
        &mut self,
        _: usize,
        step: &Step,
        slots: &[Option<Tensor>],
        outputs: &[Tensor],
    ) -> Result<()> {
        for (o, out) in outputs.iter().enumerate() {
            let Some((what, index, value)) = self.offence(out) else {
                continue;
            };
            let inputs: Vec<String> = step
                .inputs
                .iter()
                .enumerate()
                .map(|(i, &s)| match &slots[s] {
                    Some(t) => format!("input {i}: {} {}", step.input_types[i], summary_of(t)),
                    None => format!("input {i}: consumed by the kernel"),
                })
                .collect();
            return Err(node_error(
                "NanGuardMode",
                step,
                format!(
                    "output {o} has {what} ({value}) at flat index {index}; inputs: {}",
                    inputs.join("; ")
                ),
            ));
        }
        Ok(())
    }
}

/// Values, range and NaN/Inf counts of an input, for the report.
fn summary_of(t: &Tensor) -> String {
    let values = t.to_f64_vec();
    let nan = values.iter().filter(|v| v.is_nan()).count();
    let inf = values.iter().filter(|v| v.is_infinite()).count();
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let range = if finite.is_empty() {
        "no finite values".to_string()
    } else {
        let lo = finite.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        format!("min {lo}, max {hi}")
    };
    format!("{} ({range}, {nan} NaN, {inf} Inf)", summary(t))
}
