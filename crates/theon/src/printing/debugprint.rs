//! `debugprint`: Theano's indented text tree. Each variable is one line,
//! `op [id X] 'name' : type`, its inputs below it one level deeper. A node
//! reached a second time is printed with its id and without its inputs, so
//! shared subgraphs appear once.

use crate::compile::Function;
use crate::graph::{NodeKind, Var};
use std::collections::HashMap;
use std::fmt::Write;

/// The indented tree of `outputs` (user graphs or optimized ones).
pub fn debugprint(outputs: &[Var]) -> String {
    let mut ids: HashMap<u64, String> = HashMap::new();
    let mut text = String::new();
    let mut stack: Vec<(Var, usize)> = outputs.iter().rev().map(|v| (v.clone(), 0)).collect();
    while let Some((v, depth)) = stack.pop() {
        let node = v.node();
        let seen = ids.contains_key(&node.id);
        let next = ids.len();
        let id = ids.entry(node.id).or_insert_with(|| letters(next)).clone();
        let indent = " |".repeat(depth);
        let _ = writeln!(
            text,
            "{indent}{} [id {id}]{} : {}",
            head(&v),
            name(&v),
            v.ty()
        );
        if !seen {
            for input in node.inputs.iter().rev() {
                stack.push((input.clone(), depth + 1));
            }
        }
    }
    text
}

/// The optimized graph a compiled function runs (outputs, then updates).
pub fn debugprint_function(f: &Function) -> String {
    debugprint(f.optimized_outputs())
}

impl Function {
    /// [`debugprint`] of the optimized graph.
    pub fn debugprint(&self) -> String {
        debugprint_function(self)
    }
}

fn head(v: &Var) -> String {
    let node = v.node();
    match &node.kind {
        NodeKind::Input => "input".into(),
        NodeKind::Shared(_) => "shared".into(),
        NodeKind::Constant(t) if t.size() == 1 => format!("constant{{{}}}", t.item().as_f64()),
        NodeKind::Constant(t) => format!("constant{{shape={:?}}}", t.shape()),
        NodeKind::Apply(op) if node.output_types.len() > 1 => {
            format!("{}.{}", op.name(), v.index())
        }
        NodeKind::Apply(op) => op.name(),
    }
}

fn name(v: &Var) -> String {
    v.name().map_or(String::new(), |n| format!(" '{n}'"))
}

/// Theano-style ids: A..Z, BA, BB, ...
fn letters(mut n: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (n % 26) as u8);
        n /= 26;
        if n == 0 {
            break;
        }
    }
    s.reverse();
    String::from_utf8(s).expect("ascii")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    #[test]
    fn prints_shared_subgraphs_once_with_ids_and_types() {
        let x = matrix("x", F64);
        let e = x.exp();
        let y = (&e + &e).named("y");
        let text = debugprint(&[y]);
        let expect = "\
add [id A] 'y' : float64(?, ?)
 |exp [id B] : float64(?, ?)
 | |input [id C] 'x' : float64(?, ?)
 |exp [id B] : float64(?, ?)
";
        assert_eq!(text, expect);
        assert_eq!(letters(0), "A");
        assert_eq!(letters(27), "BB");
    }

    #[test]
    fn prints_the_optimized_graph_of_a_function() {
        let x = vector("x", F64);
        let y = (&x * 1.0).exp().log();
        let f = Function::builder(std::slice::from_ref(&x), &[y])
            .mode(Mode::fast_run())
            .build()
            .unwrap();
        assert_eq!(f.debugprint(), "input [id A] 'x' : float64(?,)\n");
    }
}
