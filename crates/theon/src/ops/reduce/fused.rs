//! `ReduceOfElemwise`: a reduction of a fused elementwise expression,
//! `reduce(composite(inputs...))`, as one node, so a backend can reduce
//! the expression block by block without materialising it (`sum(x*y)`,
//! `sum(exp(x - m))`). The optimizer builds it after elementwise fusion
//! (`rewrite::fused_reduce`). Its meaning is exactly the two ops it
//! replaces: the reference `perform` runs the composite's reference and
//! then the reduction's, and its derivatives are those of that
//! decomposition.

use crate::error::{Error, Result};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::ops::elemwise::Composite;
use crate::ops::reduce::Reduce;
use crate::tensor::Tensor;

/// `reduce(body(inputs...))`, where `body` has one output.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ReduceOfElemwise {
    /// The elementwise expression (exactly one output).
    pub body: Composite,
    /// The reduction applied to the body's output.
    pub reduce: Reduce,
}

impl ReduceOfElemwise {
    /// Checks that `body` has one output and builds the op.
    pub fn new(body: Composite, reduce: Reduce) -> Result<ReduceOfElemwise> {
        if body.outputs.len() != 1 {
            return Err(Error::value(
                "reduce_of_elemwise",
                format!(
                    "the body must have one output, it has {}",
                    body.outputs.len()
                ),
            ));
        }
        Ok(ReduceOfElemwise { body, reduce })
    }

    /// The node this op stands for, rebuilt from ordinary ops over
    /// `inputs`: the composite, then the reduction.
    pub fn expand(&self, inputs: &[Var]) -> Result<Var> {
        let value = Var::apply1(self.body.clone(), inputs)?;
        Var::apply1(self.reduce.clone(), &[value])
    }

    /// The body's output type for these input types.
    fn body_type(&self, inputs: &[TensorType]) -> Result<TensorType> {
        Ok(self.body.output_types(inputs)?.remove(0))
    }
}

impl Op for ReduceOfElemwise {
    fn name(&self) -> String {
        format!(
            "{}(composite{{{}}})",
            self.reduce.name(),
            self.body.expression(0)
        )
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let inner = self.body_type(inputs)?;
        self.reduce.output_types(&[inner])
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let inner_type = [self.body_type(ctx.input_types)?];
        let body_ctx = PerformCtx {
            input_types: ctx.input_types,
            output_types: &inner_type,
        };
        let value = self.body.perform(inputs, &body_ctx)?;
        let reduce_ctx = PerformCtx {
            input_types: &inner_type,
            output_types: ctx.output_types,
        };
        self.reduce.perform(&value, &reduce_ctx)
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        let expanded = self.expand(inputs)?;
        let grads = crate::grad::lop(&[expanded], inputs, output_grads)?;
        Ok(grads.into_iter().map(Grad::Value).collect())
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        let expanded = self.expand(inputs)?;
        let (wrt, points): (Vec<Var>, Vec<Var>) = inputs
            .iter()
            .zip(tangents)
            .filter_map(|(x, t)| t.clone().map(|t| (x.clone(), t)))
            .unzip();
        if wrt.is_empty() {
            return Ok(vec![None]);
        }
        Ok(crate::grad::rop(&[expanded], &wrt, &points)?
            .into_iter()
            .map(Some)
            .collect())
    }

    fn differentiable(&self) -> bool {
        self.reduce.differentiable()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dtype::DType;
    use crate::ops::elemwise::{BinaryOp, CompositeNode, ScalarOp, UnaryOp};
    use crate::ops::reduce::ReduceKind;

    /// exp(i0 - i1) with i1 broadcast as a column.
    fn exp_diff(dtype: DType) -> Composite {
        let body = vec![
            CompositeNode {
                op: ScalarOp::Binary(BinaryOp::Sub),
                args: vec![0, 1],
                dtype,
            },
            CompositeNode {
                op: ScalarOp::Unary(UnaryOp::Exp),
                args: vec![2],
                dtype,
            },
        ];
        Composite::new(vec![dtype, dtype], body, vec![3]).unwrap()
    }

    fn sum(axes: Vec<usize>, keepdims: bool) -> Reduce {
        Reduce {
            kind: ReduceKind::Sum,
            axes,
            keepdims,
        }
    }

    #[test]
    fn performs_the_body_then_the_reduction() {
        let op = ReduceOfElemwise::new(exp_diff(DType::F64), sum(vec![1], false)).unwrap();
        assert_eq!(op.name(), "sum{axis=(1)}(composite{exp((i0 - i1))})");
        let x = Tensor::randn(DType::F64, &[5, 3], 1).t(); // (3, 5), strided
        let m = Tensor::randn(DType::F64, &[3, 1], 2);
        let types = [
            TensorType::unknown(DType::F64, 2),
            TensorType::new(DType::F64, vec![None, Some(1)]),
        ];
        let out_types = op.output_types(&types).unwrap();
        assert_eq!(out_types[0], TensorType::unknown(DType::F64, 1));
        let ctx = PerformCtx {
            input_types: &types,
            output_types: &out_types,
        };
        let out = op.perform(&[x.clone(), m.clone()], &ctx).unwrap();
        assert_eq!(out[0].shape(), &[3]);
        for i in 0..3 {
            let mi = m.get(&[i, 0]).as_f64();
            let want: f64 = (0..5).map(|j| (x.get(&[i, j]).as_f64() - mi).exp()).sum();
            let got = out[0].get(&[i]).as_f64();
            assert!((got - want).abs() <= 1e-12 * want.abs(), "{got} vs {want}");
        }
    }

    #[test]
    fn refuses_bad_bodies_axes_and_shapes() {
        let mut two = exp_diff(DType::F64);
        two.outputs = vec![3, 2];
        let err = ReduceOfElemwise::new(two, sum(vec![0], false)).unwrap_err();
        assert!(err.to_string().contains("one output"), "{err}");
        let op = ReduceOfElemwise::new(exp_diff(DType::F64), sum(vec![2], false)).unwrap();
        let types = [
            TensorType::unknown(DType::F64, 2),
            TensorType::unknown(DType::F64, 2),
        ];
        let err = op.output_types(&types).unwrap_err();
        assert!(err.to_string().contains("axis"), "{err}");
        let op = ReduceOfElemwise::new(exp_diff(DType::F64), sum(vec![0], false)).unwrap();
        let bad = [
            TensorType::unknown(DType::F32, 2),
            TensorType::unknown(DType::F64, 2),
        ];
        let err = op.output_types(&bad).unwrap_err();
        assert!(err.to_string().contains("float32"), "{err}");
        let out_types = op.output_types(&types).unwrap();
        let ctx = PerformCtx {
            input_types: &types,
            output_types: &out_types,
        };
        let (a, b) = (
            Tensor::randn(DType::F64, &[2, 3], 1),
            Tensor::randn(DType::F64, &[4, 3], 2),
        );
        let err = op.perform(&[a, b], &ctx).unwrap_err();
        assert!(
            err.to_string().contains("(2, 3)") || err.to_string().contains("[2, 3]"),
            "{err}"
        );
    }
}
