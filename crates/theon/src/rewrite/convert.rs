//! Conversions between the user's immutable graph (`Var`s) and the
//! compiler's `FunctionGraph`: import copies what the outputs need; export
//! rebuilds `Var`s (reusing the user's leaves) for the program builder and
//! for printing the optimized graph.

use super::fgraph::{FunctionGraph, NodeId, VarId};
use crate::error::Result;
use crate::graph::{toposort, NodeKind, Var};
use indexmap::IndexMap;
use std::collections::HashMap;

/// Which exported node (by id) each apply node of a graph became.
pub type ExportMap = Vec<(NodeId, u64)>;

impl FunctionGraph {
    /// Imports the graph computing `outputs` from `inputs` (plus constants
    /// and shared variables). Inputs no output needs are kept as declared
    /// inputs. Nothing is merged or simplified here.
    pub fn from_vars(inputs: &[Var], outputs: &[Var]) -> Result<FunctionGraph> {
        let mut fg = FunctionGraph::new();
        let mut map: HashMap<(u64, usize), VarId> = HashMap::new();
        for v in inputs {
            if let std::collections::hash_map::Entry::Vacant(slot) = map.entry(v.key()) {
                let id = fg.add_leaf(v);
                fg.declare_input(id);
                slot.insert(id);
            }
        }
        for node in toposort(outputs) {
            let outs = node.outputs();
            if map.contains_key(&outs[0].key()) {
                continue;
            }
            match &node.kind {
                NodeKind::Apply(op) => {
                    let ins: Vec<VarId> = node.inputs.iter().map(|v| map[&v.key()]).collect();
                    fg.current_site = Some(node.site.clone());
                    let new = fg.apply(op.clone(), &ins)?;
                    for (o, n) in outs.iter().zip(new) {
                        fg.set_name(n, o.name());
                        map.insert(o.key(), n);
                    }
                }
                _ => {
                    let id = fg.add_leaf(&outs[0]);
                    fg.index_for_merge(id.node);
                    map.insert(outs[0].key(), id);
                }
            }
        }
        fg.current_site = None;
        for v in outputs {
            fg.push_output(map[&v.key()]);
        }
        fg.take_changes();
        Ok(fg)
    }

    /// Rebuilds the graph as `Var`s: one per output, in order. Leaves that
    /// came from the user's graph are the user's own variables.
    pub fn to_vars(&self) -> Result<Vec<Var>> {
        Ok(self.to_vars_mapped()?.0)
    }

    /// [`Self::to_vars`], plus which exported node each apply node of this
    /// graph became (`(NodeId, exported node id)`, in topological order).
    pub fn to_vars_mapped(&self) -> Result<(Vec<Var>, ExportMap)> {
        let mut exported = Vec::new();
        let mut map: IndexMap<VarId, Var> = IndexMap::new();
        for &v in self.inputs() {
            map.insert(v, self.export_leaf(v));
        }
        for id in self.toposort() {
            for &input in self.node_inputs(id) {
                if !map.contains_key(&input) {
                    map.insert(input, self.export_leaf(input));
                }
            }
            let node = self.node(id);
            let ins: Vec<Var> = node.inputs.iter().map(|v| map[v].clone()).collect();
            let op = node.op().expect("toposort lists apply nodes").clone();
            let outs = Var::apply_arc(op, &ins, node.site.clone())?;
            if let Some(first) = outs.first() {
                exported.push((id, first.node().id));
            }
            for (i, out) in outs.into_iter().enumerate() {
                if let Some(name) = &node.names[i] {
                    out.set_name(Some(name.clone()));
                }
                map.insert(id.out(i), out);
            }
        }
        let outputs = self
            .outputs()
            .iter()
            .map(|v| map.get(v).cloned().unwrap_or_else(|| self.export_leaf(*v)))
            .collect();
        Ok((outputs, exported))
    }

    fn export_leaf(&self, v: VarId) -> Var {
        let node = self.node(v.node);
        if let Some(origin) = &node.origin {
            return origin.clone();
        }
        match &node.kind {
            NodeKind::Constant(t) => {
                crate::error::Site::with_override(node.site.clone(), || Var::constant(t.clone()))
            }
            _ => unreachable!("only constants are built as new leaves"),
        }
    }

    /// The apply nodes in topological order with their op names (a compact
    /// structural summary, handy in tests).
    pub fn op_names(&self) -> Vec<String> {
        self.toposort()
            .into_iter()
            .map(|id: NodeId| self.op(id).expect("apply").name())
            .collect()
    }
}
