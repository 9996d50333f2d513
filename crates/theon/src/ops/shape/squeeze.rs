//! `squeeze` and `expand_dims`. Both are dimshuffles when the static type
//! allows; squeezing an axis whose size is only known at run time uses the
//! `Squeeze` op, a view that checks the size is 1.

use super::try_dimshuffle;
use crate::error::{Error, Result, Site};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::ops::reduce::Axis;
use crate::tensor::Tensor;

/// Drops `axes` (sorted, distinct), each of which must have size 1.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Squeeze {
    pub axes: Vec<usize>,
}

impl Op for Squeeze {
    fn name(&self) -> String {
        let axes: Vec<String> = self.axes.iter().map(|a| a.to_string()).collect();
        format!("squeeze{{axis=({})}}", axes.join(","))
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let x = &inputs[0];
        for &a in &self.axes {
            match x.shape.get(a) {
                None => return Err(Error::axis(self.name(), a as i64, x.ndim())),
                Some(Some(d)) if *d != 1 => {
                    return Err(Error::value(
                        self.name(),
                        format!("cannot squeeze axis {a} of input 0 ({x}): its size is {d}, not 1"),
                    ))
                }
                _ => {}
            }
        }
        let shape = kept(&x.shape, &self.axes);
        Ok(vec![TensorType::new(x.dtype, shape)])
    }

    fn infer_shape(&self, _inputs: &[Var], input_shapes: &[Vec<Var>]) -> Option<Vec<Vec<Var>>> {
        Some(vec![kept(input_shapes.first()?, &self.axes)])
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let x = &inputs[0];
        if let Some(&a) = self.axes.iter().find(|&&a| x.shape()[a] != 1) {
            return Err(Error::value(
                self.name(),
                format!(
                    "cannot squeeze axis {a} of input 0 with shape {:?}: its size is not 1",
                    x.shape()
                ),
            ));
        }
        let shape = kept(x.shape(), &self.axes);
        let strides = kept(x.strides(), &self.axes);
        Ok(vec![x.with_layout(shape, strides, x.offset())])
    }

    fn view_map(&self) -> Vec<(usize, usize)> {
        vec![(0, 0)]
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        self.squeeze_pullback(inputs, &output_grads[0])
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

fn kept<T: Clone>(dims: &[T], dropped: &[usize]) -> Vec<T> {
    dims.iter()
        .enumerate()
        .filter(|(i, _)| !dropped.contains(i))
        .map(|(_, d)| d.clone())
        .collect()
}

/// Removes size-1 axes: `Axis::All` drops every axis statically known to be
/// 1 (Theano's `squeeze`); explicit axes (negative allowed) must have size 1
/// (checked at run time when the size is not static).
#[track_caller]
pub fn try_squeeze(x: &Var, axis: impl Into<Axis>) -> Result<Var> {
    let site = Site::caller();
    let axes = match axis.into() {
        Axis::All => (0..x.ndim())
            .filter(|&a| x.ty().shape[a] == Some(1))
            .collect(),
        some => some.resolve("squeeze", x.ndim()).map_err(|e| e.at(&site))?,
    };
    if axes.iter().all(|&a| x.ty().shape[a] == Some(1)) {
        let pattern: Vec<Option<usize>> = kept(&(0..x.ndim()).collect::<Vec<_>>(), &axes)
            .into_iter()
            .map(Some)
            .collect();
        return try_dimshuffle(x, &pattern);
    }
    Var::apply1(Squeeze { axes }, std::slice::from_ref(x))
}

/// [`try_squeeze`] that panics with the error.
#[track_caller]
pub fn squeeze(x: &Var, axis: impl Into<Axis>) -> Var {
    try_squeeze(x, axis).unwrap_or_else(|e| panic!("{e}"))
}

/// Inserts size-1 axes at `axis` (NumPy's `expand_dims`: positions in the
/// result, negative counting from its end).
#[track_caller]
pub fn try_expand_dims(x: &Var, axis: impl Into<Axis>) -> Result<Var> {
    let site = Site::caller();
    let new_axes = match axis.into() {
        Axis::All => return Err(Error::value("expand_dims", "needs explicit axes").at(&site)),
        Axis::Some(list) => {
            let out_ndim = x.ndim() + list.len();
            Axis::Some(list)
                .resolve("expand_dims", out_ndim)
                .map_err(|e| e.at(&site))?
        }
    };
    let out_ndim = x.ndim() + new_axes.len();
    let mut next = 0..x.ndim();
    let pattern: Vec<Option<usize>> = (0..out_ndim)
        .map(|i| {
            if new_axes.contains(&i) {
                None
            } else {
                next.next()
            }
        })
        .collect();
    try_dimshuffle(x, &pattern)
}

/// [`try_expand_dims`] that panics with the error.
#[track_caller]
pub fn expand_dims(x: &Var, axis: impl Into<Axis>) -> Var {
    try_expand_dims(x, axis).unwrap_or_else(|e| panic!("{e}"))
}

impl Var {
    /// Drops every axis statically known to be 1 (Theano's `x.squeeze()`).
    #[track_caller]
    pub fn squeeze(&self) -> Var {
        squeeze(self, Axis::All)
    }

    /// Drops the given axes, which must have size 1.
    #[track_caller]
    pub fn squeeze_axes(&self, axes: &[i64]) -> Var {
        squeeze(self, axes)
    }

    /// Inserts a size-1 axis at `axis` of the result.
    #[track_caller]
    pub fn expand_dims(&self, axis: i64) -> Var {
        expand_dims(self, axis)
    }
}
