//! Shape and layout ops: dimshuffle/transpose and friends.

mod dimshuffle;

pub use dimshuffle::*;
