//! The reduction family: ops that combine the elements along axes.
//!
//! - [`Reduce`]: sum, prod, max, min, all, any (`basic`);
//! - [`ArgReduce`]: argmax, argmin (`arg`);
//! - [`Mean`] and [`Variance`] (var, std): statistics with NumPy's dtypes
//!   (`moments`);
//! - [`CumOp`]: cumsum, cumprod (`cumulative`);
//! - [`ReduceOfElemwise`]: a reduction of a fused elementwise body, built
//!   by the optimizer (`fused`).
//!
//! Every op follows NumPy: its result dtype, its handling of NaN and of
//! empty inputs, and its axis conventions (negative axes, `None` = all).
//! The reference kernels gather each output's elements with
//! [`grouped_along`] and combine them in f64 (floats) or in the exact
//! 64-bit accumulator (integers).
//!
//! ```
//! use theon::prelude::*;
//! let x = matrix("x", I32);
//! let outputs = [x.sum(1), x.argmax(Axis::All), x.mean(0), x.var(1), x.cumsum(-1)];
//! assert_eq!(outputs[0].dtype(), I64); // NumPy's accumulator for int32
//! assert_eq!(outputs[2].dtype(), F64); // the mean of integers is float64
//! let f = function(&[x.clone()], &outputs).unwrap();
//! let value = Tensor::from_vec(vec![1i32, 5, 2, 7, 3, 4], &[2, 3]).unwrap();
//! let out = f.call(&[value]).unwrap();
//! assert_eq!(out[0].to_vec::<i64>(), vec![8, 14]);
//! assert_eq!(out[1].item(), Scalar::Int(3)); // flat index of the 7
//! assert_eq!(out[2].to_vec::<f64>(), vec![4.0, 4.0, 3.0]);
//! assert_eq!(out[4].to_vec::<i64>(), vec![1, 6, 8, 7, 10, 14]);
//! ```

mod arg;
mod axis;
mod basic;
mod cumulative;
mod fused;
mod groups;
mod logsumexp;
mod moments;
mod rules;

pub use arg::{argmax, argmin, try_argreduce, ArgKind, ArgReduce};
pub use axis::Axis;
pub use basic::{all, any, max, min, prod, sum, try_reduce, Reduce, ReduceKind};
pub use cumulative::{cumprod, cumsum, try_cumulative, CumKind, CumOp};
pub use fused::ReduceOfElemwise;
pub use groups::{grouped_along, pairwise_sum};
pub use logsumexp::{logsumexp, logsumexp_f64, try_logsumexp, LogSumExp};
pub use moments::{
    mean, statistic_dtype, std_dev, try_mean, try_variance, variance, Dispersion, Mean, Variance,
};

#[cfg(test)]
mod tests;
