//! Lifting a scan body's per-step values to whole-sequence values: a value
//! `v_t` computed at every step becomes one outer tensor `V` of shape
//! `(T, *v.shape)` (`V[s] = v_s`, rows in step order), or stays a single
//! outer value when it does not change between steps. The scan rewrites
//! use it to move work out of loops: sequence-only computation becomes one
//! batched computation before the loop, and per-step accumulations
//! `Σ_t term_t` one reduction or one large product after it.
//!
//! Supported ops: elementwise (`Elemwise`, `Composite`), `DimShuffle`,
//! reductions, and products (`Dot`, `Einsum`) — a product of stacked
//! operands is an `einsum` with a time label, and when the time label sits
//! next to a label that only stacked operands carry the two are merged by
//! a reshape, so the result is one plain matrix product (one GEMM over
//! `T·batch` rows instead of `T` small ones). Anything else is not lifted:
//! the `export` hook decides whether the value is written out by the loop
//! (a new per-step output) or the lift fails.

use crate::error::Result;
use crate::graph::{graph_inputs, NodeKind, Var};
use crate::ops::elemwise::{Composite, Elemwise};
use crate::ops::products::{try_einsum, Contraction, Dot, Einsum};
use crate::ops::reduce::{try_reduce, Axis, Reduce, ReduceKind};
use crate::ops::shape::{try_dimshuffle, try_reshape, try_shape_i, Dim, DimShuffle};
use std::collections::{HashMap, HashSet};

/// A body value seen from outside the loop.
#[derive(Clone, Debug)]
pub enum Lifted {
    /// The same at every step: this outer value.
    Invariant(Var),
    /// Step `s`'s value is row `s` of this outer value.
    Stacked(Var),
}

/// What to do with a body value that cannot be lifted: `Some(stacked)`
/// when the loop will provide it per step (a new per-step output), or
/// `None` to fail.
pub type Export<'a> = dyn FnMut(&Var) -> Option<Var> + 'a;

/// Lifts body values, memoized by variable.
pub struct Lifter<'a> {
    known: HashMap<(u64, usize), Option<Lifted>>,
    /// Elementwise values the loop computes anyway (they depend on its
    /// state): exported whole rather than recomputed from exported inputs.
    inside: HashSet<(u64, usize)>,
    /// The number of steps (an int64 scalar).
    steps: Var,
    export: Box<Export<'a>>,
}

/// Builds `Lifted` results, mapping graph errors to "not liftable".
fn ok<T>(r: Result<T>) -> Option<T> {
    r.ok()
}

