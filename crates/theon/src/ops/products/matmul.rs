//! `MatMul`: NumPy's `matmul` (`@`). Operands are stacks of matrices whose
//! batch dims broadcast (dims statically 1 broadcast, as everywhere in
//! theon); a 1-D left operand is a row and a 1-D right operand a column,
//! and the added axis is removed from the result. Scalars are refused.

use super::contraction::{static_shape_text, Contraction};
use super::{fast, product_dtype};
use crate::error::{Error, Result};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::tensor::Tensor;

/// NumPy's `matmul` of two tensors of rank ≥ 1.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MatMul;

impl MatMul {
    /// The einsum form for operands of ranks `na`, `nb` (both ≥ 1): batch
    /// labels first (right-aligned, broadcasting), then `m`, `k`, `n`.
    pub fn contraction(na: usize, nb: usize) -> Contraction {
        let (a_batch, b_batch) = (na.saturating_sub(2), nb.saturating_sub(2));
        let n_batch = a_batch.max(b_batch);
        let (m, k, n) = (n_batch, n_batch + 1, n_batch + 2);
        let mut a: Vec<usize> = (n_batch - a_batch..n_batch).collect();
        let mut b: Vec<usize> = (n_batch - b_batch..n_batch).collect();
        let mut output: Vec<usize> = (0..n_batch).collect();
        if na >= 2 {
            a.push(m);
            output.push(m);
        }
        a.push(k);
        b.push(k);
        if nb >= 2 {
            b.push(n);
            output.push(n);
        }
        let mut broadcast = vec![true; n_batch];
        broadcast.extend([false; 3]);
        Contraction {
            operands: vec![a, b],
            output,
            broadcast,
        }
    }

    fn check_ranks(&self, inputs: &[TensorType]) -> Result<()> {
        for (i, t) in inputs.iter().enumerate() {
            if t.ndim() == 0 {
                return Err(Error::value(
                    self.name(),
                    format!(
                        "input {i} is a scalar {}; matmul needs operands of rank >= 1 (use mul for scalars)",
                        static_shape_text(&t.shape)
                    ),
                ));
            }
        }
        Ok(())
    }
}

impl Op for MatMul {
    fn name(&self) -> String {
        "matmul".into()
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let dtype = product_dtype(&self.name(), inputs)?;
        self.check_ranks(inputs)?;
        let spec = MatMul::contraction(inputs[0].ndim(), inputs[1].ndim());
        let shape = spec.output_shape_static(&self.name(), inputs)?;
        Ok(vec![TensorType::new(dtype, shape)])
    }

    fn infer_shape(&self, inputs: &[Var], input_shapes: &[Vec<Var>]) -> Option<Vec<Vec<Var>>> {
        let types: Vec<TensorType> = inputs.iter().map(|v| v.ty().clone()).collect();
        let spec = MatMul::contraction(types.first()?.ndim(), types.get(1)?.ndim());
        Some(vec![spec.output_dims(&types, input_shapes)])
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let (a, b) = (&inputs[0], &inputs[1]);
        let spec = MatMul::contraction(a.ndim(), b.ndim());
        let sizes = spec.label_sizes_runtime(&self.name(), inputs, ctx.input_types)?;
        let n_batch = a.ndim().max(b.ndim()).saturating_sub(2);
        let out_shape: Vec<usize> = spec.output.iter().map(|&l| sizes[l]).collect();
        if let Some(out) = fast::matmul(a, b, &sizes[..n_batch], &out_shape) {
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
        let spec = MatMul::contraction(inputs[0].ndim(), inputs[1].ndim());
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

/// `matmul(a, b)`, or the error (scalar operand, inner dims or batch dims
/// that do not align).
#[track_caller]
pub fn try_matmul(a: &Var, b: &Var) -> Result<Var> {
    Var::apply1(MatMul, &[a.clone(), b.clone()])
}

/// NumPy's `matmul` (`a @ b`): batched matrix product with broadcasting
/// batch dims; 1-D operands act as a row (left) or a column (right).
#[track_caller]
pub fn matmul(a: &Var, b: &Var) -> Var {
    try_matmul(a, b).unwrap_or_else(|e| panic!("{e}"))
}

impl Var {
    /// `self @ other` (see [`matmul`]).
    #[track_caller]
    pub fn matmul(&self, other: &Var) -> Var {
        matmul(self, other)
    }
}
