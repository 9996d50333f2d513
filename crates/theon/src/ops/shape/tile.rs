//! `Tile`: NumPy's `tile(x, reps)`. `x` is padded with leading size-1
//! axes, or `reps` with leading 1s, until their lengths agree; each axis is
//! then repeated whole `reps[i]` times.

use super::dims::{check_known, known_sizes, read_sizes, IntoShape};
use crate::error::{Error, Result, Site};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::tensor::Tensor;

/// Tiles input 0 by the int vector input 1; `reps` holds its statically
/// known elements.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Tile {
    pub reps: Vec<Option<i64>>,
}

/// Left-pads `v` with `fill` to length `n`.
fn pad_front<T: Clone>(v: &[T], n: usize, fill: T) -> Vec<T> {
    let mut out = vec![fill; n - v.len()];
    out.extend_from_slice(v);
    out
}

impl Op for Tile {
    fn name(&self) -> String {
        format!("tile{{{}}}", self.reps.len())
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let (x, r) = (&inputs[0], &inputs[1]);
        let n = self.reps.len();
        if r.ndim() != 1 || !r.dtype.is_int() || r.shape[0] != Some(n) {
            return Err(Error::value(
                self.name(),
                format!("input 1 (the reps) must be an integer vector of length {n}, got {r}"),
            ));
        }
        if let Some(d) = self.reps.iter().flatten().find(|&&d| d < 0) {
            return Err(Error::value(
                self.name(),
                format!("negative repetition count {d}"),
            ));
        }
        let ndim = n.max(x.ndim());
        let shape = pad_front(&x.shape, ndim, Some(1));
        let reps = pad_front(&known_sizes(&self.reps), ndim, Some(1));
        let out = shape
            .iter()
            .zip(&reps)
            .map(|(&d, &r)| match (d, r) {
                (Some(d), Some(r)) => Some(d * r),
                (_, Some(0)) | (Some(0), _) => Some(0),
                (d, Some(1)) => d,
                _ => None,
            })
            .collect();
        Ok(vec![TensorType::new(x.dtype, out)])
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let x = &inputs[0];
        let reps = read_sizes(&self.name(), &inputs[1], self.reps.len())?;
        let dims: Vec<i64> = reps.iter().map(|&d| d as i64).collect();
        check_known(&self.name(), &self.reps, &dims)?;
        let ndim = reps.len().max(x.ndim());
        let in_shape = pad_front(x.shape(), ndim, 1);
        let reps = pad_front(&reps, ndim, 1);
        let out_shape: Vec<usize> = in_shape.iter().zip(&reps).map(|(d, r)| d * r).collect();
        // Tiling is broadcasting `x` against the reps interleaved with its
        // dims: (r0, d0, r1, d1, ...) read as a stride-0 view, then copied.
        let mut wide_shape = Vec::with_capacity(2 * ndim);
        for (&r, &d) in reps.iter().zip(&in_shape) {
            wide_shape.extend([r, d]);
        }
        let mut wide_x = Vec::with_capacity(2 * ndim);
        for &d in &in_shape {
            wide_x.extend([1, d]);
        }
        let dims: Vec<i64> = wide_x.iter().map(|&d| d as i64).collect();
        let wide = x.reshape(&dims)?.broadcast_to(&wide_shape)?;
        let out_dims: Vec<i64> = out_shape.iter().map(|&d| d as i64).collect();
        Ok(vec![wide.to_contiguous_copy().reshape(&out_dims)?])
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        self.tile_pullback(inputs, &output_grads[0])
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

/// Repeats `x` whole `reps[i]` times along each axis (NumPy's `tile`).
#[track_caller]
pub fn try_tile(x: &Var, reps: impl IntoShape) -> Result<Var> {
    let site = Site::caller();
    let reps = reps.into_shape("tile").map_err(|e| e.at(&site))?;
    Var::apply1(Tile { reps: reps.known }, &[x.clone(), reps.var])
}

/// [`try_tile`] that panics with the error.
#[track_caller]
pub fn tile(x: &Var, reps: impl IntoShape) -> Var {
    try_tile(x, reps).unwrap_or_else(|e| panic!("{e}"))
}

impl Var {
    /// Tiles by constant repetition counts: `x.tile(&[2, 3])`.
    #[track_caller]
    pub fn tile(&self, reps: &[i64]) -> Var {
        tile(self, reps)
    }
}
