//! Derivative rules of softmax, log-softmax and the one-hot categorical
//! cross-entropy, in their stable forms (the `Op` methods call these):
//!
//! - softmax `y`: `gx = y ⊙ (g - Σ g ⊙ y)`; the Jacobian is symmetric, so
//!   the pushforward has the same form;
//! - log-softmax `y`: `gx = g - exp(y) Σ g`, and `ty = t - Σ exp(y) ⊙ t`;
//! - `-log(p[i, y_i])`: `gp = -g_i / p[i, y_i]` at the label, zero
//!   elsewhere; the labels are integers, hence disconnected;
//! - the fused `lse(x_i) - x_i[y_i]` (labels): `gx = g_i (softmax(x_i) -
//!   onehot(y_i))`, labels disconnected; with dense targets `T`,
//!   `Σ_k T_ik (lse(x_i) - x_ik)`: `gx = g_i (softmax(x_i) Σ_k T_ik - T_i)`
//!   and `gT = -g_i log_softmax(x_i)`.
//!
//! Sums run along the softmax axis, keeping it, so they broadcast back.

use super::crossentropy::CrossentropyCategorical1Hot;
use super::softmax::{try_log_softmax, try_softmax, LogSoftmax, Softmax};
use super::softmax_crossentropy::{SoftmaxCrossentropy, Targets};
use crate::error::Result;
use crate::graph::{Grad, Var};
use crate::ops::creation::{arange, zeros_like};
use crate::ops::elemwise::{eq, exp, switch};
use crate::ops::reduce::{try_reduce, ReduceKind};
use crate::ops::shape::try_shape_i;
use crate::DType;

fn sum_along(v: &Var, axis: usize) -> Result<Var> {
    try_reduce(v, ReduceKind::Sum, axis as i64, true)
}

impl Softmax {
    /// `y ⊙ (v - Σ v ⊙ y)`: the softmax Jacobian applied to `v` (it is
    /// symmetric, so this is both the pullback and the pushforward).
    pub(super) fn jacobian_times(&self, y: &Var, v: &Var) -> Result<Var> {
        Ok(y * (v - sum_along(&(v * y), self.axis)?))
    }

    pub(super) fn softmax_pullback(&self, x: &Var, y: &Var, g: &Var) -> Result<Vec<Grad>> {
        if !x.dtype().is_float() {
            return Ok(vec![Grad::Value(zeros_like(x, None))]);
        }
        Ok(vec![Grad::Value(self.jacobian_times(y, g)?)])
    }
}

impl LogSoftmax {
    pub(super) fn log_softmax_pullback(&self, x: &Var, y: &Var, g: &Var) -> Result<Vec<Grad>> {
        if !x.dtype().is_float() {
            return Ok(vec![Grad::Value(zeros_like(x, None))]);
        }
        Ok(vec![Grad::Value(g - exp(y) * sum_along(g, self.axis)?)])
    }

    pub(super) fn log_softmax_pushforward(&self, y: &Var, t: &Var) -> Result<Var> {
        Ok(t - sum_along(&(exp(y) * t), self.axis)?)
    }
}

impl CrossentropyCategorical1Hot {
    /// A boolean matrix, true at `[i, labels[i]]`.
    fn one_hot(coding: &Var, labels: &Var) -> Result<Var> {
        let classes = arange(0i64, try_shape_i(coding, 1)?, 1i64, DType::I64);
        Ok(eq(
            classes.dimshuffle(&[None, Some(0)]),
            labels.dimshuffle(&[Some(0), None]),
        ))
    }

    pub(super) fn crossentropy_pullback(&self, inputs: &[Var], g: &Var) -> Result<Vec<Grad>> {
        let (coding, labels) = (&inputs[0], &inputs[1]);
        let hot = Self::one_hot(coding, labels)?;
        let g_rows = g.dimshuffle(&[Some(0), None]);
        let gp = switch(hot, -(g_rows / coding), 0.0);
        Ok(vec![Grad::Value(gp), Grad::Disconnected])
    }

    /// `-t[i, y_i] / p[i, y_i]`.
    pub(super) fn crossentropy_pushforward(&self, inputs: &[Var], t: &Var) -> Result<Var> {
        let (coding, labels) = (&inputs[0], &inputs[1]);
        let hot = Self::one_hot(coding, labels)?;
        let picked = switch(hot, t / coding, 0.0);
        Ok(-try_reduce(&picked, ReduceKind::Sum, 1i64, false)?)
    }
}

impl SoftmaxCrossentropy {
    /// `∂out_i/∂x_i`: `softmax(x_i) - onehot(y_i)` (labels) or
    /// `softmax(x_i) Σ_k T_ik - T_i` (dense targets).
    fn logits_jacobian(&self, logits: &Var, targets: &Var) -> Result<Var> {
        let p = try_softmax(logits, 1)?;
        Ok(match self.targets {
            Targets::Labels => {
                let hot = CrossentropyCategorical1Hot::one_hot(logits, targets)?;
                p - hot.cast(logits.dtype())
            }
            Targets::Dense => p * sum_along(targets, 1)? - targets,
        })
    }

    pub(super) fn softmax_crossentropy_pullback(
        &self,
        inputs: &[Var],
        g: &Var,
    ) -> Result<Vec<Grad>> {
        let (logits, targets) = (&inputs[0], &inputs[1]);
        let g_rows = g.dimshuffle(&[Some(0), None]);
        let gx = &g_rows * self.logits_jacobian(logits, targets)?;
        let gt = match self.targets {
            Targets::Labels => Grad::Disconnected,
            Targets::Dense => Grad::Value(-(g_rows * try_log_softmax(logits, 1)?)),
        };
        Ok(vec![Grad::Value(gx), gt])
    }

    /// `Σ_k J_ik tx_ik` plus, for dense targets, `-Σ_k log_softmax(x)_ik tT_ik`.
    pub(super) fn softmax_crossentropy_pushforward(
        &self,
        inputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Var> {
        let (logits, targets) = (&inputs[0], &inputs[1]);
        let mut terms = Vec::new();
        if let Some(tx) = &tangents[0] {
            terms.push(self.logits_jacobian(logits, targets)? * tx);
        }
        if let (Targets::Dense, Some(tt)) = (self.targets, tangents.get(1).and_then(Option::as_ref))
        {
            terms.push(-(try_log_softmax(logits, 1)? * tt));
        }
        let total = terms
            .into_iter()
            .reduce(|a, b| a + b)
            .unwrap_or_else(|| zeros_like(logits, None));
        try_reduce(&total, ReduceKind::Sum, 1i64, false)
    }
}
