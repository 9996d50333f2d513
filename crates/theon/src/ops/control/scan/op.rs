//! The `Scan` op: a loop whose body is an inner graph ([`Body`]) and whose
//! structure is a [`ScanSpec`]. Its type rule checks the outer inputs
//! against the body's placeholders; `perform` is the native loop
//! ([`super::run`]); gradients are scans too ([`super::grad`],
//! [`super::rop`]).

use super::spec::{ScanSpec, SegLen};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::ops::control::Body;
use crate::tensor::Tensor;
use std::sync::Arc;

/// A loop over an inner graph. Build one with [`super::scan`] (Theano's
/// interface); the fields are public so rewrites and gradients can read
/// and rebuild the structure.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Scan {
    pub spec: Arc<ScanSpec>,
    pub body: Arc<Body>,
}

impl Scan {
    /// The type of carry `c`'s state: its inner inputs' type.
    pub fn state_type(&self, c: usize) -> &TensorType {
        let inner = self.spec.split_inner_inputs(&self.body.inputs);
        inner.lags[c][0].ty()
    }

    fn fail(&self, message: String) -> Error {
        Error::value(self.name(), message)
    }

    fn check_reads(&self, reads: &[&[TensorType]]) -> Result<()> {
        let inner = self.spec.split_inner_inputs(&self.body.inputs);
        for ((track, segs), phs) in self.spec.reads.iter().zip(reads).zip(&inner.reads) {
            let Some(ph) = phs.first() else { continue };
            for seg in segs.iter() {
                if seg.dtype != ph.dtype() || seg.ndim() != ph.ndim() + 1 {
                    return Err(self.fail(format!(
                        "sequence '{}' has type {seg}; its steps read rows of type {}",
                        track.name,
                        ph.ty()
                    )));
                }
            }
        }
        Ok(())
    }

    fn check_inits(&self, inits: &[TensorType]) -> Result<()> {
        for (c, (carry, init)) in self.spec.carries.iter().zip(inits).enumerate() {
            let state = self.state_type(c);
            let k = carry.window();
            let rows_ok = init.shape.first().is_some_and(|d| d.is_none_or(|d| d == k));
            if init.dtype != state.dtype || init.ndim() != state.ndim() + 1 || !rows_ok {
                return Err(self.fail(format!(
                    "the initial window of '{}' has type {init}; expected {k} rows of {state}",
                    carry.name
                )));
            }
        }
        Ok(())
    }

    fn check_inner_outputs(&self) -> Result<()> {
        let out = self.spec.split_inner_outputs(&self.body.outputs);
        for (c, (carry, next)) in self.spec.carries.iter().zip(out.next).enumerate() {
            let state = self.state_type(c);
            if next.dtype() != state.dtype || next.ndim() != state.ndim() {
                return Err(self.fail(format!(
                    "the step returns {} for '{}', whose state has type {state}",
                    next.ty(),
                    carry.name
                )));
            }
        }
        for (track, sources) in self.spec.writes.iter().zip(&out.writes) {
            let Some(first) = sources.first().map(|s| s.ty()) else {
                if track.dropped.is_none() {
                    return Err(self.fail(format!("write track '{}' has no values", track.name)));
                }
                continue;
            };
            if let Some(bad) = sources
                .iter()
                .find(|s| s.dtype() != first.dtype || s.ndim() != first.ndim())
            {
                return Err(self.fail(format!(
                    "the values written to '{}' disagree: {} and {}",
                    track.name,
                    first,
                    bad.ty()
                )));
            }
        }
        if let Some(cond) = out.until {
            if cond.ndim() != 0 {
                return Err(self.fail(format!(
                    "the until condition must be a scalar, got {}",
                    cond.ty()
                )));
            }
        }
        Ok(())
    }
}

/// `rows` prepended to `ty`'s shape.
pub fn with_time_axis(ty: &TensorType, rows: Option<usize>) -> TensorType {
    let mut shape = vec![rows];
    shape.extend(ty.shape.iter().copied());
    TensorType::new(ty.dtype, shape)
}

impl Op for Scan {
    fn name(&self) -> String {
        format!("scan{{{}}}", self.spec.name)
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let spec = &self.spec;
        if inputs.len() != spec.n_inputs() || self.body.inputs.len() != spec.n_inner_inputs() {
            return Err(self.fail(format!(
                "takes {} inputs, got {}",
                spec.n_inputs(),
                inputs.len()
            )));
        }
        let ins = spec.split_inputs(inputs);
        if let Some(n) = ins.n_steps {
            if n.ndim() != 0 || !n.dtype.is_int() {
                return Err(self.fail(format!("n_steps must be an integer scalar, got {n}")));
            }
        }
        let inner = spec.split_inner_inputs(&self.body.inputs);
        for ((name, outer), ph) in spec.consts.iter().zip(ins.consts).zip(inner.consts) {
            if !ph.ty().compatible(outer) {
                return Err(self.fail(format!(
                    "non-sequence '{name}' has type {outer}, expected {}",
                    ph.ty()
                )));
            }
        }
        self.check_reads(&ins.reads)?;
        self.check_inits(ins.inits)?;
        self.check_inner_outputs()?;
        let mut types = Vec::with_capacity(spec.n_outputs());
        let states: Vec<TensorType> = (0..spec.carries.len())
            .map(|c| self.state_type(c).clone())
            .collect();
        types.extend(states.iter().cloned());
        types.extend(states.iter().map(|s| with_time_axis(s, None)));
        let out = spec.split_inner_outputs(&self.body.outputs);
        for (track, sources) in spec.writes.iter().zip(&out.writes) {
            for seg in &track.segments {
                let rows = match seg.len {
                    SegLen::Fixed(n) => Some(n),
                    _ => None,
                };
                let row = track.dropped.as_ref().unwrap_or_else(|| sources[0].ty());
                types.push(with_time_axis(row, rows));
            }
        }
        types.push(TensorType::scalar(DType::I64));
        Ok(types)
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        super::run::run(self, inputs, ctx)
    }

    fn pullback(&self, inputs: &[Var], outputs: &[Var], output_grads: &[Var]) -> Result<Vec<Grad>> {
        super::grad::pullback(self, inputs, outputs, output_grads)
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        super::rop::pushforward(self, inputs, outputs, tangents)
    }
}
