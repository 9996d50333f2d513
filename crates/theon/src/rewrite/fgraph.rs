//! `FunctionGraph`: the compiler's owned, mutable copy of a graph. Nodes live
//! in an append-only arena addressed by typed ids (`NodeId`, `VarId`); every
//! variable knows its clients; `replace` checks types and rewires clients;
//! nodes nobody uses any more are pruned at once; features are notified of
//! every change.
//!
//! Invariants: a live node's inputs are live; `clients(v)` lists exactly the
//! (node, input position) pairs and graph outputs that read `v`; ids are
//! never reused, so an id taken before a change still names the same node
//! (or a dead one) afterwards.

use super::feature::Feature;
use crate::error::{Error, Result, Site};
use crate::graph::{NodeKind, Op, TensorType, Var};
use crate::tensor::Tensor;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// The id of a node in a [`FunctionGraph`]'s arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

/// Output `index` of node `node`: a variable of a [`FunctionGraph`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VarId {
    pub node: NodeId,
    pub index: u32,
}

impl NodeId {
    /// Output `index` of this node.
    pub fn out(self, index: usize) -> VarId {
        VarId {
            node: self,
            index: index as u32,
        }
    }
}

/// Who reads a variable: input `1` of a node, or graph output `0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Client {
    Node(NodeId, usize),
    Output(usize),
}

/// One node of the arena.
pub struct FNode {
    pub kind: NodeKind,
    pub inputs: Vec<VarId>,
    pub types: Vec<TensorType>,
    pub names: Vec<Option<String>>,
    pub site: Site,
    /// For leaves imported from the user's graph: the user's variable, so
    /// the compiled program reads the same inputs and shared storage.
    pub origin: Option<Var>,
    clients: Vec<Vec<Client>>,
    /// A declared input of the function: never pruned.
    is_graph_input: bool,
}

impl FNode {
    /// The op, for apply nodes.
    pub fn op(&self) -> Option<&Arc<dyn Op>> {
        match &self.kind {
            NodeKind::Apply(op) => Some(op),
            _ => None,
        }
    }
}

/// The compiler's mutable graph (see the module docs for its invariants).
pub struct FunctionGraph {
    nodes: Vec<Option<FNode>>,
    inputs: Vec<VarId>,
    outputs: Vec<VarId>,
    features: Vec<Box<dyn Feature>>,
    /// Nodes created or given new inputs since the last `take_changes`.
    changes: Vec<NodeId>,
    /// Hash of (op, inputs) or of a constant's value -> candidate nodes.
    /// Entries may be stale; lookups re-check equality and liveness.
    merge_table: HashMap<u64, Vec<NodeId>>,
    /// Whether `apply`/`constant` return an existing equal node instead of
    /// building a duplicate (on while the merge rewrite is enabled).
    pub merge_on_build: bool,
    /// The site given to nodes that rewrites build (the rewritten node's).
    pub current_site: Option<Site>,
    alive: usize,
    fresh_since: usize,
}

impl FunctionGraph {
    /// An empty graph; use [`FunctionGraph::from_vars`] to import one.
    pub fn new() -> FunctionGraph {
        FunctionGraph {
            nodes: Vec::new(),
            inputs: Vec::new(),
            outputs: Vec::new(),
            features: Vec::new(),
            changes: Vec::new(),
            merge_table: HashMap::new(),
            merge_on_build: false,
            current_site: None,
            alive: 0,
            fresh_since: usize::MAX,
        }
    }

    // ----- reading -----

    /// The node, which must be alive.
    pub fn node(&self, id: NodeId) -> &FNode {
        self.nodes[id.0 as usize]
            .as_ref()
            .unwrap_or_else(|| panic!("node {id:?} was pruned"))
    }

    fn node_mut(&mut self, id: NodeId) -> &mut FNode {
        self.nodes[id.0 as usize]
            .as_mut()
            .unwrap_or_else(|| panic!("node {id:?} was pruned"))
    }

    pub fn is_alive(&self, id: NodeId) -> bool {
        self.nodes.get(id.0 as usize).is_some_and(Option::is_some)
    }

