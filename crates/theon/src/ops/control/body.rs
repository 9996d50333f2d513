//! `Body`: an inner graph over placeholder inputs, compiled once (through
//! the optimizer, like any function) into a [`Program`] that control-flow
//! ops run from their `perform`. Also the graph surgery the control ops
//! share: capturing the outer variables a subgraph reads ([`capture`]) and
//! vector-Jacobian / Jacobian-vector products of an inner graph.
//!
//! Invariant: a body's outputs depend only on its inputs and constants
//! (no graph inputs or shared variables of the outer graph), so its
//! program needs nothing but the arguments it is run with.

use crate::compile::{Frame, KernelRegistry, NoHook, Program};
use crate::error::{Error, Result};
use crate::grad::{grad_terms, rop, DisconnectedInputs, GradOptions, ReturnDisconnected};
use crate::graph::{clone_replace, fresh_id, toposort, Grad, NodeKind, Var};
use crate::ops::reduce::Axis;
use crate::rewrite::{FunctionGraph, Mode};
use crate::tensor::Tensor;
use indexmap::{IndexMap, IndexSet};
use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock};

/// An inner graph and its program, compiled on first use.
pub struct Body {
    id: u64,
    /// Placeholder inputs (graph inputs that only this inner graph reads).
    pub inputs: Vec<Var>,
    pub outputs: Vec<Var>,
    /// The compile mode; `None` takes `config().mode` when compiling.
    pub mode: Option<Mode>,
    program: OnceLock<std::result::Result<Program, Error>>,
}

impl Body {
    /// A body over `inputs`; the caller guarantees the invariant above.
    pub fn new(inputs: Vec<Var>, outputs: Vec<Var>, mode: Option<Mode>) -> Arc<Body> {
        Arc::new(Body {
            id: fresh_id(),
            inputs,
            outputs,
            mode,
            program: OnceLock::new(),
        })
    }

    /// A unique id: ops holding the same body are equal.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The optimized program, compiled the first time it is asked for.
    pub fn program(&self) -> Result<&Program> {
        self.program
            .get_or_init(|| self.compile())
            .as_ref()
            .map_err(Clone::clone)
    }

    fn compile(&self) -> Result<Program> {
        let mode = match &self.mode {
            Some(mode) => mode.clone(),
            None => Mode::from_config()?,
        };
        let mut fg = FunctionGraph::from_vars(&self.inputs, &self.outputs)?;
        mode.optimize(&mut fg);
        let optimized = fg.to_vars()?;
        let kernels = KernelRegistry::standard();
        Ok(Program::build(
            &self.inputs,
            &optimized,
            &kernels,
            &HashMap::new(),
        ))
    }

    /// Runs the program once on one value per input (in a fresh frame).
    pub fn run(&self, args: Vec<Tensor>) -> Result<Vec<Tensor>> {
        let program = self.program()?;
        let mut frame = Frame::new(program);
        program.run(
            &mut frame,
            args.into_iter(),
            std::iter::empty(),
            &mut NoHook,
        )
    }

    /// A runner that keeps its frame between calls (for loops).
    pub fn runner(&self) -> Result<Runner<'_>> {
        let program = self.program()?;
        Ok(Runner {
            program,
            frame: Frame::new(program),
        })
    }

    /// The outputs with the placeholders replaced by `actual` (one per
    /// input): the body as an ordinary outer graph.
    pub fn instantiate(&self, actual: &[Var]) -> Result<Vec<Var>> {
        let pairs: Vec<(Var, Var)> = self.inputs.iter().cloned().zip(actual.to_vec()).collect();
        clone_replace(&self.outputs, &pairs)
    }
}

/// Runs a body's program repeatedly over one frame, so each run allocates
/// nothing beyond the values its kernels produce.
pub struct Runner<'a> {
    program: &'a Program,
    frame: Frame,
}

impl Runner<'_> {
    pub fn run(&mut self, args: impl Iterator<Item = Tensor>) -> Result<Vec<Tensor>> {
        self.program
            .run(&mut self.frame, args, std::iter::empty(), &mut NoHook)
    }

    /// Runs once, writing the outputs into `outputs` (reused across steps).
    pub fn run_into(
        &mut self,
        args: impl Iterator<Item = Tensor>,
        outputs: &mut Vec<Tensor>,
    ) -> Result<()> {
        self.program
            .run_into(&mut self.frame, args, &mut NoHook, outputs)
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Body#{}({} inputs, {} outputs)",
            self.id,
            self.inputs.len(),
            self.outputs.len()
        )
    }
}

