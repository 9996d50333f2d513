//! Derivative rules of softmax, log-softmax and the one-hot categorical
//! cross-entropy, in their stable forms (the `Op` methods call these):
//!
//! - softmax `y`: `gx = y ⊙ (g - Σ g ⊙ y)`; the Jacobian is symmetric, so
//!   the pushforward has the same form;
//! - log-softmax `y`: `gx = g - exp(y) Σ g`, and `ty = t - Σ exp(y) ⊙ t`;
//! - `-log(p[i, y_i])`: `gp = -g_i / p[i, y_i]` at the label, zero
//!   elsewhere; the labels are integers, hence disconnected.
//!
//! Sums run along the softmax axis, keeping it, so they broadcast back.

use super::crossentropy::CrossentropyCategorical1Hot;
use super::softmax::{LogSoftmax, Softmax};
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
