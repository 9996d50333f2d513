//! The rewrite engine: local rules ("node -> replacement or nothing"),
//! global passes, and the two drivers that apply rules: one topological
//! sweep, and an equilibrium driver that re-visits only nodes near a change,
//! within budgets, and reports why it stopped.
//!
//! Safety net: every rule call is wrapped in `catch_unwind`; a rule that
//! panics or returns a replacement of the wrong type is reported by name in
//! the [`CompileProfile`] and skipped, so compilation still succeeds.

use super::fgraph::{FunctionGraph, NodeId, VarId};
use super::profile::{CompileProfile, StopReason};
use crate::error::Site;
use crate::graph::Op;
use crate::ops::elemwise::{Elemwise, ScalarOp};
use std::any::TypeId;
use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The body of a local rule: given a node, the replacement for each of its
/// outputs, or `None` when the rule does not apply. Rules may build new
/// nodes with `fg.apply`/`fg.constant` but never change the graph otherwise:
/// the driver does the replacing (and prunes what a declining rule built).
pub type RuleFn = dyn Fn(&mut FunctionGraph, NodeId) -> Option<Vec<VarId>> + Send + Sync;

/// Which nodes a rule looks at (lets drivers skip rules cheaply).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tracks {
    /// Every apply node.
    Any,
    /// `Elemwise` nodes applying this scalar op.
    Scalar(ScalarOp),
    /// Nodes whose op has this Rust type (e.g. `DimShuffle`).
    OpType(TypeId),
}

impl Tracks {
    /// Tracks nodes of op type `T`.
    pub fn op<T: Op>() -> Tracks {
        Tracks::OpType(TypeId::of::<T>())
    }

    fn matches(self, op: &dyn Op) -> bool {
        match self {
            Tracks::Any => true,
            Tracks::OpType(t) => op.as_any().type_id() == t,
            Tracks::Scalar(s) => op
                .as_any()
                .downcast_ref::<Elemwise>()
                .is_some_and(|e| e.op == s),
        }
    }
}

/// A named, tagged local rewrite.
#[derive(Clone)]
pub struct Rule {
    pub name: String,
    pub tags: Vec<String>,
    pub tracks: Tracks,
    pub body: Arc<RuleFn>,
}

impl Rule {
    /// A rule from a Rust function or closure.
    pub fn new(
        name: &str,
        tags: &[&str],
        tracks: Tracks,
        body: impl Fn(&mut FunctionGraph, NodeId) -> Option<Vec<VarId>> + Send + Sync + 'static,
    ) -> Rule {
        Rule {
            name: name.to_string(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            tracks,
            body: Arc::new(body),
        }
    }
}

/// A named, tagged pass over the whole graph (merge, fusion, dead code);
/// returns how many changes it made.
#[derive(Clone)]
pub struct GlobalPass {
    pub name: String,
    pub tags: Vec<String>,
    pub run: fn(&mut FunctionGraph, &mut CompileProfile) -> usize,
}

/// Limits of the equilibrium driver.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// Node visits allowed, as a multiple of the live nodes at the start.
    pub passes: usize,
    /// Live nodes allowed, as a multiple of the count at the start (plus
    /// a constant 1000 so tiny graphs may grow).
    pub growth: f64,
    /// Wall time allowed.
    pub time: Duration,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            passes: 32,
            growth: 4.0,
            time: Duration::from_secs(30),
        }
    }
}

