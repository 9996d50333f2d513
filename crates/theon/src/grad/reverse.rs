//! Reverse mode: `grad`, `grad_terms` and `lop`.
//!
//! One backward sweep in reverse topological order over the nodes between
//! the `wrt` variables and the cost. Each variable collects the
//! contributions of its consumers; they are summed once, when the sweep
//! reaches the variable's producer (all consumers come later in
//! topological order, so all have contributed). Each node's pullback adds a
//! constant number of nodes per input, so the gradient graph is linear in
//! the size of the forward graph.
//!
//! Integer and boolean variables carry a "zero" gradient (connected, but
//! zero by definition) and are never differentiated through; an op that
//! declares itself not `differentiable` disconnects its inputs.

use super::options::{DisconnectedInputs, GradOptions, NullGradients, ReturnDisconnected};
use crate::error::{Error, Result, Site};
use crate::graph::{toposort, Grad, Node, Var};
use crate::ops::creation::{is_zeros, zeros_like};
use crate::ops::operand::scalar_constant;
use indexmap::{IndexMap, IndexSet};
use std::sync::Arc;

type Key = (u64, usize);

/// A gradient term during the sweep.
#[derive(Clone)]
enum Term {
    Value(Var),
    /// Connected, but zero (integer variables, piecewise-constant ops).
    Zero,
    /// Undefined; the error says which op and where.
    Undefined(Error),
}

/// Gradients of a scalar `cost` with respect to each of `wrt`.
///
/// Returns variables; use [`grad_terms`] when `options` may produce
/// disconnected markers (`return_disconnected` `None`/`Disconnected`) or
/// undefined gradients (`null_gradients` `Return`): here those are errors.
#[track_caller]
pub fn grad(cost: &Var, wrt: &[Var], options: &GradOptions) -> Result<Vec<Var>> {
    let terms = grad_terms(Some(cost), wrt, options)?;
    terms
        .into_iter()
        .zip(wrt)
        .map(|(t, w)| match t {
            Grad::Value(v) => Ok(v),
            Grad::Disconnected => Err(Error::grad(
                "grad",
                format!(
                    "the gradient of '{}' is disconnected; use grad_terms to receive markers",
                    w.label()
                ),
            )),
            Grad::Undefined(reason) => Err(Error::grad("grad", reason)),
        })
        .collect()
}

/// The full form of `grad`: `cost` may be `None` when `known_grads` seeds
/// the sweep; each result is a value, `Grad::Disconnected` (for
/// `return_disconnected` `None`/`Disconnected`) or `Grad::Undefined` (for
/// `null_gradients` `Return`).
#[track_caller]
pub fn grad_terms(cost: Option<&Var>, wrt: &[Var], options: &GradOptions) -> Result<Vec<Grad>> {
    check_wrt(wrt)?;
    let known = known_grads(&options.known_grads)?;
    let mut roots: Vec<Var> = options.known_grads.iter().map(|(v, _)| v.clone()).collect();
    if let Some(cost) = cost {
        check_cost(cost, &known)?;
        roots.insert(0, cost.clone());
    } else if roots.is_empty() {
        return Err(Error::grad("grad", "needs a cost or known_grads"));
    }
    let order = toposort(&roots);
    let constants: IndexSet<Key> = options.consider_constant.iter().map(Var::key).collect();
    let mut sweep = Sweep {
        depends: dependents(&order, wrt, &constants),
        constants,
        known,
        terms: IndexMap::new(),
        totals: IndexMap::new(),
    };
    if let Some(cost) = cost.filter(|c| !sweep.known.contains_key(&c.key())) {
        let seed = if cost.dtype().is_float() {
            Term::Value(scalar_constant(1i64, cost.dtype()))
        } else {
            Term::Zero
        };
        sweep.terms.entry(cost.key()).or_default().push(seed);
    }
    for node in order.iter().rev() {
        sweep.backprop(node)?;
    }
    wrt.iter()
        .map(|w| {
            let total = sweep.total(w);
            finish(w, total, options)
        })
        .collect()
}

