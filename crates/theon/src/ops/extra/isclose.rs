//! `IsClose`: NumPy's `isclose(a, b, rtol, atol, equal_nan)` with
//! broadcasting, and `allclose` built on it. Compared in f64:
//! `|a - b| <= atol + rtol * |b|` for finite values; infinities are close
//! only to themselves; NaN is close to NaN only when `equal_nan`.

use super::common::FloatParam;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::graph::{Op, PerformCtx, TensorType, Var};
use crate::ops::elemwise::{broadcast_runtime, broadcast_static};
use crate::ops::reduce::{all, Axis};
use crate::tensor::{Scalar, Tensor};

/// Elementwise closeness of two broadcast inputs; the output is bool.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IsClose {
    pub rtol: FloatParam,
    pub atol: FloatParam,
    pub equal_nan: bool,
}

impl IsClose {
    /// NumPy's rule for one pair of values.
    pub fn close(&self, a: f64, b: f64) -> bool {
        if a.is_nan() || b.is_nan() {
            return self.equal_nan && a.is_nan() && b.is_nan();
        }
        if a.is_infinite() || b.is_infinite() {
            return a == b;
        }
        (a - b).abs() <= self.atol.0 + self.rtol.0 * b.abs()
    }
}

impl Op for IsClose {
    fn name(&self) -> String {
        format!(
            "isclose{{rtol={}, atol={}, equal_nan={}}}",
            self.rtol.0, self.atol.0, self.equal_nan
        )
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let shapes: Vec<&[Option<usize>]> = inputs.iter().map(|t| t.shape.as_slice()).collect();
        Ok(vec![TensorType::new(
            DType::Bool,
            broadcast_static(&self.name(), &shapes)?,
        )])
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let shapes: Vec<&[usize]> = inputs.iter().map(|t| t.shape()).collect();
        let shape = broadcast_runtime(&self.name(), &shapes, ctx.input_types)?;
        let a = inputs[0].broadcast_to(&shape)?.to_f64_vec();
        let b = inputs[1].broadcast_to(&shape)?.to_f64_vec();
        let out: Vec<Scalar> = a
            .iter()
            .zip(&b)
            .map(|(&x, &y)| Scalar::Bool(self.close(x, y)))
            .collect();
        Ok(vec![Tensor::from_scalars(DType::Bool, &shape, &out)?])
    }

    fn differentiable(&self) -> bool {
        false
    }
}

/// NumPy's `isclose(a, b, rtol, atol, equal_nan)` (NumPy's defaults are
/// `rtol=1e-5, atol=1e-8, equal_nan=false`).
#[track_caller]
pub fn try_isclose(a: &Var, b: &Var, rtol: f64, atol: f64, equal_nan: bool) -> Result<Var> {
    if !(rtol >= 0.0 && atol >= 0.0) {
        return Err(Error::value(
            "isclose",
            format!("tolerances must be non-negative, got rtol={rtol}, atol={atol}"),
        )
        .at(&crate::Site::caller()));
    }
    let op = IsClose {
        rtol: FloatParam(rtol),
        atol: FloatParam(atol),
        equal_nan,
    };
    Var::apply1(op, &[a.clone(), b.clone()])
}

/// Like [`try_isclose`]; panics with the error's message.
#[track_caller]
pub fn isclose(a: &Var, b: &Var, rtol: f64, atol: f64, equal_nan: bool) -> Var {
    try_isclose(a, b, rtol, atol, equal_nan).unwrap_or_else(|e| panic!("{e}"))
}

/// NumPy's `allclose`: a bool scalar, true when every pair is close.
#[track_caller]
pub fn allclose(a: &Var, b: &Var, rtol: f64, atol: f64, equal_nan: bool) -> Var {
    all(&isclose(a, b, rtol, atol, equal_nan), Axis::All, false)
}
