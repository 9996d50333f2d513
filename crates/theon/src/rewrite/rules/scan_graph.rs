//! Plumbing shared by the scan rewrites: a scan node's outer inputs as
//! stand-in `Var`s (so a rewrite can rebuild the scan with
//! [`ScanParts`] and the outer computation around it with the ordinary
//! graph API), and importing the result back into the `FunctionGraph`.

use super::super::fgraph::{FunctionGraph, NodeId, VarId};
use crate::graph::{toposort, NodeKind, TensorType, Var};
use crate::ops::control::scan::{Scan, ScanParts};
use crate::ops::shape::try_specify_shape;
use std::collections::HashMap;

/// A scan node seen as `Var`s: its parts over stand-ins for its outer
/// inputs, and the binding of each stand-in to the graph's variable.
pub struct Rebuild {
    pub op: Scan,
    pub parts: ScanParts,
    pub bound: HashMap<(u64, usize), VarId>,
}

impl Rebuild {
    /// The parts of the scan at `node` (`None` for other nodes).
    pub fn of(fg: &FunctionGraph, node: NodeId) -> Option<Rebuild> {
        let op = fg.op_as::<Scan>(node)?.clone();
        let inputs = fg.node_inputs(node).to_vec();
        let outer: Vec<Var> = inputs
            .iter()
            .map(|&v| Var::input(&fg.label(v), fg.ty(v).clone()))
            .collect();
        let bound = outer.iter().map(Var::key).zip(inputs).collect();
        let parts = ScanParts::from_op(&op, &outer);
        Some(Rebuild { op, parts, bound })
    }

    /// Adds `outputs` (built over the stand-ins) to the graph.
    pub fn import(&mut self, fg: &mut FunctionGraph, outputs: &[Var]) -> Option<Vec<VarId>> {
        import(fg, &mut self.bound, outputs)
    }
}

/// Adds the graph computing `outputs` to `fg`, with the leaves in `bound`
/// standing for graph variables; `None` if another free input is read or
/// a node is refused.
pub fn import(
    fg: &mut FunctionGraph,
    bound: &mut HashMap<(u64, usize), VarId>,
    outputs: &[Var],
) -> Option<Vec<VarId>> {
    let saved_site = fg.current_site.clone();
    for n in toposort(outputs) {
        let outs = n.outputs();
        if bound.contains_key(&outs[0].key()) {
            continue;
        }
        match &n.kind {
            NodeKind::Constant(t) => {
                let c = fg.constant(t.clone());
                bound.insert(outs[0].key(), c);
            }
            NodeKind::Apply(op) => {
                let ins: Vec<VarId> = n
                    .inputs
                    .iter()
                    .map(|v| bound.get(&v.key()).copied())
                    .collect::<Option<_>>()?;
                fg.current_site = Some(n.site.clone());
                let new = fg.apply(op.clone(), &ins);
                fg.current_site = saved_site.clone();
                for (o, v) in outs.iter().zip(new.ok()?) {
                    bound.insert(o.key(), v);
                }
            }
            _ => return None,
        }
    }
    outputs
        .iter()
        .map(|v| bound.get(&v.key()).copied())
        .collect()
}

/// `v` with the dtype and static shape of `ty` (a replacement must have a
/// type the old variable accepts); `None` when they cannot agree.
pub fn conform(v: &Var, ty: &TensorType) -> Option<Var> {
    let v = v.cast(ty.dtype);
    if ty.accepts(v.ty()) {
        return Some(v);
    }
    if !ty.compatible(v.ty()) {
        return None;
    }
    try_specify_shape(&v, &ty.shape).ok()
}
