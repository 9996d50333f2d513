//! `Repeat`: NumPy's `repeat(x, repeats, axis)`: each element along `axis`
//! is repeated `repeats` times (a scalar), or `repeats[i]` times for element
//! `i` (a vector; length 1 broadcasts). With no axis, `x` is flattened first.

use crate::error::{normalize_axis, Error, Result, Site};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::ops::operand::Operand;
use crate::tensor::{Scalar, Tensor};

/// Repeats along `axis` (`None`: over the flattened input) by input 1, an
/// integer scalar or vector; `known` is input 1's value when constant.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Repeat {
    pub axis: Option<usize>,
    pub known: Option<Vec<i64>>,
}

impl Repeat {
    fn len_error(&self, n: usize, d: usize) -> Error {
        Error::value(
            self.name(),
            format!("input 1 (the repeats) has {n} elements, but the repeated axis has size {d} (need {d} or 1)"),
        )
    }

    /// Output size of the repeated axis from its input size and the repeats.
    pub fn repeated_len(&self, d: usize, reps: &[i64]) -> Result<usize> {
        if let Some(r) = reps.iter().find(|&&r| r < 0) {
            return Err(Error::value(
                self.name(),
                format!("negative repeat count {r}"),
            ));
        }
        match reps.len() {
            1 => Ok(d * reps[0] as usize),
            n if n == d => Ok(reps.iter().map(|&r| r as usize).sum()),
            n => Err(self.len_error(n, d)),
        }
    }
}

impl Op for Repeat {
    fn name(&self) -> String {
        match self.axis {
            Some(a) => format!("repeat{{axis={a}}}"),
            None => "repeat{axis=None}".into(),
        }
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let (x, r) = (&inputs[0], &inputs[1]);
        if r.ndim() > 1 || !r.dtype.is_int() {
            return Err(Error::value(
                self.name(),
                format!("input 1 (the repeats) must be an integer scalar or vector, got {r}"),
            ));
        }
        let mut shape = match self.axis {
            None => vec![x.known_size()],
            Some(a) if a >= x.ndim() => return Err(Error::axis(self.name(), a as i64, x.ndim())),
            Some(_) => x.shape.clone(),
        };
        let axis = self.axis.unwrap_or(0);
        let d = shape[axis];
        if let (Some(d), Some(Some(n))) = (d, r.shape.first()) {
            if *n != d && *n != 1 {
                return Err(self.len_error(*n, d));
            }
        }
        shape[axis] = match (&self.known, d) {
            (Some(reps), Some(d)) => Some(self.repeated_len(d, reps)?),
            (Some(reps), None) if reps.len() == 1 && reps[0] == 0 => Some(0),
            _ => None,
        };
        Ok(vec![TensorType::new(x.dtype, shape)])
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let x = match self.axis {
            Some(_) => inputs[0].clone(),
            None => inputs[0].reshape(&[-1])?,
        };
        let axis = self.axis.unwrap_or(0);
        let reps: Vec<i64> = inputs[1].to_scalars().iter().map(|s| s.as_i64()).collect();
        let d = x.shape()[axis];
        let out_len = self.repeated_len(d, &reps)?;
        let count = |i: usize| reps[if reps.len() == 1 { 0 } else { i }] as usize;
        let outer: usize = x.shape()[..axis].iter().product();
        let inner: usize = x.shape()[axis + 1..].iter().product();
        let mut shape = x.shape().to_vec();
        shape[axis] = out_len;
        let x = x.contiguous();
        let mut out = Tensor::zeros(x.dtype(), &shape);
        crate::with_dtype!(x.dtype(), T => {
            let flat = x.as_slice::<T>().expect("contiguous");
            let mut dst = out.data_mut::<T>().chunks_exact_mut(inner.max(1));
            for o in 0..outer {
                for i in 0..d {
                    let row = &flat[(o * d + i) * inner..(o * d + i + 1) * inner];
                    for chunk in dst.by_ref().take(count(i)) {
                        chunk.copy_from_slice(row);
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
        self.repeat_pullback(inputs, &output_grads[0])
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

/// Repeats elements of `x` along `axis` (`None`: flattened) by `repeats`,
/// an integer literal or an integer scalar/vector `Var`.
#[track_caller]
pub fn try_repeat(x: &Var, repeats: impl Into<Operand>, axis: Option<i64>) -> Result<Var> {
    let site = Site::caller();
    let repeats = match repeats.into() {
        Operand::Var(v) => v,
        Operand::Weak(Scalar::Float(f), _) => {
            return Err(
                Error::value("repeat", format!("repeats must be integers, got {f}")).at(&site),
            )
        }
        Operand::Weak(s, _) => Var::constant(Tensor::scalar(s.as_i64())),
    };
    let axis = axis
        .map(|a| normalize_axis("repeat", a, x.ndim()))
        .transpose()
        .map_err(|e| e.at(&site))?;
    let known = repeats
        .constant_value()
        .filter(|t| t.dtype().is_int())
        .map(|t| t.to_scalars().iter().map(|s| s.as_i64()).collect());
    Var::apply1(Repeat { axis, known }, &[x.clone(), repeats])
}

/// [`try_repeat`] that panics with the error.
#[track_caller]
pub fn repeat(x: &Var, repeats: impl Into<Operand>, axis: Option<i64>) -> Var {
    try_repeat(x, repeats, axis).unwrap_or_else(|e| panic!("{e}"))
}

/// Repeats element `i` along `axis` `repeats[i]` times (constant counts).
#[track_caller]
pub fn repeat_each(x: &Var, repeats: &[i64], axis: Option<i64>) -> Var {
    let counts = Var::constant(Tensor::from_slice(repeats, &[repeats.len()]).expect("a vector"));
    repeat(x, counts, axis)
}

impl Var {
    /// Repeats each element `repeats` times along `axis` (`None`: flattened).
    #[track_caller]
    pub fn repeat(&self, repeats: impl Into<Operand>, axis: Option<i64>) -> Var {
        repeat(self, repeats, axis)
    }
}
