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
use std::collections::HashMap;

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
            steps,
            export,
        }
    }

    /// `v` lifted, or `None` when it can be neither lifted nor exported.
    pub fn lift(&mut self, v: &Var) -> Option<Lifted> {
        if let Some(known) = self.known.get(&v.key()) {
            return known.clone();
        }
        let lifted = match &v.node().kind {
            NodeKind::Constant(_) => Some(Lifted::Invariant(v.clone())),
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
        match merged {
            Some((t, rows)) if keep_time => {
                let mut dims = vec![Dim::Var(t), Dim::Var(rows)];
                for axis in 1..result.ndim() {
                    dims.push(Dim::Var(ok(try_shape_i(&result, axis as i64))?));
                }
                ok(try_reshape(&result, dims))
            }
            _ => Some(result),
        }
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

/// Merges the time label into the label after it when only stacked
/// operands carry that label, always right after the time label, and the
/// output has both adjacent at its front (`keep_time`) or neither: each
/// stacked operand is reshaped to `(T·n, ...)`. Returns `(T, n)` when
/// merged (to split the result again), `Some(None)` when left as is.
#[allow(clippy::type_complexity)]
fn merge_time(
    terms: &mut [(Vec<usize>, Var, bool)],
    output: &mut Vec<usize>,
    time: usize,
    keep_time: bool,
) -> Option<Option<(Var, Var)>> {
    let stacked: Vec<&(Vec<usize>, Var, bool)> = terms.iter().filter(|t| t.2).collect();
    let Some(next) = stacked[0].0.get(1).copied() else {
        return Some(None);
    };
    let in_stacked_after_time = stacked.iter().all(|t| t.0.get(1) == Some(&next));
    let in_invariant = terms.iter().any(|t| !t.2 && t.0.contains(&next));
    let out_ok = if keep_time {
        output.len() >= 2 && output[0] == time && output[1] == next
    } else {
        !output.contains(&next)
    };
    if !in_stacked_after_time || in_invariant || !out_ok {
        return Some(None);
    }
    let first = stacked[0].1.clone();
    let t = ok(try_shape_i(&first, 0))?;
    let n = ok(try_shape_i(&first, 1))?;
    for term in terms.iter_mut().filter(|t| t.2) {
        let x = &term.1;
        let mut dims = vec![Dim::Var(ok(try_shape_i(x, 0))? * ok(try_shape_i(x, 1))?)];
        for axis in 2..x.ndim() {
            dims.push(Dim::Var(ok(try_shape_i(x, axis as i64))?));
        }
        term.1 = ok(try_reshape(x, dims))?;
        term.0.remove(0);
    }
    if keep_time {
        output.remove(0);
    }
    Some(Some((t, n)))
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
