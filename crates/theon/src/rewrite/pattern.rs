//! The declarative form for algebraic identities over elementwise ops:
//! `identity("log1p", &["stabilize"], "log(add(1, $x))", "log1p($x)")`.
//!
//! A pattern is a scalar op applied to patterns, a variable `$name` (the same
//! name must match the same variable), or a number (a constant whose every
//! element equals it). Binary ops that commute match in either order. The
//! replacement template uses the same syntax; its numbers become scalar
//! constants of the matched output's dtype. A rule fires only where its
//! condition holds and the replacement has a type the old output accepts
//! (so an identity never changes dtype or loses a broadcast shape).

use super::engine::{Rule, Tracks};
use super::fgraph::{FunctionGraph, NodeId, VarId};
use crate::ops::elemwise::{BinaryOp, Elemwise, ScalarOp, ALL_BINARY, ALL_UNARY};
use crate::tensor::Tensor;

/// A pattern (or template) over elementwise ops.
#[derive(Clone, Debug, PartialEq)]
pub enum Pat {
    Var(String),
    Const(f64),
    Op(ScalarOp, Vec<Pat>),
}

/// Variables bound by a successful match.
#[derive(Clone, Debug, Default)]
pub struct Bindings(Vec<(String, VarId)>);

impl Bindings {
    pub fn get(&self, name: &str) -> Option<VarId> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
    }

    pub fn vars(&self) -> impl Iterator<Item = VarId> + '_ {
        self.0.iter().map(|(_, v)| *v)
    }
}

/// A condition on a match, beyond the structure.
pub type Condition = fn(&FunctionGraph, &Bindings) -> bool;

/// Every bound variable has a float dtype (identities like `log(1+x)` ->
/// `log1p(x)` are not exact for integers, where `1+x` can wrap).
pub fn all_float(fg: &FunctionGraph, b: &Bindings) -> bool {
    b.vars().all(|v| fg.ty(v).dtype.is_float())
}

/// A rule rewriting `lhs` to `rhs` wherever it matches.
pub fn identity(name: &str, tags: &[&str], lhs: &str, rhs: &str) -> Rule {
    identity_when(name, tags, lhs, rhs, |_, _| true)
}

/// Like [`identity`], firing only where `condition` holds.
pub fn identity_when(
    name: &str,
    tags: &[&str],
    lhs: &str,
    rhs: &str,
    condition: Condition,
) -> Rule {
    let lhs = parse(lhs).unwrap_or_else(|e| panic!("rule {name}: bad pattern: {e}"));
    let rhs = parse(rhs).unwrap_or_else(|e| panic!("rule {name}: bad template: {e}"));
    let Pat::Op(root, _) = &lhs else {
        panic!("rule {name}: a pattern must start with an op");
    };
    let tracks = Tracks::Scalar(*root);
    Rule::new(name, tags, tracks, move |fg, node| {
        rewrite_with(fg, node, &lhs, &rhs, condition)
    })
}

fn rewrite_with(
    fg: &mut FunctionGraph,
    node: NodeId,
    lhs: &Pat,
    rhs: &Pat,
    condition: Condition,
) -> Option<Vec<VarId>> {
    let old = node.out(0);
    let mut bindings = Bindings::default();
    if !match_pattern(fg, old, lhs, &mut bindings) || !condition(fg, &bindings) {
        return None;
    }
    let dtype = fg.ty(old).dtype;
    let new = build(fg, rhs, &bindings, dtype)?;
    fg.ty(old).accepts(fg.ty(new)).then(|| vec![new])
}

/// Matches `v` against `pat`, extending `b`; on failure `b` is unchanged.
pub fn match_pattern(fg: &FunctionGraph, v: VarId, pat: &Pat, b: &mut Bindings) -> bool {
    match pat {
        Pat::Var(name) => match b.get(name) {
            Some(bound) => bound == v,
            None => {
                b.0.push((name.clone(), v));
                true
            }
        },
        Pat::Const(c) => constant_equals(fg, v, *c),
        Pat::Op(op, args) => {
            let Some(e) = fg.producer_as::<Elemwise>(v) else {
                return false;
            };
            if e.op != *op {
                return false;
            }
            let inputs = fg.node_inputs(v.node).to_vec();
            let mark = b.0.len();
            if match_all(fg, &inputs, args, b) {
                return true;
            }
            b.0.truncate(mark);
            if is_commutative(*op) {
                let swapped = [inputs[1], inputs[0]];
                if match_all(fg, &swapped, args, b) {
                    return true;
                }
                b.0.truncate(mark);
            }
            false
        }
    }
}

fn match_all(fg: &FunctionGraph, inputs: &[VarId], args: &[Pat], b: &mut Bindings) -> bool {
    inputs.len() == args.len()
        && inputs
            .iter()
            .zip(args)
            .all(|(v, p)| match_pattern(fg, *v, p, b))
}

