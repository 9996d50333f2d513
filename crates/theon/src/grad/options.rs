//! `GradOptions`: Theano's keyword arguments of `grad` as a struct with
//! builder methods (`consider_constant`, `disconnected_inputs`,
//! `return_disconnected`, `null_gradients`, `known_grads`).

use crate::graph::Var;

/// What `grad` does when a `wrt` variable does not influence the cost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DisconnectedInputs {
    /// Return an error naming the variable (Theano's default).
    #[default]
    Raise,
    /// Print a warning to stderr and go on.
    Warn,
    /// Go on silently.
    Ignore,
}

/// What `grad` returns for a disconnected `wrt` (once `disconnected_inputs`
/// let it through).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReturnDisconnected {
    /// Zeros of the variable's type (Theano's default).
    #[default]
    Zero,
    /// Python `None` (Rust: `Grad::Disconnected`).
    None,
    /// A disconnected marker (Rust: `Grad::Disconnected`).
    Disconnected,
}

/// What `grad` does when a requested gradient is undefined.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NullGradients {
    /// Return the error that names the op and where it was created.
    #[default]
    Raise,
    /// Return `Grad::Undefined` with the reason.
    Return,
}

/// Options of [`crate::grad::grad`]; `GradOptions::default()` gives
/// Theano's defaults.
#[derive(Clone, Debug, Default)]
pub struct GradOptions {
    /// Variables treated as constants: gradients stop there.
    pub consider_constant: Vec<Var>,
    pub disconnected_inputs: DisconnectedInputs,
    pub return_disconnected: ReturnDisconnected,
    pub null_gradients: NullGradients,
    /// `(variable, its gradient)` pairs known in advance. A known gradient
    /// replaces whatever the variable's consumers would contribute; it lets
    /// the cost be non-scalar (give the cost's own gradient) or absent.
    pub known_grads: Vec<(Var, Var)>,
}

impl GradOptions {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn consider_constant(mut self, vars: &[Var]) -> Self {
        self.consider_constant.extend_from_slice(vars);
        self
    }

    pub fn disconnected_inputs(mut self, policy: DisconnectedInputs) -> Self {
        self.disconnected_inputs = policy;
        self
    }

    pub fn return_disconnected(mut self, policy: ReturnDisconnected) -> Self {
        self.return_disconnected = policy;
        self
    }

    pub fn null_gradients(mut self, policy: NullGradients) -> Self {
        self.null_gradients = policy;
        self
    }

    pub fn known_grads(mut self, pairs: impl IntoIterator<Item = (Var, Var)>) -> Self {
        self.known_grads.extend(pairs);
        self
    }
}