/// The L-operator: `Σ_i eval_points[i]ᵀ · ∂f[i]/∂wrt` for each `wrt`
/// (vector-Jacobian products), with `f` of any shapes.
#[track_caller]
pub fn lop(f: &[Var], wrt: &[Var], eval_points: &[Var]) -> Result<Vec<Var>> {
    if f.len() != eval_points.len() {
        return Err(Error::grad(
            "Lop",
            format!(
                "got {} outputs but {} eval points",
                f.len(),
                eval_points.len()
            ),
        ));
    }
    let known = f.iter().cloned().zip(eval_points.iter().cloned());
    let options = GradOptions::new().known_grads(known);
    let terms = grad_terms(None, wrt, &options)?;
    Ok(terms
        .into_iter()
        .map(|t| match t {
            Grad::Value(v) => v,
            _ => unreachable!("default options return values or errors"),
        })
        .collect())
}

struct Sweep {
    /// Variables that depend on some `wrt` (through non-constant paths).
    depends: IndexSet<Key>,
    constants: IndexSet<Key>,
    known: IndexMap<Key, Var>,
    terms: IndexMap<Key, Vec<Term>>,
    /// Each variable's summed gradient, built once.
    totals: IndexMap<Key, Option<Term>>,
}

impl Sweep {
    /// The gradient of `v`: its known gradient, or the sum of its terms
    /// (`None` when nothing reached it).
    fn total(&mut self, v: &Var) -> Option<Term> {
        if let Some(total) = self.totals.get(&v.key()) {
            return total.clone();
        }
        let total = if let Some(g) = self.known.get(&v.key()) {
            Some(Term::Value(g.clone()))
        } else {
            self.terms.get(&v.key()).map(|ts| sum_terms(ts))
        };
        self.totals.insert(v.key(), total.clone());
        total
    }

    fn backprop(&mut self, node: &Arc<Node>) -> Result<()> {
        let Some(op) = node.op() else { return Ok(()) };
        let needy: Vec<usize> = (0..node.inputs.len())
            .filter(|&i| self.depends.contains(&node.inputs[i].key()))
            .collect();
        if needy.is_empty() || !op.differentiable() {
            return Ok(());
        }
        let outputs = node.outputs();
        let mut out_terms = Vec::with_capacity(outputs.len());
        for o in &outputs {
            let blocked = self.constants.contains(&o.key());
            out_terms.push(if blocked { None } else { self.total(o) });
        }
        if out_terms.iter().all(Option::is_none) {
            return Ok(());
        }
        if let Some(Term::Undefined(e)) = out_terms
            .iter()
            .flatten()
            .find(|t| matches!(t, Term::Undefined(_)))
        {
            let e = e.clone();
            self.push_all(node, &needy, Term::Undefined(e));
            return Ok(());
        }
        if out_terms.iter().flatten().all(|t| matches!(t, Term::Zero)) {
            self.push_all(node, &needy, Term::Zero);
            return Ok(());
        }
        let out_grads: Vec<Var> = outputs
            .iter()
            .zip(&out_terms)
            .map(|(o, t)| match t {
                Some(Term::Value(v)) => v.clone(),
                _ => zeros_like(o, None),
            })
            .collect();
        // Gradient nodes record the line of the forward node they come from.
        let grads = Site::with_override(node.site.clone(), || {
            op.pullback(&node.inputs, &outputs, &out_grads)
        })
        .map_err(|e| e.at(&node.site))?;
        if grads.len() != node.inputs.len() {
            let msg = format!(
                "pullback returned {} gradients for {} inputs",
                grads.len(),
                node.inputs.len()
            );
            return Err(Error::grad(op.name(), msg).at(&node.site));
        }
        for i in needy {
            let input = &node.inputs[i];
            let term = match &grads[i] {
                Grad::Disconnected => continue,
                Grad::Undefined(reason) => Term::Undefined(
                    Error::grad(
                        op.name(),
                        format!("the gradient of input {i} is undefined: {reason}"),
                    )
                    .at(&node.site),
                ),
                Grad::Value(g) => input_term(g, input, &op.name(), i, node)?,
            };
            self.terms.entry(input.key()).or_default().push(term);
        }
        Ok(())
    }

    fn push_all(&mut self, node: &Node, needy: &[usize], term: Term) {
        for &i in needy {
            let input = &node.inputs[i];
            self.terms
                .entry(input.key())
                .or_default()
                .push(term.clone());
        }
    }
}

/// Checks a pullback's gradient against its input and makes it a term.
fn input_term(g: &Var, input: &Var, op: &str, index: usize, node: &Node) -> Result<Term> {
    if !input.dtype().is_float() {
        return Ok(Term::Zero);
    }
    let fits = g.ndim() == input.ndim()
        && g.ty()
            .shape
            .iter()
            .zip(&input.ty().shape)
            .all(|(a, b)| a.is_none() || b.is_none() || a == b);
    if !fits {
        let msg = format!(
            "pullback gave a gradient of type {} for input {index} of type {}",
            g.ty(),
            input.ty()
        );
        return Err(Error::grad(op, msg).at(&node.site));
    }
    if is_zeros(g) {
        return Ok(Term::Zero);
    }
    Ok(Term::Value(g.cast(input.dtype())))
}

