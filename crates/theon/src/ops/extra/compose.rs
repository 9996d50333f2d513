//! Extra ops that are compositions of existing ones: `ptp` (max - min)
//! and `max_and_argmax`. The optimizer sees (and merges) their parts.

use crate::error::Result;
use crate::graph::Var;
use crate::ops::elemwise::try_elemwise;
use crate::ops::elemwise::{BinaryOp, ScalarOp};
use crate::ops::reduce::{try_argreduce, try_reduce, ArgKind, Axis, ReduceKind};

/// NumPy's `ptp(x, axis, keepdims)`: `max - min` along `axis` (integers
/// wrap as NumPy's do; booleans are refused, as NumPy's subtraction does).
#[track_caller]
pub fn try_ptp(x: &Var, axis: impl Into<Axis>, keepdims: bool) -> Result<Var> {
    let axis = axis.into();
    let hi = try_reduce(x, ReduceKind::Max, axis.clone(), keepdims)?;
    let lo = try_reduce(x, ReduceKind::Min, axis, keepdims)?;
    try_elemwise(ScalarOp::Binary(BinaryOp::Sub), vec![hi.into(), lo.into()])
}

/// Like [`try_ptp`]; panics with the error's message.
#[track_caller]
pub fn ptp(x: &Var, axis: impl Into<Axis>, keepdims: bool) -> Var {
    try_ptp(x, axis, keepdims).unwrap_or_else(|e| panic!("{e}"))
}

/// Theano's `max_and_argmax(x, axis)`: the maximum and the int64 index of
/// its first occurrence, along one axis or (`None`) the flattened array.
#[track_caller]
pub fn try_max_and_argmax(x: &Var, axis: Option<i64>) -> Result<(Var, Var)> {
    let axis = Axis::from(axis);
    let max = try_reduce(x, ReduceKind::Max, axis.clone(), false)?;
    let argmax = try_argreduce(x, ArgKind::Max, axis, false)?;
    Ok((max, argmax))
}

/// Like [`try_max_and_argmax`]; panics with the error's message.
#[track_caller]
pub fn max_and_argmax(x: &Var, axis: Option<i64>) -> (Var, Var) {
    try_max_and_argmax(x, axis).unwrap_or_else(|e| panic!("{e}"))
}
