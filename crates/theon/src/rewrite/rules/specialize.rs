//! Specialize: cheaper forms of the same computation (`x**2` -> `sqr(x)`,
//! `x**0.5` -> `sqrt(x)`, small integer powers by repeated squaring).

use super::super::engine::{Rule, Tracks};
use super::super::fgraph::{FunctionGraph, NodeId, VarId};
use super::super::pattern::{all_float, identity, identity_when};
use super::{elemwise, if_same_type};
use crate::ops::elemwise::{BinaryOp, ScalarOp, UnaryOp};

const TAGS: &[&str] = &["specialize", "fast_run"];

/// Largest |exponent| turned into multiplications.
const MAX_INT_POWER: i64 = 16;

pub fn rules() -> Vec<Rule> {
    vec![
        identity("pow_two", TAGS, "pow($x, 2)", "sqr($x)"),
        identity_when("pow_half", TAGS, "pow($x, 0.5)", "sqrt($x)", all_float),
        identity_when(
            "pow_minus_one",
            TAGS,
            "pow($x, -1)",
            "reciprocal($x)",
            all_float,
        ),
        identity("mul_self", TAGS, "mul($x, $x)", "sqr($x)"),
        Rule::new(
            "pow_int",
            TAGS,
            Tracks::Scalar(ScalarOp::Binary(BinaryOp::Pow)),
            pow_int,
        ),
    ]
}

/// `x ** n` for a constant integer `3 <= |n| <= 16` -> squarings and
/// multiplications (and a reciprocal for negative `n`, floats only).
fn pow_int(fg: &mut FunctionGraph, node: NodeId) -> Option<Vec<VarId>> {
    let ins = fg.node_inputs(node);
    let (x, e) = (ins[0], ins[1]);
    let t = fg.constant_value(e)?;
    let first = *t.to_f64_vec().first()?;
    if t.to_f64_vec().iter().any(|&v| v != first) || first.fract() != 0.0 {
        return None;
    }
    let n = first as i64;
    if !(3..=MAX_INT_POWER).contains(&n.abs()) || (n < 0 && !fg.ty(x).dtype.is_float()) {
        return None;
    }
    let mut result: Option<VarId> = None;
    let mut square = x;
    let mut k = n.unsigned_abs();
    loop {
        if k & 1 == 1 {
            result = Some(match result {
                None => square,
                Some(r) => elemwise(fg, ScalarOp::Binary(BinaryOp::Mul), &[r, square])?,
            });
        }
        k >>= 1;
        if k == 0 {
            break;
        }
        square = elemwise(fg, ScalarOp::Unary(UnaryOp::Sqr), &[square])?;
    }
    let mut out = result?;
    if n < 0 {
        out = elemwise(fg, ScalarOp::Unary(UnaryOp::Reciprocal), &[out])?;
    }
    if_same_type(fg, node.out(0), out)
}
