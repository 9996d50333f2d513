//! Specialize rules for products: `sum(x * y)` over two vectors -> `dot`,
//! and `dot` + scale + add patterns -> `Gemm` / `Gemv` / `Ger` with
//! `alpha`/`beta`:
//!
//! - `b*z + a*dot(x, y)`, `z - a*dot(x, y)`, `z + dot(x, y)`, ... with `x`,
//!   `y` matrices -> `gemm(z, a, x, y, b)`; with `y` a vector -> `gemv`;
//! - `z + a*outer(x, y)` -> `ger(z, a, x, y)`;
//! - a two-matrix `einsum` that is a matrix product up to transposes
//!   (`ad,ab->bd` = xᵀ·y, what `grad` makes of a weight gradient) counts
//!   as a `dot` of transposed views, so `w - lr * xᵀ·g` becomes one gemm.
//!
//! `z` must already have the result's shape (a broadcast bias stays an
//! add), every operand the result's float dtype, and the scales be scalars.

use super::super::engine::{Rule, Tracks};
use super::super::fgraph::{FunctionGraph, NodeId, VarId};
use super::{elemwise, if_same_type, scalar_op};
use crate::graph::Op;
use crate::ops::elemwise::{BinaryOp, ScalarOp, UnaryOp};
use crate::ops::products::{Dot, Einsum, Gemm, Gemv, Ger, Outer};
use crate::ops::reduce::{Reduce, ReduceKind};
use crate::ops::shape::DimShuffle;
use crate::tensor::Tensor;
use std::sync::Arc;

const TAGS: &[&str] = &["specialize", "fast_run"];
const ADD: ScalarOp = ScalarOp::Binary(BinaryOp::Add);
const SUB: ScalarOp = ScalarOp::Binary(BinaryOp::Sub);
const MUL: ScalarOp = ScalarOp::Binary(BinaryOp::Mul);

pub fn rules() -> Vec<Rule> {
    vec![
        Rule::new(
            "sum_mul_to_dot",
            TAGS,
            Tracks::op::<Reduce>(),
            sum_mul_to_dot,
        ),
        Rule::new("gemm", TAGS, Tracks::Scalar(ADD), gemm),
        Rule::new("gemm_sub", TAGS, Tracks::Scalar(SUB), gemm),
    ]
}

/// `sum(x * y)` over the only axis of two float vectors of one dtype and
/// length -> `dot(x, y)`.
fn sum_mul_to_dot(fg: &mut FunctionGraph, node: NodeId) -> Option<Vec<VarId>> {
    let r = fg.op_as::<Reduce>(node)?;
    if r.kind != ReduceKind::Sum || r.keepdims || r.axes != [0] {
        return None;
    }
    let p = fg.node_inputs(node)[0];
    if scalar_op(fg, p) != Some(MUL) {
        return None;
    }
    let (x, y) = (fg.node_inputs(p.node)[0], fg.node_inputs(p.node)[1]);
    let (tx, ty) = (fg.ty(x), fg.ty(y));
    let dtype = fg.ty(node.out(0)).dtype;
    let vectors = tx.ndim() == 1 && ty.ndim() == 1;
    // A static 1 would broadcast in the product but not in a dot.
    if !vectors || tx != ty || tx.shape[0] == Some(1) || tx.dtype != dtype || !dtype.is_float() {
        return None;
    }
    let new = fg.apply1(Dot, &[x, y]).ok()?;
    if_same_type(fg, node.out(0), new)
}

/// A term of an add: `scale * core` (the scale `None` when it is 1).
struct Term {
    scale: Option<VarId>,
    core: VarId,
}

/// Splits `v` into a rank-0 scale and the rest: `mul(s, c)` / `mul(c, s)`
/// with `s` a scalar (rank 0, or every dim statically 1), or `neg(c)`.
fn split_scale(fg: &mut FunctionGraph, v: VarId) -> Term {
    if scalar_op(fg, v) == Some(MUL) {
        let ins = fg.node_inputs(v.node).to_vec();
        for (s, c) in [(ins[0], ins[1]), (ins[1], ins[0])] {
            if fg.ty(c).ndim() > 0 {
                if let Some(s0) = as_rank0(fg, s) {
                    return Term {
                        scale: Some(s0),
                        core: c,
                    };
                }
            }
        }
    }
    if scalar_op(fg, v) == Some(ScalarOp::Unary(UnaryOp::Neg)) {
        let c = fg.node_inputs(v.node)[0];
        let minus_one = fg.constant(Tensor::full(fg.ty(v).dtype, &[], -1.0));
        return Term {
            scale: Some(minus_one),
            core: c,
        };
    }
    Term {
        scale: None,
        core: v,
    }
}

/// `s` as a rank-0 variable when all its dims are statically 1.
fn as_rank0(fg: &mut FunctionGraph, s: VarId) -> Option<VarId> {
    let ty = fg.ty(s).clone();
    if ty.ndim() == 0 {
        return Some(s);
    }
    if ty.shape.iter().any(|d| *d != Some(1)) {
        return None;
    }
    if let Some(t) = fg.constant_value(s) {
        let value = t.reshape(&[]).ok()?;
        return Some(fg.constant(value.contiguous()));
    }
    let drop_all = DimShuffle {
        input_ndim: ty.ndim(),
        pattern: vec![],
    };
    fg.apply1(drop_all, &[s]).ok()
}

