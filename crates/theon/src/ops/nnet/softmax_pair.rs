//! `SoftmaxWithCrossentropy`: the softmax cross-entropy of the logits and
//! their softmax as one node with two outputs, `(ce, softmax(x, axis=1))`,
//! so a training step that needs both (the loss forward, the softmax in
//! its gradient) exponentiates each row once. The specialize phase merges
//! a `SoftmaxCrossentropy` and a row `Softmax` of the same logits into it
//! (`rewrite/rules/softmax_pair.rs`). Its meaning is exactly the two ops:
//! the reference `perform` runs both references, and its derivatives are
//! those of the pair.

use super::softmax::Softmax;
use super::softmax_crossentropy::{SoftmaxCrossentropy, Targets};
use crate::error::Result;
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::tensor::Tensor;

/// `(softmax_crossentropy(x, t), softmax(x, axis=1))` for logits `x` (N, K)
/// and targets `t` (labels (N,) or dense (N, K)).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SoftmaxWithCrossentropy {
    pub targets: Targets,
}

impl SoftmaxWithCrossentropy {
    fn parts(&self) -> (SoftmaxCrossentropy, Softmax) {
        (
            SoftmaxCrossentropy {
                targets: self.targets,
            },
            Softmax { axis: 1 },
        )
    }

    /// The two ops this one stands for, applied to `inputs`.
    pub fn expand(&self, inputs: &[Var]) -> Result<Vec<Var>> {
        let (ce, softmax) = self.parts();
        Ok(vec![
            Var::apply1(ce, inputs)?,
            Var::apply1(softmax, &inputs[..1])?,
        ])
    }
}

impl Op for SoftmaxWithCrossentropy {
    fn name(&self) -> String {
        match self.targets {
            Targets::Labels => "softmax_with_crossentropy{labels}".into(),
            Targets::Dense => "softmax_with_crossentropy{dense}".into(),
        }
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let (ce, softmax) = self.parts();
        let mut types = ce.output_types(inputs)?;
        types.extend(softmax.output_types(&inputs[..1])?);
        Ok(types)
    }

    fn infer_shape(&self, _inputs: &[Var], input_shapes: &[Vec<Var>]) -> Option<Vec<Vec<Var>>> {
        let x = input_shapes.first()?;
        Some(vec![vec![x.first()?.clone()], x.clone()])
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let (ce, softmax) = self.parts();
        let ce_ctx = PerformCtx {
            input_types: ctx.input_types,
            output_types: &ctx.output_types[..1],
        };
        let softmax_ctx = PerformCtx {
            input_types: &ctx.input_types[..1],
            output_types: &ctx.output_types[1..],
        };
        let mut out = ce.perform(inputs, &ce_ctx)?;
        out.extend(softmax.perform(&inputs[..1], &softmax_ctx)?);
        Ok(out)
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        let expanded = self.expand(inputs)?;
        crate::ops::control::body::expanded_pullback(&expanded, inputs, output_grads)
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        let expanded = self.expand(inputs)?;
        crate::ops::control::body::jvp(&expanded, inputs, tangents)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    fn run(op: &SoftmaxWithCrossentropy, x: &Tensor, t: &Tensor) -> Result<Vec<Tensor>> {
        let types = [
            TensorType::unknown(x.dtype(), x.ndim()),
            TensorType::unknown(t.dtype(), t.ndim()),
        ];
        let out_types = op.output_types(&types)?;
        let ctx = PerformCtx {
            input_types: &types,
            output_types: &out_types,
        };
        op.perform(&[x.clone(), t.clone()], &ctx)
    }

    #[test]
    fn gives_the_crossentropy_and_the_softmax_of_each_row() {
        let x = Tensor::randn(F64, &[4, 7], 1).t(); // (7, 4), strided
        let y = Tensor::rand_int(I32, &[7], 0, 4, 2);
        let op = SoftmaxWithCrossentropy {
            targets: Targets::Labels,
        };
        let out = run(&op, &x, &y).unwrap();
        for i in 0..7 {
            let row: Vec<f64> = (0..4).map(|j| x.get(&[i, j]).as_f64()).collect();
            let m = row.iter().cloned().fold(f64::MIN, f64::max);
            let total: f64 = row.iter().map(|v| (v - m).exp()).sum();
            let label = y.get(&[i]).as_i64() as usize;
            let want_ce = m + total.ln() - row[label];
            assert!((out[0].get(&[i]).as_f64() - want_ce).abs() < 1e-12);
            for (j, v) in row.iter().enumerate() {
                let want = (v - m).exp() / total;
                assert!((out[1].get(&[i, j]).as_f64() - want).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn refuses_bad_targets_and_labels() {
        let op = SoftmaxWithCrossentropy {
            targets: Targets::Labels,
        };
        let bad = [TensorType::unknown(F32, 2), TensorType::unknown(F32, 1)];
        let err = op.output_types(&bad).unwrap_err();
        assert!(err.to_string().contains("targets"), "{err}");
        let x = Tensor::randn(F32, &[3, 5], 1);
        let y = Tensor::from_vec(vec![0i32, 5, 1], &[3]).unwrap();
        let err = run(&op, &x, &y).unwrap_err();
        assert!(err.to_string().contains("5"), "{err}");
    }
}
