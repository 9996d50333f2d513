//! `Flip` (NumPy's `flip`: a view with negated strides on the flipped axes)
//! and `Roll` (NumPy's `roll(x, shift, axis)` with a symbolic shift).

use super::dims::int_scalar;
use crate::error::{normalize_axis, Error, Result, Site};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::ops::operand::Operand;
use crate::ops::reduce::Axis;
use crate::tensor::{size_of, unravel, Tensor};

/// Reverses the order of elements along `axes` (sorted, distinct).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Flip {
    pub axes: Vec<usize>,
}

impl Op for Flip {
    fn name(&self) -> String {
        let axes: Vec<String> = self.axes.iter().map(|a| a.to_string()).collect();
        format!("flip{{axis=({})}}", axes.join(","))
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let x = &inputs[0];
        if let Some(&a) = self.axes.iter().find(|&&a| a >= x.ndim()) {
            return Err(Error::axis(self.name(), a as i64, x.ndim()));
        }
        Ok(vec![x.clone()])
    }

    fn infer_shape(&self, _inputs: &[Var], input_shapes: &[Vec<Var>]) -> Option<Vec<Vec<Var>>> {
        super::infer::same_as(input_shapes, 0)
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let mut out = inputs[0].clone();
        for &a in &self.axes {
            out = out.slice_axis(a, None, None, -1)?;
        }
        Ok(vec![out])
    }

    fn view_map(&self) -> Vec<(usize, usize)> {
        vec![(0, 0)]
    }

    fn pullback(
        &self,
        _inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        self.flip_pullback(&output_grads[0])
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        super::rules::apply_to_tangent(self.clone(), inputs, &tangents[0])
    }
}

/// Shifts elements along `axis` (`None`: over the flattened input, keeping
/// the shape) by input 1, an integer scalar; elements wrap around.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Roll {
    pub axis: Option<usize>,
}

impl Op for Roll {
    fn name(&self) -> String {
        match self.axis {
            Some(a) => format!("roll{{axis={a}}}"),
            None => "roll{axis=None}".into(),
        }
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let (x, s) = (&inputs[0], &inputs[1]);
        if s.ndim() != 0 || !s.dtype.is_int() {
            return Err(Error::value(
                self.name(),
                format!("input 1 (the shift) must be an integer scalar, got {s}"),
            ));
        }
        if let Some(a) = self.axis.filter(|&a| a >= x.ndim()) {
            return Err(Error::axis(self.name(), a as i64, x.ndim()));
        }
        Ok(vec![x.clone()])
    }

    fn infer_shape(&self, _inputs: &[Var], input_shapes: &[Vec<Var>]) -> Option<Vec<Vec<Var>>> {
        super::infer::same_as(input_shapes, 0)
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let x = &inputs[0];
        let shift = inputs[1].item().as_i64();
        let (view, axis) = match self.axis {
            Some(a) => (x.clone(), a),
            None => (x.reshape(&[-1])?, 0),
        };
        let shape = view.shape().to_vec();
        let n = shape[axis] as i64;
        let flat = view.to_scalars();
        let strides = crate::tensor::c_strides(&shape);
        let values: Vec<_> = (0..size_of(&shape))
            .map(|i| {
                let mut index = unravel(i, &shape);
                index[axis] = (index[axis] as i64 - shift).rem_euclid(n) as usize;
                let src: isize = index
                    .iter()
                    .zip(&strides)
                    .map(|(&j, &s)| j as isize * s)
                    .sum();
                flat[src as usize]
            })
            .collect();
        Ok(vec![Tensor::from_scalars(x.dtype(), x.shape(), &values)?])
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        self.roll_pullback(inputs, &output_grads[0])
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        super::rules::apply_to_tangent(self.clone(), inputs, &tangents[0])
    }
}

/// Reverses `x` along `axis` (`Axis::All`: every axis), as a view.
#[track_caller]
pub fn try_flip(x: &Var, axis: impl Into<Axis>) -> Result<Var> {
    let site = Site::caller();
    let axes = axis
        .into()
        .resolve("flip", x.ndim())
        .map_err(|e| e.at(&site))?;
    Var::apply1(Flip { axes }, std::slice::from_ref(x))
}

/// [`try_flip`] that panics with the error.
#[track_caller]
pub fn flip(x: &Var, axis: impl Into<Axis>) -> Var {
    try_flip(x, axis).unwrap_or_else(|e| panic!("{e}"))
}

/// Rolls `x` by `shift` (an integer literal or scalar `Var`) along `axis`.
#[track_caller]
pub fn try_roll(x: &Var, shift: impl Into<Operand>, axis: Option<i64>) -> Result<Var> {
    let site = Site::caller();
    let shift = int_scalar("roll", "the shift", shift.into()).map_err(|e| e.at(&site))?;
    let axis = axis
        .map(|a| normalize_axis("roll", a, x.ndim()))
        .transpose()
        .map_err(|e| e.at(&site))?;
    Var::apply1(Roll { axis }, &[x.clone(), shift])
}

/// [`try_roll`] that panics with the error.
#[track_caller]
pub fn roll(x: &Var, shift: impl Into<Operand>, axis: Option<i64>) -> Var {
    try_roll(x, shift, axis).unwrap_or_else(|e| panic!("{e}"))
}

impl Var {
    /// Reverses along `axis` (`Axis::All` for every axis), as a view.
    #[track_caller]
    pub fn flip(&self, axis: impl Into<Axis>) -> Var {
        flip(self, axis)
    }

    /// Rolls by `shift` along `axis` (`None`: over the flattened input).
    #[track_caller]
    pub fn roll(&self, shift: impl Into<Operand>, axis: Option<i64>) -> Var {
        roll(self, shift, axis)
    }
}
