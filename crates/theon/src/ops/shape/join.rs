//! `Join`: concatenation along an existing axis (Theano's `join(axis, ...)`,
//! NumPy's `concatenate`), with NumPy dtype promotion; `stack` joins along
//! a new axis.

use super::dims::fmt_static;
use super::try_expand_dims;
use crate::dtype::promote_all;
use crate::error::{normalize_axis, Error, Result, Site};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::tensor::Tensor;

/// Concatenates its inputs (all of one rank) along `axis`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Join {
    pub axis: usize,
}

impl Join {
    fn mismatch(&self, index: usize, got: String, first: String) -> Error {
        Error::value(
            self.name(),
            format!(
                "input {index} has shape {got}, which differs from input 0's {first} off axis {}",
                self.axis
            ),
        )
    }
}

impl Op for Join {
    fn name(&self) -> String {
        format!("join{{axis={}}}", self.axis)
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let first = inputs
            .first()
            .ok_or_else(|| Error::value(self.name(), "needs at least one input"))?;
        if self.axis >= first.ndim() {
            return Err(Error::axis(self.name(), self.axis as i64, first.ndim()));
        }
        let mut shape = first.shape.clone();
        for (i, t) in inputs.iter().enumerate().skip(1) {
            if t.ndim() != first.ndim() {
                return Err(Error::value(
                    self.name(),
                    format!(
                        "input {i} has rank {} ({t}), but input 0 has rank {} ({first})",
                        t.ndim(),
                        first.ndim()
                    ),
                ));
            }
            for (a, (out, &d)) in shape.iter_mut().zip(&t.shape).enumerate() {
                if a == self.axis {
                    *out = out.zip(d).map(|(x, y)| x + y);
                } else if let (Some(o), Some(d)) = (*out, d) {
                    if o != d {
                        return Err(self.mismatch(
                            i,
                            fmt_static(&t.shape),
                            fmt_static(&first.shape),
                        ));
                    }
                } else {
                    *out = out.or(d);
                }
            }
        }
        let dtypes: Vec<_> = inputs.iter().map(|t| t.dtype).collect();
        let dtype = promote_all(&dtypes).expect("at least one input");
        Ok(vec![TensorType::new(dtype, shape)])
    }

    fn infer_shape(&self, _inputs: &[Var], input_shapes: &[Vec<Var>]) -> Option<Vec<Vec<Var>>> {
        let mut dims = input_shapes.first()?.clone();
        for s in &input_shapes[1..] {
            dims[self.axis] = super::infer::dim_add(&dims[self.axis], &s[self.axis]);
        }
        Some(vec![dims])
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let first = &inputs[0];
        let axis = self.axis;
        for (i, t) in inputs.iter().enumerate().skip(1) {
            let off_axis_equal =
                (0..first.ndim()).all(|a| a == axis || t.shape()[a] == first.shape()[a]);
            if !off_axis_equal {
                return Err(self.mismatch(
                    i,
                    format!("{:?}", t.shape()),
                    format!("{:?}", first.shape()),
                ));
            }
        }
        let outer: usize = first.shape()[..axis].iter().product();
        let inner: usize = first.shape()[axis + 1..].iter().product();
        let mut shape = first.shape().to_vec();
        shape[axis] = inputs.iter().map(|t| t.shape()[axis]).sum();
        let dtype = ctx.output_types[0].dtype;
        let parts: Vec<Tensor> = (inputs.iter())
            .map(|t| {
                if t.dtype() == dtype {
                    t.contiguous()
                } else {
                    t.cast(dtype)
                }
            })
            .collect();
        let mut out = Tensor::zeros(dtype, &shape);
        crate::with_dtype!(dtype, T => {
            let mut dst = out.data_mut::<T>().iter_mut();
            for o in 0..outer {
                for t in &parts {
                    let block = t.shape()[axis] * inner;
                    let src = &t.as_slice::<T>().expect("contiguous")[o * block..(o + 1) * block];
                    // `src` leads the zip, so no element of `dst` is skipped.
                    for (&v, d) in src.iter().zip(dst.by_ref()) {
                        *d = v;
                    }
                }
            }
        });
        Ok(vec![out])
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        self.join_pullback(inputs, &output_grads[0])
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        self.join_pushforward(inputs, tangents)
    }
}

/// Concatenates `xs` along `axis` (negative counts from the end).
#[track_caller]
pub fn try_concatenate(xs: &[Var], axis: i64) -> Result<Var> {
    let site = Site::caller();
    let first = xs
        .first()
        .ok_or_else(|| Error::value("join", "needs at least one input").at(&site))?;
    if first.ndim() == 0 {
        return Err(
            Error::value("join", "zero-dimensional inputs cannot be concatenated").at(&site),
        );
    }
    let axis = normalize_axis("join", axis, first.ndim()).map_err(|e| e.at(&site))?;
    Var::apply1(Join { axis }, xs)
}

/// [`try_concatenate`] that panics with the error.
#[track_caller]
pub fn concatenate(xs: &[Var], axis: i64) -> Var {
    try_concatenate(xs, axis).unwrap_or_else(|e| panic!("{e}"))
}

/// Theano's `join(axis, *tensors)`.
#[track_caller]
pub fn join(axis: i64, xs: &[Var]) -> Var {
    concatenate(xs, axis)
}

/// Stacks same-shaped `xs` along a new axis `axis` of the result.
#[track_caller]
pub fn try_stack(xs: &[Var], axis: i64) -> Result<Var> {
    let site = Site::caller();
    let first = xs
        .first()
        .ok_or_else(|| Error::value("stack", "needs at least one input").at(&site))?;
    for (i, x) in xs.iter().enumerate() {
        let clash = x
            .ty()
            .shape
            .iter()
            .zip(&first.ty().shape)
            .any(|(a, b)| matches!((a, b), (Some(a), Some(b)) if a != b));
        if clash || x.ndim() != first.ndim() {
            return Err(Error::value(
                "stack",
                format!(
                    "input {i} has type {}, but input 0 has {}: inputs must have one shape",
                    x.ty(),
                    first.ty()
                ),
            )
            .at(&site));
        }
    }
    let axis = normalize_axis("stack", axis, first.ndim() + 1).map_err(|e| e.at(&site))?;
    let expanded = xs
        .iter()
        .map(|x| try_expand_dims(x, axis as i64))
        .collect::<Result<Vec<_>>>()?;
    Var::apply1(Join { axis }, &expanded)
}

/// [`try_stack`] that panics with the error.
#[track_caller]
pub fn stack(xs: &[Var], axis: i64) -> Var {
    try_stack(xs, axis).unwrap_or_else(|e| panic!("{e}"))
}
