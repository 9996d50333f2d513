//! `FillDiagonal`: a copy of `a` with its main diagonal (or, for a matrix,
//! diagonal `offset`) set to a scalar, as NumPy's `fill_diagonal` (with
//! `wrap=False`) and Theano's `fill_diagonal` / `fill_diagonal_offset`.

use super::diagonal::diagonal_len;
use crate::error::{Error, Result};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::tensor::{c_strides, Tensor};

/// Inputs: `a` (a matrix, or an array whose dims are all equal) and a
/// scalar `value`, cast to `a`'s dtype. `offset` is only allowed for matrices.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FillDiagonal {
    pub offset: i64,
}

impl Op for FillDiagonal {
    fn name(&self) -> String {
        format!("fill_diagonal{{offset={}}}", self.offset)
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let (a, v) = (&inputs[0], &inputs[1]);
        if a.ndim() < 2 {
            return Err(Error::value(
                self.name(),
                format!("input 0 must have at least 2 dims, got {a}"),
            ));
        }
        if self.offset != 0 && a.ndim() != 2 {
            return Err(Error::value(
                self.name(),
                format!("an offset needs a matrix, got {a}"),
            ));
        }
        if v.ndim() != 0 {
            return Err(Error::value(
                self.name(),
                format!("input 1 (the value) must be a scalar, got {v}"),
            ));
        }
        Ok(vec![a.clone()])
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let a = &inputs[0];
        let shape = a.shape();
        if shape.len() > 2 && shape.iter().any(|&d| d != shape[0]) {
            return Err(Error::value(
                self.name(),
                format!("input 0 has shape {shape:?}; arrays of more than 2 dims must have all dims equal"),
            ));
        }
        let value = inputs[1].item().cast(a.dtype());
        let mut values = a.to_scalars();
        let strides = c_strides(shape);
        let (r, c) = (shape[0], shape[1]);
        let len = if shape.len() == 2 {
            diagonal_len(r, c, self.offset)
        } else {
            r
        };
        let step: isize = strides.iter().sum();
        let start = if self.offset >= 0 {
            self.offset as isize * strides[1]
        } else {
            -self.offset as isize * strides[0]
        };
        for i in 0..len as isize {
            values[(start + i * step) as usize] = value;
        }
        Ok(vec![Tensor::from_scalars(a.dtype(), shape, &values)?])
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        self.fill_diagonal_pullback(inputs, &output_grads[0])
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        Ok(vec![self.fill_diagonal_pushforward(inputs, tangents)?])
    }
}

/// Theano's `fill_diagonal(a, value)`: `a` with its main diagonal set.
#[track_caller]
pub fn try_fill_diagonal(a: &Var, value: &Var, offset: i64) -> Result<Var> {
    Var::apply1(FillDiagonal { offset }, &[a.clone(), value.clone()])
}

/// Like [`try_fill_diagonal`] with offset 0; panics with the error's message.
#[track_caller]
pub fn fill_diagonal(a: &Var, value: &Var) -> Var {
    try_fill_diagonal(a, value, 0).unwrap_or_else(|e| panic!("{e}"))
}

/// Theano's `fill_diagonal_offset(a, value, offset)` for a matrix.
#[track_caller]
pub fn fill_diagonal_offset(a: &Var, value: &Var, offset: i64) -> Var {
    try_fill_diagonal(a, value, offset).unwrap_or_else(|e| panic!("{e}"))
}
