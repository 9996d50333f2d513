//! `ifelse(cond, then, else)`: a lazy conditional. Each branch is an inner
//! graph compiled into its own program; `perform` runs only the branch
//! the condition selects, so the other branch's kernels never execute.
//! (`switch` stays the elementwise op that computes both sides.)
//!
//! A branch holds everything its outputs need down to the graph's leaves
//! (inputs and shared variables) and to the condition's own inputs,
//! which are computed outside either way. Work that only a branch needs
//! is therefore skipped when the other branch is taken; an expression used
//! both inside a branch and elsewhere is computed in both places.
//!
//! ```
//! use theon::prelude::*;
//! use theon::ops::control::ifelse;
//! let c = scalar("c", Bool);
//! let x = vector("x", F64);
//! let y = ifelse(&c, &x.exp().sum(Axis::All), &x.sum(Axis::All));
//! let f = function(&[c, x], &[y]).unwrap();
//! let xs = Tensor::from_vec(vec![0.0f64, 1.0], &[2]).unwrap();
//! let out = f.call(&[Tensor::scalar(false), xs]).unwrap();
//! assert_eq!(out[0].item().as_f64(), 1.0);
//! ```

use super::body::{capture, is_free_leaf, jvp, vjp, Body};
use crate::error::{Error, Result, Site};
use crate::graph::{toposort, Grad, Op, PerformCtx, TensorType, Var};
use crate::ops::creation::is_zeros;
use crate::tensor::Tensor;
use indexmap::IndexSet;
use std::sync::Arc;

/// The lazy conditional. Inputs: the condition (a scalar), then the outer
/// values both branches read (one per body input).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IfElse {
    pub then_body: Arc<Body>,
    pub else_body: Arc<Body>,
}

impl IfElse {
    /// The branch `cond` selects.
    pub fn branch(&self, cond: bool) -> &Arc<Body> {
        if cond {
            &self.then_body
        } else {
            &self.else_body
        }
    }
}

/// The merged type of two branch outputs (dims known only where both agree).
fn merge_types(i: usize, a: &TensorType, b: &TensorType) -> Result<TensorType> {
    if a.dtype != b.dtype || a.ndim() != b.ndim() {
        return Err(Error::value(
            "ifelse",
            format!("output {i}: the then-branch has type {a} but the else-branch has type {b}"),
        ));
    }
    let shape = a
        .shape
        .iter()
        .zip(&b.shape)
        .map(|(x, y)| if x == y { *x } else { None })
        .collect();
    Ok(TensorType::new(a.dtype, shape))
}

impl Op for IfElse {
    fn name(&self) -> String {
        "ifelse".into()
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let args = &self.then_body.inputs;
        if inputs.len() != args.len() + 1 {
            let msg = format!("takes {} inputs, got {}", args.len() + 1, inputs.len());
            return Err(Error::value("ifelse", msg));
        }
        if inputs[0].ndim() != 0 {
            let msg = format!("the condition must be a scalar, got {}", inputs[0]);
            return Err(Error::value("ifelse", msg));
        }
        for (i, (ty, ph)) in inputs[1..].iter().zip(args).enumerate() {
            if !ph.ty().compatible(ty) {
                let msg = format!("input {} has type {ty}, expected {}", i + 1, ph.ty());
                return Err(Error::value("ifelse", msg));
            }
        }
        let then = self.then_body.outputs.iter();
        then.zip(&self.else_body.outputs)
            .enumerate()
            .map(|(i, (a, b))| merge_types(i, a.ty(), b.ty()))
            .collect()
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let cond = &inputs[0];
        if cond.size() != 1 {
            let msg = format!(
                "the condition has shape {:?}; it must be a scalar",
                cond.shape()
            );
            return Err(Error::value("ifelse", msg));
        }
        self.branch(cond.item().as_bool()).run(inputs[1..].to_vec())
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        let (cond, args) = (&inputs[0], &inputs[1..]);
        let grads: Vec<Option<Var>> = output_grads
            .iter()
            .map(|g| (!is_zeros(g)).then(|| g.clone()))
            .collect();
        let then_g = vjp(&self.then_body.instantiate(args)?, &grads, args)?;
        let else_g = vjp(&self.else_body.instantiate(args)?, &grads, args)?;
        let mut boundary: Vec<Var> = args.to_vec();
        boundary.extend(grads.iter().flatten().cloned());
        let results = lazy_pairs(cond, args, then_g, else_g, &boundary)?;
        let mut out = vec![Grad::Disconnected];
        out.extend(
            results
                .into_iter()
                .map(|g| g.map_or(Grad::Disconnected, Grad::Value)),
        );
        Ok(out)
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        let (cond, args) = (&inputs[0], &inputs[1..]);
        let tangents = &tangents[1..];
        let then_t = jvp(&self.then_body.instantiate(args)?, args, tangents)?;
        let else_t = jvp(&self.else_body.instantiate(args)?, args, tangents)?;
        let mut boundary: Vec<Var> = args.to_vec();
        boundary.extend(tangents.iter().flatten().cloned());
        lazy_pairs(cond, outputs, then_t, else_t, &boundary)
    }
}

