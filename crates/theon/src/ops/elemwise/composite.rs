//! `Composite`: several elementwise ops fused into one node. Its body is a
//! small scalar expression graph of `ScalarOp`s over the node's inputs,
//! possibly with several outputs; it runs with the same broadcasting as
//! `Elemwise` and the same per-op dtype rules, so fusing never changes a
//! result. The optimizer's fusion pass builds these.

use super::{broadcast_runtime, broadcast_static, ScalarOp};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::tensor::{Scalar, Tensor};

/// One scalar op of a composite body. `args` index the body's values:
/// the inputs come first (`0..n_inputs`), then the body nodes in order.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CompositeNode {
    pub op: ScalarOp,
    pub args: Vec<usize>,
    /// The node's output dtype (what its `ScalarOp` gives for its args).
    pub dtype: DType,
}

/// A fused elementwise computation.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Composite {
    /// The dtype of each input.
    pub inputs: Vec<DType>,
    pub body: Vec<CompositeNode>,
    /// The values (indices as in `CompositeNode::args`) that are outputs.
    pub outputs: Vec<usize>,
}

impl Composite {
    /// Checks the body (arguments defined before use, dtypes following each
    /// op's rule) and builds the op.
    pub fn new(
        inputs: Vec<DType>,
        body: Vec<CompositeNode>,
        outputs: Vec<usize>,
    ) -> Result<Composite> {
        let mut dtypes = inputs.clone();
        for (j, node) in body.iter().enumerate() {
            let here = inputs.len() + j;
            if node.args.len() != node.op.arity() || node.args.iter().any(|&a| a >= here) {
                return Err(Error::value(
                    "composite",
                    format!(
                        "body node {j} ({}) has bad arguments {:?}",
                        node.op.name(),
                        node.args
                    ),
                ));
            }
            let arg_types: Vec<DType> = node.args.iter().map(|&a| dtypes[a]).collect();
            let (_, out) = node
                .op
                .signature(&arg_types)
                .map_err(|(i, why)| Error::dtype(node.op.name(), i, arg_types[i], why))?;
            if out != node.dtype {
                return Err(Error::value(
                    "composite",
                    format!(
                        "body node {j} declares {} but {} gives {out}",
                        node.dtype,
                        node.op.name()
                    ),
                ));
            }
            dtypes.push(out);
        }
        if outputs.is_empty() || outputs.iter().any(|&o| o >= dtypes.len()) {
            return Err(Error::value(
                "composite",
                format!("bad outputs {outputs:?}"),
            ));
        }
        Ok(Composite {
            inputs,
            body,
            outputs,
        })
    }

    fn dtype_of(&self, value: usize) -> DType {
        if value < self.inputs.len() {
            self.inputs[value]
        } else {
            self.body[value - self.inputs.len()].dtype
        }
    }

    /// The body as an expression over `i0, i1, ...` (one per output).
    /// Large bodies are summarised so printing stays linear in their size.
    pub fn expression(&self, output: usize) -> String {
        const MAX_CHARS: usize = 240;
        let mut text: Vec<String> = (0..self.inputs.len()).map(|i| format!("i{i}")).collect();
        for node in &self.body {
            let args: Vec<&str> = node.args.iter().map(|&a| text[a].as_str()).collect();
            let rendered = match node.op {
                ScalarOp::Binary(b) if b.symbol().is_some() => {
                    format!("({} {} {})", args[0], b.symbol().expect("checked"), args[1])
                }
                op => format!("{}({})", op.name(), args.join(", ")),
            };
            if rendered.len() > MAX_CHARS {
                return format!("<{} scalar ops>", self.body.len());
            }
            text.push(rendered);
        }
        text.swap_remove(self.outputs[output])
    }