/// Whether `v` is a constant with every element equal to `c`.
pub fn constant_equals(fg: &FunctionGraph, v: VarId, c: f64) -> bool {
    fg.constant_value(v)
        .is_some_and(|t| t.size() > 0 && t.to_scalars().iter().all(|s| s.as_f64() == c))
}

/// Whether a binary scalar op gives the same result with its inputs swapped.
pub fn is_commutative(op: ScalarOp) -> bool {
    use BinaryOp::*;
    matches!(
        op,
        ScalarOp::Binary(
            Add | Mul
                | Maximum
                | Minimum
                | Hypot
                | Eq
                | Neq
                | And
                | Or
                | Xor
                | BitAnd
                | BitOr
                | BitXor
        )
    )
}

fn build(fg: &mut FunctionGraph, tpl: &Pat, b: &Bindings, dtype: crate::DType) -> Option<VarId> {
    match tpl {
        Pat::Var(name) => b.get(name),
        Pat::Const(c) => Some(fg.constant(Tensor::full(dtype, &[], *c))),
        Pat::Op(op, args) => {
            let ins = args
                .iter()
                .map(|a| build(fg, a, b, dtype))
                .collect::<Option<Vec<_>>>()?;
            fg.apply1(Elemwise::new(*op), &ins).ok()
        }
    }
}

/// Parses `op(arg, ...)`, `$name` or a number.
pub fn parse(text: &str) -> Result<Pat, String> {
    let mut p = Parser {
        s: text.as_bytes(),
        at: 0,
    };
    let pat = p.pattern()?;
    p.skip_space();
    if p.at != p.s.len() {
        return Err(format!("trailing text at {} in '{text}'", p.at));
    }
    Ok(pat)
}

struct Parser<'a> {
    s: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn skip_space(&mut self) {
        while self.s.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
    }

    fn word(&mut self) -> String {
        let start = self.at;
        while self
            .s
            .get(self.at)
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
        {
            self.at += 1;
        }
        String::from_utf8_lossy(&self.s[start..self.at]).into_owned()
    }

    fn expect(&mut self, c: u8) -> Result<(), String> {
        self.skip_space();
        if self.s.get(self.at) == Some(&c) {
            self.at += 1;
            Ok(())
        } else {
            Err(format!("expected '{}' at {}", c as char, self.at))
        }
    }

    fn pattern(&mut self) -> Result<Pat, String> {
        self.skip_space();
        if self.s.get(self.at) == Some(&b'$') {
            self.at += 1;
            return Ok(Pat::Var(self.word()));
        }
        let word = self.word();
        if let Ok(c) = word.parse::<f64>() {
            return Ok(Pat::Const(c));
        }
        let op = scalar_op_named(&word).ok_or_else(|| format!("unknown op '{word}'"))?;
        self.expect(b'(')?;
        let mut args = vec![self.pattern()?];
        self.skip_space();
        while self.s.get(self.at) == Some(&b',') {
            self.at += 1;
            args.push(self.pattern()?);
            self.skip_space();
        }
        self.expect(b')')?;
        if args.len() != op.arity() {
            return Err(format!(
                "{word} takes {} arguments, got {}",
                op.arity(),
                args.len()
            ));
        }
        Ok(Pat::Op(op, args))
    }
}

/// The scalar op with this printed name (`exp`, `add`, `switch`, ...).
pub fn scalar_op_named(name: &str) -> Option<ScalarOp> {
    if let Some(u) = ALL_UNARY.iter().find(|u| u.name() == name) {
        return Some(ScalarOp::Unary(*u));
    }
    if let Some(b) = ALL_BINARY.iter().find(|b| b.name() == name) {
        return Some(ScalarOp::Binary(*b));
    }
    match name {
        "switch" => Some(ScalarOp::Switch),
        "clip" => Some(ScalarOp::Clip),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::elemwise::UnaryOp;

    #[test]
    fn parses_nested_patterns_and_reports_errors() {
        let p = parse("log(add(1, $x))").unwrap();
        let expect = Pat::Op(
            ScalarOp::Unary(UnaryOp::Log),
            vec![Pat::Op(
                ScalarOp::Binary(BinaryOp::Add),
                vec![Pat::Const(1.0), Pat::Var("x".into())],
            )],
        );
        assert_eq!(p, expect);
        assert_eq!(
            parse("pow($x, -0.5)").unwrap(),
            Pat::Op(
                ScalarOp::Binary(BinaryOp::Pow),
                vec![Pat::Var("x".into()), Pat::Const(-0.5)]
            )
        );
        assert!(parse("frobnicate($x)").unwrap_err().contains("unknown op"));
        assert!(parse("exp($x, $y)").unwrap_err().contains("takes 1"));
        assert!(parse("exp($x").is_err());
        assert!(parse("exp($x) y").unwrap_err().contains("trailing"));
    }
}
