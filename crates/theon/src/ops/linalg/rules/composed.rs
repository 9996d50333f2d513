//! Rules of `norm` and `kron`, which differentiate as the graphs of simpler
//! ops they equal (as `Composite` does), and of `expm`, through the block
//! form of its Fréchet derivative `L(A, E)`:
//! `expm([[A, E], [0, A]]) = [[expm(A), L(A, E)], [0, expm(A)]]`, with
//! `dexpm = L(A, dA)` and `Ā = L(Aᵀ, Ḡ)`.

use super::{block, mt, zero_grad};
use crate::error::{Error, Result};
use crate::grad::{lop, rop};
use crate::graph::{Grad, Var};
use crate::ops::creation::zeros_like;
use crate::ops::elemwise::{abs, pow, sqrt};
use crate::ops::indexing::IntArg;
use crate::ops::linalg::decomp::svd;
use crate::ops::linalg::expm::{expm, Expm};
use crate::ops::linalg::kron::Kron;
use crate::ops::linalg::norm::{Norm, NormOrd};
use crate::ops::reduce::{try_reduce, ReduceKind};
use crate::ops::shape::{try_concatenate, try_dimshuffle, try_reshape, try_shape_i, Dim};

/// The pullback of `expr` (a graph equal to an op's output) with respect
/// to the float `inputs`; others get zeros.
fn pullback_through(expr: &Var, inputs: &[Var], g: &Var) -> Result<Vec<Grad>> {
    let wrt: Vec<Var> = inputs
        .iter()
        .filter(|x| x.dtype().is_float())
        .cloned()
        .collect();
    let mut grads = lop(std::slice::from_ref(expr), &wrt, std::slice::from_ref(g))?.into_iter();
    Ok(inputs
        .iter()
        .map(|x| match x.dtype().is_float() {
            true => Grad::Value(grads.next().expect("one per float input")),
            false => zero_grad(x),
        })
        .collect())
}

/// The pushforward of `expr` for the inputs that have tangents.
fn pushforward_through(
    expr: &Var,
    inputs: &[Var],
    tangents: &[Option<Var>],
) -> Result<Option<Var>> {
    let (wrt, points): (Vec<Var>, Vec<Var>) = inputs
        .iter()
        .zip(tangents)
        .filter_map(|(x, t)| t.clone().map(|t| (x.clone(), t)))
        .unzip();
    if wrt.is_empty() {
        return Ok(None);
    }
    Ok(Some(
        rop(std::slice::from_ref(expr), &wrt, &points)?.remove(0),
    ))
}

impl Norm {
    /// The norm as a graph of elementwise ops, reductions and (for the
    /// spectral norms) singular values.
    fn expression(&self, x: &Var, dtype: crate::DType) -> Result<Var> {
        let x = x.cast(dtype);
        let axes: Vec<i64> = self.axes.iter().map(|&a| a as i64).collect();
        if self.ord == NormOrd::Default {
            return Ok(sqrt(try_reduce(
                &(&x * &x),
                ReduceKind::Sum,
                axes,
                self.keepdims,
            )?));
        }
        if self.axes.len() == 1 {
            let reduce = |v: &Var, kind| try_reduce(v, kind, axes.clone(), self.keepdims);
            return match self.ord {
                NormOrd::Inf => reduce(&abs(&x), ReduceKind::Max),
                NormOrd::NegInf => reduce(&abs(&x), ReduceKind::Min),
                NormOrd::P(p) if p.0 == 1.0 => reduce(&abs(&x), ReduceKind::Sum),
                NormOrd::P(p) if p.0 == 2.0 => Ok(sqrt(reduce(&(&x * &x), ReduceKind::Sum)?)),
                NormOrd::P(p) => Ok(pow(reduce(&pow(abs(&x), p.0), ReduceKind::Sum)?, 1.0 / p.0)),
                _ => Err(Error::grad(
                    self.rule_name(),
                    "invalid order for a vector norm",
                )),
            };
        }
        let value = self.matrix_expression(&x)?;
        match self.keepdims {
            false => Ok(value),
            true => {
                let mut kept = 0..;
                let pattern: Vec<Option<usize>> = (0..x.ndim())
                    .map(|a| (!self.axes.contains(&a)).then(|| kept.next().expect("unbounded")))
                    .collect();
                try_dimshuffle(&value, &pattern)
            }
        }
    }

    /// A matrix norm over rows `axes[0]` and columns `axes[1]`, moved last.
    fn matrix_expression(&self, x: &Var) -> Result<Var> {
        let mut order: Vec<usize> = (0..x.ndim()).filter(|a| !self.axes.contains(a)).collect();
        order.extend(&self.axes);
        let y = try_dimshuffle(x, &order.into_iter().map(Some).collect::<Vec<_>>())?;
        let along = |v: &Var, kind, axis: i64| try_reduce(v, kind, axis, false);
        let singular = || svd(&y, false, false).remove(0);
        let abs_sums = |axis| along(&abs(&y), ReduceKind::Sum, axis);
        match self.ord {
            NormOrd::Fro => Ok(sqrt(try_reduce(
                &(&y * &y),
                ReduceKind::Sum,
                vec![-2i64, -1],
                false,
            )?)),
            NormOrd::Nuc => along(&singular(), ReduceKind::Sum, -1),
            NormOrd::Inf => along(&abs_sums(-1)?, ReduceKind::Max, -1),
            NormOrd::NegInf => along(&abs_sums(-1)?, ReduceKind::Min, -1),
            NormOrd::P(p) if p.0 == 1.0 => along(&abs_sums(-2)?, ReduceKind::Max, -1),
            NormOrd::P(p) if p.0 == -1.0 => along(&abs_sums(-2)?, ReduceKind::Min, -1),
            NormOrd::P(p) if p.0 == 2.0 => along(&singular(), ReduceKind::Max, -1),
            NormOrd::P(p) if p.0 == -2.0 => along(&singular(), ReduceKind::Min, -1),
            _ => Err(Error::grad(
                self.rule_name(),
                "invalid order for a matrix norm",
            )),
        }
    }