impl PartialEq for Body {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}
impl Eq for Body {}
impl Hash for Body {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id.hash(state)
    }
}

/// A subgraph cut out of a larger graph: its outputs rebuilt over fresh
/// placeholders that stand for the outer variables it reads.
pub struct Captured {
    /// The outer variables read, in first-use order.
    pub outer: Vec<Var>,
    /// One placeholder per outer variable.
    pub placeholders: Vec<Var>,
    /// The outputs, rebuilt to read the placeholders.
    pub outputs: Vec<Var>,
}

/// Cuts `outputs` at the variables `is_boundary` selects: every boundary
/// variable that an inside node reads (or that is itself an output) is
/// replaced by a fresh placeholder of its type. Boundary variables are
/// never constants (those stay inside, to be folded). Nodes are inside
/// unless they are boundary variables or only feed boundary variables.
pub fn capture(outputs: &[Var], is_boundary: impl Fn(&Var) -> bool) -> Result<Captured> {
    let is_cut = |v: &Var| v.constant_value().is_none() && is_boundary(v);
    let mut outer: IndexSet<Var> = outputs.iter().filter(|v| is_cut(v)).cloned().collect();
    // Walk down from the outputs, stopping at boundary variables.
    let mut seen: IndexSet<u64> = IndexSet::new();
    let mut stack: Vec<Var> = outputs.iter().filter(|v| !is_cut(v)).cloned().collect();
    while let Some(v) = stack.pop() {
        if !seen.insert(v.node().id) {
            continue;
        }
        for input in v.inputs() {
            if is_cut(input) {
                outer.insert(input.clone());
            } else {
                stack.push(input.clone());
            }
        }
    }
    let outer: Vec<Var> = outer.into_iter().collect();
    let placeholders: Vec<Var> = outer
        .iter()
        .map(|v| Var::input(&v.label(), v.ty().clone()))
        .collect();
    let pairs: Vec<(Var, Var)> = outer.iter().cloned().zip(placeholders.clone()).collect();
    let outputs = clone_replace(outputs, &pairs)?;
    Ok(Captured {
        outer,
        placeholders,
        outputs,
    })
}

/// True when `v` is a graph input or a shared variable.
pub fn is_free_leaf(v: &Var) -> bool {
    matches!(v.node().kind, NodeKind::Input | NodeKind::Shared(_))
}

/// Keys of every variable that depends on one of `roots` (roots included).
pub fn dependents_of(outputs: &[Var], roots: &[Var]) -> IndexSet<(u64, usize)> {
    let mut set: IndexSet<(u64, usize)> = roots.iter().map(Var::key).collect();
    for node in toposort(outputs) {
        if node.inputs.iter().any(|v| set.contains(&v.key())) {
            for o in node.outputs() {
                set.insert(o.key());
            }
        }
    }
    set
}

/// The vector-Jacobian product `Σ_i output_grads[i]ᵀ ∂outputs[i]/∂wrt`
/// for each `wrt` (`None` where disconnected). Integer outputs and
/// outputs without a gradient are skipped.
pub fn vjp(outputs: &[Var], output_grads: &[Option<Var>], wrt: &[Var]) -> Result<Vec<Option<Var>>> {
    let pairs: Vec<(Var, Var)> = outputs
        .iter()
        .zip(output_grads)
        .filter_map(|(o, g)| g.as_ref().map(|g| (o.clone(), g.cast(o.dtype()))))
        .filter(|(o, _)| o.dtype().is_float())
        .collect();
    let float_wrt: Vec<Var> = wrt
        .iter()
        .filter(|w| w.dtype().is_float())
        .cloned()
        .collect();
    if pairs.is_empty() || float_wrt.is_empty() {
        return Ok(vec![None; wrt.len()]);
    }
    let options = GradOptions::new()
        .disconnected_inputs(DisconnectedInputs::Ignore)
        .return_disconnected(ReturnDisconnected::Disconnected);
    let terms = if seeds_are_independent(&pairs) {
        grad_terms(None, &float_wrt, &options.known_grads(pairs))?
    } else {
        // A known gradient replaces what a variable's consumers give it, so
        // an output that appears twice or feeds another output is seeded
        // through a cost instead: Σ_i sum(outputs[i] * grads[i]).
        let cost = pairs
            .iter()
            .map(|(o, g)| (o * g).sum(Axis::All))
            .reduce(|a, b| a + b)
            .expect("at least one pair");
        grad_terms(Some(&cost), &float_wrt, &options)?
    };
    let mut grads = terms.into_iter();
    wrt.iter()
        .map(|w| {
            if !w.dtype().is_float() {
                return Ok(None);
            }
            match grads.next().expect("one gradient per float wrt") {
                Grad::Value(g) => Ok(Some(g)),
                Grad::Disconnected => Ok(None),
                Grad::Undefined(reason) => Err(Error::grad("vjp", reason)),
            }
        })
        .collect()
}

