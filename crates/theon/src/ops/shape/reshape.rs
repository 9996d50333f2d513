//! `Reshape` (to a symbolic int vector shape, one `-1` allowed) and
//! `Flatten` (Theano's `flatten(x, ndim)`: keep the first `ndim - 1` axes,
//! collapse the rest). Both return a view when the input is contiguous.

use super::dims::{check_known, fmt_static, read_dims, IntoShape};
use crate::error::{Error, Result, Site};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::tensor::{size_of, Tensor};

/// Reshapes input 0 to the int vector input 1. `target` holds the elements
/// of input 1 that were statically known when the node was built.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Reshape {
    pub target: Vec<Option<i64>>,
}

impl Reshape {
    fn target_text(&self) -> String {
        let dims: Vec<String> = self
            .target
            .iter()
            .map(|d| d.map_or("?".into(), |d| d.to_string()))
            .collect();
        format!("({})", dims.join(", "))
    }

    fn mismatch(&self, from: String) -> Error {
        Error::value(
            self.name(),
            format!(
                "cannot reshape input 0 of shape {from} into shape {}",
                self.target_text()
            ),
        )
    }

    /// The static output shape, or an error when the sizes cannot agree.
    fn static_shape(&self, x: &TensorType) -> Result<Vec<Option<usize>>> {
        let known = &self.target;
        if known.iter().flatten().filter(|&&d| d == -1).count() > 1 {
            return Err(Error::value(
                self.name(),
                "can only specify one unknown (-1) dimension",
            ));
        }
        if let Some(bad) = known.iter().flatten().find(|&&d| d < -1) {
            return Err(Error::value(
                self.name(),
                format!("invalid dimension {bad} in the target shape"),
            ));
        }
        let mut out: Vec<Option<usize>> = known
            .iter()
            .map(|d| d.filter(|&d| d >= 0).map(|d| d as usize))
            .collect();
        let all_known = known.iter().all(Option::is_some);
        if let (Some(size), true) = (x.known_size(), all_known) {
            let product: usize = out.iter().flatten().product();
            match known.iter().position(|&d| d == Some(-1)) {
                Some(free) if product > 0 && size % product == 0 => {
                    out[free] = Some(size / product)
                }
                None if product == size => {}
                _ => return Err(self.mismatch(fmt_static(&x.shape))),
            }
        }
        Ok(out)
    }
}

impl Op for Reshape {
    fn name(&self) -> String {
        format!("reshape{{{}}}", self.target.len())
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let (x, s) = (&inputs[0], &inputs[1]);
        if s.ndim() != 1 || !s.dtype.is_int() || s.shape[0] != Some(self.target.len()) {
            return Err(Error::value(
                self.name(),
                format!(
                    "input 1 (the shape) must be an integer vector of length {}, got {s}",
                    self.target.len()
                ),
            ));
        }
        Ok(vec![TensorType::new(x.dtype, self.static_shape(x)?)])
    }

    fn infer_shape(&self, inputs: &[Var], input_shapes: &[Vec<Var>]) -> Option<Vec<Vec<Var>>> {
        super::infer::reshape_dims(&self.target, inputs, input_shapes).map(|d| vec![d])
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let x = &inputs[0];
        let dims = read_dims(&self.name(), &inputs[1], self.target.len())?;
        check_known(&self.name(), &self.target, &dims)?;
        let out = x.reshape(&dims).map_err(|_| {
            Error::value(
                self.name(),
                format!(
                    "cannot reshape input 0 of shape {:?} into shape {dims:?}",
                    x.shape()
                ),
            )
        })?;
        Ok(vec![out])
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
        self.reshape_pullback(inputs, &output_grads[0])
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

/// Collapses all axes from `outdim - 1` on into one (Theano's `Flatten`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Flatten {
    pub outdim: usize,
}

impl Flatten {
    fn out_shape<T: Copy>(&self, shape: &[T], product: impl Fn(&[T]) -> T) -> Vec<T> {
        let keep = (self.outdim - 1).min(shape.len());
        let mut out = shape[..keep].to_vec();
        out.push(product(&shape[keep..]));
        out
    }
}

impl Op for Flatten {
    fn name(&self) -> String {
        format!("flatten{{outdim={}}}", self.outdim)
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let x = &inputs[0];
        if self.outdim == 0 || (self.outdim > 1 && self.outdim > x.ndim()) {
            return Err(Error::value(
                self.name(),
                format!(
                    "outdim must be between 1 and the rank of input 0 ({x}), got {}",
                    self.outdim
                ),
            ));
        }
        let shape = self.out_shape(&x.shape, |rest| {
            rest.iter().try_fold(1usize, |acc, d| d.map(|d| acc * d))
        });
        Ok(vec![TensorType::new(x.dtype, shape)])
    }

    fn infer_shape(&self, _inputs: &[Var], input_shapes: &[Vec<Var>]) -> Option<Vec<Vec<Var>>> {
        let x = input_shapes.first()?;
        let keep = (self.outdim - 1).min(x.len());
        let mut dims = x[..keep].to_vec();
        dims.push(super::infer::dim_prod(&x[keep..]));
        Some(vec![dims])
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let x = &inputs[0];
        let shape = self.out_shape(x.shape(), size_of);
        let dims: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
        Ok(vec![x.reshape(&dims)?])
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
        self.flatten_pullback(inputs, &output_grads[0])
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

/// Reshapes `x` to `shape` (constant dims, an int vector `Var`, or
/// [`Dim`](super::Dim)s); one dim may be `-1`.
#[track_caller]
pub fn try_reshape(x: &Var, shape: impl IntoShape) -> Result<Var> {
    let site = Site::caller();
    let shape = shape.into_shape("reshape").map_err(|e| e.at(&site))?;
    Var::apply1(
        Reshape {
            target: shape.known,
        },
        &[x.clone(), shape.var],
    )
}

/// [`try_reshape`] that panics with the error.
#[track_caller]
pub fn reshape(x: &Var, shape: impl IntoShape) -> Var {
    try_reshape(x, shape).unwrap_or_else(|e| panic!("{e}"))
}

/// Theano's `flatten(x, ndim)`: the result has rank `outdim`.
#[track_caller]
pub fn try_flatten(x: &Var, outdim: usize) -> Result<Var> {
    Var::apply1(Flatten { outdim }, std::slice::from_ref(x))
}

/// [`try_flatten`] that panics with the error.
#[track_caller]
pub fn flatten(x: &Var, outdim: usize) -> Var {
    try_flatten(x, outdim).unwrap_or_else(|e| panic!("{e}"))
}

impl Var {
    /// Reshapes to constant dims: `x.reshape(&[2, -1])`.
    #[track_caller]
    pub fn reshape(&self, shape: &[i64]) -> Var {
        reshape(self, shape)
    }

    /// Reshapes to a symbolic int vector: `x.reshape_var(&y.shape())`.
    #[track_caller]
    pub fn reshape_var(&self, shape: &Var) -> Var {
        reshape(self, shape)
    }

    /// Theano's `x.flatten(ndim)`.
    #[track_caller]
    pub fn flatten(&self, outdim: usize) -> Var {
        flatten(self, outdim)
    }
}

/// Runtime dims as i64s, for building a constant shape argument.
pub fn dims_i64(shape: &[usize]) -> Vec<i64> {
    shape.iter().map(|&d| d as i64).collect()
}
