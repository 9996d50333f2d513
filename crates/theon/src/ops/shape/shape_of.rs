//! `Shape` (x's shape as an int64 vector), `ShapeI` (one dim as an int64
//! scalar) and `SpecifyShape` (asserts dims at run time and states them in
//! the static type, as Theano's `specify_shape`).

use super::dims::fmt_static;
use crate::dtype::DType;
use crate::error::{normalize_axis, Error, Result, Site};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::tensor::Tensor;

/// The shape of its input as an int64 vector of length `ndim`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Shape;

impl Op for Shape {
    fn name(&self) -> String {
        "shape".into()
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        Ok(vec![TensorType::known(DType::I64, &[inputs[0].ndim()])])
    }

    fn infer_shape(&self, inputs: &[Var], input_shapes: &[Vec<Var>]) -> Option<Vec<Vec<Var>>> {
        let _ = input_shapes;
        Some(vec![vec![super::infer::const_dim(inputs[0].ndim() as i64)]])
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let dims: Vec<i64> = inputs[0].shape().iter().map(|&d| d as i64).collect();
        Ok(vec![Tensor::from_slice(&dims, &[dims.len()])?])
    }

    fn differentiable(&self) -> bool {
        false
    }
}

/// Dim `axis` of its input as an int64 scalar (Theano's `Shape_i`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ShapeI {
    pub axis: usize,
}

impl Op for ShapeI {
    fn name(&self) -> String {
        format!("shape_i{{{}}}", self.axis)
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        if self.axis >= inputs[0].ndim() {
            return Err(Error::axis(self.name(), self.axis as i64, inputs[0].ndim()));
        }
        Ok(vec![TensorType::scalar(DType::I64)])
    }

    fn infer_shape(&self, _inputs: &[Var], _input_shapes: &[Vec<Var>]) -> Option<Vec<Vec<Var>>> {
        Some(vec![vec![]])
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let d = inputs[0].shape()[self.axis];
        Ok(vec![Tensor::scalar(d as i64)])
    }

    fn differentiable(&self) -> bool {
        false
    }
}

/// Asserts that its input has the given dims (`None`: any size) and returns
/// it (a view) with those dims in its static type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SpecifyShape {
    pub shape: Vec<Option<usize>>,
}

impl Op for SpecifyShape {
    fn name(&self) -> String {
        format!("specify_shape{{{}}}", fmt_static(&self.shape))
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let x = &inputs[0];
        if x.ndim() != self.shape.len() {
            return Err(Error::value(
                self.name(),
                format!(
                    "input 0 has type {x} of rank {}, but the specified shape has rank {}",
                    x.ndim(),
                    self.shape.len()
                ),
            ));
        }
        let mut shape = x.shape.clone();
        for (axis, (have, want)) in shape.iter_mut().zip(&self.shape).enumerate() {
            match (*have, *want) {
                (Some(h), Some(w)) if h != w => {
                    return Err(Error::value(
                        self.name(),
                        format!("input 0 has type {x}: its axis {axis} is statically {h}, not {w}"),
                    ))
                }
                (_, Some(w)) => *have = Some(w),
                _ => {}
            }
        }
        Ok(vec![TensorType::new(x.dtype, shape)])
    }

    fn infer_shape(&self, _inputs: &[Var], input_shapes: &[Vec<Var>]) -> Option<Vec<Vec<Var>>> {
        super::infer::same_as(input_shapes, 0)
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let x = &inputs[0];
        let fits = x.ndim() == self.shape.len()
            && x.shape()
                .iter()
                .zip(&self.shape)
                .all(|(&d, w)| w.is_none_or(|w| w == d));
        if !fits {
            return Err(Error::value(
                self.name(),
                format!(
                    "input 0 has shape {:?}, which does not match the specified shape {}",
                    x.shape(),
                    fmt_static(&self.shape)
                ),
            ));
        }
        Ok(vec![x.clone()])
    }

    fn view_map(&self) -> Vec<(usize, usize)> {
        vec![(0, 0)]
    }

    /// The identity on values: the gradient passes through.
    fn pullback(
        &self,
        _inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        Ok(vec![Grad::Value(output_grads[0].clone())])
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

/// `x`'s shape as a symbolic int64 vector.
#[track_caller]
pub fn shape(x: &Var) -> Var {
    Var::apply1(Shape, std::slice::from_ref(x)).expect("shape accepts any input")
}

/// Dim `axis` (negative counts from the end) of `x` as an int64 scalar: a
/// constant when the dim is statically known.
#[track_caller]
pub fn try_shape_i(x: &Var, axis: i64) -> Result<Var> {
    let site = Site::caller();
    let axis = normalize_axis("shape_i", axis, x.ndim()).map_err(|e| e.at(&site))?;
    if let Some(d) = x.ty().shape[axis] {
        return Ok(Var::constant(Tensor::scalar(d as i64)));
    }
    Var::apply1(ShapeI { axis }, std::slice::from_ref(x))
}

/// Asserts `x`'s dims (`None`: any) and refines its static type.
#[track_caller]
pub fn try_specify_shape(x: &Var, shape: &[Option<usize>]) -> Result<Var> {
    Var::apply1(
        SpecifyShape {
            shape: shape.to_vec(),
        },
        std::slice::from_ref(x),
    )
}

/// [`try_shape_i`] that panics with the error.
#[track_caller]
pub fn shape_i(x: &Var, axis: i64) -> Var {
    try_shape_i(x, axis).unwrap_or_else(|e| panic!("{e}"))
}

/// [`try_specify_shape`] that panics with the error.
#[track_caller]
pub fn specify_shape(x: &Var, shape: &[Option<usize>]) -> Var {
    try_specify_shape(x, shape).unwrap_or_else(|e| panic!("{e}"))
}

impl Var {
    /// The symbolic shape (Theano's `x.shape`), an int64 vector.
    #[track_caller]
    pub fn shape(&self) -> Var {
        shape(self)
    }

    /// Dim `axis` as an int64 scalar (Theano's `x.shape[i]`).
    #[track_caller]
    pub fn shape_i(&self, axis: i64) -> Var {
        shape_i(self, axis)
    }

    /// Asserts the dims (`None`: any) and refines the static type.
    #[track_caller]
    pub fn specify_shape(&self, shape: &[Option<usize>]) -> Var {
        specify_shape(self, shape)
    }
}
