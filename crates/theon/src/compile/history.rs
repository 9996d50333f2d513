//! Rewrite history: a `FunctionGraph` feature that remembers, for each node
//! a rewrite put in place of another, the chain of rewrites that produced
//! it, so DebugMode and NanGuardMode errors can say how a node came to be.

use crate::rewrite::{Client, Feature, NodeId, VarId};
use std::any::Any;
use std::collections::HashMap;

/// Per node: the rewrites that produced it, oldest first.
#[derive(Default, Debug)]
pub struct History {
    pub chains: HashMap<NodeId, Vec<String>>,
}

impl Feature for History {
    fn on_change_input(&mut self, _client: Client, old: VarId, new: VarId, reason: &str) {
        if old.node == new.node {
            return;
        }
        let mut chain = self.chains.get(&old.node).cloned().unwrap_or_default();
        if chain.last().map(String::as_str) != Some(reason) {
            chain.push(reason.to_string());
        }
        let entry = self.chains.entry(new.node).or_default();
        if entry.is_empty() || entry.len() < chain.len() {
            *entry = chain;
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}
