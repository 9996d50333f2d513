//! Derivatives of the scalar ops, used by `Elemwise`'s pullback (L-op) and
//! pushforward (R-op). A rule gives the *partial* `g ⊙ ∂y/∂x_i` for one
//! input at the broadcast shape; the pullback then fits it to the input
//! (`grad::unbroadcast`), the pushforward sums the partials of the input
//! tangents. Every op declares its [`Differentiability`]; the registry test
//! checks each one against its rules.

use super::{
    cos, eq, exp, ge, gt, le, logical_and, lt, sigmoid, sign, sin, sqr, sqrt, switch, BinaryOp,
    Elemwise, ScalarOp, UnaryOp,
};
use crate::error::{Error, Result};
use crate::grad::unbroadcast;
use crate::graph::{Grad, Var};
use crate::ops::creation::{fill, zeros_like};
use std::f64::consts::{LN_10, LN_2, PI};

/// `g ⊙ ∂y/∂x_i` for one input.
pub enum Partial {
    Value(Var),
    /// Zero almost everywhere (piecewise-constant or discrete).
    Zero,
    /// No derivative (the reason says why).
    Undefined(&'static str),
}

/// How an op behaves under differentiation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Differentiability {
    /// Differentiable on the interior of its domain; has rules.
    Smooth,
    /// Float output, piecewise constant: zero gradient.
    PiecewiseConstant,
    /// Boolean or integer output: zero gradient.
    Discrete,
    /// No derivative implemented (the reason says why).
    Undefined(&'static str),
}

const PSI_UNDEFINED: &str = "the derivative of psi needs trigamma, which theon lacks";

/// The declaration for each scalar op (for float inputs).
pub fn differentiability(op: ScalarOp) -> Differentiability {
    use Differentiability::*;
    match op {
        ScalarOp::Unary(UnaryOp::Psi) => Undefined(PSI_UNDEFINED),
        ScalarOp::Unary(u) if u.is_piecewise_constant() => match u {
            UnaryOp::IsNan | UnaryOp::IsInf | UnaryOp::LogicalNot | UnaryOp::Invert => Discrete,
            _ => PiecewiseConstant,
        },
        ScalarOp::Unary(_) => Smooth,
        ScalarOp::Binary(b) => match b {
            BinaryOp::FloorDiv => PiecewiseConstant,
            BinaryOp::Add
            | BinaryOp::Sub
            | BinaryOp::Mul
            | BinaryOp::TrueDiv
            | BinaryOp::Mod
            | BinaryOp::Pow
            | BinaryOp::Maximum
            | BinaryOp::Minimum
            | BinaryOp::Arctan2
            | BinaryOp::Hypot => Smooth,
            _ => Discrete,
        },
        ScalarOp::Switch | ScalarOp::Clip => Smooth,
        ScalarOp::Cast(d) if d.is_float() => Smooth,
        ScalarOp::Cast(_) => Discrete,
    }
}

/// The partial of input `i` of `op(inputs) = output` for output gradient `g`.
pub fn partial(op: ScalarOp, i: usize, inputs: &[Var], output: &Var, g: &Var) -> Partial {
    if !output.dtype().is_float() || !inputs[i].dtype().is_float() {
        return Partial::Zero;
    }
    match op {
        ScalarOp::Unary(u) => unary_partial(u, &inputs[0], output, g),
        ScalarOp::Binary(b) => binary_partial(b, i, &inputs[0], &inputs[1], output, g),
        ScalarOp::Switch => switch_partial(i, &inputs[0], g),
        ScalarOp::Clip => clip_partial(i, &inputs[0], &inputs[1], &inputs[2], g),
        ScalarOp::Cast(_) => Partial::Value(g.clone()),
    }
}

fn unary_partial(op: UnaryOp, x: &Var, y: &Var, g: &Var) -> Partial {
    use UnaryOp::*;
    let two_over_sqrt_pi = 2.0 / PI.sqrt();
    Partial::Value(match op {
        Neg => -g,
        Abs => g * sign(x),
        Exp => g * y,
        Exp2 => g * y * LN_2,
        Expm1 => g * (y + 1.0),
        Log => g / x,
        Log2 => g / (x * LN_2),
        Log10 => g / (x * LN_10),
        Log1p => g / (x + 1.0),
        Sqrt => g * 0.5 / y,
        Sqr => g * x * 2.0,
        Reciprocal => -(g * sqr(y)),
        Sin => g * cos(x),
        Cos => -(g * sin(x)),
        Tan => g * (sqr(y) + 1.0),
        Arcsin => g / sqrt(1.0 - sqr(x)),
        Arccos => -(g / sqrt(1.0 - sqr(x))),
        Arctan => g / (sqr(x) + 1.0),
        Sinh => g * x.cosh(),
        Cosh => g * x.sinh(),
        Tanh => g * (1.0 - sqr(y)),
        Arcsinh => g / sqrt(sqr(x) + 1.0),
        Arccosh => g / sqrt(sqr(x) - 1.0),
        Arctanh => g / (1.0 - sqr(x)),
        Sigmoid => g * y * (1.0 - y),
        Softplus => g * sigmoid(x),
        Erf => g * exp(-sqr(x)) * two_over_sqrt_pi,
        Erfc => -(g * exp(-sqr(x)) * two_over_sqrt_pi),
        Erfinv => g * exp(sqr(y)) * (PI.sqrt() / 2.0),
        Gamma => g * y * x.psi(),
        Gammaln => g * x.psi(),
        Psi => return Partial::Undefined(PSI_UNDEFINED),
        Sign | Floor | Ceil | Round | Trunc | IsNan | IsInf | LogicalNot | Invert => {
            return Partial::Zero
        }
    })
}

fn binary_partial(op: BinaryOp, i: usize, a: &Var, b: &Var, y: &Var, g: &Var) -> Partial {
    use BinaryOp::*;
    let first = i == 0;
    Partial::Value(match op {
        Add => g.clone(),
        Sub if first => g.clone(),
        Sub => -g,
        Mul if first => g * b,
        Mul => g * a,
        TrueDiv if first => g / b,
        TrueDiv => -(g * y / b),
        Mod if first => g.clone(),
        Mod => -(g * (a / b).floor()),
        Pow if first => g * b * a.pow(b - 1.0),
        Pow => g * y * a.log(),
        // Ties send the gradient to both inputs, as Theano does.
        Maximum | Minimum => switch(eq(y, if first { a } else { b }), g, 0.0),
        Arctan2 if first => g * b / (sqr(a) + sqr(b)),
        Arctan2 => -(g * a / (sqr(a) + sqr(b))),
        Hypot => g * (if first { a } else { b }) / y,
        FloorDiv | Eq | Neq | Lt | Le | Gt | Ge | And | Or | Xor | BitAnd | BitOr | BitXor
        | LeftShift | RightShift => return Partial::Zero,
    })
}

/// `switch(cond, a, b)`: the condition gets zero; each branch gets `g`
/// where it was chosen.
fn switch_partial(i: usize, cond: &Var, g: &Var) -> Partial {
    match i {
        0 => Partial::Zero,
        1 => Partial::Value(switch(cond, g, 0.0)),
        _ => Partial::Value(switch(cond, 0.0, g)),
    }
}

/// `clip(x, lo, hi)`: `x` gets `g` inside `[lo, hi]`, each bound gets `g`
/// where it was active (Theano's convention).
fn clip_partial(i: usize, x: &Var, lo: &Var, hi: &Var, g: &Var) -> Partial {
    let mask = match i {
        0 => logical_and(ge(x, lo), le(x, hi)),
        1 => lt(x, lo),
        _ => gt(x, hi),
    };
    Partial::Value(switch(mask, g, 0.0))
}

impl Elemwise {
    /// `Op::pullback` for elementwise ops: partials fitted to each input.
    pub(super) fn elemwise_pullback(
        &self,
        inputs: &[Var],
        outputs: &[Var],
        g: &Var,
    ) -> Result<Vec<Grad>> {
        (0..inputs.len())
            .map(|i| {
                Ok(match partial(self.op, i, inputs, &outputs[0], g) {
                    Partial::Value(p) => Grad::Value(unbroadcast(&p, inputs[i].ty())?),
                    Partial::Zero => Grad::Value(zeros_like(&inputs[i], None)),
                    Partial::Undefined(why) => Grad::Undefined(why.into()),
                })
            })
            .collect()
    }

