//! `RowBlocked`: a row-local inner graph run over blocks of rows. Some
//! inputs are split by rows (axis 0, the same number of rows each), the
//! others are given whole; each output is either a row-indexed value
//! (the blocks' results concatenated) or a sum over rows (the blocks'
//! results added up). The optimizer builds it (`rewrite::row_blocked`)
//! around a product that reduces over rows, `dot(Xᵀ, G)`, when `G` is
//! computed from `X` through row-local ops only, so that a fast kernel can
//! read each block of `X` from memory once and reuse it from cache.
//!
//! Invariant (what the rewrite guarantees): running the body on any
//! partition of the rows into consecutive blocks and combining the block
//! results as the output kinds say gives what running it on all rows
//! gives. So the reference `perform` is the simplest such partition: one
//! block holding every row, which is exactly the graph the node replaced.

use super::body::Body;
use crate::error::{Error, Result, Site};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::rewrite::Mode;
use crate::tensor::Tensor;
use std::sync::Arc;

/// How an input reaches the body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RowInput {
    /// Sliced by rows (axis 0): each block sees its own rows.
    Split,
    /// The whole value, the same for every block.
    Whole,
}

/// How the blocks' values of an output combine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RowOutput {
    /// Row-indexed: the blocks' values concatenated along axis 0.
    Concat,
    /// A sum over rows: the blocks' values added (float outputs only).
    Sum,
}

/// A row-local inner graph run over blocks of rows (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RowBlocked {
    /// The inner graph: one placeholder per input, in input order (split
    /// placeholders leave axis 0 unknown).
    pub body: Arc<Body>,
    pub inputs: Vec<RowInput>,
    pub outputs: Vec<RowOutput>,
}

impl RowBlocked {
    /// The op computing `outputs` from the placeholders `inputs` (distinct
    /// graph inputs). A split placeholder must have rank ≥ 1 and an unknown
    /// axis 0; a `Concat` output must have rank ≥ 1, a `Sum` output a float
    /// dtype. The body is compiled without further rewrites except inplace
    /// (the optimizer hands it an already optimized graph).
    #[track_caller]
    pub fn new(inputs: &[(Var, RowInput)], outputs: &[(Var, RowOutput)]) -> Result<RowBlocked> {
        let site = Site::caller();
        let fail = |msg: String| Error::value("row_blocked", msg).at(&site);
        for (i, (v, kind)) in inputs.iter().enumerate() {
            if !v.is_input() || inputs[..i].iter().any(|(u, _)| u == v) {
                return Err(fail(format!(
                    "input {i} ('{}') must be a distinct graph input",
                    v.label()
                )));
            }
            let row_axis_known = v.ty().shape.first().map(Option::is_some);
            if *kind == RowInput::Split && row_axis_known != Some(false) {
                return Err(fail(format!(
                    "split input {i} ('{}') must have rank >= 1 and an unknown axis 0, got {}",
                    v.label(),
                    v.ty()
                )));
            }
        }
        for (i, (v, kind)) in outputs.iter().enumerate() {
            let ok = match kind {
                RowOutput::Concat => v.ndim() >= 1,
                RowOutput::Sum => v.dtype().is_float(),
            };
            if !ok {
                return Err(fail(format!(
                    "output {i} ({kind:?}) cannot be of type {}",
                    v.ty()
                )));
            }
        }
        let placeholders: Vec<Var> = inputs.iter().map(|(v, _)| v.clone()).collect();
        if let Some(missing) =
            crate::graph::graph_inputs(&outputs.iter().map(|(v, _)| v.clone()).collect::<Vec<_>>())
                .into_iter()
                .find(|v| !placeholders.contains(v))
        {
            return Err(fail(format!(
                "the outputs depend on '{}', which is not among the inputs",
                missing.label()
            )));
        }
        let mode = Mode::no_optimization().including(["inplace"]);
        Ok(RowBlocked {
            body: Body::new(
                placeholders,
                outputs.iter().map(|(v, _)| v.clone()).collect(),
                Some(mode),
            ),
            inputs: inputs.iter().map(|(_, k)| *k).collect(),
            outputs: outputs.iter().map(|(_, k)| *k).collect(),
        })
    }

    /// Applies the op to `args` (one per input).
    #[track_caller]
    pub fn try_call(&self, args: &[Var]) -> Result<Vec<Var>> {
        Var::apply_arc(Arc::new(self.clone()), args, Site::caller())
    }

    /// The number of rows the split inputs share, or the error naming the
    /// input whose row count differs (or which has no row axis).
    pub fn rows(&self, inputs: &[Tensor]) -> Result<Option<usize>> {
        let mut rows: Option<(usize, usize)> = None;
        for (i, (t, kind)) in inputs.iter().zip(&self.inputs).enumerate() {
            if *kind != RowInput::Split {
                continue;
            }
            let Some(&n) = t.shape().first() else {
                return Err(Error::value(
                    "row_blocked",
                    format!("split input {i} has shape {:?}: it has no rows", t.shape()),
                ));
            };
            match rows {
                None => rows = Some((i, n)),
                Some((first, m)) if m != n => {
                    return Err(Error::value(
                        "row_blocked",
                        format!(
                            "split input {i} has shape {:?} but split input {first} has {m} rows",
                            t.shape()
                        ),
                    ))
                }
                Some(_) => {}
            }
        }
        Ok(rows.map(|(_, n)| n))
    }

    /// The graph this node stands for, over `inputs`: the body applied to
    /// every row at once.
    pub fn expand(&self, inputs: &[Var]) -> Result<Vec<Var>> {
        self.body.instantiate(inputs)
    }
}

impl Op for RowBlocked {
    fn name(&self) -> String {
        let kinds = |n: usize, k: &str| (n > 0).then(|| format!("{n} {k}"));
        let count = |want| self.outputs.iter().filter(|&&k| k == want).count();
        let parts: Vec<String> = [
            kinds(count(RowOutput::Concat), "rows"),
            kinds(count(RowOutput::Sum), "sums"),
        ]
        .into_iter()
        .flatten()
        .collect();
        format!("row_blocked{{{}}}", parts.join(", "))
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let holders = &self.body.inputs;
        if inputs.len() != holders.len() {
            let msg = format!("takes {} inputs, got {}", holders.len(), inputs.len());
            return Err(Error::value("row_blocked", msg));
        }
        let mut rows = None;
        for (i, ((ty, ph), kind)) in inputs.iter().zip(holders).zip(&self.inputs).enumerate() {
            if ty.dtype != ph.dtype() || !ph.ty().compatible(ty) {
                let msg = format!("input {i} has type {ty}, expected {}", ph.ty());
                return Err(Error::value("row_blocked", msg));
            }
            if *kind == RowInput::Split {
                rows = rows.or(ty.shape[0]);
            }
        }
        Ok(self
            .body
            .outputs
            .iter()
            .zip(&self.outputs)
            .map(|(o, kind)| {
                let mut ty = o.ty().clone();
                if *kind == RowOutput::Concat {
                    ty.shape[0] = rows;
                }
                ty
            })
            .collect())
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        self.rows(inputs)?;
        self.body.run(inputs.to_vec())
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        let expanded = self.expand(inputs)?;
        super::body::expanded_pullback(&expanded, inputs, output_grads)
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        let expanded = self.expand(inputs)?;
        super::body::jvp(&expanded, inputs, tangents)
    }
}
