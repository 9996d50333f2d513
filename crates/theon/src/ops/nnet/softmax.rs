//! `Softmax` and `LogSoftmax` along one axis, computed stably: the maximum
//! along the axis is subtracted before exponentiating, so logits of 1000
//! give finite, correct results. Integer inputs produce NumPy's float for
//! them (as `exp` does).

use crate::error::{normalize_axis, Error, Result, Site};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::tensor::Tensor;

/// `exp(x - max) / sum(exp(x - max))` along `axis`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Softmax {
    pub axis: usize,
}

/// `x - max - log(sum(exp(x - max)))` along `axis`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LogSoftmax {
    pub axis: usize,
}

fn softmax_types(op: &str, axis: usize, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
    let [x] = inputs else {
        return Err(Error::value(
            op,
            format!("takes 1 input, got {}", inputs.len()),
        ));
    };
    if axis >= x.ndim() {
        return Err(Error::axis(op, axis as i64, x.ndim()));
    }
    if x.dtype.is_bool() {
        return Err(Error::dtype(op, 0, x.dtype, "needs numbers, not booleans"));
    }
    Ok(vec![x.with_dtype(x.dtype.to_float())])
}

/// Applies `f` to every lane of `x` along `axis` (values in f64, in lane
/// order) and returns the results laid out like `x`, in C order.
fn map_lanes(x: &Tensor, axis: usize, f: impl Fn(&[f64]) -> Vec<f64>) -> Vec<f64> {
    let values = x.to_f64_vec();
    let shape = x.shape();
    let n = shape[axis];
    let inner: usize = shape[axis + 1..].iter().product();
    let outer: usize = shape[..axis].iter().product();
    let mut out = vec![0.0; values.len()];
    let mut lane = vec![0.0; n];
    for o in 0..outer {
        for i in 0..inner {
            let at = |j: usize| (o * n + j) * inner + i;
            for (j, v) in lane.iter_mut().enumerate() {
                *v = values[at(j)];
            }
            for (j, r) in f(&lane).into_iter().enumerate() {
                out[at(j)] = r;
            }
        }
    }
    out
}

fn lane_max(lane: &[f64]) -> f64 {
    lane.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

/// Softmax of one lane (NaN anywhere gives NaN, as in NumPy).
pub fn softmax_lane(lane: &[f64]) -> Vec<f64> {
    let m = lane_max(lane);
    let e: Vec<f64> = lane.iter().map(|&v| (v - m).exp()).collect();
    let total: f64 = e.iter().sum();
    e.into_iter().map(|v| v / total).collect()
}

/// Log-softmax of one lane.
pub fn log_softmax_lane(lane: &[f64]) -> Vec<f64> {
    let m = lane_max(lane);
    let log_total = lane.iter().map(|&v| (v - m).exp()).sum::<f64>().ln();
    lane.iter().map(|&v| v - m - log_total).collect()
}

fn perform_lanes(
    x: &Tensor,
    axis: usize,
    ctx: &PerformCtx,
    f: fn(&[f64]) -> Vec<f64>,
) -> Result<Vec<Tensor>> {
    let values = map_lanes(x, axis, f);
    Ok(vec![Tensor::from_f64s(
        ctx.output_types[0].dtype,
        x.shape(),
        &values,
    )?])
}

impl Op for Softmax {
    fn name(&self) -> String {
        format!("softmax{{axis={}}}", self.axis)
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        softmax_types(&self.name(), self.axis, inputs)
    }

    fn infer_shape(&self, _inputs: &[Var], input_shapes: &[Vec<Var>]) -> Option<Vec<Vec<Var>>> {
        crate::ops::shape::infer::same_as(input_shapes, 0)
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        perform_lanes(&inputs[0], self.axis, ctx, softmax_lane)
    }

    fn pullback(&self, inputs: &[Var], outputs: &[Var], output_grads: &[Var]) -> Result<Vec<Grad>> {
        self.softmax_pullback(&inputs[0], &outputs[0], &output_grads[0])
    }

    fn pushforward(
        &self,
        _inputs: &[Var],
        outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        match &tangents[0] {
            Some(t) => Ok(vec![Some(self.jacobian_times(&outputs[0], t)?)]),
            None => Ok(vec![None]),
        }
    }
}

impl Op for LogSoftmax {
    fn name(&self) -> String {
        format!("log_softmax{{axis={}}}", self.axis)
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        softmax_types(&self.name(), self.axis, inputs)
    }

    fn infer_shape(&self, _inputs: &[Var], input_shapes: &[Vec<Var>]) -> Option<Vec<Vec<Var>>> {
        crate::ops::shape::infer::same_as(input_shapes, 0)
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        perform_lanes(&inputs[0], self.axis, ctx, log_softmax_lane)
    }

    fn pullback(&self, inputs: &[Var], outputs: &[Var], output_grads: &[Var]) -> Result<Vec<Grad>> {
        self.log_softmax_pullback(&inputs[0], &outputs[0], &output_grads[0])
    }

    fn pushforward(
        &self,
        _inputs: &[Var],
        outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        match &tangents[0] {
            Some(t) => Ok(vec![Some(self.log_softmax_pushforward(&outputs[0], t)?)]),
            None => Ok(vec![None]),
        }
    }
}

/// `softmax(x, axis)`, or the error (bad axis, boolean input).
#[track_caller]
pub fn try_softmax(x: &Var, axis: i64) -> Result<Var> {
    let site = Site::caller();
    let axis = normalize_axis("softmax", axis, x.ndim()).map_err(|e| e.at(&site))?;
    Var::apply1(Softmax { axis }, std::slice::from_ref(x))
}

/// The softmax of `x` along `axis` (negative counts from the end; Theano's
/// `softmax(x)` on a matrix is `softmax(x, -1)`).
#[track_caller]
pub fn softmax(x: &Var, axis: i64) -> Var {
    try_softmax(x, axis).unwrap_or_else(|e| panic!("{e}"))
}

/// `log_softmax(x, axis)`, or the error.
#[track_caller]
pub fn try_log_softmax(x: &Var, axis: i64) -> Result<Var> {
    let site = Site::caller();
    let axis = normalize_axis("log_softmax", axis, x.ndim()).map_err(|e| e.at(&site))?;
    Var::apply1(LogSoftmax { axis }, std::slice::from_ref(x))
}

/// The log of the softmax of `x` along `axis`, computed stably.
#[track_caller]
pub fn log_softmax(x: &Var, axis: i64) -> Var {
    try_log_softmax(x, axis).unwrap_or_else(|e| panic!("{e}"))
}
