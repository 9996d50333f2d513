//! `dot`: a graph in Graphviz's DOT language (what Theano's `pydotprint`
//! draws). Apply nodes are boxes labelled with their op; inputs are green
//! ellipses, shared variables cyan, constants grey boxes, outputs blue
//! ellipses. Each edge carries the variable's type (and its name, if any).
//! Nodes are numbered in topological order, so the text is deterministic.

use crate::compile::Function;
use crate::graph::{toposort, NodeKind, Var};
use indexmap::IndexMap;
use std::fmt::Write;

/// Quotes a label for DOT.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn edge_label(v: &Var) -> String {
    match v.name() {
        Some(name) => format!("{name} {}", v.ty()),
        None => v.ty().to_string(),
    }
}

/// The DOT text of the graph computing `outputs`, titled `name`.
pub fn dot(outputs: &[Var], name: &str) -> String {
    let nodes = toposort(outputs);
    let ids: IndexMap<u64, usize> = nodes.iter().enumerate().map(|(i, n)| (n.id, i)).collect();
    let mut text = format!("digraph {} {{\n", quoted(name));
    for (i, node) in nodes.iter().enumerate() {
        // Leaves show their variable's label (its name, or a value or id).
        let label = node
            .outputs()
            .first()
            .map_or_else(|| node.label(), Var::label);
        let style = match &node.kind {
            NodeKind::Apply(op) => format!("label={}, shape=box", quoted(&op.name())),
            NodeKind::Input => format!(
                "label={}, shape=ellipse, style=filled, fillcolor=limegreen",
                quoted(&label)
            ),
            NodeKind::Shared(_) => format!(
                "label={}, shape=ellipse, style=filled, fillcolor=cyan",
                quoted(&label)
            ),
            NodeKind::Constant(_) => format!(
                "label={}, shape=box, style=filled, fillcolor=lightgrey",
                quoted(&label)
            ),
        };
        let _ = writeln!(text, "  n{i} [{style}];");
        for (k, input) in node.inputs.iter().enumerate() {
            let from = ids[&input.node().id];
            let _ = writeln!(
                text,
                "  n{from} -> n{i} [label={}];",
                quoted(&format!("{k} {}", edge_label(input)))
            );
        }
    }
    for (k, out) in outputs.iter().enumerate() {
        let from = ids[&out.node().id];
        let _ = writeln!(
            text,
            "  out{k} [label={}, shape=ellipse, style=filled, fillcolor=dodgerblue];",
            quoted(&edge_label(out))
        );
        let _ = writeln!(text, "  n{from} -> out{k};");
    }
    text.push_str("}\n");
    text
}

/// The DOT text of a compiled function's optimized graph (outputs, then
/// update values).
pub fn dot_function(f: &Function) -> String {
    dot(f.optimized_outputs(), f.name())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::TensorType;
    use crate::DType;

    #[test]
    fn every_node_and_edge_appears_once_in_topological_order() {
        let x = Var::input("x", TensorType::unknown(DType::F64, 1));
        let y = Var::input("y", TensorType::unknown(DType::F64, 1));
        let z = (&x + &y).exp().named("z");
        let text = dot(&[z], "f");
        assert!(
            text.starts_with("digraph \"f\" {\n") && text.ends_with("}\n"),
            "{text}"
        );
        assert!(text.contains("n0 [label=\"x\", shape=ellipse"), "{text}");
        assert!(text.contains("n1 [label=\"y\", shape=ellipse"), "{text}");
        assert!(text.contains("n0 -> n2 [label=\"0 x"), "{text}");
        assert!(text.contains("n1 -> n2 [label=\"1 y"), "{text}");
        assert!(text.contains("n2 -> n3"), "{text}");
        assert!(text.contains("out0 [label=\"z "), "{text}");
        assert!(text.contains("n3 -> out0;"), "{text}");
        assert_eq!(text.matches(" -> ").count(), 4, "{text}");
    }

    #[test]
    fn quotes_in_labels_are_escaped() {
        assert_eq!(quoted("a\"b\\c"), "\"a\\\"b\\\\c\"");
    }
}
