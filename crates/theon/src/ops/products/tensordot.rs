//! `TensorDot` (NumPy's `tensordot`) and its per-batch forms `BatchedDot`
//! and `BatchedTensorDot` (Theano's `batched_dot`, `batched_tensordot`):
//! axis 0 of both operands is a batch axis, and each batch element is
//! multiplied with `dot` / `tensordot`.

use super::contraction::Contraction;
use super::dot::dot_labels;
use super::product_dtype;
use crate::error::{normalize_axis, Error, Result, Site};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::tensor::Tensor;

/// Which axes `tensordot` sums: the last `n` of `a` with the first `n` of
/// `b`, or explicit pairs `(a_axes, b_axes)` (negative axes allowed).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TensorDotAxes {
    Count(i64),
    Pairs(Vec<i64>, Vec<i64>),
}

impl From<i64> for TensorDotAxes {
    fn from(n: i64) -> Self {
        TensorDotAxes::Count(n)
    }
}
impl From<i32> for TensorDotAxes {
    fn from(n: i32) -> Self {
        TensorDotAxes::Count(n as i64)
    }
}
impl From<usize> for TensorDotAxes {
    fn from(n: usize) -> Self {
        TensorDotAxes::Count(n as i64)
    }
}
impl From<(Vec<i64>, Vec<i64>)> for TensorDotAxes {
    fn from((a, b): (Vec<i64>, Vec<i64>)) -> Self {
        TensorDotAxes::Pairs(a, b)
    }
}
impl<const N: usize, const M: usize> From<([i64; N], [i64; M])> for TensorDotAxes {
    fn from((a, b): ([i64; N], [i64; M])) -> Self {
        TensorDotAxes::Pairs(a.to_vec(), b.to_vec())
    }
}

impl TensorDotAxes {
    /// Non-negative summed axes of `a` and `b` for ranks `na`, `nb`; with
    /// `batched`, axis 0 is the batch axis and may not be summed, and a
    /// count pairs the last `n` axes of `a` with axes `1..=n` of `b`.
    pub fn resolve(
        &self,
        op: &str,
        na: usize,
        nb: usize,
        batched: bool,
    ) -> Result<(Vec<usize>, Vec<usize>)> {
        let skip = batched as usize;
        let (a, b) = match self {
            TensorDotAxes::Count(n) => {
                let max = na.min(nb) - skip.min(na.min(nb));
                if *n < 0 || *n as usize > max {
                    return Err(Error::value(
                        op,
                        format!("cannot sum over {n} axes of operands of ranks {na} and {nb} (at most {max})"),
                    ));
                }
                let n = *n as usize;
                ((na - n..na).collect(), (skip..skip + n).collect())
            }
            TensorDotAxes::Pairs(a, b) => {
                if a.len() != b.len() {
                    return Err(Error::value(
                        op,
                        format!("axes {a:?} and {b:?} must have the same length"),
                    ));
                }
                (normalize_all(op, a, na)?, normalize_all(op, b, nb)?)
            }
        };
        for (axes, which) in [(&a, 0), (&b, 1)] {
            if batched && axes.contains(&0) {
                return Err(Error::value(
                    op,
                    format!("axis 0 of input {which} is the batch axis and cannot be summed"),
                ));
            }
        }
        Ok((a, b))
    }
}

fn normalize_all(op: &str, axes: &[i64], ndim: usize) -> Result<Vec<usize>> {
    let out: Vec<usize> = axes
        .iter()
        .map(|&a| normalize_axis(op, a, ndim))
        .collect::<Result<_>>()?;
    let mut sorted = out.clone();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.len() != out.len() {
        return Err(Error::value(op, format!("axes {axes:?} repeat an axis")));
    }
    Ok(out)
}

/// Einsum form of a (batched) tensordot: axis `b_axes[i]` of `b` shares
/// the label of axis `a_axes[i]` of `a`; with `batched`, axis 0 of both
/// shares label 0, which leads the output.
fn tensordot_contraction(
    na: usize,
    nb: usize,
    a_axes: &[usize],
    b_axes: &[usize],
    batched: bool,
) -> Contraction {
    let a: Vec<usize> = (0..na).collect();
    let mut b: Vec<usize> = (na..na + nb).collect();
    for (&i, &j) in a_axes.iter().zip(b_axes) {
        b[j] = a[i];
    }
    if batched {
        b[0] = a[0];
    }
    let a_free = (0..na).filter(|i| !a_axes.contains(i)).map(|i| a[i]);
    let b_free = (batched as usize..nb)
        .filter(|j| !b_axes.contains(j))
        .map(|j| b[j]);
    let output = a_free.chain(b_free).collect();
    Contraction {
        operands: vec![a, b],
        output,
        broadcast: vec![false; na + nb],
    }
}

