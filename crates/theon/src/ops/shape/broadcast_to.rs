//! `BroadcastTo`: NumPy's `broadcast_to(x, shape)`, a read-only view with
//! zero strides on broadcast axes. The shape is a symbolic int vector.

use super::dims::{check_known, fmt_static, known_sizes, read_sizes, IntoShape};
use crate::error::{Error, Result, Site};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::tensor::Tensor;

/// Broadcasts input 0 to the int vector input 1; `target` holds the
/// statically known elements of input 1.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BroadcastTo {
    pub target: Vec<Option<i64>>,
}

impl Op for BroadcastTo {
    fn name(&self) -> String {
        format!("broadcast_to{{{}}}", self.target.len())
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        broadcast_target_type(&self.name(), &inputs[0], &inputs[1], &self.target).map(|t| vec![t])
    }

    fn infer_shape(&self, inputs: &[Var], input_shapes: &[Vec<Var>]) -> Option<Vec<Vec<Var>>> {
        let _ = input_shapes;
        super::infer::target_dims(&self.target, &inputs[1]).map(|d| vec![d])
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let x = &inputs[0];
        let shape = read_sizes(&self.name(), &inputs[1], self.target.len())?;
        let dims: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
        check_known(&self.name(), &self.target, &dims)?;
        let out = x.broadcast_to(&shape).map_err(|_| {
            Error::value(
                self.name(),
                format!(
                    "cannot broadcast input 0 of shape {:?} to shape {shape:?}",
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
        self.broadcast_pullback(inputs, &output_grads[0])
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

/// Broadcasts `x` to `shape` (NumPy rules: `x`'s dims align right and must
/// equal the target or be 1).
#[track_caller]
pub fn try_broadcast_to(x: &Var, shape: impl IntoShape) -> Result<Var> {
    let site = Site::caller();
    let shape = shape.into_shape("broadcast_to").map_err(|e| e.at(&site))?;
    Var::apply1(
        BroadcastTo {
            target: shape.known,
        },
        &[x.clone(), shape.var],
    )
}

/// [`try_broadcast_to`] that panics with the error.
#[track_caller]
pub fn broadcast_to(x: &Var, shape: impl IntoShape) -> Var {
    try_broadcast_to(x, shape).unwrap_or_else(|e| panic!("{e}"))
}

impl Var {
    /// Broadcasts to constant dims: `x.broadcast_to(&[4, 3])`.
    #[track_caller]
    pub fn broadcast_to(&self, shape: &[i64]) -> Var {
        broadcast_to(self, shape)
    }
}

/// The static type of `x` broadcast to a shape vector of type `s` whose
/// known elements are `target` (shared by `broadcast_to` and `alloc`).
pub(crate) fn broadcast_target_type(
    op: &str,
    x: &TensorType,
    s: &TensorType,
    target: &[Option<i64>],
) -> Result<TensorType> {
    let n = target.len();
    if s.ndim() != 1 || !s.dtype.is_int() || s.shape[0] != Some(n) {
        return Err(Error::value(
            op,
            format!("input 1 (the shape) must be an integer vector of length {n}, got {s}"),
        ));
    }
    if let Some(d) = target.iter().flatten().find(|&&d| d < 0) {
        return Err(Error::value(
            op,
            format!("negative dimension {d} in the target shape"),
        ));
    }
    let target = known_sizes(target);
    let fail = || {
        Error::value(
            op,
            format!(
                "cannot broadcast input 0 of shape {} to shape {}",
                fmt_static(&x.shape),
                fmt_static(&target)
            ),
        )
    };
    if x.ndim() > n {
        return Err(fail());
    }
    let pad = n - x.ndim();
    let mut out = target.clone();
    for (i, &d) in x.shape.iter().enumerate() {
        match (d, target[pad + i]) {
            (Some(d), Some(t)) if d != 1 && d != t => return Err(fail()),
            (Some(d), None) if d != 1 => out[pad + i] = Some(d),
            _ => {}
        }
    }
    Ok(TensorType::new(x.dtype, out))
}
