//! `LogSumExp`: `log(sum(exp(x)))` along axes, computed stably as
//! `m + log(sum(exp(x - m)))` with `m` the maximum, so logits of ±1000 give
//! finite results. The stabilize phase rewrites `log(sum(exp(x)))` into it.
//! Edge cases follow the unstable formula's limits: an empty group gives
//! `-inf` (the log of an empty sum), a group of `-inf`s gives `-inf`, any
//! `+inf` gives `+inf`, and NaN propagates. The derivative is the softmax
//! of each group (rules in `rules.rs`).

use super::axis::{axes_label, check_axes, reduced_shape, Axis};
use super::groups::grouped_along;
use crate::error::{Error, Result, Site};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::tensor::{Scalar, Tensor};

/// `log(sum(exp(x), axes, keepdims))`, stably, for float `x`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LogSumExp {
    pub axes: Vec<usize>,
    pub keepdims: bool,
}

/// The log-sum-exp of one group of values.
pub fn logsumexp_f64(values: &[f64]) -> f64 {
    if values.iter().any(|v| v.is_nan()) {
        return f64::NAN;
    }
    let m = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if m.is_infinite() {
        return m;
    }
    m + values.iter().map(|v| (v - m).exp()).sum::<f64>().ln()
}

impl Op for LogSumExp {
    fn name(&self) -> String {
        let keep = if self.keepdims { ", keepdims" } else { "" };
        format!("logsumexp{{axis={}{keep}}}", axes_label(&self.axes))
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let [x] = inputs else {
            return Err(Error::value(
                self.name(),
                format!("takes 1 input, got {}", inputs.len()),
            ));
        };
        if !x.dtype.is_float() {
            return Err(Error::dtype(self.name(), 0, x.dtype, "needs floats"));
        }
        check_axes(&self.name(), &self.axes, x.ndim())?;
        let shape = reduced_shape(&x.shape, &self.axes, self.keepdims, Some(1));
        Ok(vec![TensorType::new(x.dtype, shape)])
    }

    fn infer_shape(&self, _inputs: &[Var], input_shapes: &[Vec<Var>]) -> Option<Vec<Vec<Var>>> {
        let one = crate::ops::shape::infer::const_dim(1);
        Some(vec![reduced_shape(
            input_shapes.first()?,
            &self.axes,
            self.keepdims,
            one,
        )])
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let x = &inputs[0];
        check_axes(&self.name(), &self.axes, x.ndim())?;
        let values: Vec<Scalar> = grouped_along(x, &self.axes)
            .iter()
            .map(|g| {
                let v: Vec<f64> = g.iter().map(|s| s.as_f64()).collect();
                Scalar::Float(logsumexp_f64(&v))
            })
            .collect();
        let shape = reduced_shape(x.shape(), &self.axes, self.keepdims, 1);
        Ok(vec![Tensor::from_scalars(x.dtype(), &shape, &values)?])
    }

    fn pullback(&self, inputs: &[Var], outputs: &[Var], output_grads: &[Var]) -> Result<Vec<Grad>> {
        self.lse_pullback(&inputs[0], &outputs[0], &output_grads[0])
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        match &tangents[0] {
            Some(t) => self.lse_pushforward(&inputs[0], &outputs[0], t),
            None => Ok(vec![None]),
        }
    }
}

/// `logsumexp(x, axis, keepdims)`, or the error (bad axis, non-float input).
#[track_caller]
pub fn try_logsumexp(x: &Var, axis: impl Into<Axis>, keepdims: bool) -> Result<Var> {
    let site = Site::caller();
    let axes = axis
        .into()
        .resolve("logsumexp", x.ndim())
        .map_err(|e| e.at(&site))?;
    Var::apply1(LogSumExp { axes, keepdims }, std::slice::from_ref(x))
}

/// `log(sum(exp(x)))` along `axis`, computed stably.
#[track_caller]
pub fn logsumexp(x: &Var, axis: impl Into<Axis>, keepdims: bool) -> Var {
    try_logsumexp(x, axis, keepdims).unwrap_or_else(|e| panic!("{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    fn run(x: &Var, y: &Var, value: &Tensor) -> Tensor {
        let f = Function::builder(std::slice::from_ref(x), std::slice::from_ref(y))
            .mode(Mode::no_optimization())
            .build()
            .unwrap();
        f.call(std::slice::from_ref(value)).unwrap().remove(0)
    }

    #[test]
    fn matches_loops_on_random_strided_inputs() {
        for (dtype, tol) in [(F64, 1e-12), (F32, 1e-5)] {
            let x = tensor3("x", dtype);
            let value = Tensor::randn(dtype, &[3, 5, 4], 1)
                .slice_axis(1, None, None, -2)
                .unwrap();
            for (axis, keep) in [(vec![1i64], false), (vec![-1], true), (vec![0, 2], false)] {
                let out = run(&x, &logsumexp(&x, axis.clone(), keep), &value);
                let naive = run(&x, &x.exp().sum(axis.clone()).log(), &value);
                let naive = if keep {
                    naive
                        .reshape(&out.shape().iter().map(|&d| d as i64).collect::<Vec<_>>())
                        .unwrap()
                } else {
                    naive
                };
                assert_eq!(out.dtype(), dtype);
                assert!(
                    out.allclose(&naive, tol, tol),
                    "{axis:?}: {out:?} vs {naive:?}"
                );
            }
        }
    }

    #[test]
    fn is_finite_at_extremes_and_follows_the_limits() {
        let v = vector("v", F64);
        let y = logsumexp(&v, Axis::All, false);
        let at = |xs: Vec<f64>| {
            run(&v, &y, &Tensor::from_vec(xs.clone(), &[xs.len()]).unwrap())
                .item()
                .as_f64()
        };
        assert!((at(vec![1000.0, 1000.0]) - (1000.0 + 2f64.ln())).abs() < 1e-9);
        assert!((at(vec![-1000.0, -1001.0]) - (-1000.0 + (1.0 + (-1f64).exp()).ln())).abs() < 1e-9);
        assert_eq!(at(vec![]), f64::NEG_INFINITY);
        assert_eq!(
            at(vec![f64::NEG_INFINITY, f64::NEG_INFINITY]),
            f64::NEG_INFINITY
        );
        assert_eq!(at(vec![f64::INFINITY, 1.0]), f64::INFINITY);
        assert!(at(vec![f64::NAN, 1.0]).is_nan());
    }

    #[test]
    fn bad_input_is_an_error_naming_the_op() {
        let i = vector("i", I64);
        let err = try_logsumexp(&i, 0, false).unwrap_err().to_string();
        assert!(err.contains("logsumexp") && err.contains("int64"), "{err}");
        let x = matrix("x", F64);
        let err = try_logsumexp(&x, 2, false).unwrap_err().to_string();
        assert!(err.contains("logsumexp") && err.contains('2'), "{err}");
    }
}