/// Applies the rules to one node in order until one fires; returns whether
/// one did. Replacement errors and panics are recorded and the rule skipped.
fn apply_rules(
    fg: &mut FunctionGraph,
    node: NodeId,
    rules: &[Rule],
    disabled: &mut [bool],
    profile: &mut CompileProfile,
) -> bool {
    let op = fg.op(node).expect("drivers visit apply nodes").clone();
    let site = fg.node(node).site.clone();
    fg.current_site = Some(site.clone());
    for (i, rule) in rules.iter().enumerate() {
        if disabled[i] || !rule.tracks.matches(op.as_ref()) {
            continue;
        }
        let checkpoint = fg.checkpoint();
        let start = Instant::now();
        // Nodes a rule builds through the graph API answer for the user's
        // line of the node they replace.
        let result = catch_unwind(AssertUnwindSafe(|| {
            Site::with_override(site.clone(), || (rule.body)(fg, node))
        }));
        let fired = match result {
            Err(panic) => {
                disabled[i] = true;
                profile.fail(&rule.name, format!("panicked: {}", panic_message(&panic)));
                false
            }
            Ok(None) => false,
            Ok(Some(new)) => commit(fg, node, &new, &rule.name, profile),
        };
        fg.prune_orphans_since(checkpoint);
        profile.record(&rule.name, start.elapsed(), fired);
        if fired {
            return true;
        }
    }
    false
}

/// Replaces the node's outputs; false (and a recorded failure) when the
/// replacement is malformed or of the wrong type.
fn commit(
    fg: &mut FunctionGraph,
    node: NodeId,
    new: &[VarId],
    rule: &str,
    profile: &mut CompileProfile,
) -> bool {
    let old = fg.node_outputs(node);
    if old.len() != new.len() {
        profile.fail(
            rule,
            format!(
                "returned {} replacements for {} outputs",
                new.len(),
                old.len()
            ),
        );
        return false;
    }
    let pairs: Vec<(VarId, VarId)> = old
        .into_iter()
        .zip(new.iter().copied())
        .filter(|(o, n)| o != n)
        .collect();
    if pairs.is_empty() {
        return false;
    }
    match fg.replace_all(&pairs, rule) {
        Ok(()) => true,
        Err(e) => {
            profile.fail(rule, e.to_string());
            false
        }
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "unknown panic".into())
}

/// One topological sweep: each node present at the start is offered to the
/// rules once; nodes the rules build are not revisited.
pub fn sweep(fg: &mut FunctionGraph, rules: &[Rule], profile: &mut CompileProfile) -> StopReason {
    let mut disabled = vec![false; rules.len()];
    for node in fg.toposort() {
        if fg.is_alive(node) {
            apply_rules(fg, node, rules, &mut disabled, profile);
        }
    }
    fg.take_changes();
    StopReason::Swept
}

/// Applies the rules until none fires anywhere (or a budget runs out). It
/// starts from every node in topological order, then re-visits only nodes
/// built or rewired by a rewrite, so the cost follows the changes.
pub fn equilibrium(
    fg: &mut FunctionGraph,
    rules: &[Rule],
    budget: Budget,
    profile: &mut CompileProfile,
) -> StopReason {
    let start = Instant::now();
    let initial = fg.node_count().max(1);
    let max_visits = budget.passes.saturating_mul(initial);
    let max_nodes = (initial as f64 * budget.growth) as usize + 1000;
    let mut disabled = vec![false; rules.len()];
    let mut queue: VecDeque<NodeId> = fg.toposort().into();
    let mut queued = vec![false; fg.arena_len()];
    for n in &queue {
        queued[n.0 as usize] = true;
    }
    fg.take_changes();
    let mut visits = 0usize;
    while let Some(node) = queue.pop_front() {
        queued[node.0 as usize] = false;
        if !fg.is_alive(node) || fg.op(node).is_none() {
            continue;
        }
        visits += 1;
        if visits > max_visits {
            return StopReason::PassBudget;
        }
        if fg.node_count() > max_nodes {
            return StopReason::NodeGrowth;
        }
        if visits % 256 == 0 && start.elapsed() > budget.time {
            return StopReason::TimeBudget;
        }
        if apply_rules(fg, node, rules, &mut disabled, profile) {
            queued.resize(fg.arena_len(), false);
            for changed in fg.take_changes() {
                if fg.is_alive(changed) && !std::mem::replace(&mut queued[changed.0 as usize], true)
                {
                    queue.push_back(changed);
                }
            }
        }
    }
    StopReason::Converged
}