/// NumPy's `tensordot` with resolved, non-negative axes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TensorDot {
    pub a_axes: Vec<usize>,
    pub b_axes: Vec<usize>,
}

/// Theano's `batched_tensordot`: `tensordot` of each pair of batch elements;
/// axes index the full operands (axis 0 is the batch and is never summed).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BatchedTensorDot {
    pub a_axes: Vec<usize>,
    pub b_axes: Vec<usize>,
}

/// Theano's `batched_dot`: `out[i] = dot(a[i], b[i])` for every `i` along
/// axis 0 (both operands have rank ≥ 1; the batch sizes must agree).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BatchedDot;

impl BatchedDot {
    /// Einsum form: label 0 is the batch; each element is an `np.dot`.
    pub fn contraction(na: usize, nb: usize) -> Contraction {
        let (a, b, out, n) = dot_labels(na - 1, nb - 1, 1);
        let prepend = |labels: Vec<usize>| std::iter::once(0).chain(labels).collect();
        Contraction {
            operands: vec![prepend(a), prepend(b)],
            output: prepend(out),
            broadcast: vec![false; n],
        }
    }
}

fn axes_text(axes: &[usize]) -> String {
    let parts: Vec<String> = axes.iter().map(|a| a.to_string()).collect();
    parts.join(",")
}

/// The type rule of a product given its einsum form.
fn contraction_types(
    op: &str,
    spec: Result<Contraction>,
    inputs: &[TensorType],
) -> Result<Vec<TensorType>> {
    let dtype = product_dtype(op, inputs)?;
    let shape = spec?.output_shape_static(op, inputs)?;
    Ok(vec![TensorType::new(dtype, shape)])
}

/// The reference kernel of a product given its einsum form.
fn contraction_perform(
    op: &str,
    spec: Result<Contraction>,
    inputs: &[Tensor],
    ctx: &PerformCtx,
) -> Result<Vec<Tensor>> {
    Ok(vec![spec?.evaluate(
        op,
        inputs,
        ctx.input_types,
        ctx.output_types[0].dtype,
    )?])
}

/// The ranks of the two operands (0 for a missing one; `product_dtype`
/// reports a wrong operand count).
fn ranks<T>(inputs: &[T], ndim: impl Fn(&T) -> usize) -> (usize, usize) {
    let rank = |i: usize| inputs.get(i).map_or(0, &ndim);
    (rank(0), rank(1))
}

impl TensorDot {
    fn spec(&self, na: usize, nb: usize) -> Result<Contraction> {
        check_axes(&self.name(), &self.a_axes, &self.b_axes, na, nb)?;
        Ok(tensordot_contraction(
            na,
            nb,
            &self.a_axes,
            &self.b_axes,
            false,
        ))
    }
}

impl Op for TensorDot {
    fn name(&self) -> String {
        format!(
            "tensordot{{axes=([{}], [{}])}}",
            axes_text(&self.a_axes),
            axes_text(&self.b_axes)
        )
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let (na, nb) = ranks(inputs, TensorType::ndim);
        contraction_types(&self.name(), self.spec(na, nb), inputs)
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let (na, nb) = ranks(inputs, Tensor::ndim);
        contraction_perform(&self.name(), self.spec(na, nb), inputs, ctx)
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        let spec = self.spec(inputs[0].ndim(), inputs[1].ndim())?;
        super::grad::contraction_pullback(&spec, inputs, &output_grads[0])
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        super::grad::multilinear_pushforward(self, inputs, tangents)
    }
}

impl BatchedTensorDot {
    fn spec(&self, na: usize, nb: usize) -> Result<Contraction> {
        check_batched(&self.name(), na, nb)?;
        check_axes(&self.name(), &self.a_axes, &self.b_axes, na, nb)?;
        if self.a_axes.contains(&0) || self.b_axes.contains(&0) {
            return Err(Error::value(
                self.name(),
                "axis 0 is the batch axis and cannot be summed",
            ));
        }
        Ok(tensordot_contraction(
            na,
            nb,
            &self.a_axes,
            &self.b_axes,
            true,
        ))
    }
}

impl Op for BatchedTensorDot {
    fn name(&self) -> String {
        format!(
            "batched_tensordot{{axes=([{}], [{}])}}",
            axes_text(&self.a_axes),
            axes_text(&self.b_axes)
        )
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let (na, nb) = ranks(inputs, TensorType::ndim);
        contraction_types(&self.name(), self.spec(na, nb), inputs)
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let (na, nb) = ranks(inputs, Tensor::ndim);
        contraction_perform(&self.name(), self.spec(na, nb), inputs, ctx)
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        let spec = self.spec(inputs[0].ndim(), inputs[1].ndim())?;
        super::grad::contraction_pullback(&spec, inputs, &output_grads[0])
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        super::grad::multilinear_pushforward(self, inputs, tangents)
    }
}

