//! The destroy handler and the inplace pass. An op that overwrites an input
//! (`Op::destroy_map`) is safe only if nothing else can observe that
//! input's buffer afterwards. The buffer's owner is found by following
//! `view_map`/`destroy_map` links back from the input (a dimshuffle's
//! output *is* its input's memory); every variable sharing that buffer is
//! an alias. The handler refuses the change when
//!
//! - the input is itself a view (rarely a dense buffer of its shape),
//! - the owner is a function input, a constant or a shared variable (the
//!   caller's or the function's own memory), or
//! - any alias is a function output, or is read by any node other than the
//!   destroyer and the view links leading to it (including a second read
//!   by the destroyer itself, or another destroyer).
//!
//! Refusing every other reader makes the schedule irrelevant: whatever the
//! order, nobody reads the buffer after it is overwritten. The
//! [`DestroyHandler`] feature records the destroyers the graph holds and
//! [`DestroyHandler::validate`] re-checks them all after later changes.

use super::feature::Feature;
use super::fgraph::{Client, FunctionGraph, NodeId, VarId};
use super::profile::CompileProfile;
use crate::graph::{NodeKind, Op};
use crate::ops::elemwise::{Composite, Elemwise, ElemwiseInplace, ElemwiseKernel};
use crate::ops::indexing::{IncSubtensor, IncSubtensorInplace};
use std::any::Any;
use std::collections::BTreeSet;
use std::sync::Arc;

/// Tracks the nodes that overwrite an input.
#[derive(Default, Debug)]
pub struct DestroyHandler {
    destroyers: BTreeSet<NodeId>,
}

