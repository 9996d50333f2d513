//! `Dot` (NumPy's `dot` for every rank combination) and `Outer`.
//!
//! `dot(a, b)`: a scalar operand multiplies; otherwise the last axis of `a`
//! is summed against the second-to-last axis of `b` (its only axis when `b`
//! is a vector), giving `a.shape[:-1] + b.shape[:-2] + b.shape[-1:]`.

use super::contraction::Contraction;
use super::{fast, product_dtype};
use crate::error::Result;
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::tensor::Tensor;

/// Labels for `np.dot` of operands of ranks `na` and `nb`, numbered from
/// `first`: (labels of a, labels of b, output labels, next free label).
pub(crate) fn dot_labels(
    na: usize,
    nb: usize,
    first: usize,
) -> (Vec<usize>, Vec<usize>, Vec<usize>, usize) {
    let a: Vec<usize> = (first..first + na).collect();
    let mut b: Vec<usize> = (first + na..first + na + nb).collect();
    let next = first + na + nb;
    if na == 0 || nb == 0 {
        let out = a.iter().chain(&b).copied().collect();
        return (a, b, out, next);
    }
    let contracted = if nb == 1 { 0 } else { nb - 2 };
    b[contracted] = a[na - 1];
    let out = a[..na - 1]
        .iter()
        .chain(
            b.iter()
                .enumerate()
                .filter(|&(i, _)| i != contracted)
                .map(|(_, l)| l),
        )
        .copied()
        .collect();
    (a, b, out, next)
}

/// NumPy's `dot` of two tensors of any ranks.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Dot;

impl Dot {
    /// The einsum form of this dot for operands of ranks `na`, `nb`.
    pub fn contraction(na: usize, nb: usize) -> Contraction {
        let (a, b, output, n) = dot_labels(na, nb, 0);
        Contraction {
            operands: vec![a, b],
            output,
            broadcast: vec![false; n],
        }
    }
}

impl Op for Dot {
    fn name(&self) -> String {
        "dot".into()
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let dtype = product_dtype(&self.name(), inputs)?;
        let shape = Dot::contraction(inputs[0].ndim(), inputs[1].ndim())
            .output_shape_static(&self.name(), inputs)?;
        Ok(vec![TensorType::new(dtype, shape)])
    }

    fn infer_shape(&self, inputs: &[Var], input_shapes: &[Vec<Var>]) -> Option<Vec<Vec<Var>>> {
        let types: Vec<TensorType> = inputs.iter().map(|v| v.ty().clone()).collect();
        let spec = Dot::contraction(types.first()?.ndim(), types.get(1)?.ndim());
        Some(vec![spec.output_dims(&types, input_shapes)])
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let (a, b) = (&inputs[0], &inputs[1]);
        let spec = Dot::contraction(a.ndim(), b.ndim());
        spec.label_sizes_runtime(&self.name(), inputs, ctx.input_types)?;
        if let Some(out) = fast::dot(a, b) {
            return Ok(vec![out]);
        }
        let dtype = ctx.output_types[0].dtype;
        Ok(vec![spec.evaluate(
            &self.name(),
            inputs,
            ctx.input_types,
            dtype,
        )?])
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        let spec = Dot::contraction(inputs[0].ndim(), inputs[1].ndim());
        super::grad::contraction_pullback(&spec, inputs, &output_grads[0])
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        super::grad::multilinear_pushforward(self, inputs, tangents)
    }
}

/// The outer product of the flattened operands (NumPy's `outer`): a matrix
/// of shape `(a.size, b.size)`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Outer;

impl Outer {
    /// The product of two vectors as a contraction: `i, j -> ij`.
    pub fn contraction() -> Contraction {
        Contraction {
            operands: vec![vec![0], vec![1]],
            output: vec![0, 1],
            broadcast: vec![false; 2],
        }
    }
}

impl Op for Outer {
    fn name(&self) -> String {
        "outer".into()
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let dtype = product_dtype(&self.name(), inputs)?;
        Ok(vec![TensorType::new(
            dtype,
            vec![inputs[0].known_size(), inputs[1].known_size()],
        )])
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let flat: Vec<Tensor> = inputs
            .iter()
            .map(|t| t.reshape(&[-1]))
            .collect::<Result<_>>()?;
        let types: Vec<TensorType> = flat
            .iter()
            .map(|t| TensorType::unknown(t.dtype(), 1))
            .collect();
        Ok(vec![Outer::contraction().evaluate(
            &self.name(),
            &flat,
            &types,
            ctx.output_types[0].dtype,
        )?])
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        super::grad::outer_pullback(inputs, &output_grads[0])
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        super::grad::multilinear_pushforward(self, inputs, tangents)
    }
}

/// `dot(a, b)`, or the error (inner dims that do not align name both
/// shapes and the caller's line).
#[track_caller]
pub fn try_dot(a: &Var, b: &Var) -> Result<Var> {
    Var::apply1(Dot, &[a.clone(), b.clone()])
}

/// NumPy's `dot`: scalar product, inner product, matrix-vector, matrix
/// product, or the N-D sum over `a`'s last and `b`'s second-to-last axes.
#[track_caller]
pub fn dot(a: &Var, b: &Var) -> Var {
    try_dot(a, b).unwrap_or_else(|e| panic!("{e}"))
}

/// `outer(a, b)`, or the error.
#[track_caller]
pub fn try_outer(a: &Var, b: &Var) -> Result<Var> {
    Var::apply1(Outer, &[a.clone(), b.clone()])
}

/// NumPy's `outer`: `out[i, j] = a.flat[i] * b.flat[j]`.
#[track_caller]
pub fn outer(a: &Var, b: &Var) -> Var {
    try_outer(a, b).unwrap_or_else(|e| panic!("{e}"))
}

impl Var {
    /// `self.dot(other)`: NumPy's `dot` (see [`dot`]).
    #[track_caller]
    pub fn dot(&self, other: &Var) -> Var {
        dot(self, other)
    }
}
