//! Gradient modifiers: ops that are the identity in the forward pass and
//! change only how gradients flow back through them (`consider_constant`,
//! `disconnected_grad`/`stop_gradient`, `zero_grad`, `undefined_grad`,
//! `grad_clip`, `grad_scale`).

use crate::error::{Error, Result};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::ops::creation::zeros_like;
use crate::ops::elemwise::clip;
use crate::tensor::Tensor;

/// What a [`GradModifier`] does to the gradient. Float parameters are kept
/// as bit patterns so the op stays hashable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ModifierKind {
    /// Gradient zero (connected): Theano's `consider_constant`.
    ConsiderConstant,
    /// No gradient flows: the input counts as disconnected.
    DisconnectedGrad,
    /// Gradient zero (connected).
    ZeroGrad,
    /// Gradient undefined: an error if anyone needs it.
    UndefinedGrad,
    /// Gradient clipped elementwise to `[lo, hi]` (f64 bits).
    Clip { lo: u64, hi: u64 },
    /// Gradient multiplied by `k` (f64 bits).
    Scale { k: u64 },
}

/// An identity op with a modified pullback.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GradModifier {
    pub kind: ModifierKind,
}

impl Op for GradModifier {
    fn name(&self) -> String {
        match self.kind {
            ModifierKind::ConsiderConstant => "consider_constant".into(),
            ModifierKind::DisconnectedGrad => "disconnected_grad".into(),
            ModifierKind::ZeroGrad => "zero_grad".into(),
            ModifierKind::UndefinedGrad => "undefined_grad".into(),
            ModifierKind::Clip { lo, hi } => format!(
                "grad_clip{{{}, {}}}",
                f64::from_bits(lo),
                f64::from_bits(hi)
            ),
            ModifierKind::Scale { k } => format!("grad_scale{{{}}}", f64::from_bits(k)),
        }
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        if inputs.len() != 1 {
            return Err(Error::value(
                self.name(),
                format!("takes 1 input, got {}", inputs.len()),
            ));
        }
        Ok(vec![inputs[0].clone()])
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        Ok(vec![inputs[0].clone()])
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        let g = &output_grads[0];
        Ok(vec![match self.kind {
            ModifierKind::ConsiderConstant | ModifierKind::ZeroGrad => {
                Grad::Value(zeros_like(&inputs[0], None))
            }
            ModifierKind::DisconnectedGrad => Grad::Disconnected,
            ModifierKind::UndefinedGrad => {
                Grad::Undefined("the gradient was declared undefined by undefined_grad".into())
            }
            ModifierKind::Clip { lo, hi } => {
                Grad::Value(clip(g, f64::from_bits(lo), f64::from_bits(hi)))
            }
            ModifierKind::Scale { k } => Grad::Value(g * f64::from_bits(k)),
        }])
    }

    /// Forward mode follows the same modification, so that Rop and Lop
    /// agree: stopped gradients give zero tangents, scaling scales the
    /// tangent; clipping (a reverse-mode notion) passes the tangent through.
    fn pushforward(
        &self,
        _inputs: &[Var],
        _outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        let t = tangents[0].clone();
        Ok(vec![match self.kind {
            ModifierKind::ConsiderConstant
            | ModifierKind::ZeroGrad
            | ModifierKind::DisconnectedGrad => None,
            ModifierKind::UndefinedGrad => {
                return Err(Error::grad(
                    self.name(),
                    "has no R-op: the derivative was declared undefined",
                ))
            }
            ModifierKind::Clip { .. } => t,
            ModifierKind::Scale { k } => t.map(|t| t * f64::from_bits(k)),
        }])
    }

    fn view_map(&self) -> Vec<(usize, usize)> {
        vec![(0, 0)]
    }
}

#[track_caller]
fn modify(x: &Var, kind: ModifierKind) -> Var {
    Var::apply1(GradModifier { kind }, std::slice::from_ref(x)).unwrap_or_else(|e| panic!("{e}"))
}

/// `x` in the forward pass; its gradient is zero (Theano's `consider_constant`).
#[track_caller]
pub fn consider_constant(x: &Var) -> Var {
    modify(x, ModifierKind::ConsiderConstant)
}

/// `x` in the forward pass; no gradient flows back through it.
#[track_caller]
pub fn disconnected_grad(x: &Var) -> Var {
    modify(x, ModifierKind::DisconnectedGrad)
}

/// JAX's name for [`disconnected_grad`].
#[track_caller]
pub fn stop_gradient(x: &Var) -> Var {
    disconnected_grad(x)
}

/// `x` in the forward pass; its gradient is zero (still connected).
#[track_caller]
pub fn zero_grad(x: &Var) -> Var {
    modify(x, ModifierKind::ZeroGrad)
}

/// `x` in the forward pass; asking for a gradient through it is an error.
#[track_caller]
pub fn undefined_grad(x: &Var) -> Var {
    modify(x, ModifierKind::UndefinedGrad)
}

/// `x` in the forward pass; the gradient flowing back is clipped to
/// `[lo, hi]` elementwise. Errors when `lo > hi` or a bound is NaN.
#[track_caller]
pub fn try_grad_clip(x: &Var, lo: f64, hi: f64) -> Result<Var> {
    if lo.is_nan() || hi.is_nan() || lo > hi {
        return Err(Error::value(
            "grad_clip",
            format!("needs lower bound <= upper bound, got [{lo}, {hi}]"),
        )
        .at(&crate::Site::caller()));
    }
    let kind = ModifierKind::Clip {
        lo: lo.to_bits(),
        hi: hi.to_bits(),
    };
    Var::apply1(GradModifier { kind }, std::slice::from_ref(x))
}

/// Like [`try_grad_clip`]; bad bounds panic with the error's message.
#[track_caller]
pub fn grad_clip(x: &Var, lo: f64, hi: f64) -> Var {
    try_grad_clip(x, lo, hi).unwrap_or_else(|e| panic!("{e}"))
}

/// `x` in the forward pass; the gradient flowing back is multiplied by `k`.
#[track_caller]
pub fn grad_scale(x: &Var, k: f64) -> Var {
    modify(x, ModifierKind::Scale { k: k.to_bits() })
}
