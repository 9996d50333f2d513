//! `Choose`: NumPy's `choose(a, choices, mode)`: element `i` comes from
//! `choices[a[i]][i]`, all inputs broadcast together.

use super::common::require_integral;
use crate::dtype::promote_all;
use crate::error::{Error, ErrorKind, Result};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::ops::elemwise::{broadcast_runtime, broadcast_static};
use crate::tensor::{Scalar, Tensor};

/// What to do with a selector outside `[0, n)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChooseMode {
    /// A run-time error naming the index (NumPy's default).
    Raise,
    /// Take the index modulo `n`.
    Wrap,
    /// Clamp the index into `[0, n - 1]`.
    Clip,
}

/// Inputs: integer selectors `a`, then the `n >= 1` choices. The output
/// dtype is the choices' promoted dtype.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Choose {
    pub mode: ChooseMode,
}

impl Choose {
    fn pick(&self, k: i64, n: usize, position: usize) -> Result<usize> {
        let n_i = n as i64;
        match self.mode {
            ChooseMode::Raise if k < 0 || k >= n_i => Err(ErrorKind::Index {
                op: format!(
                    "{} (selector at position {position} of input 0)",
                    self.name()
                ),
                axis: 0,
                index: k,
                size: n,
            }
            .into()),
            ChooseMode::Raise => Ok(k as usize),
            ChooseMode::Wrap => Ok(k.rem_euclid(n_i) as usize),
            ChooseMode::Clip => Ok(k.clamp(0, n_i - 1) as usize),
        }
    }
}

impl Op for Choose {
    fn name(&self) -> String {
        format!("choose{{mode={:?}}}", self.mode).to_lowercase()
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        require_integral(&self.name(), 0, inputs[0].dtype)?;
        if inputs.len() < 2 {
            return Err(Error::value(self.name(), "needs at least one choice"));
        }
        let dtypes: Vec<_> = inputs[1..].iter().map(|t| t.dtype).collect();
        let dtype = promote_all(&dtypes).expect("at least one choice");
        let shapes: Vec<&[Option<usize>]> = inputs.iter().map(|t| t.shape.as_slice()).collect();
        Ok(vec![TensorType::new(
            dtype,
            broadcast_static(&self.name(), &shapes)?,
        )])
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let shapes: Vec<&[usize]> = inputs.iter().map(|t| t.shape()).collect();
        let shape = broadcast_runtime(&self.name(), &shapes, ctx.input_types)?;
        let dtype = ctx.output_types[0].dtype;
        let columns: Vec<Vec<Scalar>> = inputs
            .iter()
            .map(|t| t.broadcast_to(&shape).map(|b| b.to_scalars()))
            .collect::<Result<_>>()?;
        let n = inputs.len() - 1;
        let out: Vec<Scalar> = columns[0]
            .iter()
            .enumerate()
            .map(|(i, k)| Ok(columns[1 + self.pick(k.as_i64(), n, i)?][i].cast(dtype)))
            .collect::<Result<_>>()?;
        Ok(vec![Tensor::from_scalars(dtype, &shape, &out)?])
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        self.choose_pullback(inputs, &output_grads[0])
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        Ok(vec![self.choose_pushforward(
            inputs,
            &outputs[0],
            tangents,
        )?])
    }
}

/// NumPy's `choose(a, choices, mode)`.
#[track_caller]
pub fn try_choose(a: &Var, choices: &[Var], mode: ChooseMode) -> Result<Var> {
    let mut inputs = vec![a.clone()];
    inputs.extend_from_slice(choices);
    Var::apply1(Choose { mode }, &inputs)
}

/// Like [`try_choose`]; panics with the error's message.
#[track_caller]
pub fn choose(a: &Var, choices: &[Var], mode: ChooseMode) -> Var {
    try_choose(a, choices, mode).unwrap_or_else(|e| panic!("{e}"))
}