/// True when the seeded outputs are distinct and none is computed from
/// another, so each can take its gradient as a known gradient.
fn seeds_are_independent(pairs: &[(Var, Var)]) -> bool {
    let outputs: Vec<Var> = pairs.iter().map(|(o, _)| o.clone()).collect();
    if unique_vars(outputs.iter().cloned()).len() != outputs.len() {
        return false;
    }
    let keys: IndexSet<(u64, usize)> = outputs.iter().map(Var::key).collect();
    outputs.iter().all(|o| {
        let upstream: Vec<Var> = o.inputs().to_vec();
        toposort(&upstream)
            .iter()
            .all(|n| n.outputs().iter().all(|v| !keys.contains(&v.key())))
    })
}

/// The pullback of an op that stands for the graph `expanded` (its
/// outputs, built from `inputs`): the vector-Jacobian product of that
/// graph, disconnected where an input does not reach an output.
pub fn expanded_pullback(
    expanded: &[Var],
    inputs: &[Var],
    output_grads: &[Var],
) -> Result<Vec<Grad>> {
    let grads: Vec<Option<Var>> = output_grads.iter().cloned().map(Some).collect();
    Ok(vjp(expanded, &grads, inputs)?
        .into_iter()
        .map(|g| g.map_or(Grad::Disconnected, Grad::Value))
        .collect())
}

/// The Jacobian-vector product of `outputs` along `tangents` (one per
/// `wrt`, `None` for no tangent); `None` for integer outputs.
pub fn jvp(outputs: &[Var], wrt: &[Var], tangents: &[Option<Var>]) -> Result<Vec<Option<Var>>> {
    let (wrt, eval): (Vec<Var>, Vec<Var>) = wrt
        .iter()
        .zip(tangents)
        .filter_map(|(w, t)| t.as_ref().map(|t| (w.clone(), t.clone())))
        .filter(|(w, _)| w.dtype().is_float())
        .unzip();
    let floats: Vec<Var> = outputs
        .iter()
        .filter(|o| o.dtype().is_float())
        .cloned()
        .collect();
    let mut result = if wrt.is_empty() || floats.is_empty() {
        floats.iter().map(|o| o.zeros_like()).collect::<Vec<_>>()
    } else {
        rop(&floats, &wrt, &eval)?
    }
    .into_iter();
    Ok(outputs
        .iter()
        .map(|o| {
            o.dtype()
                .is_float()
                .then(|| result.next().expect("one per float"))
        })
        .collect())
}

/// Replaces, in `vars`, each variable of `pairs` by its partner (skipping
/// pairs whose old side is a leaf: replacing a placeholder would change the
/// meaning of every other use of it).
pub fn substitute(vars: &[Option<Var>], pairs: &[(Var, Var)]) -> Result<Vec<Option<Var>>> {
    let pairs: Vec<(Var, Var)> = pairs
        .iter()
        .filter(|(old, _)| !old.node().is_leaf())
        .cloned()
        .collect();
    let present: Vec<Var> = vars.iter().flatten().cloned().collect();
    if pairs.is_empty() || present.is_empty() {
        return Ok(vars.to_vec());
    }
    let mut replaced = clone_replace(&present, &pairs)?.into_iter();
    Ok(vars
        .iter()
        .map(|v| {
            v.as_ref()
                .map(|_| replaced.next().expect("one per present"))
        })
        .collect())
}

/// Deduplicates variables by identity, keeping first-use order.
pub fn unique_vars(vars: impl IntoIterator<Item = Var>) -> Vec<Var> {
    let set: IndexMap<(u64, usize), Var> = vars.into_iter().map(|v| (v.key(), v)).collect();
    set.into_values().collect()
}