/// `ifelse(cond, a_i, b_i)` for each pair where either side exists (zeros
/// of `like_i` stand in for a missing side); `None` where neither does.
fn lazy_pairs(
    cond: &Var,
    like: &[Var],
    a: Vec<Option<Var>>,
    b: Vec<Option<Var>>,
    boundary: &[Var],
) -> Result<Vec<Option<Var>>> {
    let mut wanted = Vec::new();
    let (mut then, mut els) = (Vec::new(), Vec::new());
    for (i, (x, y)) in a.into_iter().zip(b).enumerate() {
        if x.is_none() && y.is_none() {
            continue;
        }
        let zero = || like[i].zeros_like();
        let dtype = like[i].dtype();
        then.push(x.unwrap_or_else(zero).cast(dtype));
        els.push(y.unwrap_or_else(zero).cast(dtype));
        wanted.push(i);
    }
    let mut out = vec![None; like.len()];
    if wanted.is_empty() {
        return Ok(out);
    }
    let results = ifelse_with_boundary(cond, &then, &els, boundary, Site::caller())?;
    for (i, r) in wanted.into_iter().zip(results) {
        out[i] = Some(r);
    }
    Ok(out)
}

/// `ifelse` whose branches are also cut at `boundary` (values computed
/// outside, e.g. the output gradients a pullback receives).
fn ifelse_with_boundary(
    cond: &Var,
    then: &[Var],
    els: &[Var],
    boundary: &[Var],
    site: Site,
) -> Result<Vec<Var>> {
    if cond.ndim() != 0 {
        let msg = format!("the condition must be a scalar, got {}", cond.ty());
        return Err(Error::value("ifelse", msg).at(&site));
    }
    if then.len() != els.len() {
        let msg = format!(
            "the then-branch has {} outputs but the else-branch has {}",
            then.len(),
            els.len()
        );
        return Err(Error::value("ifelse", msg).at(&site));
    }
    for (i, (a, b)) in then.iter().zip(els).enumerate() {
        merge_types(i, a.ty(), b.ty()).map_err(|e| e.at(&site))?;
    }
    let mut outside: IndexSet<(u64, usize)> = toposort(std::slice::from_ref(cond))
        .iter()
        .flat_map(|n| n.outputs())
        .map(|v| v.key())
        .collect();
    outside.extend(boundary.iter().map(Var::key));
    let mut all = then.to_vec();
    all.extend(els.iter().cloned());
    let cut = capture(&all, |v| is_free_leaf(v) || outside.contains(&v.key()))?;
    let (then_out, else_out) = cut.outputs.split_at(then.len());
    let op = IfElse {
        then_body: Body::new(cut.placeholders.clone(), then_out.to_vec(), None),
        else_body: Body::new(cut.placeholders, else_out.to_vec(), None),
    };
    let mut inputs = vec![cond.clone()];
    inputs.extend(cut.outer);
    Var::apply_arc(Arc::new(op), &inputs, site)
}

/// `ifelse` over several outputs: `then[i]` where `cond` is true, else
/// `els[i]`, computing only the branch taken.
#[track_caller]
pub fn try_ifelse(cond: &Var, then: &[Var], els: &[Var]) -> Result<Vec<Var>> {
    ifelse_with_boundary(cond, then, els, &[], Site::caller())
}

/// Theano's `ifelse(cond, then, else)` for one output; panics on bad input
/// (see [`try_ifelse`]).
#[track_caller]
pub fn ifelse(cond: &Var, then: &Var, els: &Var) -> Var {
    try_ifelse(cond, std::slice::from_ref(then), std::slice::from_ref(els))
        .unwrap_or_else(|e| panic!("{e}"))
        .remove(0)
}