impl Op for BatchedDot {
    fn name(&self) -> String {
        "batched_dot".into()
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let (na, nb) = ranks(inputs, TensorType::ndim);
        let spec = check_batched(&self.name(), na, nb).map(|_| BatchedDot::contraction(na, nb));
        contraction_types(&self.name(), spec, inputs)
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let (na, nb) = ranks(inputs, Tensor::ndim);
        let spec = check_batched(&self.name(), na, nb).map(|_| BatchedDot::contraction(na, nb));
        contraction_perform(&self.name(), spec, inputs, ctx)
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        let spec = BatchedDot::contraction(inputs[0].ndim(), inputs[1].ndim());
        super::grad::contraction_pullback(&spec, inputs, &output_grads[0])
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        super::grad::multilinear_pushforward(self, inputs, tangents)
    }
}

/// The op's stored axes must fit the operands it is applied to.
fn check_axes(op: &str, a_axes: &[usize], b_axes: &[usize], na: usize, nb: usize) -> Result<()> {
    let as_i64 = |v: &[usize]| v.iter().map(|&a| a as i64).collect::<Vec<_>>();
    normalize_all(op, &as_i64(a_axes), na)?;
    normalize_all(op, &as_i64(b_axes), nb)?;
    if a_axes.len() != b_axes.len() {
        return Err(Error::value(
            op,
            "a_axes and b_axes must have the same length",
        ));
    }
    Ok(())
}

fn check_batched(op: &str, na: usize, nb: usize) -> Result<()> {
    for (i, n) in [na, nb].into_iter().enumerate() {
        if n == 0 {
            return Err(Error::value(
                op,
                format!("input {i} is a scalar; it needs a batch axis (rank >= 1)"),
            ));
        }
    }
    Ok(())
}

/// `tensordot(a, b, axes)`, or the error (bad axes, sizes that differ).
#[track_caller]
pub fn try_tensordot(a: &Var, b: &Var, axes: impl Into<TensorDotAxes>) -> Result<Var> {
    let site = Site::caller();
    let (a_axes, b_axes) = axes
        .into()
        .resolve("tensordot", a.ndim(), b.ndim(), false)
        .map_err(|e| e.at(&site))?;
    Var::apply1(TensorDot { a_axes, b_axes }, &[a.clone(), b.clone()])
}

/// NumPy's `tensordot`: sums `a` and `b` over paired axes; the result has
/// `a`'s free axes followed by `b`'s.
#[track_caller]
pub fn tensordot(a: &Var, b: &Var, axes: impl Into<TensorDotAxes>) -> Var {
    try_tensordot(a, b, axes).unwrap_or_else(|e| panic!("{e}"))
}

/// `batched_tensordot(a, b, axes)`, or the error.
#[track_caller]
pub fn try_batched_tensordot(a: &Var, b: &Var, axes: impl Into<TensorDotAxes>) -> Result<Var> {
    let site = Site::caller();
    let op = "batched_tensordot";
    if a.ndim() == 0 || b.ndim() == 0 {
        return Err(check_batched(op, a.ndim(), b.ndim()).unwrap_err().at(&site));
    }
    let (a_axes, b_axes) = axes
        .into()
        .resolve(op, a.ndim(), b.ndim(), true)
        .map_err(|e| e.at(&site))?;
    Var::apply1(BatchedTensorDot { a_axes, b_axes }, &[a.clone(), b.clone()])
}

/// Theano's `batched_tensordot`: `out[i] = tensordot(a[i], b[i], axes)`
/// with axes counted on the full operands (an integer `n` sums the last
/// `n` axes of `a` with axes `1..=n` of `b`).
#[track_caller]
pub fn batched_tensordot(a: &Var, b: &Var, axes: impl Into<TensorDotAxes>) -> Var {
    try_batched_tensordot(a, b, axes).unwrap_or_else(|e| panic!("{e}"))
}

/// `batched_dot(a, b)`, or the error.
#[track_caller]
pub fn try_batched_dot(a: &Var, b: &Var) -> Result<Var> {
    Var::apply1(BatchedDot, &[a.clone(), b.clone()])
}

/// Theano's `batched_dot`: `out[i] = dot(a[i], b[i])` along axis 0.
#[track_caller]
pub fn batched_dot(a: &Var, b: &Var) -> Var {
    try_batched_dot(a, b).unwrap_or_else(|e| panic!("{e}"))
}
