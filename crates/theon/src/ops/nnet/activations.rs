//! Elementwise activations built from the elementwise ops (`switch`,
//! `maximum`, `clip`, `expm1`, ...), so the fusion pass can merge them with
//! their neighbours and their gradients come from the pieces. Literal
//! constants are weak: a float32 input stays float32.

use crate::graph::Var;
use crate::ops::elemwise::{abs, clip, expm1, gt, maximum, sigmoid, switch};

/// SELU's `alpha` (Klambauer et al., 2017).
pub const SELU_ALPHA: f64 = 1.673_263_242_354_377_3;
/// SELU's `scale` (Klambauer et al., 2017).
pub const SELU_SCALE: f64 = 1.050_700_987_355_480_5;

/// Theano's `hard_sigmoid`: `clip(0.2 * x + 0.5, 0, 1)`.
#[track_caller]
pub fn hard_sigmoid(x: &Var) -> Var {
    clip(x * 0.2 + 0.5, 0.0, 1.0)
}

/// Theano's `ultra_fast_sigmoid`. Theano used a piecewise approximation for
/// speed; here it is the exact, stable `sigmoid` (the fast kernel of
/// `sigmoid` is already vectorised), so results only get more accurate.
#[track_caller]
pub fn ultra_fast_sigmoid(x: &Var) -> Var {
    sigmoid(x)
}

/// `x / (1 + |x|)`.
#[track_caller]
pub fn softsign(x: &Var) -> Var {
    x / (abs(x) + 1.0)
}

/// Rectifier: `max(x, 0)`; with `alpha != 0` the leaky form `x` where
/// `x > 0`, else `alpha * x`.
#[track_caller]
pub fn relu(x: &Var, alpha: f64) -> Var {
    if alpha == 0.0 {
        maximum(x, 0)
    } else {
        switch(gt(x, 0), x, x * alpha)
    }
}

/// Exponential linear unit: `x` where `x > 0`, else `alpha * (exp(x) - 1)`.
#[track_caller]
pub fn elu(x: &Var, alpha: f64) -> Var {
    switch(gt(x, 0), x, expm1(x) * alpha)
}

/// Scaled ELU: `SELU_SCALE * elu(x, SELU_ALPHA)`.
#[track_caller]
pub fn selu(x: &Var) -> Var {
    elu(x, SELU_ALPHA) * SELU_SCALE
}
