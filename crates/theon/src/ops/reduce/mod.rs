//! The reduction family: ops that combine the elements along axes.
//!
//! - [`Reduce`]: sum, prod, max, min, all, any (`basic`);
//! - [`ArgReduce`]: argmax, argmin (`arg`);
//! - [`Mean`] and [`Variance`] (var, std): statistics with NumPy's dtypes
//!   (`moments`);
//! - [`CumOp`]: cumsum, cumprod (`cumulative`).
//!
//! Every op follows NumPy: its result dtype, its handling of NaN and of
//! empty inputs, and its axis conventions (negative axes, `None` = all).
//! The reference kernels gather each output's elements with
//! [`grouped_along`] and combine them in f64 (floats) or in the exact
//! 64-bit accumulator (integers).

mod arg;
mod axis;
mod basic;
mod cumulative;
mod groups;
mod moments;

pub use arg::{argmax, argmin, try_argreduce, ArgKind, ArgReduce};
pub use axis::Axis;
pub use basic::{all, any, max, min, prod, sum, try_reduce, Reduce, ReduceKind};
pub use cumulative::{cumprod, cumsum, try_cumulative, CumKind, CumOp};
pub use groups::{grouped_along, pairwise_sum};
pub use moments::{
    mean, statistic_dtype, std_dev, try_mean, try_variance, variance, Dispersion, Mean, Variance,
};

#[cfg(test)]
mod tests;
