//! Shape and layout ops: dimshuffle/transpose, shape and specify_shape,
//! reshape/flatten, squeeze/expand_dims, broadcast_to, join/stack/split,
//! tile, repeat, flip and roll. Shapes are symbolic int vectors (`dims`).

mod broadcast_to;
pub mod dims;
mod dimshuffle;
mod flip;
mod join;
mod repeat;
mod reshape;
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
pub use shape_of::*;
pub use split::*;
pub use squeeze::*;
pub use tile::*;
