//! `function()`: turns graphs into callable programs with Theano's calling
//! semantics (inputs, outputs, shared variables, updates, givens).

mod function;
mod program;

pub use function::{function, Function, FunctionBuilder, UnusedInput};
pub use program::Program;
