//! `pp`: Theano's math-like printing, one expression per output:
//! `exp((x + y))`, `-x`, `sum{axis=(1)}((x * y))`. Binary operators with a
//! symbol are infix and parenthesised; every other op is written as a call
//! with its printed name. A large subexpression used more than once is
//! printed once, as a numbered line (`%1 = ...`) that later lines refer to,
//! so the text stays linear in the graph's size.

use crate::compile::Function;
use crate::graph::{toposort, NodeKind, Var};
use crate::ops::elemwise::{BinaryOp, Elemwise, ScalarOp, UnaryOp};
use std::collections::HashMap;
use std::fmt::Write;

/// Subexpressions longer than this that are used twice or more get a line
/// of their own.
const HOIST_CHARS: usize = 40;

/// The math-like text of `outputs`, one line each (after any `%k` lines).
pub fn pp(outputs: &[Var]) -> String {
    let order = toposort(outputs);
    let mut uses: HashMap<(u64, usize), usize> = HashMap::new();
    for node in &order {
        for input in &node.inputs {
            *uses.entry(input.key()).or_default() += 1;
        }
    }
    for v in outputs {
        *uses.entry(v.key()).or_default() += 1;
    }
    let mut text: HashMap<(u64, usize), String> = HashMap::new();
    let mut lines = String::new();
    let mut hoisted = 0;
    for node in &order {
        for v in node.outputs() {
            let mut rendered = render(&v, &text);
            if uses.get(&v.key()).copied().unwrap_or(0) > 1
                && rendered.len() > HOIST_CHARS
                && !node.is_leaf()
            {
                hoisted += 1;
                let _ = writeln!(lines, "%{hoisted} = {rendered}");
                rendered = format!("%{hoisted}");
            }
            text.insert(v.key(), rendered);
        }
    }
    for v in outputs {
        let _ = writeln!(lines, "{}", text[&v.key()]);
    }
    lines
}

/// [`pp`] of a compiled function's optimized graph.
pub fn pp_function(f: &Function) -> String {
    pp(f.optimized_outputs())
}

impl Function {
    /// [`pp`] of the optimized graph (outputs, then update values).
    pub fn pp(&self) -> String {
        pp_function(self)
    }
}

fn render(v: &Var, text: &HashMap<(u64, usize), String>) -> String {
    let node = v.node();
    let op = match &node.kind {
        NodeKind::Input | NodeKind::Shared(_) => {
            return v.name().unwrap_or_else(|| "<input>".into());
        }
        NodeKind::Constant(t) if t.size() == 1 => {
            return v.name().unwrap_or_else(|| format!("{}", t.item().as_f64()));
        }
        NodeKind::Constant(t) => {
            return v
                .name()
                .unwrap_or_else(|| format!("constant{{shape={:?}}}", t.shape()));
        }
        NodeKind::Apply(op) => op,
    };
    let args: Vec<&str> = node
        .inputs
        .iter()
        .map(|i| text[&i.key()].as_str())
        .collect();
    if let Some(e) = op.as_any().downcast_ref::<Elemwise>() {
        match e.op {
            ScalarOp::Binary(b) if b.symbol().is_some() => {
                return format!("({} {} {})", args[0], symbol(b), args[1]);
            }
            ScalarOp::Unary(UnaryOp::Neg) => return format!("-{}", args[0]),
            _ => {}
        }
    }
    let head = if node.output_types.len() > 1 {
        format!("{}.{}", op.name(), v.index())
    } else {
        op.name()
    };
    format!("{head}({})", args.join(", "))
}

fn symbol(b: BinaryOp) -> &'static str {
    b.symbol().expect("checked by the caller")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    #[test]
    fn prints_infix_operators_and_calls() {
        let x = vector("x", F64);
        let y = vector("y", F64);
        assert_eq!(pp(&[(&x + &y).exp()]), "exp((x + y))\n");
        assert_eq!(pp(&[-(&x * 2.0), x.sum(0)]), "-(x * 2)\nsum{axis=(0)}(x)\n");
        let e = (&x * &y).exp();
        assert_eq!(pp(&[&e + &e]), "(exp((x * y)) + exp((x * y)))\n");
    }

    #[test]
    fn large_shared_subexpressions_are_printed_once() {
        let x = vector("x", F64);
        let mut big = x.clone();
        for _ in 0..8 {
            big = (&big * 2.0).sin();
        }
        let text = pp(&[&big + &big]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(lines[0].starts_with("%1 = sin("), "{text}");
        assert_eq!(lines[1], "(%1 + %1)");
    }

    #[test]
    fn prints_a_compiled_functions_optimized_graph() {
        let x = vector("x", F64);
        let f = Function::builder(std::slice::from_ref(&x), &[(&x * 1.0).exp().log1p()])
            .mode(Mode::fast_run().excluding(["fusion", "inplace"]))
            .build()
            .unwrap();
        assert_eq!(f.pp(), "softplus(x)\n");
    }
}