    /// Ids of the live nodes, in creation order.
    pub fn node_ids(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.is_some())
            .map(|(i, _)| NodeId(i as u32))
    }

    /// Number of live nodes (leaves included).
    pub fn node_count(&self) -> usize {
        self.alive
    }

    /// One past the largest id ever handed out (ids at or above a value
    /// taken earlier belong to nodes created since).
    pub fn arena_len(&self) -> usize {
        self.nodes.len()
    }

    pub fn inputs(&self) -> &[VarId] {
        &self.inputs
    }

    pub fn outputs(&self) -> &[VarId] {
        &self.outputs
    }

    pub fn ty(&self, v: VarId) -> &TensorType {
        &self.node(v.node).types[v.index as usize]
    }

    pub fn op(&self, id: NodeId) -> Option<&Arc<dyn Op>> {
        self.node(id).op()
    }

    /// The op of `id` downcast to `T`, if it is one.
    pub fn op_as<T: Op>(&self, id: NodeId) -> Option<&T> {
        self.op(id).and_then(|op| op.as_any().downcast_ref::<T>())
    }

    /// The op producing `v` downcast to `T`, if `v` is an output of one.
    pub fn producer_as<T: Op>(&self, v: VarId) -> Option<&T> {
        self.op_as::<T>(v.node)
    }

    pub fn node_inputs(&self, id: NodeId) -> &[VarId] {
        &self.node(id).inputs
    }

    /// The outputs of a node as variables.
    pub fn node_outputs(&self, id: NodeId) -> Vec<VarId> {
        (0..self.node(id).types.len()).map(|i| id.out(i)).collect()
    }

    pub fn clients(&self, v: VarId) -> &[Client] {
        &self.node(v.node).clients[v.index as usize]
    }

    /// The constant value of `v`, if it is a constant.
    pub fn constant_value(&self, v: VarId) -> Option<&Tensor> {
        match &self.node(v.node).kind {
            NodeKind::Constant(t) => Some(t),
            _ => None,
        }
    }

    /// A label for messages: the variable's name, or its op and id.
    pub fn label(&self, v: VarId) -> String {
        let node = self.node(v.node);
        if let Some(name) = &node.names[v.index as usize] {
            return name.clone();
        }
        match &node.kind {
            NodeKind::Constant(t) if t.size() == 1 => format!("{}", t.item().as_f64()),
            NodeKind::Apply(op) => format!("{}#{}", op.name(), v.node.0),
            _ => format!(
                "{}#{}",
                node.origin.as_ref().map_or("leaf".into(), |o| o.label()),
                v.node.0
            ),
        }
    }

    /// Live apply nodes in topological order (inputs first), reachable from
    /// the outputs; deterministic.
    pub fn toposort(&self) -> Vec<NodeId> {
        let mut state = vec![0u8; self.nodes.len()];
        let mut order = Vec::new();
        let mut stack: Vec<(NodeId, bool)> =
            self.outputs.iter().rev().map(|v| (v.node, false)).collect();
        while let Some((id, expanded)) = stack.pop() {
            let s = &mut state[id.0 as usize];
            if expanded {
                if *s != 2 {
                    *s = 2;
                    if self.node(id).op().is_some() {
                        order.push(id);
                    }
                }
                continue;
            }
            if *s != 0 {
                continue;
            }
            *s = 1;
            stack.push((id, true));
            for input in self.node(id).inputs.iter().rev() {
                if state[input.node.0 as usize] == 0 {
                    stack.push((input.node, false));
                }
            }
        }
        order
    }

    // ----- features -----

    /// Attaches a change listener; returns its index for [`Self::feature`].
    pub fn attach_feature(&mut self, feature: Box<dyn Feature>) -> usize {
        self.features.push(feature);
        self.features.len() - 1
    }

    /// The attached feature at `index`, downcast to its type.
    pub fn feature<T: Feature>(&self, index: usize) -> Option<&T> {
        self.features.get(index)?.as_any().downcast_ref::<T>()
    }

    /// The attached feature at `index`, mutably.
    pub fn feature_mut<T: Feature>(&mut self, index: usize) -> Option<&mut T> {
        self.features
            .get_mut(index)?
            .as_any_mut()
            .downcast_mut::<T>()
    }

    /// The index of the first attached feature of type `T`.
    pub fn find_feature<T: Feature>(&self) -> Option<usize> {
        self.features.iter().position(|f| f.as_any().is::<T>())
    }

    /// Nodes created or rewired since the last call (for the drivers).
    pub fn take_changes(&mut self) -> Vec<NodeId> {
        std::mem::take(&mut self.changes)
    }

    // ----- building -----

    fn push_node(&mut self, node: FNode) -> NodeId {
        let id = NodeId(self.nodes.len() as u32);
        for (pos, input) in node.inputs.iter().enumerate() {
            self.node_mut(input.node).clients[input.index as usize].push(Client::Node(id, pos));
        }
        self.nodes.push(Some(node));
        self.alive += 1;
        self.changes.push(id);
        for f in &mut self.features {
            f.on_import(id);
        }
        id
    }

    fn leaf_node(kind: NodeKind, ty: TensorType, origin: Option<Var>, site: Site) -> FNode {
        let name = origin.as_ref().and_then(Var::name);
        FNode {
            kind,
            inputs: vec![],
            types: vec![ty],
            names: vec![name],
            site,
            origin,
            clients: vec![vec![]],
            is_graph_input: false,
        }
    }

    /// Adds a leaf standing for the user's variable `v` (input, constant or
    /// shared variable).
    pub(crate) fn add_leaf(&mut self, v: &Var) -> VarId {
        let node = v.node();
        let fnode = Self::leaf_node(
            node.kind.clone(),
            v.ty().clone(),
            Some(v.clone()),
            node.site.clone(),
        );
        self.push_node(fnode).out(0)
    }

    pub(crate) fn declare_input(&mut self, v: VarId) {
        self.node_mut(v.node).is_graph_input = true;
        self.inputs.push(v);
    }

    pub(crate) fn push_output(&mut self, v: VarId) {
        let index = self.outputs.len();
        self.node_mut(v.node).clients[v.index as usize].push(Client::Output(index));
        self.outputs.push(v);
    }

    /// A constant node (an existing equal constant when merging is on).
    pub fn constant(&mut self, value: Tensor) -> VarId {
        let key = constant_hash(&value);
        if self.merge_on_build {
            if let Some(found) = self.find_equal_constant(key, &value) {
                return found.out(0);
            }
        }
        let site = self
            .current_site
            .clone()
            .unwrap_or_else(|| Site::new("<rewrite>", 0));
        let ty = TensorType::known(value.dtype(), value.shape());
        let id = self.push_node(Self::leaf_node(NodeKind::Constant(value), ty, None, site));
        self.merge_table.entry(key).or_default().push(id);
        id.out(0)
    }

    /// Applies `op` to `inputs`, checking types (an existing equal node is
    /// returned instead when merging is on).
    pub fn apply(&mut self, op: Arc<dyn Op>, inputs: &[VarId]) -> Result<Vec<VarId>> {
        let key = apply_hash(op.as_ref(), inputs);
        if self.merge_on_build {
            if let Some(found) = self.find_equal_apply(key, op.as_ref(), inputs, None) {
                return Ok(self.node_outputs(found));
            }
        }
        let in_types: Vec<TensorType> = inputs.iter().map(|v| self.ty(*v).clone()).collect();
        let site = self
            .current_site
            .clone()
            .unwrap_or_else(|| Site::new("<rewrite>", 0));
        let types = op.output_types(&in_types).map_err(|e| e.at(&site))?;
        let n = types.len();
        let node = FNode {
            kind: NodeKind::Apply(op),
            inputs: inputs.to_vec(),
            names: vec![None; n],
            clients: vec![vec![]; n],
            types,
            site,
            origin: None,
            is_graph_input: false,
        };
        let id = self.push_node(node);
        self.merge_table.entry(key).or_default().push(id);
        Ok(self.node_outputs(id))
    }

    /// Like [`Self::apply`] for a single-output op.
    pub fn apply1(&mut self, op: impl Op, inputs: &[VarId]) -> Result<VarId> {
        let outs = self.apply(Arc::new(op), inputs)?;
        Ok(outs[0])
    }

    pub(crate) fn set_name(&mut self, v: VarId, name: Option<String>) {
        self.node_mut(v.node).names[v.index as usize] = name;
    }

    // ----- merging support -----

    /// A live node other than `except` equal to `op` applied to `inputs`.
    pub fn find_equal_apply(
        &self,
        key: u64,
        op: &dyn Op,
        inputs: &[VarId],
        except: Option<NodeId>,
    ) -> Option<NodeId> {
        self.merge_table.get(&key)?.iter().copied().find(|&c| {
            Some(c) != except
                && self.is_alive(c)
                && self.node(c).inputs == inputs
                && self.node(c).op().is_some_and(|o| o.op_eq(op))
        })
    }

    fn find_equal_constant(&self, key: u64, value: &Tensor) -> Option<NodeId> {
        self.merge_table.get(&key)?.iter().copied().find(|&c| {
            self.is_alive(c)
                && self
                    .constant_value(c.out(0))
                    .is_some_and(|t| t.bit_eq(value))
        })
    }

    /// A live node other than `id` equal to it (same op on the same inputs,
    /// or an identical constant), the first one registered if several are.
    pub fn equal_node(&self, id: NodeId) -> Option<NodeId> {
        let node = self.node(id);
        let found = match &node.kind {
            NodeKind::Apply(op) => self.find_equal_apply(
                apply_hash(op.as_ref(), &node.inputs),
                op.as_ref(),
                &node.inputs,
                Some(id),
            ),
            NodeKind::Constant(t) => self
                .merge_table
                .get(&constant_hash(t))?
                .iter()
                .copied()
                .find(|&c| {
                    c != id
                        && self.is_alive(c)
                        && self.constant_value(c.out(0)).is_some_and(|u| u.bit_eq(t))
                }),
            _ => None,
        };
        found
    }

    /// A hash that equal nodes share: of the op and inputs, or of a
    /// constant's value. `None` for inputs and shared variables.
    pub fn merge_key(&self, id: NodeId) -> Option<u64> {
        match &self.node(id).kind {
            NodeKind::Apply(op) => Some(apply_hash(op.as_ref(), &self.node(id).inputs)),
            NodeKind::Constant(t) => Some(constant_hash(t)),
            _ => None,
        }
    }

    /// Whether two nodes compute the same values: equal ops on the same
    /// inputs, or identical constants.
    pub fn nodes_equal(&self, a: NodeId, b: NodeId) -> bool {
        let (x, y) = (self.node(a), self.node(b));
        match (&x.kind, &y.kind) {
            (NodeKind::Apply(p), NodeKind::Apply(q)) => x.inputs == y.inputs && p.op_eq(q.as_ref()),
            (NodeKind::Constant(s), NodeKind::Constant(t)) => s.bit_eq(t),
            _ => a == b,
        }
    }

    /// Registers `id` (an imported node) for merge lookups.
    pub(crate) fn index_for_merge(&mut self, id: NodeId) {
        if let Some(key) = self.merge_key(id) {
            self.merge_table.entry(key).or_default().push(id);
        }
    }

    // ----- changing -----

    /// Replaces every use of `old` by `new`. The new variable's type must be
    /// one the old type accepts (same dtype and rank, no static dim lost);
    /// otherwise the error names `reason` (the rewrite).
    pub fn replace(&mut self, old: VarId, new: VarId, reason: &str) -> Result<()> {
        self.replace_all(&[(old, new)], reason)
    }

    /// Replaces several variables at once; all pairs are checked first, so
    /// on error nothing has changed.
    pub fn replace_all(&mut self, pairs: &[(VarId, VarId)], reason: &str) -> Result<()> {
        for &(old, new) in pairs {
            self.check_replacement(old, new, reason)?;
        }
        for &(old, new) in pairs {
            if old != new && self.is_alive(old.node) {
                self.rewire(old, new, reason);
            }
        }
        for &(old, _) in pairs {
            self.prune_if_unused(old.node, reason);
        }
        Ok(())
    }

    fn check_replacement(&self, old: VarId, new: VarId, reason: &str) -> Result<()> {
        let (to, tn) = (self.ty(old), self.ty(new));
        if !to.accepts(tn) {
            return Err(Error::value(
                reason,
                format!(
                    "rewrite replaced {} of type {to} by {} of type {tn}, a different type",
                    self.label(old),
                    self.label(new)
                ),
            ));
        }
        if old != new && self.depends_on_new(new, old.node) {
            return Err(Error::value(
                reason,
                format!(
                    "rewrite replaced {} by a variable computed from it",
                    self.label(old)
                ),
            ));
        }
        Ok(())
    }

    /// Whether `v` reads `target` through nodes built since the last
    /// [`Self::checkpoint`] (the ones a rewrite just built); older nodes are
    /// only checked for reading `target` directly, which keeps this cheap.
    fn depends_on_new(&self, v: VarId, target: NodeId) -> bool {
        let mut stack = vec![v.node];
        let mut seen = std::collections::HashSet::new();
        while let Some(id) = stack.pop() {
            if id == target {
                return true;
            }
            let node = self.node(id);
            if id.0 as usize >= self.fresh_since && seen.insert(id) {
                stack.extend(node.inputs.iter().map(|i| i.node));
            } else if node.inputs.iter().any(|i| i.node == target) {
                return true;
            }
        }
        false
    }

    /// Marks the start of a rewrite: nodes built from now on are "fresh"
    /// (searched by the cycle check, pruned by [`Self::prune_orphans_since`]).
    pub fn checkpoint(&mut self) -> usize {
        self.fresh_since = self.nodes.len();
        self.fresh_since
    }

    fn rewire(&mut self, old: VarId, new: VarId, reason: &str) {
        let clients = std::mem::take(&mut self.node_mut(old.node).clients[old.index as usize]);
        for client in clients {
            match client {
                Client::Node(n, pos) => {
                    self.node_mut(n).inputs[pos] = new;
                    self.index_for_merge(n);
                    self.changes.push(n);
                }
                Client::Output(i) => self.outputs[i] = new,
            }
            self.node_mut(new.node).clients[new.index as usize].push(client);
            for f in &mut self.features {
                f.on_change_input(client, old, new, reason);
            }
        }
    }

    /// Removes `id` and then its inputs, recursively, while they have no
    /// clients (declared inputs stay).
    pub fn prune_if_unused(&mut self, id: NodeId, reason: &str) {
        let mut stack = vec![id];
        while let Some(id) = stack.pop() {
            if !self.is_alive(id) {
                continue;
            }
            let node = self.node(id);
            if node.is_graph_input || node.clients.iter().any(|c| !c.is_empty()) {
                continue;
            }
            let node = self.nodes[id.0 as usize].take().expect("alive");
            self.alive -= 1;
            for (pos, input) in node.inputs.iter().enumerate() {
                let list = &mut self.node_mut(input.node).clients[input.index as usize];
                if let Some(at) = list.iter().position(|c| *c == Client::Node(id, pos)) {
                    list.swap_remove(at);
                }
                stack.push(input.node);
            }
            for f in &mut self.features {
                f.on_prune(id, reason);
            }
        }
    }

    /// Prunes nodes created at or after `checkpoint` that nothing uses (what
    /// a rewrite built and then did not use).
    pub fn prune_orphans_since(&mut self, checkpoint: usize) {
        for i in (checkpoint..self.nodes.len()).rev() {
            self.prune_if_unused(NodeId(i as u32), "orphan");
        }
    }

    /// Dead-code removal: prunes every node not needed by the outputs.
    /// Returns how many nodes were removed.
    pub fn remove_dead_nodes(&mut self) -> usize {
        let before = self.alive;
        for i in (0..self.nodes.len()).rev() {
            self.prune_if_unused(NodeId(i as u32), "dead_code");
        }
        before - self.alive
    }
}

impl Default for FunctionGraph {
    fn default() -> Self {
        Self::new()
    }
}

fn apply_hash(op: &dyn Op, inputs: &[VarId]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    op.op_hash().hash(&mut h);
    inputs.hash(&mut h);
    h.finish()
}

fn constant_hash(t: &Tensor) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    t.dtype().hash(&mut h);
    t.shape().hash(&mut h);
    for s in t.to_scalars() {
        s.as_f64().to_bits().hash(&mut h);
    }
    h.finish()
}
