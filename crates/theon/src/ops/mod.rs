//! The operations, one family per module. Each family keeps its type rule,
//! reference kernel, gradient and printing together.

pub mod constructors;
pub mod elemwise;
pub mod extra;
pub mod linalg;
pub mod operand;
pub mod reduce;
pub mod shape;

pub use operand::{resolve_operands, scalar_constant, Operand};
