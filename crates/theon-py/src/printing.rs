//! `theon.printing` and the optimized graph of compiled functions:
//! `debugprint` of variables or of a function, `pp` (a one-line
//! expression), and the nodes of a function's optimized graph in
//! topological order (for `f.maker.fgraph.toposort()`).

use crate::function::PyFunction;
use crate::operand::as_var;
use crate::variable::{expression, wrap};
use pyo3::prelude::*;
use theon::graph::{toposort, NodeKind};
use theon::printing;

/// `debugprint(outputs)`: the indented tree of the given variables.
#[pyfunction]
fn debugprint_vars(outputs: Vec<Bound<'_, PyAny>>) -> PyResult<String> {
    let vars = outputs.iter().map(as_var).collect::<PyResult<Vec<_>>>()?;
    Ok(printing::debugprint(&vars))
}

/// The tree of a compiled function's optimized graph (outputs, then updates).
#[pyfunction]
fn debugprint_function(f: PyRef<'_, PyFunction>) -> String {
    printing::debugprint_function(f.engine())
}

/// The DOT text (Graphviz) of the graph of `outputs`, titled `name`.
#[pyfunction]
fn dot_vars(outputs: Vec<Bound<'_, PyAny>>, name: &str) -> PyResult<String> {
    let vars = outputs.iter().map(as_var).collect::<PyResult<Vec<_>>>()?;
    Ok(printing::dot(&vars, name))
}

/// The DOT text of a compiled function's optimized graph.
#[pyfunction]
fn dot_function(f: PyRef<'_, PyFunction>) -> String {
    printing::dot_function(f.engine())
}

/// `pp(x)`: the whole expression of `x` on one line.
#[pyfunction]
fn pp(x: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(expression(&as_var(x)?, usize::MAX))
}

/// The function's graph: `(inputs, outputs, nodes)` where outputs are the
/// optimized outputs then update values, and each node of the optimized
/// graph, in topological order, is `(op name, inputs, outputs)`.
#[pyfunction]
#[allow(clippy::type_complexity)]
fn function_graph(
    py: Python<'_>,
    f: PyRef<'_, PyFunction>,
) -> PyResult<(
    Vec<Py<PyAny>>,
    Vec<Py<PyAny>>,
    Vec<(String, Vec<Py<PyAny>>, Vec<Py<PyAny>>)>,
)> {
    let function = f.engine();
    let wrap_all = |vars: Vec<theon::Var>| -> PyResult<Vec<Py<PyAny>>> {
        vars.into_iter().map(|v| wrap(py, v)).collect()
    };
    let outputs = function.optimized_outputs();
    let nodes = toposort(outputs)
        .into_iter()
        .filter_map(|node| match &node.kind {
            NodeKind::Apply(op) => Some((op.name(), node)),
            _ => None,
        })
        .map(|(name, node)| {
            Ok((
                name,
                wrap_all(node.inputs.clone())?,
                wrap_all(node.outputs())?,
            ))
        })
        .collect::<PyResult<Vec<_>>>()?;
    Ok((
        wrap_all(function.inputs().to_vec())?,
        wrap_all(outputs.to_vec())?,
        nodes,
    ))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(debugprint_vars, m)?)?;
    m.add_function(wrap_pyfunction!(debugprint_function, m)?)?;
    m.add_function(wrap_pyfunction!(pp, m)?)?;
    m.add_function(wrap_pyfunction!(dot_vars, m)?)?;
    m.add_function(wrap_pyfunction!(dot_function, m)?)?;
    m.add_function(wrap_pyfunction!(function_graph, m)?)?;
    Ok(())
}
