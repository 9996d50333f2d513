//! `Diff`: the n-th discrete difference along an axis (NumPy's `diff`).
//! Integers wrap like NumPy's subtraction; booleans use `!=`, as NumPy does.

use crate::dtype::DType;
use crate::error::{normalize_axis, Error, Result};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::ops::elemwise::BinaryOp;
use crate::tensor::{Scalar, Tensor};

/// `out[..., i, ...] = x[..., i + 1, ...] - x[..., i, ...]`, applied `n`
/// times along `axis`; the axis shrinks by `n` (to 0 when `n` exceeds it).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diff {
    pub n: usize,
    pub axis: usize,
}

impl Op for Diff {
    fn name(&self) -> String {
        format!("diff{{n={}, axis={}}}", self.n, self.axis)
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let x = &inputs[0];
        if x.ndim() == 0 {
            return Err(Error::value(
                self.name(),
                "input 0 must be at least one dimensional, got a scalar",
            ));
        }
        normalize_axis(&self.name(), self.axis as i64, x.ndim())?;
        let mut shape = x.shape.clone();
        shape[self.axis] = shape[self.axis].map(|d| d.saturating_sub(self.n));
        Ok(vec![TensorType::new(x.dtype, shape)])
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let x = &inputs[0];
        let dtype = x.dtype();
        let step = |a: Scalar, b: Scalar| match dtype {
            DType::Bool => Scalar::Bool(a != b),
            _ => BinaryOp::Sub.eval(b, a).cast(dtype),
        };
        let mut lanes = super::common::lanes(x, self.axis);
        for _ in 0..self.n {
            for lane in &mut lanes {
                *lane = lane.windows(2).map(|w| step(w[0], w[1])).collect();
            }
        }
        let mut shape = x.shape().to_vec();
        shape[self.axis] = shape[self.axis].saturating_sub(self.n);
        Ok(vec![super::common::from_lanes(
            dtype, &lanes, &shape, self.axis,
        )?])
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        self.diff_pullback(&inputs[0], &output_grads[0])
    }

    fn pushforward(
        &self,
        _inputs: &[Var],
        _outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        let t = tangents[0].as_ref();
        Ok(vec![t.map(|t| self.diff_pushforward(t)).transpose()?])
    }
}

/// NumPy's `diff(x, n, axis)` (`axis` may be negative).
#[track_caller]
pub fn try_diff(x: &Var, n: usize, axis: i64) -> Result<Var> {
    let site = crate::Site::caller();
    let name = format!("diff{{n={n}, axis={axis}}}");
    if x.ndim() == 0 {
        return Err(Error::value(
            name,
            "input 0 must be at least one dimensional, got a scalar",
        )
        .at(&site));
    }
    let axis = normalize_axis(&name, axis, x.ndim()).map_err(|e| e.at(&site))?;
    Var::apply1(Diff { n, axis }, std::slice::from_ref(x))
}

/// Like [`try_diff`]; panics with the error's message.
#[track_caller]
pub fn diff(x: &Var, n: usize, axis: i64) -> Var {
    try_diff(x, n, axis).unwrap_or_else(|e| panic!("{e}"))
}