/// Which BLAS op a product core becomes, with its two operands.
fn blas_core(fg: &mut FunctionGraph, core: VarId) -> Option<(Arc<dyn Op>, VarId, VarId)> {
    if fg.producer_as::<Einsum>(core).is_some() {
        let (x, y) = einsum_matmul(fg, core)?;
        return Some((Arc::new(Gemm), x, y));
    }
    let ins = fg.node_inputs(core.node);
    let ranks = |a: VarId, b: VarId| (fg.ty(a).ndim(), fg.ty(b).ndim());
    if fg.producer_as::<Dot>(core).is_some() {
        return match ranks(ins[0], ins[1]) {
            (2, 2) => Some((Arc::new(Gemm), ins[0], ins[1])),
            (2, 1) => Some((Arc::new(Gemv), ins[0], ins[1])),
            _ => None,
        };
    }
    if fg.producer_as::<Outer>(core).is_some() && ranks(ins[0], ins[1]) == (1, 1) {
        return Some((Arc::new(Ger), ins[0], ins[1]));
    }
    None
}

/// `(x, y)` with `x·y` equal to the einsum producing `core`, when that
/// einsum multiplies two matrices: one label contracted, one free label
/// per operand, no axis statically 1 (which could broadcast). Operands whose labels run the other way
/// are transposed (a view; the gemm kernel reads any strides in place).
fn einsum_matmul(fg: &mut FunctionGraph, core: VarId) -> Option<(VarId, VarId)> {
    let spec = fg.producer_as::<Einsum>(core)?.spec.clone();
    let ins = fg.node_inputs(core.node).to_vec();
    let [a, b] = spec.operands.as_slice() else {
        return None;
    };
    let (&[a0, a1], &[b0, b1], &[o0, o1]) = (a.as_slice(), b.as_slice(), spec.output.as_slice())
    else {
        return None;
    };
    // Einsum lets a statically-1 axis broadcast against its label's size;
    // a gemm does not.
    let static_one = ins.iter().any(|&v| fg.ty(v).shape.contains(&Some(1)));
    if ins.len() != 2 || static_one || a0 == a1 || b0 == b1 {
        return None;
    }
    // The contracted label: in both operands, not in the output.
    let k = [a0, a1]
        .into_iter()
        .find(|l| (*l == b0 || *l == b1) && *l != o0 && *l != o1)?;
    let (m, n) = (if a0 == k { a1 } else { a0 }, if b0 == k { b1 } else { b0 });
    if m == n {
        return None;
    }
    // out = x·y with x laid out (m, k) and y (k, n), or out = (x·y)ᵀ =
    // yᵀ·xᵀ with yᵀ laid out (n, k) and xᵀ (k, m).
    let (left, right) = if (o0, o1) == (m, n) {
        ((ins[0], a0 == m), (ins[1], b0 == k))
    } else if (o0, o1) == (n, m) {
        ((ins[1], b0 == n), (ins[0], a0 == k))
    } else {
        return None;
    };
    let laid = |fg: &mut FunctionGraph, (v, as_is): (VarId, bool)| {
        if as_is {
            Some(v)
        } else {
            transpose(fg, v)
        }
    };
    Some((laid(fg, left)?, laid(fg, right)?))
}

/// The transpose of a matrix, as a dimshuffle (a view).
fn transpose(fg: &mut FunctionGraph, v: VarId) -> Option<VarId> {
    let swap = DimShuffle {
        input_ndim: 2,
        pattern: vec![Some(1), Some(0)],
    };
    fg.apply1(swap, &[v]).ok()
}

/// The scale as a rank-0 value of `dtype` (1 when absent), negated if asked.
fn scale_value(
    fg: &mut FunctionGraph,
    scale: Option<VarId>,
    negate: bool,
    dtype: crate::DType,
) -> Option<VarId> {
    let mut s = match scale {
        Some(s) if fg.ty(s).dtype == dtype => s,
        Some(s) => elemwise(fg, ScalarOp::Cast(dtype), &[s])?,
        None => fg.constant(Tensor::full(dtype, &[], 1.0)),
    };
    if negate {
        s = elemwise(fg, ScalarOp::Unary(UnaryOp::Neg), &[s])?;
    }
    Some(s)
}

/// `z ± a*dot(x, y)` and its variants -> gemm / gemv / ger.
fn gemm(fg: &mut FunctionGraph, node: NodeId) -> Option<Vec<VarId>> {
    let out = node.out(0);
    let dtype = fg.ty(out).dtype;
    if !dtype.is_float() {
        return None;
    }
    let is_sub = scalar_op(fg, out) == Some(SUB);
    let ins = fg.node_inputs(node).to_vec();
    let (left, right) = (split_scale(fg, ins[0]), split_scale(fg, ins[1]));
    // Try the product on the right, then on the left.
    for (prod, z, prod_negated, z_negated) in [
        (&right, &left, is_sub, false),
        (&left, &right, false, is_sub),
    ] {
        let Some((op, x, y)) = blas_core(fg, prod.core) else {
            continue;
        };
        let zv = z.core;
        let z_fits = fg.ty(zv).ndim() == fg.ty(out).ndim()
            && fg.ty(zv).dtype == dtype
            && [x, y].iter().all(|v| fg.ty(*v).dtype == dtype)
            && fg
                .ty(zv)
                .shape
                .iter()
                .zip(&fg.ty(out).shape)
                .all(|(a, b)| *a != Some(1) || *b == Some(1));
        let is_ger = op.as_any().is::<Ger>();
        if !z_fits || (is_ger && (z.scale.is_some() || z_negated)) {
            continue;
        }
        let alpha = scale_value(fg, prod.scale, prod_negated, dtype)?;
        let mut inputs = vec![zv, alpha, x, y];
        if !is_ger {
            inputs.push(scale_value(fg, z.scale, z_negated, dtype)?);
        }
        let new = fg.apply(op, &inputs).ok()?.remove(0);
        return if_same_type(fg, out, new);
    }
    None
}
