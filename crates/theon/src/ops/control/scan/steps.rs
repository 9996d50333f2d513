//! `ScanSteps`: the number of steps a scan runs, as a graph value, with the
//! scan's own run-time checks (`n_steps` ≤ 0, sequences of different
//! lengths, sequences too short for their taps). Rewrites that compute a
//! loop's work outside it (or replace the loop) use it, so a call that the
//! loop would refuse is still refused, with the same message.

use super::parts::ReadPart;
use super::run::{check_rows, step_count};
use super::spec::{ScanSpec, Steps};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::graph::{Op, PerformCtx, TensorType, Var};
use crate::tensor::Tensor;
use std::sync::Arc;

/// Inputs: the step count (when `spec.steps` is `Steps::Input`), then each
/// read track's segments; output: the step count, an int64 scalar. Only
/// the spec's name, step source and read tracks are used.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ScanSteps {
    pub spec: Arc<ScanSpec>,
}

impl Op for ScanSteps {
    fn name(&self) -> String {
        format!("scan_steps{{{}}}", self.spec.name)
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let want = self.spec.n_inputs();
        if inputs.len() != want {
            let msg = format!("takes {want} inputs, got {}", inputs.len());
            return Err(Error::value(self.name(), msg));
        }
        if self.spec.steps == Steps::Input && (inputs[0].ndim() != 0 || !inputs[0].dtype.is_int()) {
            let msg = format!("n_steps must be an integer scalar, got {}", inputs[0]);
            return Err(Error::value(self.name(), msg));
        }
        Ok(vec![TensorType::scalar(DType::I64)])
    }

    /// An integer count: no gradient flows through it.
    fn differentiable(&self) -> bool {
        false
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let spec = &*self.spec;
        let ins = spec.split_inputs(inputs);
        let steps = step_count(spec, ins.n_steps, &ins.reads)?;
        for (track, segs) in spec.reads.iter().zip(&ins.reads) {
            check_rows(spec, track, segs, steps)?;
        }
        Ok(vec![Tensor::scalar(steps as i64)])
    }
}

/// The step count of a scan named `name` over these read tracks, or of
/// `n_steps` when given (checked as the scan checks it).
pub fn scan_steps(name: &str, n_steps: Option<&Var>, reads: &[ReadPart]) -> Result<Var> {
    let reduced = ScanSpec {
        name: name.to_string(),
        steps: if n_steps.is_some() {
            Steps::Input
        } else {
            Steps::FromSequences
        },
        consts: vec![],
        reads: reads.iter().map(|r| r.track.clone()).collect(),
        carries: vec![],
        writes: vec![],
        until: false,
        active: None,
        truncate_gradient: None,
    };
    let mut inputs: Vec<Var> = n_steps.into_iter().cloned().collect();
    inputs.extend(reads.iter().flat_map(|r| r.segments.iter().cloned()));
    Var::apply1(
        ScanSteps {
            spec: Arc::new(reduced),
        },
        &inputs,
    )
}