impl Feature for DestroyHandler {
    fn on_prune(&mut self, node: NodeId, _reason: &str) {
        self.destroyers.remove(&node);
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// Input positions whose output aliases input `pos` of `op` (views and
/// overwritten inputs alike).
fn aliases_input(op: &dyn Op, out: usize, pos: usize) -> bool {
    op.view_map()
        .into_iter()
        .chain(op.destroy_map())
        .any(|(o, i)| o == out && i == pos)
}

/// The variable owning `v`'s buffer, following view/destroy links back.
fn owner(fg: &FunctionGraph, mut v: VarId) -> VarId {
    loop {
        let Some(op) = fg.op(v.node) else {
            return v;
        };
        let inputs = fg.node_inputs(v.node);
        let link = (0..inputs.len()).find(|&p| aliases_input(op.as_ref(), v.index as usize, p));
        match link {
            Some(p) => v = inputs[p],
            None => return v,
        }
    }
}

/// `root` and every variable that views (or overwrites) its buffer, not
/// looking past `destroyer` (whose output is the new value, not the old).
fn alias_set(fg: &FunctionGraph, root: VarId, destroyer: NodeId) -> Vec<VarId> {
    let mut found = vec![root];
    let mut at = 0;
    while at < found.len() {
        let v = found[at];
        at += 1;
        for client in fg.clients(v) {
            let Client::Node(n, pos) = *client else {
                continue;
            };
            if n == destroyer {
                continue;
            }
            let op = fg.op(n).expect("clients are apply nodes");
            for out in fg.node_outputs(n) {
                if aliases_input(op.as_ref(), out.index as usize, pos) && !found.contains(&out) {
                    found.push(out);
                }
            }
        }
    }
    found
}

impl DestroyHandler {
    /// Why `node` may not overwrite its input `pos`, or `None` if it may.
    pub fn refusal(fg: &FunctionGraph, node: NodeId, pos: usize) -> Option<String> {
        let target = *fg.node_inputs(node).get(pos)?;
        // A view (a transpose, a slice, a broadcast) is rarely a dense
        // buffer of its own shape; only whole values are overwritten.
        let is_view = fg.op(target.node).is_some_and(|op| {
            op.view_map()
                .iter()
                .any(|&(o, _)| o == target.index as usize)
        });
        if is_view {
            return Some(format!("{} is a view of another value", fg.label(target)));
        }
        let root = owner(fg, target);
        match &fg.node(root.node).kind {
            NodeKind::Input => return Some(format!("{} is a function input", fg.label(root))),
            NodeKind::Constant(_) => return Some(format!("{} is a constant", fg.label(root))),
            NodeKind::Shared(_) => return Some(format!("{} is shared storage", fg.label(root))),
            NodeKind::Apply(_) => {}
        }
        let aliases = alias_set(fg, root, node);
        for &a in &aliases {
            for client in fg.clients(a) {
                let allowed = match *client {
                    Client::Output(_) => false,
                    Client::Node(n, p) if n == node => p == pos && a == target,
                    // A link of the alias chain (a view, or an earlier
                    // overwrite) runs before anything reads its output,
                    // and those readers are checked as aliases' clients.
                    Client::Node(n, _) => fg.node_outputs(n).iter().any(|o| aliases.contains(o)),
                };
                if !allowed {
                    return Some(format!("{} is still needed", fg.label(a)));
                }
            }
        }
        None
    }

    /// Re-checks every destroyer the graph holds; the first violation.
    pub fn validate(&self, fg: &FunctionGraph) -> Result<(), String> {
        for &node in &self.destroyers {
            if !fg.is_alive(node) {
                continue;
            }
            let op = fg.op(node).expect("destroyers are apply nodes");
            for (_, pos) in op.destroy_map() {
                if let Some(why) = Self::refusal(fg, node, pos) {
                    return Err(format!(
                        "{} overwrites its input {pos}, but {why}",
                        op.name()
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The inplace variant of `node`'s op writing into input `pos`, if it has one.
fn inplace_variant(fg: &FunctionGraph, node: NodeId, pos: usize) -> Option<Arc<dyn Op>> {
    if let Some(e) = fg.op_as::<Elemwise>(node) {
        return Some(Arc::new(ElemwiseInplace {
            kernel: ElemwiseKernel::Scalar(e.op),
            destroy: pos,
        }));
    }
    if let Some(c) = fg.op_as::<Composite>(node) {
        return (c.outputs.len() == 1).then(|| {
            Arc::new(ElemwiseInplace {
                kernel: ElemwiseKernel::Fused(c.clone()),
                destroy: pos,
            }) as Arc<dyn Op>
        });
    }
    let inc = fg.op_as::<IncSubtensor>(node)?;
    (pos == 0).then(|| Arc::new(IncSubtensorInplace { inner: inc.clone() }) as Arc<dyn Op>)
}

/// Whether input `pos` has exactly the output's dtype and shape (no
/// broadcasting into the output), so its buffer can hold the result.
fn same_layout(fg: &FunctionGraph, node: NodeId, pos: usize) -> bool {
    let (input, out) = (fg.ty(fg.node_inputs(node)[pos]), fg.ty(node.out(0)));
    input.dtype == out.dtype
        && input.ndim() == out.ndim()
        && input
            .shape
            .iter()
            .zip(&out.shape)
            .all(|(i, o)| *i != Some(1) || *o == Some(1))
}

/// The inplace pass: every elementwise and set/inc-subtensor node that may
/// overwrite an input (per the destroy handler) is replaced by its inplace
/// variant. Returns the number of nodes made inplace.
pub fn inplace_pass(fg: &mut FunctionGraph, profile: &mut CompileProfile) -> usize {
    let index = match fg.find_feature::<DestroyHandler>() {
        Some(i) => i,
        None => fg.attach_feature(Box::<DestroyHandler>::default()),
    };
    let mut changed = 0;
    for node in fg.toposort() {
        if !fg.is_alive(node) || fg.node_outputs(node).len() != 1 {
            continue;
        }
        let n_inputs = fg.node_inputs(node).len();
        let candidate = (0..n_inputs).find(|&pos| {
            same_layout(fg, node, pos)
                && inplace_variant(fg, node, pos).is_some()
                && DestroyHandler::refusal(fg, node, pos).is_none()
        });
        let Some(pos) = candidate else {
            continue;
        };
        let op = inplace_variant(fg, node, pos).expect("checked");
        let inputs = fg.node_inputs(node).to_vec();
        fg.current_site = Some(fg.node(node).site.clone());
        let new = match fg.apply(op, &inputs) {
            Ok(outs) => outs[0],
            Err(e) => {
                profile.fail("inplace", e.to_string());
                continue;
            }
        };
        match fg.replace(node.out(0), new, "inplace") {
            Ok(()) => {
                changed += 1;
                if let Some(h) = fg.feature_mut::<DestroyHandler>(index) {
                    h.destroyers.insert(new.node);
                }
            }
            Err(e) => profile.fail("inplace", e.to_string()),
        }
    }
    fg.current_site = None;
    changed
}
