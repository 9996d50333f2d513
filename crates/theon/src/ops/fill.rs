//! `Fill` (Theano's `fill`/`second`): the value of its second input
//! broadcast against the shape of its first. Its output depends on the first
//! input's shape only, never on its values, which makes it the way to build
//! `zeros_like`/`ones_like` and to spread a reduced gradient back over the
//! shape of a reduction's input.

use crate::error::{Error, Result};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::ops::elemwise::{broadcast_runtime, broadcast_static};
use crate::ops::operand::{resolve_operands, scalar_constant, Operand};
use crate::tensor::Tensor;

/// `fill(like, value)`: `value` broadcast to `broadcast(like, value)`'s
/// shape, with `value`'s dtype.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Fill;

impl Op for Fill {
    fn name(&self) -> String {
        "fill".into()
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        if inputs.len() != 2 {
            return Err(Error::value(
                "fill",
                format!("takes 2 inputs (like, value), got {}", inputs.len()),
            ));
        }
        let shape = broadcast_static("fill", &[&inputs[0].shape, &inputs[1].shape])?;
        Ok(vec![TensorType::new(inputs[1].dtype, shape)])
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let shape = broadcast_runtime(
            "fill",
            &[inputs[0].shape(), inputs[1].shape()],
            ctx.input_types,
        )?;
        Ok(vec![inputs[1].broadcast_to(&shape)?.to_contiguous_copy()])
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        let value = crate::grad::unbroadcast(&output_grads[0], inputs[1].ty())?;
        Ok(vec![Grad::Disconnected, Grad::Value(value)])
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        let like = &inputs[0];
        Ok(vec![tangents[1].as_ref().map(|t| fill(like, t))])
    }
}

/// `value` broadcast to the shape of `like` (and of `value`); a weak literal
/// takes `like`'s dtype by NEP 50.
#[track_caller]
pub fn try_fill(like: &Var, value: impl Into<Operand>) -> Result<Var> {
    let resolved = resolve_operands(vec![like.into(), value.into()]);
    Var::apply1(Fill, &[like.clone(), resolved[1].clone()])
}

/// Like [`try_fill`]; a shape error panics with its message.
#[track_caller]
pub fn fill(like: &Var, value: impl Into<Operand>) -> Var {
    try_fill(like, value).unwrap_or_else(|e| panic!("{e}"))
}

/// Zeros with `x`'s shape and dtype.
#[track_caller]
pub fn zeros_like(x: &Var) -> Var {
    fill(x, scalar_constant(0i64, x.dtype()))
}

/// Ones with `x`'s shape and dtype.
#[track_caller]
pub fn ones_like(x: &Var) -> Var {
    fill(x, scalar_constant(1i64, x.dtype()))
}

/// True when `v` is statically known to be all zeros: a zero constant, or a
/// `fill` of a zero constant.
pub fn is_zeros(v: &Var) -> bool {
    let zero_constant = |c: &Var| {
        c.constant_value()
            .is_some_and(|t| t.to_f64_vec().iter().all(|&x| x == 0.0))
    };
    zero_constant(v) || (v.op_as::<Fill>().is_some() && zero_constant(&v.inputs()[1]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    #[test]
    fn fill_broadcasts_value_to_like_shape() {
        let x = matrix("x", F64);
        let v = tensor("v", F32, &[Some(1), None]);
        let y = fill(&x, &v);
        assert_eq!(y.dtype(), F32);
        let f = function(&[x.clone(), v.clone()], &[y]).unwrap();
        let vv = Tensor::randn(F32, &[1, 3], 4);
        let out = f
            .call(&[Tensor::randn(F64, &[2, 3], 3), vv.clone()])
            .unwrap();
        let vs = vv.to_vec::<f32>();
        let expect: Vec<f32> = (0..6).map(|i| vs[i % 3]).collect();
        assert_eq!(out[0].shape(), &[2, 3]);
        assert_eq!(out[0].to_vec::<f32>(), expect);
    }

    #[test]
    fn zeros_and_ones_like_keep_dtype_and_runtime_shape() {
        let x = tensor3("x", F32);
        let f = function(std::slice::from_ref(&x), &[zeros_like(&x), ones_like(&x)]).unwrap();
        let out = f.call(&[Tensor::randn(F32, &[2, 0, 3], 1)]).unwrap();
        assert_eq!(out[0].shape(), &[2, 0, 3]);
        let out = f.call(&[Tensor::randn(F32, &[2, 4, 3], 1)]).unwrap();
        assert!(out[0].to_vec::<f32>().iter().all(|&v| v == 0.0));
        assert!(out[1].to_vec::<f32>().iter().all(|&v| v == 1.0));
        assert!(is_zeros(&zeros_like(&x)) && !is_zeros(&ones_like(&x)));
    }

    #[test]
    fn incompatible_shapes_name_fill() {
        let a = tensor("a", F64, &[Some(2)]);
        let b = tensor("b", F64, &[Some(3)]);
        let msg = try_fill(&a, &b).unwrap_err().to_string();
        assert!(msg.contains("fill") && msg.contains("fill.rs"), "{msg}");
    }
}
