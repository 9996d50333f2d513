//! `Split`: cuts an axis into consecutive pieces of given sizes (Theano's
//! `split(x, splits_size, n_splits, axis)`). A multi-output op whose
//! outputs are views of the input.

use super::dims::{check_known, known_sizes, read_sizes, IntoShape};
use crate::error::{normalize_axis, Error, Result, Site};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::tensor::Tensor;

/// Splits input 0 along `axis` into pieces sized by the int vector input 1;
/// `sizes` holds its statically known elements (one per output).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Split {
    pub axis: usize,
    pub sizes: Vec<Option<i64>>,
}

impl Op for Split {
    fn name(&self) -> String {
        format!("split{{axis={}, n={}}}", self.axis, self.sizes.len())
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let (x, s) = (&inputs[0], &inputs[1]);
        let n = self.sizes.len();
        if self.axis >= x.ndim() {
            return Err(Error::axis(self.name(), self.axis as i64, x.ndim()));
        }
        if s.ndim() != 1 || !s.dtype.is_int() || s.shape[0] != Some(n) {
            return Err(Error::value(
                self.name(),
                format!("input 1 (the sizes) must be an integer vector of length {n}, got {s}"),
            ));
        }
        if n == 0 {
            return Err(Error::value(self.name(), "needs at least one split"));
        }
        if let Some(d) = self.sizes.iter().flatten().find(|&&d| d < 0) {
            return Err(Error::value(
                self.name(),
                format!("negative split size {d}"),
            ));
        }
        let sizes = known_sizes(&self.sizes);
        let total: Option<usize> = sizes.iter().copied().sum();
        if let (Some(total), Some(d)) = (total, x.shape[self.axis]) {
            if total != d {
                return Err(self.sum_error(&self.sizes, total, &format!("{x}")));
            }
        }
        Ok(sizes
            .iter()
            .map(|&size| {
                let mut shape = x.shape.clone();
                shape[self.axis] = size;
                TensorType::new(x.dtype, shape)
            })
            .collect())
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let x = &inputs[0];
        let sizes = read_sizes(&self.name(), &inputs[1], self.sizes.len())?;
        let dims: Vec<i64> = sizes.iter().map(|&d| d as i64).collect();
        check_known(&self.name(), &self.sizes, &dims)?;
        let total: usize = sizes.iter().sum();
        if total != x.shape()[self.axis] {
            let known: Vec<Option<i64>> = dims.iter().map(|&d| Some(d)).collect();
            return Err(self.sum_error(&known, total, &format!("{:?}", x.shape())));
        }
        let mut start = 0i64;
        let mut outs = Vec::with_capacity(sizes.len());
        for &size in &sizes {
            let stop = start + size as i64;
            outs.push(x.slice_axis(self.axis, Some(start), Some(stop), 1)?);
            start = stop;
        }
        Ok(outs)
    }

    fn view_map(&self) -> Vec<(usize, usize)> {
        (0..self.sizes.len()).map(|i| (i, 0)).collect()
    }

    fn pullback(
        &self,
        _inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        self.split_pullback(output_grads)
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        self.split_pushforward(inputs, &tangents[0])
    }
}

impl Split {
    fn sum_error(&self, sizes: &[Option<i64>], total: usize, x: &str) -> Error {
        let text: Vec<String> = sizes
            .iter()
            .map(|d| d.map_or("?".into(), |d| d.to_string()))
            .collect();
        Error::value(
            self.name(),
            format!(
                "split sizes [{}] add up to {total}, but axis {} of input 0 ({x}) differs",
                text.join(", "),
                self.axis
            ),
        )
    }
}

/// Splits `x` along `axis` into pieces of `sizes` (constants or an int
/// vector `Var` of static length), which must add up to the axis length.
#[track_caller]
pub fn try_split(x: &Var, sizes: impl IntoShape, axis: i64) -> Result<Vec<Var>> {
    let site = Site::caller();
    let sizes = sizes.into_shape("split").map_err(|e| e.at(&site))?;
    let axis = normalize_axis("split", axis, x.ndim()).map_err(|e| e.at(&site))?;
    Var::apply(
        Split {
            axis,
            sizes: sizes.known,
        },
        &[x.clone(), sizes.var],
    )
}

/// [`try_split`] that panics with the error.
#[track_caller]
pub fn split(x: &Var, sizes: impl IntoShape, axis: i64) -> Vec<Var> {
    try_split(x, sizes, axis).unwrap_or_else(|e| panic!("{e}"))
}

impl Var {
    /// Splits along `axis` into pieces of the given sizes.
    #[track_caller]
    pub fn split(&self, sizes: &[i64], axis: i64) -> Vec<Var> {
        split(self, sizes, axis)
    }
}
