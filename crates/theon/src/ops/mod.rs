//! The operations, one family per module. Each family keeps its type rule,
//! reference kernel, gradient and printing together.

pub mod constructors;
pub mod control;
pub mod creation;
pub mod elemwise;
pub mod extra;
pub mod indexing;
pub mod linalg;
pub mod nnet;
pub mod operand;
pub mod products;
pub mod random;
pub mod reduce;
pub mod shape;

pub use operand::{resolve_operands, scalar_constant, Operand};