    /// `Op::pushforward` for elementwise ops: the sum of the partials of the
    /// input tangents, at the output's shape and dtype.
    pub(super) fn elemwise_pushforward(
        &self,
        inputs: &[Var],
        outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        let y = &outputs[0];
        let mut sum: Option<Var> = None;
        for (i, t) in tangents.iter().enumerate() {
            let Some(t) = t else { continue };
            match partial(self.op, i, inputs, y, t) {
                Partial::Value(p) => sum = Some(sum.map_or(p.clone(), |s| s + p)),
                Partial::Zero => {}
                Partial::Undefined(why) => return Err(Error::grad(self.op.name(), why)),
            }
        }
        Ok(vec![sum.map(|s| fit_to_output(s, y))])
    }
}

/// Casts a tangent to the output's dtype and broadcasts it to the output's
/// shape when the tangents alone did not reach it.
fn fit_to_output(t: Var, y: &Var) -> Var {
    let t = if y.dtype().is_float() {
        t.cast(y.dtype())
    } else {
        t
    };
    let covers = t.ndim() == y.ndim()
        && t.ty()
            .shape
            .iter()
            .zip(&y.ty().shape)
            .all(|(a, b)| a != &Some(1) || b == &Some(1));
    if covers {
        t
    } else {
        fill(y, &t)
    }
}
