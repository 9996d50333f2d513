//! `function()`: turns graphs into callable programs with Theano's calling
//! semantics (inputs, outputs, shared variables, updates, givens).
//!
//! The pipeline: [`FunctionBuilder::build`] checks the inputs and updates,
//! applies givens, optimizes with the mode's rewrites (recording each
//! node's rewrite history), and lowers the result into a [`Program`]: a
//! schedule over numbered value slots with liveness frees. The executor
//! ([`exec`]) runs it over a [`Frame`] kept between calls; [`Function`]
//! binds arguments and commits updates atomically.
//!
//! # The kernel-selection seam
//!
//! Each scheduled node runs a [`Kernel`], chosen once at build time by a
//! [`KernelRegistry`]: selectors are asked newest first, and a node no
//! selector claims runs its op's reference `perform` ([`PerformKernel`]).
//! The fast CPU backend plugs in by registering selectors in
//! [`KernelRegistry::standard`] (`backend::cpu::registry::register`); a
//! function can also be given its own registry
//! ([`FunctionBuilder::kernels`]). A kernel reads its inputs
//! through [`Inputs`] without copying, may take an input that dies at its
//! node ([`Inputs::take_dying`]) to reuse its buffer, and pushes its outputs
//! onto a reused vector. [`DebugMode`] runs the reference `perform` beside
//! whatever kernel was selected and compares them, so every backend kernel
//! is checked against the oracle in place.

mod builder;
mod debug;
pub mod exec;
mod function;
mod history;
mod io;
mod kernel;
mod nanguard;
mod profile;
mod program;

pub use builder::{Checks, FunctionBuilder, NoDefaultUpdates, UnusedInput};
pub use debug::DebugMode;
pub use exec::{Frame, Hook, NoHook};
pub use function::{CallArgs, CopyOptions, Function};
pub use history::History;
pub use io::{In, Out};
pub use kernel::{Inputs, Kernel, KernelRegistry, PerformKernel, Selector};
pub use nanguard::NanGuardMode;
pub use profile::{MemoryReport, NodeProfile, RunProfile};
pub use program::{Program, Step};

use crate::error::Result;
use crate::graph::Var;

/// Compiles `outputs` as a function of `inputs` with default options.
#[track_caller]
pub fn function(inputs: &[Var], outputs: &[Var]) -> Result<Function> {
    Function::builder(inputs, outputs).build()
}
