//! `ARange`: NumPy's `arange(start, stop, step)` with symbolic scalar
//! bounds. Its length is `ceil((stop - start) / step)` (at least 0),
//! computed exactly for integer bounds; element `i` is `start + i * step`.

use crate::dtype::{promote_all, DType};
use crate::error::{Error, Result, Site};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::ops::operand::Operand;
use crate::tensor::{Scalar, Tensor};

/// A range of `dtype` from scalar inputs start, stop, step; `len` is the
/// length when it was statically known.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ARange {
    pub dtype: DType,
    pub len: Option<usize>,
}

/// NumPy's length rule; integers are computed exactly, others in f64.
pub fn arange_len(start: Scalar, stop: Scalar, step: Scalar) -> Result<usize> {
    let ints = [start, stop, step]
        .iter()
        .all(|s| matches!(s, Scalar::Int(_) | Scalar::UInt(_) | Scalar::Bool(_)));
    if step.as_f64() == 0.0 {
        return Err(Error::value("arange", "step must not be zero"));
    }
    if ints {
        let (a, b, s) = (
            start.as_i64() as i128,
            stop.as_i64() as i128,
            step.as_i64() as i128,
        );
        return Ok(ceil_div(b - a, s).max(0) as usize);
    }
    let n = ((stop.as_f64() - start.as_f64()) / step.as_f64()).ceil();
    if !n.is_finite() {
        return Err(Error::value(
            "arange",
            format!(
                "the length of arange({}, {}, {}) is not finite",
                start.as_f64(),
                stop.as_f64(),
                step.as_f64()
            ),
        ));
    }
    Ok(n.max(0.0) as usize)
}

/// `ceil(a / b)` for integers of any signs (`b != 0`).
fn ceil_div(a: i128, b: i128) -> i128 {
    let q = a / b;
    if a % b != 0 && ((a < 0) == (b < 0)) {
        q + 1
    } else {
        q
    }
}

impl Op for ARange {
    fn name(&self) -> String {
        format!("arange{{dtype={}}}", self.dtype)
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        if inputs.len() != 3 {
            return Err(Error::value(
                self.name(),
                format!("takes 3 inputs, got {}", inputs.len()),
            ));
        }
        for (i, t) in inputs.iter().enumerate() {
            if t.ndim() != 0 {
                return Err(Error::value(
                    self.name(),
                    format!("input {i} must be a scalar, got {t}"),
                ));
            }
            if t.dtype.is_bool() {
                return Err(Error::dtype(self.name(), i, t.dtype, "needs numbers"));
            }
        }
        Ok(vec![TensorType::new(self.dtype, vec![self.len])])
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let [start, stop, step] = [0, 1, 2].map(|i| inputs[i].item());
        let n = arange_len(start, stop, step)
            .map_err(|e| Error::value(self.name(), e.kind.to_string()))?;
        let values: Vec<Scalar> = if self.dtype.is_float() || !is_int(start) || !is_int(step) {
            (0..n)
                .map(|i| Scalar::Float(start.as_f64() + i as f64 * step.as_f64()))
                .collect()
        } else {
            let (a, s) = (start.as_i64(), step.as_i64());
            (0..n)
                .map(|i| Scalar::Int(a.wrapping_add((i as i64).wrapping_mul(s))))
                .collect()
        };
        Ok(vec![Tensor::from_scalars(self.dtype, &[n], &values)?])
    }

    /// A float range `start + i·step` depends smoothly on `start` and
    /// `step` (`stop` only sets the length, so it is disconnected); an
    /// integer range is not differentiable.
    fn differentiable(&self) -> bool {
        self.dtype.is_float()
    }

    fn pullback(&self, inputs: &[Var], outputs: &[Var], output_grads: &[Var]) -> Result<Vec<Grad>> {
        let g = &output_grads[0];
        let steps = self.steps_taken(&outputs[0])?;
        let g_start = g.sum(crate::ops::reduce::Axis::All);
        let g_step = (g * steps).sum(crate::ops::reduce::Axis::All);
        let fit = |v: Var, input: &Var| v.cast(input.dtype().to_float());
        Ok(vec![
            Grad::Value(fit(g_start, &inputs[0])),
            Grad::Disconnected,
            Grad::Value(fit(g_step, &inputs[2])),
        ])
    }

    fn pushforward(
        &self,
        _inputs: &[Var],
        outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        let out = &outputs[0];
        let from_start = tangents[0].as_ref().map(|t| super::fill(out, t));
        let from_step = match &tangents[2] {
            Some(t) => Some(self.steps_taken(out)? * t),
            None => None,
        };
        Ok(vec![match (from_start, from_step) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        }])
    }
}

impl ARange {
    /// `0, 1, ..., len - 1` in the output dtype: `∂out_i/∂step`.
    fn steps_taken(&self, out: &Var) -> Result<Var> {
        let n = crate::ops::shape::try_shape_i(out, 0)?;
        try_arange(0i64, n, 1i64, self.dtype)
    }
}

fn is_int(s: Scalar) -> bool {
    matches!(s, Scalar::Int(_) | Scalar::UInt(_))
}

/// A scalar bound as a variable: literals take int64 or float64.
#[track_caller]
fn bound(value: Operand) -> Var {
    match value {
        Operand::Var(v) => v,
        Operand::Weak(Scalar::Float(f), _) => Var::constant(Tensor::scalar(f)),
        Operand::Weak(s, _) => Var::constant(Tensor::scalar(s.as_i64())),
    }
}

/// NumPy's `arange(start, stop, step, dtype)` with scalar literals or
/// symbolic scalars; `dtype` `None` promotes the bounds' dtypes.
#[track_caller]
pub fn try_arange(
    start: impl Into<Operand>,
    stop: impl Into<Operand>,
    step: impl Into<Operand>,
    dtype: impl Into<Option<DType>>,
) -> Result<Var> {
    let site = Site::caller();
    let bounds = [bound(start.into()), bound(stop.into()), bound(step.into())];
    let dtypes: Vec<DType> = bounds.iter().map(Var::dtype).collect();
    let dtype = dtype
        .into()
        .unwrap_or_else(|| promote_all(&dtypes).expect("three bounds"));
    let constants: Option<Vec<Scalar>> = bounds
        .iter()
        .map(|b| {
            b.constant_value()
                .filter(|t| t.size() == 1)
                .map(Tensor::item)
        })
        .collect();
    let len = match constants {
        Some(c) => Some(arange_len(c[0], c[1], c[2]).map_err(|e| e.at(&site))?),
        None => None,
    };
    Var::apply1(ARange { dtype, len }, &bounds)
}

/// [`try_arange`] that panics with the error.
#[track_caller]
pub fn arange(
    start: impl Into<Operand>,
    stop: impl Into<Operand>,
    step: impl Into<Operand>,
    dtype: impl Into<Option<DType>>,
) -> Var {
    try_arange(start, stop, step, dtype).unwrap_or_else(|e| panic!("{e}"))
}