/// Sums the contributions of a variable's consumers, once.
fn sum_terms(terms: &[Term]) -> Term {
    if let Some(u) = terms.iter().find(|t| matches!(t, Term::Undefined(_))) {
        return u.clone();
    }
    let values: Vec<&Var> = terms
        .iter()
        .filter_map(|t| match t {
            Term::Value(v) => Some(v),
            _ => None,
        })
        .collect();
    match values.split_first() {
        None => Term::Zero,
        Some((first, rest)) => Term::Value(rest.iter().fold((*first).clone(), |acc, v| acc + *v)),
    }
}

/// Variables downstream of `wrt` along paths not cut by `constants`.
fn dependents(order: &[Arc<Node>], wrt: &[Var], constants: &IndexSet<Key>) -> IndexSet<Key> {
    let wrt: IndexSet<Key> = wrt.iter().map(Var::key).collect();
    let mut depends = IndexSet::new();
    for node in order {
        let fed = node
            .inputs
            .iter()
            .any(|v| depends.contains(&v.key()) && !constants.contains(&v.key()));
        for o in node.outputs() {
            if fed || wrt.contains(&o.key()) {
                depends.insert(o.key());
            }
        }
    }
    depends
}

fn finish(w: &Var, total: Option<Term>, options: &GradOptions) -> Result<Grad> {
    match total {
        Some(Term::Value(v)) => Ok(Grad::Value(v)),
        Some(Term::Zero) => Ok(Grad::Value(zeros_like(w, None))),
        Some(Term::Undefined(e)) => match options.null_gradients {
            NullGradients::Raise => Err(e),
            NullGradients::Return => Ok(Grad::Undefined(e.to_string())),
        },
        None => {
            let e = Error::grad(
                "grad",
                format!(
                    "the cost does not depend on '{}': it is not part of the cost's graph, or \
                     only through consider_constant, disconnected_grad or a non-differentiable \
                     op (pass disconnected_inputs=Ignore to allow this)",
                    w.label()
                ),
            )
            .at(w.site());
            match options.disconnected_inputs {
                DisconnectedInputs::Raise => return Err(e),
                DisconnectedInputs::Warn => eprintln!("theon: warning: {e}"),
                DisconnectedInputs::Ignore => {}
            }
            Ok(match options.return_disconnected {
                ReturnDisconnected::Zero => Grad::Value(zeros_like(w, None)),
                ReturnDisconnected::None | ReturnDisconnected::Disconnected => Grad::Disconnected,
            })
        }
    }
}

fn check_wrt(wrt: &[Var]) -> Result<()> {
    for w in wrt {
        if !w.dtype().is_float() {
            let msg = format!(
                "cannot differentiate with respect to '{}' of type {}: gradients are defined \
                 only for float variables",
                w.label(),
                w.ty()
            );
            return Err(Error::grad("grad", msg).at(w.site()));
        }
    }
    Ok(())
}

fn check_cost(cost: &Var, known: &IndexMap<Key, Var>) -> Result<()> {
    if cost.ndim() != 0 && !known.contains_key(&cost.key()) {
        let msg = format!(
            "the cost must be a scalar, got '{}' of type {} (give its gradient in known_grads \
             to differentiate a non-scalar)",
            cost.label(),
            cost.ty()
        );
        return Err(Error::grad("grad", msg).at(cost.site()));
    }
    Ok(())
}

/// Checks each known gradient against its variable and casts float ones to
/// the variable's dtype.
fn known_grads(pairs: &[(Var, Var)]) -> Result<IndexMap<Key, Var>> {
    let mut known = IndexMap::new();
    for (v, g) in pairs {
        if g.ndim() != v.ndim() {
            let msg = format!(
                "known gradient of '{}' has type {}, expected the rank of {}",
                v.label(),
                g.ty(),
                v.ty()
            );
            return Err(Error::grad("grad", msg).at(g.site()));
        }
        let g = if v.dtype().is_float() {
            g.cast(v.dtype())
        } else {
            g.clone()
        };
        known.insert(v.key(), g);
    }
    Ok(known)
}
