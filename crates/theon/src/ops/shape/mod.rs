//! Shape and layout ops: dimshuffle/transpose, shape and specify_shape,
//! reshape/flatten, squeeze/expand_dims, broadcast_to, join/stack/split,
//! tile, repeat, flip and roll. Shapes are symbolic int vectors (`dims`).
//!
//! ```
//! use theon::prelude::*;
//! let x = vector("x", F64);
//! let y = matrix("y", F64);
//! let z = x.reshape_var(&y.specify_shape(&[None, Some(2)]).shape()); // knows the 2
//! assert_eq!(z.ty().shape, vec![None, Some(2)]);
//! let f = function(&[x, y], &[z.t()]).unwrap();
//! let out = f
//!     .call(&[Tensor::from_vec(vec![1.0f64, 2.0, 3.0, 4.0], &[4]).unwrap(), Tensor::zeros(F64, &[2, 2])])
//!     .unwrap();
//! assert_eq!(out[0].to_vec::<f64>(), vec![1.0, 3.0, 2.0, 4.0]);
//! ```

mod broadcast_to;
pub mod dims;
mod dimshuffle;
mod flip;
pub mod infer;
mod join;
mod repeat;
mod reshape;
mod rules;
mod shape_of;
mod split;
mod squeeze;
mod tile;

#[cfg(test)]
pub(crate) mod tests;

pub use broadcast_to::*;
pub use dims::{Dim, IntoShape, MakeVector, ShapeArg};
pub use dimshuffle::*;
pub use flip::*;
pub use join::*;
pub use repeat::*;
pub use reshape::*;
pub use rules::sum_to_shape_of;
pub use shape_of::*;
pub use split::*;
pub use squeeze::*;
pub use tile::*;