impl<'a> Lifter<'a> {
    /// A lifter where each body input in `seeds` stands for the given
    /// outer value; `steps` is the loop's step count.
    pub fn new(
        seeds: impl IntoIterator<Item = (Var, Lifted)>,
        steps: Var,
        export: Box<Export<'a>>,
    ) -> Lifter<'a> {
        Lifter {
            known: seeds.into_iter().map(|(v, l)| (v.key(), Some(l))).collect(),
            inside: HashSet::new(),
            steps,
            export,
        }
    }

    /// Marks values the loop computes anyway: elementwise ones among them
    /// are exported whole.
    pub fn keep_inside(mut self, keys: impl IntoIterator<Item = (u64, usize)>) -> Self {
        self.inside.extend(keys);
        self
    }

    fn is_elementwise(v: &Var) -> bool {
        v.op()
            .is_some_and(|op| op.as_any().is::<Elemwise>() || op.as_any().is::<Composite>())
    }

    /// `v` lifted, or `None` when it can be neither lifted nor exported.
    pub fn lift(&mut self, v: &Var) -> Option<Lifted> {
        if let Some(known) = self.known.get(&v.key()) {
            return known.clone();
        }
        let lifted = match &v.node().kind {
            NodeKind::Constant(_) => Some(Lifted::Invariant(v.clone())),
            NodeKind::Apply(_) if self.inside.contains(&v.key()) && Self::is_elementwise(v) => {
                self.export_of(v)
            }
            NodeKind::Apply(_) if liftable_op(v) || self.invariant_only(v) => {
                self.lift_apply(v).or_else(|| self.export_of(v))
            }
            _ => self.export_of(v),
        };
        self.known.insert(v.key(), lifted.clone());
        lifted
    }

    /// True when every input `v` reads is a seed standing for an outer
    /// value (a loop invariant); constants aside.
    fn invariant_only(&self, v: &Var) -> bool {
        graph_inputs(std::slice::from_ref(v))
            .iter()
            .all(|i| matches!(self.known.get(&i.key()), Some(Some(Lifted::Invariant(_)))))
    }

    fn export_of(&mut self, v: &Var) -> Option<Lifted> {
        (self.export)(v).map(Lifted::Stacked)
    }

    /// The lifted value of an apply node's output whose op is liftable.
    fn lift_apply(&mut self, v: &Var) -> Option<Lifted> {
        let inputs: Vec<Lifted> = v
            .inputs()
            .iter()
            .map(|i| self.lift(i))
            .collect::<Option<_>>()?;
        if inputs.iter().all(|l| matches!(l, Lifted::Invariant(_))) {
            let outer: Vec<Var> = inputs.into_iter().map(invariant).collect();
            let op = v.op()?.clone();
            let outs = ok(Var::apply_arc(op, &outer, v.site().clone()))?;
            return Some(Lifted::Invariant(outs[v.index()].clone()));
        }
        let op = v.op()?.as_any();
        let stacked = if op.is::<Elemwise>() || op.is::<Composite>() {
            elementwise(v, &inputs)?
        } else if let Some(d) = op.downcast_ref::<DimShuffle>() {
            let mut pattern = vec![Some(0)];
            pattern.extend(d.pattern.iter().map(|p| p.map(|a| a + 1)));
            ok(try_dimshuffle(&stacked_of(&inputs[0])?, &pattern))?
        } else if let Some(r) = op.downcast_ref::<Reduce>() {
            let axes: Vec<i64> = r.axes.iter().map(|&a| a as i64 + 1).collect();
            let x = stacked_of(&inputs[0])?;
            ok(try_reduce(&x, r.kind, Axis::Some(axes), r.keepdims))?
        } else {
            let spec = contraction_of(v)?;
            self.contract(&spec, &inputs, true)?
        };
        Some(Lifted::Stacked(stacked))
    }

    /// `Σ_t v_t` over all steps, as one outer value.
    pub fn sum_over_steps(&mut self, v: &Var) -> Option<Var> {
        if let Some(spec) = contraction_of(v) {
            let inputs: Vec<Lifted> = v
                .inputs()
                .iter()
                .map(|i| self.lift(i))
                .collect::<Option<_>>()?;
            if inputs.iter().any(|l| matches!(l, Lifted::Stacked(_))) {
                return self.contract(&spec, &inputs, false);
            }
        }
        match self.lift(v)? {
            Lifted::Stacked(x) => ok(try_reduce(&x, ReduceKind::Sum, Axis::Some(vec![0]), false)),
            Lifted::Invariant(x) => Some(&x * &self.steps.cast(x.dtype())),
        }
    }

    /// The product `spec` of lifted operands, with the time axis first in
    /// the result (`keep_time`) or summed over. The einsum built keeps the
    /// operands' labels, so static-1 axes broadcast as in the original.
    fn contract(&self, spec: &Contraction, inputs: &[Lifted], keep_time: bool) -> Option<Var> {
        let time = spec.n_labels();
        let mut terms: Vec<(Vec<usize>, Var, bool)> = spec
            .operands
            .iter()
            .zip(inputs)
            .map(|(labels, l)| match l {
                Lifted::Invariant(x) => (labels.clone(), x.clone(), false),
                Lifted::Stacked(x) => {
                    let mut with_time = vec![time];
                    with_time.extend(labels);
                    (with_time, x.clone(), true)
                }
            })
            .collect();
        let mut output = spec.output.clone();
        if keep_time {
            output.insert(0, time);
        }
        let merged = merge_time(&mut terms, &mut output, time, keep_time)?;
        let operands: Vec<&Var> = terms.iter().map(|t| &t.1).collect();
        let text = subscripts(&terms, &output)?;
        let result = ok(try_einsum(&text, &operands))?;
        let Some(restore) = merged else {
            return Some(result);
        };
        let mut dims = vec![Dim::Var(restore.t), Dim::Var(restore.n)];
        for axis in 1..result.ndim() {
            dims.push(Dim::Var(ok(try_shape_i(&result, axis as i64))?));
        }
        let split = ok(try_reshape(&result, dims))?;
        let pattern: Vec<Option<usize>> = restore.back.iter().map(|&a| Some(a)).collect();
        ok(try_dimshuffle(&split, &pattern))
    }
}

/// Ops the lifter knows (their inputs are lifted first).
fn liftable_op(v: &Var) -> bool {
    let Some(op) = v.op() else { return false };
    let any = op.as_any();
    any.is::<Elemwise>()
        || any.is::<Composite>()
        || any.is::<DimShuffle>()
        || any.is::<Reduce>()
        || contraction_of(v).is_some()
}

/// The einsum form of a product node (`Dot` of any ranks, `Einsum`).
fn contraction_of(v: &Var) -> Option<Contraction> {
    let op = v.op()?.as_any();
    if op.is::<Dot>() {
        let ins = v.inputs();
        Some(Dot::contraction(ins[0].ndim(), ins[1].ndim()))
    } else {
        op.downcast_ref::<Einsum>().map(|e| e.spec.clone())
    }
}

