//! The rule database: ordered phases, each a driver over the rules
//! registered in it, or a global pass. A mode is a [`Query`] on the
//! database (by tag or rule name), giving the phases to run.

use super::engine::{equilibrium, sweep, Budget, GlobalPass, Rule};
use super::fgraph::FunctionGraph;
use super::profile::{CompileProfile, PhaseReport, StopReason};
use std::sync::OnceLock;
use std::time::Instant;

/// How a phase applies its rules.
#[derive(Clone)]
pub enum PhaseKind {
    /// Rules applied until nothing changes (within the budget).
    Equilibrium(Vec<Rule>),
    /// Rules offered each node once, in topological order.
    Sweep(Vec<Rule>),
    /// One pass over the whole graph.
    Global(GlobalPass),
}

/// A named step of the optimizer.
#[derive(Clone)]
pub struct Phase {
    pub name: String,
    pub kind: PhaseKind,
}

/// Which rules to run: a rule runs when its name or one of its tags is
/// included, and neither its name nor any tag is excluded.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Query {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

impl Query {
    pub fn selects(&self, name: &str, tags: &[String]) -> bool {
        let hit = |list: &[String]| list.iter().any(|x| x == name || tags.contains(x));
        hit(&self.include) && !hit(&self.exclude)
    }
}

/// Ordered phases and the rules in them.
#[derive(Clone, Default)]
pub struct RewriteDb {
    phases: Vec<Phase>,
}

impl RewriteDb {
    pub fn new() -> RewriteDb {
        RewriteDb::default()
    }

    /// Appends a phase (phases run in the order they were added).
    pub fn add_phase(&mut self, name: &str, kind: PhaseKind) {
        self.phases.push(Phase {
            name: name.to_string(),
            kind,
        });
    }

    /// Adds `rule` to the local phase `phase` (after the rules already there).
    pub fn register(&mut self, phase: &str, rule: Rule) {
        let found = self.phases.iter_mut().find(|p| p.name == phase);
        match found.map(|p| &mut p.kind) {
            Some(PhaseKind::Equilibrium(rules) | PhaseKind::Sweep(rules)) => rules.push(rule),
            _ => panic!("no local phase named '{phase}' for rule '{}'", rule.name),
        }
    }

    pub fn phases(&self) -> &[Phase] {
        &self.phases
    }

    /// Every rule and pass name, in phase order (for documentation and for
    /// checking `optimizer_excluding` names).
    pub fn names(&self) -> Vec<String> {
        let mut names = Vec::new();
        for p in &self.phases {
            match &p.kind {
                PhaseKind::Equilibrium(rules) | PhaseKind::Sweep(rules) => {
                    names.extend(rules.iter().map(|r| r.name.clone()))
                }
                PhaseKind::Global(g) => names.push(g.name.clone()),
            }
        }
        names.dedup();
        names
    }

    /// The phases with only the selected rules; phases left empty are dropped.
    pub fn query(&self, q: &Query) -> Vec<Phase> {
        let pick = |rules: &[Rule]| -> Vec<Rule> {
            rules
                .iter()
                .filter(|r| q.selects(&r.name, &r.tags))
                .cloned()
                .collect()
        };
        self.phases
            .iter()
            .filter_map(|p| {
                let kind = match &p.kind {
                    PhaseKind::Equilibrium(r) => {
                        Some(PhaseKind::Equilibrium(pick(r))).filter(|_| !pick(r).is_empty())
                    }
                    PhaseKind::Sweep(r) => {
                        Some(PhaseKind::Sweep(pick(r))).filter(|_| !pick(r).is_empty())
                    }
                    PhaseKind::Global(g) => q
                        .selects(&g.name, &g.tags)
                        .then(|| PhaseKind::Global(g.clone())),
                }?;
                Some(Phase {
                    name: p.name.clone(),
                    kind,
                })
            })
            .collect()
    }
}

/// Runs `phases` in order on `fg`, recording everything in a profile.
pub fn run_phases(fg: &mut FunctionGraph, phases: &[Phase], budget: Budget) -> CompileProfile {
    let mut profile = CompileProfile::default();
    let start = Instant::now();
    for phase in phases {
        let t = Instant::now();
        let nodes_before = fg.node_count();
        let stop = match &phase.kind {
            PhaseKind::Equilibrium(rules) => equilibrium(fg, rules, budget, &mut profile),
            PhaseKind::Sweep(rules) => sweep(fg, rules, &mut profile),
            PhaseKind::Global(pass) => {
                let changes = (pass.run)(fg, &mut profile);
                profile.record_many(&pass.name, t.elapsed(), changes);
                fg.take_changes();
                StopReason::Swept
            }
        };
        profile.phases.push(PhaseReport {
            name: phase.name.clone(),
            stop,
            time: t.elapsed(),
            nodes_before,
            nodes_after: fg.node_count(),
        });
    }
    fg.current_site = None;
    profile.total = start.elapsed();
    profile
}

/// The standard database: every rule theon ships, in its phases.
pub fn standard_db() -> &'static RewriteDb {
    static DB: OnceLock<RewriteDb> = OnceLock::new();
    DB.get_or_init(super::rules::standard)
}
