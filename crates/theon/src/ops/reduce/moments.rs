//! `Mean` and `Variance` (var, std): statistics along axes with NumPy's
//! dtypes (bool and integer inputs give float64, floats keep their dtype).
//!
//! They are ops rather than compositions (`sum / n`) because the count `n`
//! is a runtime fact for inputs of unknown shape, and because a dedicated
//! kernel can compute accurately: the reference accumulates in f64 with
//! pairwise sums and computes the variance in two passes (mean first, then
//! the squared deviations from it), which does not cancel catastrophically
//! when the mean is large compared to the spread. Results are rounded to
//! the output dtype once, at the end.

use super::axis::{axes_label, check_axes, reduced_shape, Axis};
use super::groups::{grouped_along, pairwise_sum};
use crate::dtype::DType;
use crate::error::Result;
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::tensor::{Scalar, Tensor};

/// NumPy's result dtype for mean/var/std of `x`: floats keep their dtype,
/// bool and integers give float64.
pub fn statistic_dtype(x: DType) -> DType {
    if x.is_float() {
        x
    } else {
        DType::F64
    }
}

/// The arithmetic mean over sorted, non-negative `axes`. The mean of an
/// empty set is NaN, as in NumPy (which also warns).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Mean {
    pub axes: Vec<usize>,
    pub keepdims: bool,
}

impl Op for Mean {
    fn name(&self) -> String {
        let keep = if self.keepdims { ", keepdims" } else { "" };
        format!("mean{{axis={}{keep}}}", axes_label(&self.axes))
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let x = &inputs[0];
        check_axes(&self.name(), &self.axes, x.ndim())?;
        let shape = reduced_shape(&x.shape, &self.axes, self.keepdims, Some(1));
        Ok(vec![TensorType::new(statistic_dtype(x.dtype), shape)])
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
            .map(|g| Scalar::Float(mean_f64(&to_f64(g))))
            .collect();
        let shape = reduced_shape(x.shape(), &self.axes, self.keepdims, 1);
        Ok(vec![Tensor::from_scalars(
            statistic_dtype(x.dtype()),
            &shape,
            &values,
        )?])
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        self.mean_pullback(&inputs[0], &output_grads[0])
    }

    fn pushforward(
        &self,
        _inputs: &[Var],
        _outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        match &tangents[0] {
            Some(t) => self.mean_pushforward(t),
            None => Ok(vec![None]),
        }
    }
}

/// Which spread statistic a [`Variance`] node computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dispersion {
    /// The variance, `sum((x - mean)^2) / (n - ddof)`.
    Var,
    /// The standard deviation, the square root of the variance.
    Std,
}

impl Dispersion {
    /// The NumPy name (`"var"`, `"std"`).
    pub fn name(self) -> &'static str {
        match self {
            Dispersion::Var => "var",
            Dispersion::Std => "std",
        }
    }
}

/// Variance or standard deviation over sorted, non-negative `axes` with
/// `ddof` delta degrees of freedom. As in NumPy, the divisor is
/// `max(n - ddof, 0)`, so too few elements give NaN or infinity (no error).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Variance {
    pub kind: Dispersion,
    pub axes: Vec<usize>,
    pub ddof: usize,
    pub keepdims: bool,
}

impl Op for Variance {
    fn name(&self) -> String {
        let keep = if self.keepdims { ", keepdims" } else { "" };
        format!(
            "{}{{axis={}, ddof={}{keep}}}",
            self.kind.name(),
            axes_label(&self.axes),
            self.ddof
        )
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let x = &inputs[0];
        check_axes(&self.name(), &self.axes, x.ndim())?;
        let shape = reduced_shape(&x.shape, &self.axes, self.keepdims, Some(1));
        Ok(vec![TensorType::new(statistic_dtype(x.dtype), shape)])
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
                let var = two_pass_variance(&to_f64(g), self.ddof);
                Scalar::Float(match self.kind {
                    Dispersion::Var => var,
                    Dispersion::Std => var.sqrt(),
                })
            })
            .collect();
        let shape = reduced_shape(x.shape(), &self.axes, self.keepdims, 1);
        Ok(vec![Tensor::from_scalars(
            statistic_dtype(x.dtype()),
            &shape,
            &values,
        )?])
    }

    fn pullback(&self, inputs: &[Var], outputs: &[Var], output_grads: &[Var]) -> Result<Vec<Grad>> {
        self.variance_pullback(&inputs[0], &outputs[0], &output_grads[0])
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        match &tangents[0] {
            Some(t) => self.variance_pushforward(&inputs[0], &outputs[0], t),
            None => Ok(vec![None]),
        }
    }
}