    /// Evaluates the body on one element's input values.
    fn eval(&self, inputs: &[Scalar], values: &mut Vec<Scalar>, arg_dtypes: &[Vec<DType>]) {
        values.clear();
        values.extend_from_slice(inputs);
        let mut args = Vec::with_capacity(3);
        for (node, dtypes) in self.body.iter().zip(arg_dtypes) {
            args.clear();
            args.extend(node.args.iter().map(|&a| values[a]));
            values.push(node.op.apply(&args, dtypes));
        }
    }
}

impl Composite {
    /// The body rebuilt as ordinary elementwise nodes over `inputs`: the
    /// graph this composite was fused from, so its derivatives are exactly
    /// those of the unfused graph.
    pub fn expand(&self, inputs: &[Var]) -> Result<Vec<Var>> {
        let mut values: Vec<Var> = inputs.to_vec();
        for node in &self.body {
            let args: Vec<Var> = node.args.iter().map(|&a| values[a].clone()).collect();
            values.push(Var::apply1(super::Elemwise::new(node.op), &args)?);
        }
        Ok(self.outputs.iter().map(|&o| values[o].clone()).collect())
    }
}

impl Op for Composite {
    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        let expanded = self.expand(inputs)?;
        let grads = crate::grad::lop(&expanded, inputs, output_grads)?;
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
            return Ok(vec![None; expanded.len()]);
        }
        Ok(crate::grad::rop(&expanded, &wrt, &points)?
            .into_iter()
            .map(Some)
            .collect())
    }

    fn name(&self) -> String {
        let exprs: Vec<String> = (0..self.outputs.len())
            .map(|o| self.expression(o))
            .collect();
        format!("composite{{{}}}", exprs.join(", "))
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let name = self.name();
        if inputs.len() != self.inputs.len() {
            return Err(Error::value(
                &name,
                format!("takes {} inputs, got {}", self.inputs.len(), inputs.len()),
            ));
        }
        for (i, (t, &want)) in inputs.iter().zip(&self.inputs).enumerate() {
            if t.dtype != want {
                return Err(Error::dtype(
                    &name,
                    i,
                    t.dtype,
                    format!("expects {want} here"),
                ));
            }
        }
        let shapes: Vec<&[Option<usize>]> = inputs.iter().map(|t| t.shape.as_slice()).collect();
        let shape = broadcast_static(&name, &shapes)?;
        Ok(self
            .outputs
            .iter()
            .map(|&o| TensorType::new(self.dtype_of(o), shape.clone()))
            .collect())
    }

    fn infer_shape(
        &self,
        inputs: &[crate::graph::Var],
        input_shapes: &[Vec<crate::graph::Var>],
    ) -> Option<Vec<Vec<crate::graph::Var>>> {
        let types: Vec<TensorType> = inputs.iter().map(|v| v.ty().clone()).collect();
        let out = self.output_types(&types).ok()?.remove(0);
        let dims = crate::ops::shape::infer::broadcast_dims(&types, input_shapes, &out);
        Some(vec![dims; self.outputs.len()])
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let name = self.name();
        let shapes: Vec<&[usize]> = inputs.iter().map(|t| t.shape()).collect();
        let shape = broadcast_runtime(&name, &shapes, ctx.input_types)?;
        for (i, (t, &want)) in inputs.iter().zip(&self.inputs).enumerate() {
            if t.dtype() != want {
                return Err(Error::dtype(
                    &name,
                    i,
                    t.dtype(),
                    format!("expects {want} here"),
                ));
            }
        }
        let columns: Vec<Vec<Scalar>> = inputs
            .iter()
            .map(|t| t.broadcast_to(&shape).map(|b| b.to_scalars()))
            .collect::<Result<_>>()?;
        let arg_dtypes: Vec<Vec<DType>> = self
            .body
            .iter()
            .map(|n| n.args.iter().map(|&a| self.dtype_of(a)).collect())
            .collect();
        let n = crate::tensor::size_of(&shape);
        let mut outs: Vec<Vec<Scalar>> = vec![Vec::with_capacity(n); self.outputs.len()];
        let (mut row, mut values) = (vec![Scalar::Bool(false); inputs.len()], Vec::new());
        for i in 0..n {
            for (r, col) in row.iter_mut().zip(&columns) {
                *r = col[i];
            }
            self.eval(&row, &mut values, &arg_dtypes);
            for (out, &o) in outs.iter_mut().zip(&self.outputs) {
                out.push(values[o]);
            }
        }
        outs.iter()
            .zip(&self.outputs)
            .map(|(vals, &o)| Tensor::from_scalars(self.dtype_of(o), &shape, vals))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::elemwise::{BinaryOp, UnaryOp};

    /// exp(i0) * i1 + i1, with i0: (3, 1) f32, i1: (4,) f64 -> (3, 4) f64.
    fn sample() -> Composite {
        let mul = ScalarOp::Binary(BinaryOp::Mul);
        let add = ScalarOp::Binary(BinaryOp::Add);
        let body = vec![
            CompositeNode {
                op: ScalarOp::Unary(UnaryOp::Exp),
                args: vec![0],
                dtype: DType::F32,
            },
            CompositeNode {
                op: mul,
                args: vec![2, 1],
                dtype: DType::F64,
            },
            CompositeNode {
                op: add,
                args: vec![3, 1],
                dtype: DType::F64,
            },
        ];
        Composite::new(vec![DType::F32, DType::F64], body, vec![4, 2]).unwrap()
    }

    #[test]
    fn evaluates_its_body_with_broadcasting_and_dtypes() {
        let c = sample();
        assert_eq!(c.name(), "composite{((exp(i0) * i1) + i1), exp(i0)}");
        let a = Tensor::randn(DType::F32, &[3, 1], 1);
        let b = Tensor::randn(DType::F64, &[4], 2);
        let types = [
            TensorType::new(DType::F32, vec![None, Some(1)]),
            TensorType::unknown(DType::F64, 1),
        ];
        let out_types = c.output_types(&types).unwrap();
        assert_eq!(out_types[0], TensorType::unknown(DType::F64, 2));
        assert_eq!(out_types[1], TensorType::unknown(DType::F32, 2));
        let ctx = PerformCtx {
            input_types: &types,
            output_types: &out_types,
        };
        let outs = c.perform(&[a.clone(), b.clone()], &ctx).unwrap();
        let (av, bv) = (a.to_f64_vec(), b.to_f64_vec());
        assert_eq!(outs[0].shape(), &[3, 4]);
        assert_eq!(outs[1].dtype(), DType::F32);
        for (i, a) in av.iter().enumerate() {
            let e = (a.exp() as f32) as f64;
            for (j, b) in bv.iter().enumerate() {
                let want = e * b + b;
                assert!(
                    (outs[0].get(&[i, j]).as_f64() - want).abs() <= 1e-12 * want.abs().max(1.0)
                );
                assert_eq!(outs[1].get(&[i, j]).as_f64(), e);
            }
        }
    }

    #[test]
    fn refuses_bad_bodies_and_inputs() {
        let exp = ScalarOp::Unary(UnaryOp::Exp);
        let forward = vec![CompositeNode {
            op: exp,
            args: vec![1],
            dtype: DType::F64,
        }];
        assert!(Composite::new(vec![DType::F64], forward, vec![1]).is_err());
        let wrong_dtype = vec![CompositeNode {
            op: exp,
            args: vec![0],
            dtype: DType::F32,
        }];
        assert!(Composite::new(vec![DType::F64], wrong_dtype, vec![1])
            .unwrap_err()
            .to_string()
            .contains("declares"));
        let c = sample();
        let err = c
            .output_types(&[
                TensorType::unknown(DType::F64, 1),
                TensorType::unknown(DType::F64, 1),
            ])
            .unwrap_err();
        assert!(err.to_string().contains("input 0"), "{err}");
        let err = c
            .output_types(&[
                TensorType::known(DType::F32, &[3]),
                TensorType::known(DType::F64, &[4]),
            ])
            .unwrap_err();
        assert!(err.to_string().contains("broadcast"), "{err}");
    }
}