fn invariant(l: Lifted) -> Var {
    match l {
        Lifted::Invariant(v) | Lifted::Stacked(v) => v,
    }
}

fn stacked_of(l: &Lifted) -> Option<Var> {
    match l {
        Lifted::Stacked(v) => Some(v.clone()),
        Lifted::Invariant(_) => None,
    }
}

/// An elementwise node over lifted inputs: every operand is brought to the
/// output's rank plus the time axis (invariant ones broadcast along it).
fn elementwise(v: &Var, inputs: &[Lifted]) -> Option<Var> {
    let rank = v.ndim();
    let aligned: Vec<Var> = inputs
        .iter()
        .map(|l| match l {
            Lifted::Stacked(x) => {
                let r = x.ndim() - 1;
                let mut pattern = vec![Some(0)];
                pattern.extend(std::iter::repeat_n(None, rank - r));
                pattern.extend((1..=r).map(Some));
                ok(try_dimshuffle(x, &pattern))
            }
            Lifted::Invariant(x) => {
                let mut pattern = vec![None; rank + 1 - x.ndim()];
                pattern.extend((0..x.ndim()).map(Some));
                ok(try_dimshuffle(x, &pattern))
            }
        })
        .collect::<Option<_>>()?;
    let op = v.op()?.clone();
    let outs = ok(Var::apply_arc(op, &aligned, v.site().clone()))?;
    Some(outs[v.index()].clone())
}

/// Merges the time label with a label `m` that every stacked operand
/// carries, no invariant operand does, and the output has exactly when
/// it keeps the time axis: each stacked operand is transposed to put `m`
/// right after the time axis (free when it already is) and reshaped to
/// `(T·n, ...)`. Returns how to restore the output (its time and `m`
/// sizes, and the axis order to go back to), or `Some(None)` when no
/// label qualifies.
#[allow(clippy::type_complexity)]
fn merge_time(
    terms: &mut [(Vec<usize>, Var, bool)],
    output: &mut Vec<usize>,
    time: usize,
    keep_time: bool,
) -> Option<Option<Restore>> {
    let first = terms.iter().find(|t| t.2)?.0.clone();
    let qualifies = |m: usize| {
        terms.iter().all(|t| t.0.contains(&m) == t.2) && output.contains(&m) == keep_time
    };
    let Some(m) = first.iter().copied().skip(1).find(|&m| qualifies(m)) else {
        return Some(None);
    };
    let mut sizes = None;
    for term in terms.iter_mut().filter(|t| t.2) {
        let mut order: Vec<usize> = vec![0, term.0.iter().position(|&l| l == m)?];
        order.extend((1..term.0.len()).filter(|&a| term.0[a] != m));
        let x = ok(try_dimshuffle(
            &term.1,
            &order.iter().map(|&a| Some(a)).collect::<Vec<_>>(),
        ))?;
        let (t, n) = (ok(try_shape_i(&x, 0))?, ok(try_shape_i(&x, 1))?);
        let mut dims = vec![Dim::Var(&t * &n)];
        for axis in 2..x.ndim() {
            dims.push(Dim::Var(ok(try_shape_i(&x, axis as i64))?));
        }
        term.1 = ok(try_reshape(&x, dims))?;
        term.0 = order[1..].iter().map(|&a| term.0[a]).collect();
        sizes.get_or_insert((t, n));
    }
    if !keep_time {
        return Some(None);
    }
    // The einsum writes (m, rest...); the caller reshapes to (t, m, rest...)
    // and transposes back to the requested order.
    let wanted = output.clone();
    let rest: Vec<usize> = wanted
        .iter()
        .copied()
        .filter(|&l| l != time && l != m)
        .collect();
    let mut split = vec![time, m];
    split.extend(&rest);
    *output = std::iter::once(m).chain(rest).collect();
    let back = wanted
        .iter()
        .map(|l| split.iter().position(|x| x == l))
        .collect::<Option<Vec<usize>>>()?;
    let (t, n) = sizes?;
    Some(Some(Restore { t, n, back }))
}

/// How to turn a merged product back into `(T, ...)` in the output order.
struct Restore {
    t: Var,
    n: Var,
    back: Vec<usize>,
}

/// The einsum text of labelled terms (`a-z`, then `A-Z`).
fn subscripts(terms: &[(Vec<usize>, Var, bool)], output: &[usize]) -> Option<String> {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let word = |labels: &[usize]| -> Option<String> {
        labels
            .iter()
            .map(|&l| LETTERS.get(l).map(|&c| c as char))
            .collect()
    };
    let inputs: Vec<String> = terms.iter().map(|t| word(&t.0)).collect::<Option<_>>()?;
    Some(format!("{}->{}", inputs.join(","), word(output)?))
}
