//! The compile profile: per-rule time and hit counts, per-phase reports
//! with the drivers' stop reasons, and the rules that failed (panicked or
//! produced a wrong type) and were skipped.

use indexmap::IndexMap;
use std::fmt;
use std::time::Duration;

/// Why a driver stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// No rule fires anywhere any more.
    Converged,
    /// A one-sweep driver (or a global pass) finished its sweep.
    Swept,
    /// The equilibrium driver visited its allowance of nodes.
    PassBudget,
    /// The graph grew past the allowed number of nodes.
    NodeGrowth,
    /// The time allowance ran out.
    TimeBudget,
}

/// Statistics of one rule or pass.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuleStats {
    /// Times the rule was offered a node (or the pass run).
    pub calls: usize,
    /// Times it changed the graph.
    pub hits: usize,
    pub time: Duration,
}

/// What one phase did.
#[derive(Clone, Debug, PartialEq)]
pub struct PhaseReport {
    pub name: String,
    pub stop: StopReason,
    pub time: Duration,
    pub nodes_before: usize,
    pub nodes_after: usize,
}

/// A rule that failed and was skipped.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleFailure {
    pub rule: String,
    pub message: String,
}

/// Everything the optimizer recorded while compiling one function.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CompileProfile {
    pub rules: IndexMap<String, RuleStats>,
    pub phases: Vec<PhaseReport>,
    pub failures: Vec<RuleFailure>,
    pub total: Duration,
}

impl CompileProfile {
    /// Records one call of `rule`.
    pub fn record(&mut self, rule: &str, time: Duration, hit: bool) {
        self.record_many(rule, time, hit as usize);
    }

    /// Records one call of `rule` that made `hits` changes.
    pub fn record_many(&mut self, rule: &str, time: Duration, hits: usize) {
        if !self.rules.contains_key(rule) {
            self.rules.insert(rule.to_string(), RuleStats::default());
        }
        let stats = self.rules.get_mut(rule).expect("inserted");
        stats.calls += 1;
        stats.hits += hits;
        stats.time += time;
    }

    /// Records a failure of `rule`; it is also printed, since a failing rule
    /// is a bug in the optimizer, not in the user's program.
    pub fn fail(&mut self, rule: &str, message: String) {
        eprintln!("theon: warning: rewrite '{rule}' failed and was skipped: {message}");
        self.failures.push(RuleFailure {
            rule: rule.to_string(),
            message,
        });
    }

    /// How many times `rule` changed the graph.
    pub fn hits(&self, rule: &str) -> usize {
        self.rules.get(rule).map_or(0, |s| s.hits)
    }
}

impl fmt::Display for CompileProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "compile profile: {:.3} ms",
            self.total.as_secs_f64() * 1e3
        )?;
        for p in &self.phases {
            writeln!(
                f,
                "  phase {:<14} {:>9.3} ms  nodes {} -> {}  ({:?})",
                p.name,
                p.time.as_secs_f64() * 1e3,
                p.nodes_before,
                p.nodes_after,
                p.stop
            )?;
        }
        let mut rules: Vec<_> = self.rules.iter().collect();
        rules.sort_by(|a, b| b.1.time.cmp(&a.1.time).then(a.0.cmp(b.0)));
        for (name, s) in rules {
            writeln!(
                f,
                "  rule {:<28} {:>9.3} ms  {:>6} hits / {:>7} calls",
                name,
                s.time.as_secs_f64() * 1e3,
                s.hits,
                s.calls
            )?;
        }
        for failure in &self.failures {
            writeln!(f, "  FAILED {}: {}", failure.rule, failure.message)?;
        }
        Ok(())
    }
}
