//! `OpFromGraph(inputs, outputs, inline)`: a subgraph packaged as one op.
//! Kept as a call, its `perform` runs the subgraph's compiled program;
//! with `inline`, the optimizer replaces each call by the subgraph itself.
//! Its gradient is derived automatically (another `OpFromGraph` computing
//! the subgraph's vector-Jacobian product) or given by the user.
//!
//! ```
//! use theon::prelude::*;
//! use theon::ops::control::OpFromGraph;
//! let (x, y) = (vector("x", F64), vector("y", F64));
//! let op = OpFromGraph::new(&[x.clone(), y.clone()], &[(&x * &y).exp()]).unwrap();
//! let (a, b) = (vector("a", F64), vector("b", F64));
//! let z = op.call(&[a.clone(), b.clone()])[0].clone();
//! let f = function(&[a, b], &[z]).unwrap();
//! let one = Tensor::from_vec(vec![1.0f64], &[1]).unwrap();
//! let zero = Tensor::from_vec(vec![0.0f64], &[1]).unwrap();
//! assert_eq!(f.call(&[one, zero]).unwrap()[0].to_vec::<f64>(), vec![1.0]);
//! ```

use super::body::{capture, jvp, vjp, Body};
use crate::error::{Error, Result, Site};
use crate::graph::{graph_inputs, Grad, NodeKind, Op, PerformCtx, TensorType, Var};
use crate::ops::creation::is_zeros;
use crate::tensor::Tensor;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// A user-given gradient: `(inputs, output gradients) -> input gradients`.
pub type GradFn = dyn Fn(&[Var], &[Var]) -> Result<Vec<Var>> + Send + Sync;

/// A subgraph as one op. Inputs: the explicit inputs, then the shared
/// variables the subgraph reads (added by [`OpFromGraph::call`]).
#[derive(Clone)]
pub struct OpFromGraph {
    pub body: Arc<Body>,
    pub name: String,
    /// Whether the optimizer inlines calls.
    pub inline: bool,
    /// The shared variables read, passed as trailing inputs.
    pub implicit: Vec<Var>,
    grad_override: Option<Arc<GradFn>>,
}

impl fmt::Debug for OpFromGraph {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "OpFromGraph({}, {:?}, inline={})",
            self.name, self.body, self.inline
        )
    }
}

impl PartialEq for OpFromGraph {
    fn eq(&self, other: &Self) -> bool {
        self.body == other.body && self.inline == other.inline && self.name == other.name
    }
}
impl Eq for OpFromGraph {}
impl Hash for OpFromGraph {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.body.hash(state);
        self.inline.hash(state);
    }
}

impl OpFromGraph {
    /// Packages `outputs` as a function of `inputs` (distinct graph inputs;
    /// shared variables the outputs read become implicit inputs).
    #[track_caller]
    pub fn new(inputs: &[Var], outputs: &[Var]) -> Result<OpFromGraph> {
        let site = Site::caller();
        let fail = |msg: String| Error::value("OpFromGraph", msg).at(&site);
        for (i, v) in inputs.iter().enumerate() {
            if !v.is_input() || inputs[..i].contains(v) {
                return Err(fail(format!(
                    "input {i} ('{}') must be a distinct graph input",
                    v.label()
                )));
            }
        }
        if let Some(missing) = graph_inputs(outputs)
            .into_iter()
            .find(|v| !inputs.contains(v))
        {
            return Err(fail(format!(
                "the outputs depend on '{}', which is not among the inputs",
                missing.label()
            )));
        }
        let cut = capture(outputs, |v| matches!(v.node().kind, NodeKind::Shared(_)))?;
        let mut body_inputs = inputs.to_vec();
        body_inputs.extend(cut.placeholders);
        Ok(OpFromGraph {
            body: Body::new(body_inputs, cut.outputs, None),
            name: "OpFromGraph".into(),
            inline: false,
            implicit: cut.outer,
            grad_override: None,
        })
    }

    /// Lets the optimizer replace calls by the subgraph (Theano's `inline=True`).
    pub fn inline(mut self, yes: bool) -> Self {
        self.inline = yes;
        self
    }

    pub fn named(mut self, name: &str) -> Self {
        self.name = name.to_string();
        self
    }

    /// Overrides the gradient: `f(inputs, output_grads)` returns one
    /// gradient per explicit input.
    pub fn with_grad(
        mut self,
        f: impl Fn(&[Var], &[Var]) -> Result<Vec<Var>> + Send + Sync + 'static,
    ) -> Self {
        self.grad_override = Some(Arc::new(f));
        self
    }

    fn n_explicit(&self) -> usize {
        self.body.inputs.len() - self.implicit.len()
    }

    /// Applies the op to `args` (one per explicit input).
    #[track_caller]
    pub fn try_call(&self, args: &[Var]) -> Result<Vec<Var>> {
        let site = Site::caller();
        if args.len() != self.n_explicit() {
            let msg = format!("takes {} inputs, got {}", self.n_explicit(), args.len());
            return Err(Error::value(&self.name, msg).at(&site));
        }
        let mut inputs = args.to_vec();
        inputs.extend(self.implicit.iter().cloned());
        Var::apply_arc(Arc::new(self.clone()), &inputs, site)
    }

