//! Features: listeners a `FunctionGraph` notifies of every change (node
//! built, input rewired, node pruned). They see ids, not the graph, so a
//! feature can never change the graph behind the rewriter's back.

use super::fgraph::{Client, NodeId, VarId};
use std::any::Any;

/// A change listener attached to a [`super::FunctionGraph`].
pub trait Feature: Any + Send {
    /// A node was added to the graph (imported or built by a rewrite).
    fn on_import(&mut self, node: NodeId) {
        let _ = node;
    }

    /// `client` now reads `new` where it read `old`; `reason` names the
    /// rewrite that asked for it.
    fn on_change_input(&mut self, client: Client, old: VarId, new: VarId, reason: &str) {
        let _ = (client, old, new, reason);
    }

    /// A node was removed because nothing used it any more.
    fn on_prune(&mut self, node: NodeId, reason: &str) {
        let _ = (node, reason);
    }

    /// For [`super::FunctionGraph::feature`] downcasts.
    fn as_any(&self) -> &dyn Any;

    /// For [`super::FunctionGraph::feature_mut`] downcasts.
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

/// Records every replacement as `(reason, old, new)`, in order: the history
/// of what the optimizer did (used by tests and for debugging rewrites).
#[derive(Default, Debug)]
pub struct ReplaceLog {
    pub entries: Vec<(String, VarId, VarId)>,
    pub pruned: usize,
}

impl Feature for ReplaceLog {
    fn on_change_input(&mut self, _client: Client, old: VarId, new: VarId, reason: &str) {
        let duplicate = self
            .entries
            .last()
            .is_some_and(|(r, o, n)| r == reason && *o == old && *n == new);
        if !duplicate {
            self.entries.push((reason.to_string(), old, new));
        }
    }

    fn on_prune(&mut self, _node: NodeId, _reason: &str) {
        self.pruned += 1;
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}