fn to_f64(group: &[Scalar]) -> Vec<f64> {
    group.iter().map(|s| s.as_f64()).collect()
}

fn mean_f64(values: &[f64]) -> f64 {
    pairwise_sum(values) / values.len() as f64
}

/// The variance in two passes: the mean, then the pairwise sum of squared
/// deviations from it, divided by `max(n - ddof, 0)`.
fn two_pass_variance(values: &[f64], ddof: usize) -> f64 {
    let mean = mean_f64(values);
    let squares: Vec<f64> = values.iter().map(|v| (v - mean) * (v - mean)).collect();
    let divisor = values.len().saturating_sub(ddof) as f64;
    pairwise_sum(&squares) / divisor
}

/// Builds a mean node over `axis`, or returns the error (bad axis, ...).
#[track_caller]
pub fn try_mean(x: &Var, axis: impl Into<Axis>, keepdims: bool) -> Result<Var> {
    // Taken here: a closure would report its own line, not the caller's.
    let site = crate::Site::caller();
    let axes = axis
        .into()
        .resolve("mean", x.ndim())
        .map_err(|e| e.at(&site))?;
    Var::apply1(Mean { axes, keepdims }, std::slice::from_ref(x))
}

/// NumPy's `mean(x, axis, keepdims)` (float64 for bool/integer inputs).
#[track_caller]
pub fn mean(x: &Var, axis: impl Into<Axis>, keepdims: bool) -> Var {
    try_mean(x, axis, keepdims).unwrap_or_else(|e| panic!("{e}"))
}

/// Builds a var/std node over `axis` with `ddof`, or returns the error.
#[track_caller]
pub fn try_variance(
    x: &Var,
    kind: Dispersion,
    axis: impl Into<Axis>,
    ddof: usize,
    keepdims: bool,
) -> Result<Var> {
    // Taken here: a closure would report its own line, not the caller's.
    let site = crate::Site::caller();
    let axes = axis
        .into()
        .resolve(kind.name(), x.ndim())
        .map_err(|e| e.at(&site))?;
    let op = Variance {
        kind,
        axes,
        ddof,
        keepdims,
    };
    Var::apply1(op, std::slice::from_ref(x))
}

/// NumPy's `var(x, axis, ddof, keepdims)`.
#[track_caller]
pub fn variance(x: &Var, axis: impl Into<Axis>, ddof: usize, keepdims: bool) -> Var {
    try_variance(x, Dispersion::Var, axis, ddof, keepdims).unwrap_or_else(|e| panic!("{e}"))
}

/// NumPy's `std(x, axis, ddof, keepdims)`.
#[track_caller]
pub fn std_dev(x: &Var, axis: impl Into<Axis>, ddof: usize, keepdims: bool) -> Var {
    try_variance(x, Dispersion::Std, axis, ddof, keepdims).unwrap_or_else(|e| panic!("{e}"))
}

impl Var {
    /// The mean over `axis`, dropping the reduced axes (see [`mean`]).
    #[track_caller]
    pub fn mean(&self, axis: impl Into<Axis>) -> Var {
        mean(self, axis, false)
    }

    /// The mean over `axis`, keeping reduced axes as size 1.
    #[track_caller]
    pub fn mean_keepdims(&self, axis: impl Into<Axis>) -> Var {
        mean(self, axis, true)
    }

    /// The population variance (`ddof = 0`) over `axis`; see [`variance`]
    /// for `ddof` and `keepdims`.
    #[track_caller]
    pub fn var(&self, axis: impl Into<Axis>) -> Var {
        variance(self, axis, 0, false)
    }

    /// The population standard deviation (`ddof = 0`) over `axis`; see
    /// [`std_dev`] for `ddof` and `keepdims`.
    #[track_caller]
    pub fn std(&self, axis: impl Into<Axis>) -> Var {
        std_dev(self, axis, 0, false)
    }
}