    /// [`Self::try_call`] that panics with the error.
    #[track_caller]
    pub fn call(&self, args: &[Var]) -> Vec<Var> {
        self.try_call(args).unwrap_or_else(|e| panic!("{e}"))
    }

    /// A derived op over `self`'s inputs plus `extra` placeholders.
    fn derived(&self, name: &str, extra: Vec<Var>, outputs: Vec<Var>) -> Result<OpFromGraph> {
        let mut inputs = self.body.inputs.clone();
        inputs.extend(extra);
        Ok(OpFromGraph {
            body: Body::new(inputs, outputs, None),
            name: format!("{name}_of_{}", self.name),
            inline: self.inline,
            implicit: vec![],
            grad_override: None,
        })
    }

    fn custom_pullback(&self, f: &GradFn, inputs: &[Var], grads: &[Var]) -> Result<Vec<Grad>> {
        let n = self.n_explicit();
        let given = f(&inputs[..n], grads)?;
        if given.len() != n {
            let msg = format!(
                "the custom gradient returned {} values for {n} inputs",
                given.len()
            );
            return Err(Error::grad(&self.name, msg));
        }
        let mut out: Vec<Grad> = given.into_iter().map(Grad::Value).collect();
        for s in &self.implicit {
            let msg = format!(
                "the custom gradient does not cover shared variable '{}'",
                s.label()
            );
            out.push(Grad::Undefined(msg));
        }
        Ok(out)
    }
}

impl Op for OpFromGraph {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        if inputs.len() != self.body.inputs.len() {
            let msg = format!(
                "takes {} inputs, got {}",
                self.body.inputs.len(),
                inputs.len()
            );
            return Err(Error::value(&self.name, msg));
        }
        for (i, (ty, ph)) in inputs.iter().zip(&self.body.inputs).enumerate() {
            if ph.dtype() != ty.dtype || !ph.ty().compatible(ty) {
                let msg = format!("input {i} has type {ty}, expected {}", ph.ty());
                return Err(Error::value(&self.name, msg));
            }
        }
        Ok(self.body.outputs.iter().map(|o| o.ty().clone()).collect())
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        self.body.run(inputs.to_vec())
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        if let Some(f) = &self.grad_override {
            return self.custom_pullback(f.as_ref(), inputs, output_grads);
        }
        let gs: Vec<Var> = self
            .body
            .outputs
            .iter()
            .map(|o| Var::input(&format!("d{}", o.label()), o.ty().clone()))
            .collect();
        let wanted: Vec<Option<Var>> = gs
            .iter()
            .zip(output_grads)
            .map(|(p, g)| (!is_zeros(g)).then(|| p.clone()))
            .collect();
        let grads = vjp(&self.body.outputs, &wanted, &self.body.inputs)?;
        let connected: Vec<usize> = (0..grads.len()).filter(|&i| grads[i].is_some()).collect();
        if connected.is_empty() {
            return Ok(vec![Grad::Disconnected; inputs.len()]);
        }
        let outs = connected
            .iter()
            .map(|&i| grads[i].clone().expect("connected"))
            .collect();
        let op = self.derived("grad", gs, outs)?;
        let mut args = inputs.to_vec();
        args.extend(output_grads.iter().cloned());
        let values = Var::apply_arc(Arc::new(op), &args, Site::caller())?;
        let mut out = vec![Grad::Disconnected; inputs.len()];
        for (i, v) in connected.into_iter().zip(values) {
            out[i] = Grad::Value(v);
        }
        Ok(out)
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        let ts: Vec<Var> = self
            .body
            .inputs
            .iter()
            .map(|p| Var::input(&format!("t{}", p.label()), p.ty().clone()))
            .collect();
        let wanted: Vec<Option<Var>> = ts
            .iter()
            .zip(tangents)
            .map(|(p, t)| t.as_ref().map(|_| p.clone()))
            .collect();
        let dots = jvp(&self.body.outputs, &self.body.inputs, &wanted)?;
        let floats: Vec<usize> = (0..dots.len()).filter(|&i| dots[i].is_some()).collect();
        let outs = floats
            .iter()
            .map(|&i| dots[i].clone().expect("float"))
            .collect();
        let op = self.derived("rop", ts, outs)?;
        let mut args = inputs.to_vec();
        args.extend(inputs.iter().zip(tangents).map(|(x, t)| {
            t.clone()
                .map(|t| t.cast(x.dtype()))
                .unwrap_or_else(|| x.zeros_like())
        }));
        let values = Var::apply_arc(Arc::new(op), &args, Site::caller())?;
        let mut out = vec![None; outputs.len()];
        for (i, v) in floats.into_iter().zip(values) {
            out[i] = Some(v);
        }
        Ok(out)
    }
}
