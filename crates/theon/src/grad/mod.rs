//! Symbolic differentiation over graph handles: reverse mode ([`grad`],
//! [`grad_terms`], [`lop`]), forward mode ([`rop`]), [`jacobian`],
//! [`hessian`], gradient-modifier ops, and numeric checks
//! ([`numeric_grad`], [`verify_grad`], [`verify_rop`]). Every result is a
//! new graph built from public ops, so gradients of gradients work to any
//! order.
//!
//! ```
//! use theon::prelude::*;
//! use theon::grad::{grad, GradOptions};
//! let x = vector("x", F64);
//! let cost = x.tanh().sum(Axis::All);
//! let g = grad(&cost, &[x.clone()], &GradOptions::default()).unwrap().remove(0);
//! let f = function(&[x.clone()], &[g]).unwrap();
//! let out = f.call(&[Tensor::from_vec(vec![0.0f64, 1.0], &[2]).unwrap()]).unwrap();
//! let t = 1f64.tanh();
//! assert!((out[0].to_vec::<f64>()[1] - (1.0 - t * t)).abs() < 1e-12);
//! ```
//!
//! # Giving an op its derivative (the recipe)
//!
//! Rules live with the op, in its own file, as two `Op` methods:
//!
//! 1. **`pullback(inputs, outputs, output_grads) -> Vec<Grad>`**, one entry
//!    per input: `Grad::Value(g)` with `g` of the input's rank (build it
//!    with the public API — `Var` methods, `ops::*` functions — never with
//!    tensors); `Grad::Disconnected` where the output does not depend on
//!    the input's values (an index, a shape, `fill`'s first input);
//!    `Grad::Undefined(reason)` where no derivative exists (an error only
//!    if someone needs it). `output_grads` has one entry per output, zeros
//!    where an output is unused.
//! 2. **Undo broadcasting**: if the op broadcasts an input, end its gradient
//!    with [`unbroadcast`]`(g, input.ty())` (sums broadcast dims, drops
//!    padded ones, casts to the input's float dtype). To spread a reduced
//!    gradient back over an input's shape use `ops::creation::fill(x, g)`;
//!    zeros are `ops::creation::zeros_like(x, None)` (recognised as zero by the sweep,
//!    so they cost nothing downstream).
//! 3. **`pushforward(inputs, outputs, tangents) -> Vec<Option<Var>>`**: the
//!    output tangents given input tangents (`None` = zero tangent); linear
//!    ops apply themselves to the tangent.
//! 4. **Integer-valued outputs** (argmax, sort indices, shapes): override
//!    `differentiable()` to return `false`; the sweep then disconnects the
//!    inputs without calling the rules. Integer and boolean *variables*
//!    never need rules: the sweep gives them zero gradients and stops.
//! 5. **Test it**: `verify_grad` and `verify_rop` in float64 on random
//!    inputs (broadcast and non-contiguous points too), second derivatives
//!    (`verify_grad` of a function that returns a `grad`), and register the
//!    op: every op struct has one entry in `REGISTRY` in
//!    `tests/grad_ops/registry.rs` (its tests, or "not differentiable");
//!    a test scans `src/` for `impl Op for` and fails on an op without
//!    one (ops in test-only code — `tests/` directories, `#[cfg(test)]`
//!    modules — are skipped; the optimizer's inplace ops are not). Scalar ops are registered one by one in
//!    `tests/grad_registry.rs` (a domain per differentiable op;
//!    `ops::elemwise::differentiability` declares the rest), op families
//!    with kinds by an exhaustive `match` like `reduce_is_differentiable`
//!    in `tests/grad_higher.rs`, so a new kind cannot land untested or
//!    undeclared.
//!
//! The sweep (`reverse.rs`) attributes gradient nodes to the source line of
//! the forward node they come from, and an op without rules fails with an
//! error that names the op and that line.

mod forward;
mod jacobian;
mod modifiers;
mod options;
mod reverse;
mod unbroadcast;
mod verify;

pub use forward::rop;
pub use jacobian::{hessian, jacobian};
pub use modifiers::{
    consider_constant, disconnected_grad, grad_clip, grad_scale, stop_gradient, try_grad_clip,
    undefined_grad, zero_grad, GradModifier, ModifierKind,
};
pub use options::{DisconnectedInputs, GradOptions, NullGradients, ReturnDisconnected};
pub use reverse::{grad, grad_terms, lop};
pub use unbroadcast::{sum_to_static_one, unbroadcast};
pub use verify::{numeric_grad, verify_grad, verify_rop, VerifyGradOptions};

/// Theano's capitalised name for [`rop`].
pub use forward::rop as Rop;
/// Theano's capitalised name for [`lop`].
pub use reverse::lop as Lop;
