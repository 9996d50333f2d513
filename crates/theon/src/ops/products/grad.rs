//! Derivative rules of the products. Every product is a [`Contraction`],
//! and the gradient of a contraction with respect to one operand is
//! another contraction — an `einsum` of the output gradient with the other
//! operands, whose output carries that operand's labels:
//!
//! - a label repeated within the operand (a diagonal, `einsum("ii")`) gets
//!   a fresh label for each repeat, tied to the first by an identity
//!   matrix, so the gradient lands on the diagonal only;
//! - a label only that operand has (an axis summed away, `"ij->i"`) is
//!   supplied by a vector of ones, which broadcasts the gradient over it;
//! - an axis statically 1 that broadcast against a longer one (matmul's
//!   batch dims, einsum) is summed back to 1.
//!
//! Products are linear in each operand, so the pushforward is the sum of
//! the op applied with one operand replaced by its tangent.

use super::contraction::Contraction;
use super::einsum::try_einsum;
use crate::error::{Error, Result};
use crate::graph::{Grad, Op, Var};
use crate::ops::creation::{ones, try_eye, zeros_like};
use crate::ops::shape::{try_flatten, try_reshape, try_shape_i, try_specify_shape, Dim};

/// The einsum letter of a label id (`a-z`, then `A-Z`).
fn letter(label: usize) -> Result<char> {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    LETTERS.get(label).map(|&c| c as char).ok_or_else(|| {
        Error::grad(
            "einsum",
            format!("the gradient needs {label} labels; einsum has 52 letters"),
        )
    })
}

fn subscript(labels: &[usize]) -> Result<String> {
    labels.iter().map(|&l| letter(l)).collect()
}

/// `einsum` of labelled terms into `output` labels.
#[track_caller]
fn einsum_of(terms: &[(Vec<usize>, Var)], output: &[usize]) -> Result<Var> {
    let inputs: Vec<String> = terms
        .iter()
        .map(|(labels, _)| subscript(labels))
        .collect::<Result<_>>()?;
    let text = format!("{}->{}", inputs.join(","), subscript(output)?);
    let operands: Vec<&Var> = terms.iter().map(|(_, v)| v).collect();
    try_einsum(&text, &operands)
}

/// The pullback of a product given its einsum form: one gradient per
/// operand (see the module docs).
pub(super) fn contraction_pullback(
    spec: &Contraction,
    inputs: &[Var],
    g: &Var,
) -> Result<Vec<Grad>> {
    (0..inputs.len())
        .map(|i| operand_gradient(spec, inputs, g, i))
        .collect()
}

fn operand_gradient(spec: &Contraction, inputs: &[Var], g: &Var, i: usize) -> Result<Grad> {
    let x = &inputs[i];
    if !x.dtype().is_float() {
        return Ok(Grad::Value(zeros_like(x, None)));
    }
    let mut terms: Vec<(Vec<usize>, Var)> = vec![(spec.output.clone(), g.clone())];
    for (j, labels) in spec.operands.iter().enumerate() {
        if j != i {
            terms.push((labels.clone(), inputs[j].clone()));
        }
    }
    let mut next_label = spec.n_labels();
    let mut out_labels: Vec<usize> = Vec::with_capacity(x.ndim());
    for (axis, &label) in spec.operands[i].iter().enumerate() {
        if out_labels.contains(&label) {
            let n = try_shape_i(x, axis as i64)?;
            let identity = try_eye(&n, &n, 0i64, g.dtype())?;
            terms.push((vec![label, next_label], identity));
            out_labels.push(next_label);
            next_label += 1;
        } else {
            out_labels.push(label);
        }
    }
    for (axis, &label) in out_labels.iter().enumerate() {
        if !terms.iter().any(|(labels, _)| labels.contains(&label)) {
            let n = try_shape_i(x, axis as i64)?;
            terms.push((vec![label], ones(vec![Dim::Var(n)], g.dtype())));
        }
    }
    let gx = einsum_of(&terms, &out_labels)?;
    let broadcast: Vec<usize> = (0..x.ndim())
        .filter(|&a| x.ty().shape[a] == Some(1))
        .collect();
    Ok(Grad::Value(crate::grad::sum_to_static_one(
        &gx, &broadcast,
    )?))
}

/// `Σ_i op(..., t_i, ...)`: the pushforward of an op linear in each input.
pub(super) fn multilinear_pushforward<O: Op + Clone>(
    op: &O,
    inputs: &[Var],
    tangents: &[Option<Var>],
) -> Result<Vec<Option<Var>>> {
    let mut total: Option<Var> = None;
    for (i, t) in tangents.iter().enumerate() {
        let Some(t) = t else { continue };
        let mut args = inputs.to_vec();
        // A tangent typed more loosely than its input (an eval point with
        // no static size-1 dims) must still broadcast as the input does.
        args[i] = if t.ty().shape == inputs[i].ty().shape {
            t.clone()
        } else {
            try_specify_shape(t, &inputs[i].ty().shape)?
        };
        let term = Var::apply1(op.clone(), &args)?;
        total = Some(match total {
            None => term,
            Some(sum) => sum + term,
        });
    }
    Ok(vec![total])
}

/// `outer(a, b) = flat(a) ⊗ flat(b)`: `ga = g · flat(b)`, `gb = flat(a) · g`,
/// reshaped to the operands' shapes.
pub(super) fn outer_pullback(inputs: &[Var], g: &Var) -> Result<Vec<Grad>> {
    let (a, b) = (&inputs[0], &inputs[1]);
    let flat_a = try_flatten(a, 1)?;
    let flat_b = try_flatten(b, 1)?;
    let ga = super::try_dot(g, &flat_b)?;
    let gb = super::try_dot(&flat_a, g)?;
    Ok(vec![
        Grad::Value(try_reshape(&ga, a.shape())?),
        Grad::Value(try_reshape(&gb, b.shape())?),
    ])
}