    fn rule_name(&self) -> String {
        crate::graph::Op::name(self)
    }

    /// Whether the norm counts non-zeros (`ord=0`): piecewise constant.
    fn counts(&self) -> bool {
        self.axes.len() == 1 && self.ord == NormOrd::p(0.0)
    }

    pub(in crate::ops::linalg) fn norm_pullback(
        &self,
        x: &Var,
        out: &Var,
        g: &Var,
    ) -> Result<Vec<Grad>> {
        if !x.dtype().is_float() || self.counts() {
            return Ok(vec![zero_grad(x)]);
        }
        pullback_through(
            &self.expression(x, out.dtype())?,
            std::slice::from_ref(x),
            g,
        )
    }

    pub(in crate::ops::linalg) fn norm_pushforward(
        &self,
        x: &Var,
        out: &Var,
        t: &Var,
    ) -> Result<Var> {
        if self.counts() {
            return Ok(zeros_like(out, None));
        }
        let expr = self.expression(x, out.dtype())?;
        Ok(
            pushforward_through(&expr, std::slice::from_ref(x), &[Some(t.clone())])?
                .expect("one tangent"),
        )
    }
}

impl Kron {
    /// `kron(a, b)` as `reshape(a[i, None, j, None, ..] * b[None, k, None, l, ..])`,
    /// both padded to a common rank with leading 1s.
    fn expression(a: &Var, b: &Var) -> Result<Var> {
        let nd = a.ndim().max(b.ndim());
        let spread = |x: &Var, first: bool| {
            let pad = nd - x.ndim();
            let pattern: Vec<Option<usize>> = (0..nd)
                .flat_map(|d| {
                    let own = (d >= pad).then(|| d - pad);
                    match first {
                        true => [own, None],
                        false => [None, own],
                    }
                })
                .collect();
            try_dimshuffle(x, &pattern)
        };
        let product = spread(a, true)? * spread(b, false)?;
        let dim = |x: &Var, d: usize| -> Result<Dim> {
            let pad = nd - x.ndim();
            Ok(match d >= pad {
                true => Dim::Var(try_shape_i(x, (d - pad) as i64)?),
                false => Dim::Const(1),
            })
        };
        let dims = (0..nd)
            .map(|d| {
                Ok(match (dim(a, d)?, dim(b, d)?) {
                    (Dim::Var(p), Dim::Var(q)) => Dim::Var(p * q),
                    (Dim::Var(p), _) | (_, Dim::Var(p)) => Dim::Var(p),
                    _ => Dim::Const(1),
                })
            })
            .collect::<Result<Vec<Dim>>>()?;
        try_reshape(&product, dims)
    }

    pub(in crate::ops::linalg) fn kron_pullback(
        &self,
        inputs: &[Var],
        g: &Var,
    ) -> Result<Vec<Grad>> {
        if !inputs.iter().any(|x| x.dtype().is_float()) {
            return Ok(inputs.iter().map(zero_grad).collect());
        }
        pullback_through(&Self::expression(&inputs[0], &inputs[1])?, inputs, g)
    }

    pub(in crate::ops::linalg) fn kron_pushforward(
        &self,
        inputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Option<Var>> {
        pushforward_through(&Self::expression(&inputs[0], &inputs[1])?, inputs, tangents)
    }
}

impl Expm {
    /// The Fréchet derivative `L(x, e)`: the top-right block of
    /// `expm([[x, e], [0, x]])`.
    fn frechet(x: &Var, e: &Var) -> Result<Var> {
        let zero = zeros_like(x, None);
        let top = try_concatenate(&[x.clone(), e.cast(x.dtype())], -1)?;
        let bottom = try_concatenate(&[zero, x.clone()], -1)?;
        let big = expm(&try_concatenate(&[top, bottom], -2)?);
        let n = IntArg::Var(try_shape_i(x, -1)?);
        block(&big, (None, Some(n.clone())), (Some(n), None))
    }

    pub(in crate::ops::linalg) fn expm_pullback(&self, a: &Var, g: &Var) -> Result<Vec<Grad>> {
        if !a.dtype().is_float() {
            return Ok(vec![zero_grad(a)]);
        }
        Ok(vec![Grad::Value(Self::frechet(&mt(a)?, g)?)])
    }

    pub(in crate::ops::linalg) fn expm_pushforward(&self, a: &Var, t: &Var) -> Result<Var> {
        Self::frechet(a, t)
    }
}
