//! Creation ops: `Alloc` (`alloc`, `full`, `zeros`, `ones`), `Second`
//! (Theano's `fill`/`second`, `zeros_like`, `ones_like`, `full_like`),
//! `ARange` (`arange`) and `Eye` (`eye`, `identity`). Shapes and bounds may
//! be symbolic; constant ones give the output a static shape.

mod alloc;
mod arange;
mod eye;
mod fill;

#[cfg(test)]
mod tests;

pub use alloc::*;
pub use arange::*;
pub use eye::*;
pub use fill::*;
