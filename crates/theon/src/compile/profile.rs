//! Run-time profiling (`profile = true`, or `THEON_FLAGS=profile=True`):
//! per-node and per-op-class time and call counts, output shapes, and the
//! memory the plan used, next to the compile profile the optimizer kept.
//! `RunProfile::summary()` prints a table shaped like Theano's.

use super::exec::Hook;
use super::program::Step;
use crate::error::Result;
use crate::rewrite::CompileProfile;
use crate::tensor::Tensor;
use indexmap::IndexMap;
use std::collections::HashMap;
use std::fmt::Write;
use std::time::{Duration, Instant};

/// What one scheduled node cost.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NodeProfile {
    /// `opname#id`.
    pub label: String,
    /// The op's type (`Elemwise`, `Dot`, ...): Theano's "Class".
    pub op_class: String,
    /// The op with its parameters (`add`, `sum{axis=1}`): Theano's "Op".
    pub op_name: String,
    pub kernel: String,
    pub calls: usize,
    pub time: Duration,
    /// Output shapes seen in the last call.
    pub output_shapes: Vec<Vec<usize>>,
}

/// Memory of the last profiled call, in bytes, counted per buffer (a view
/// costs nothing beyond its base).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoryReport {
    /// Inputs, shared variables and constants: held all call long by the
    /// caller or the function.
    pub base_bytes: usize,
    /// Most intermediate (and result) bytes alive at once under the plan,
    /// counted while a node runs (its inputs and its new outputs together).
    pub peak_intermediate_bytes: usize,
    /// Most intermediate bytes that must be alive between two nodes of this
    /// schedule (values already computed and still to be read): what no
    /// memory plan for the schedule can go below.
    pub live_bound_bytes: usize,
    /// All intermediate bytes the call allocated (what it would hold
    /// without liveness frees).
    pub allocated_bytes: usize,
    /// The node during which the peak occurred.
    pub peak_node: String,
}

impl MemoryReport {
    /// The planner's peak: base plus peak intermediates.
    pub fn peak_bytes(&self) -> usize {
        self.base_bytes + self.peak_intermediate_bytes
    }

    /// The lower bound: base plus the largest set of intermediates that
    /// are necessarily alive together.
    pub fn lower_bound_bytes(&self) -> usize {
        self.base_bytes + self.live_bound_bytes
    }

    /// Bytes that freeing (and reuse) at last use saved.
    pub fn saved_by_reuse_bytes(&self) -> usize {
        self.allocated_bytes
            .saturating_sub(self.peak_intermediate_bytes)
    }

    /// Peak over lower bound.
    pub fn ratio(&self) -> f64 {
        self.peak_bytes() as f64 / self.lower_bound_bytes().max(1) as f64
    }
}

/// Everything recorded for one function.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunProfile {
    pub name: String,
    pub calls: usize,
    /// Time inside calls (argument checks, execution, updates).
    pub call_time: Duration,
    /// Nodes in schedule order.
    pub nodes: Vec<NodeProfile>,
    pub memory: MemoryReport,
    pub compile: CompileProfile,
}

/// Accumulates one call into a [`RunProfile`].
pub(crate) struct Profiler<'a> {
    profile: &'a mut RunProfile,
    started: Instant,
    live: LiveBytes,
}

impl<'a> Profiler<'a> {
    pub fn new(profile: &'a mut RunProfile, steps: &[Step], n_slots: usize) -> Self {
        if profile.nodes.len() != steps.len() {
            profile.nodes = steps.iter().map(node_entry).collect();
        }
        Profiler {
            profile,
            started: Instant::now(),
            live: LiveBytes::new(n_slots),
        }
    }

    /// Closes the call: counts it and keeps its memory report.
    pub fn finish(self, call_started: Instant) {
        self.profile.calls += 1;
        self.profile.call_time += call_started.elapsed();
        self.profile.memory = self.live.report;
    }
}

fn node_entry(step: &Step) -> NodeProfile {
    let debug = format!("{:?}", step.op);
    let class = debug
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .next()
        .unwrap_or("?")
        .to_string();
    NodeProfile {
        label: step.label.clone(),
        op_class: class,
        op_name: step.op.name(),
        kernel: step.kernel.name().to_string(),
        ..NodeProfile::default()
    }
}

impl Hook for Profiler<'_> {
    fn before_step(&mut self, index: usize, _: &Step, slots: &[Option<Tensor>]) -> Result<()> {
        if index == 0 {
            self.live.begin(slots);
        }
        self.started = Instant::now();
        Ok(())
    }

    fn after_step(
        &mut self,
        index: usize,
        step: &Step,
        _: &[Option<Tensor>],
        outputs: &[Tensor],
    ) -> Result<()> {
        let node = &mut self.profile.nodes[index];
        node.time += self.started.elapsed();
        node.calls += 1;
        node.output_shapes = outputs.iter().map(|t| t.shape().to_vec()).collect();
        self.live.step(step, outputs);
        Ok(())
    }
}

/// Live bytes per buffer, following the plan's writes and frees.
struct LiveBytes {
    base: std::collections::HashSet<usize>,
    /// Buffer id -> (bytes, live slots holding it).
    buffers: HashMap<usize, (usize, usize)>,
    slot_buffer: Vec<Option<usize>>,
    live: usize,
    report: MemoryReport,
}

impl LiveBytes {
    fn new(n_slots: usize) -> Self {
        LiveBytes {
            base: Default::default(),
            buffers: HashMap::new(),
            slot_buffer: vec![None; n_slots],
            live: 0,
            report: MemoryReport::default(),
        }
    }

    fn begin(&mut self, slots: &[Option<Tensor>]) {
        for t in slots.iter().flatten() {
            if self.base.insert(t.buffer_id()) {
                self.report.base_bytes += t.buffer_bytes();
            }
        }
    }

    fn step(&mut self, step: &Step, outputs: &[Tensor]) {
        for (&slot, t) in step.outputs.iter().zip(outputs) {
            let id = t.buffer_id();
            if self.base.contains(&id) {
                continue;
            }
            let entry = self.buffers.entry(id).or_insert((t.buffer_bytes(), 0));
            if entry.1 == 0 {
                self.live += entry.0;
                self.report.allocated_bytes += entry.0;
            }
            entry.1 += 1;
            self.slot_buffer[slot] = Some(id);
        }
        if self.live > self.report.peak_intermediate_bytes {
            self.report.peak_intermediate_bytes = self.live;
            self.report.peak_node = step.label.clone();
        }
        for &slot in &step.frees {
            let Some(id) = self.slot_buffer[slot].take() else {
                continue;
            };
            let entry = self.buffers.get_mut(&id).expect("tracked buffer");
            entry.1 -= 1;
            if entry.1 == 0 {
                self.live -= entry.0;
                self.buffers.remove(&id);
            }
        }
        self.report.live_bound_bytes = self.report.live_bound_bytes.max(self.live);
    }
}

impl RunProfile {
    /// Totals per op class: (class, time, calls, nodes), slowest first.
    pub fn by_class(&self) -> Vec<(String, Duration, usize, usize)> {
        group(&self.nodes, |n| n.op_class.clone())
    }

    /// Totals per op (with parameters), slowest first.
    pub fn by_op(&self) -> Vec<(String, Duration, usize, usize)> {
        group(&self.nodes, |n| n.op_name.clone())
    }

    /// Time spent in nodes, over all calls.
    pub fn node_time(&self) -> Duration {
        self.nodes.iter().map(|n| n.time).sum()
    }

    /// A Theano-style report: calls, classes, ops, nodes, memory, compile.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        let total = self.node_time().as_secs_f64().max(1e-12);
        let _ = writeln!(s, "Function profile: {}", self.name);
        let _ = writeln!(
            s,
            "  Time in {} calls: {:.6}s ({:.3}us per call); time in nodes {:.6}s ({:.1}%)",
            self.calls,
            self.call_time.as_secs_f64(),
            self.call_time.as_secs_f64() * 1e6 / self.calls.max(1) as f64,
            total,
            100.0 * total / self.call_time.as_secs_f64().max(1e-12)
        );
        let _ = writeln!(
            s,
            "  Compile time: {:.6}s",
            self.compile.total.as_secs_f64()
        );
        table(&mut s, "Class", &self.by_class(), total);
        table(&mut s, "Ops", &self.by_op(), total);
        self.node_table(&mut s, total);
        self.memory_table(&mut s);
        let _ = write!(s, "{}", self.compile);
        s
    }

    fn node_table(&self, s: &mut String, total: f64) {
        let _ = writeln!(s, "Apply\n  <% time> <apply time> <time per call> <#call> <kernel> <node> <output shapes>");
        let mut nodes: Vec<&NodeProfile> = self.nodes.iter().collect();
        nodes.sort_by(|a, b| b.time.cmp(&a.time).then(a.label.cmp(&b.label)));
        for n in nodes {
            let t = n.time.as_secs_f64();
            let _ = writeln!(
                s,
                "  {:>6.1}% {:>10.6}s {:>10.3}us {:>6} {:<10} {} {:?}",
                100.0 * t / total,
                t,
                t * 1e6 / n.calls.max(1) as f64,
                n.calls,
                n.kernel,
                n.label,
                n.output_shapes
            );
        }
    }

    fn memory_table(&self, s: &mut String) {
        let m = &self.memory;
        let kib = |b: usize| b as f64 / 1024.0;
        let _ = writeln!(s, "Memory profile (last call, per buffer)");
        let _ = writeln!(
            s,
            "  inputs, shared variables and constants: {:.1} KiB",
            kib(m.base_bytes)
        );
        let _ = writeln!(
            s,
            "  peak: {:.1} KiB (intermediates {:.1} KiB, during {})",
            kib(m.peak_bytes()),
            kib(m.peak_intermediate_bytes),
            m.peak_node
        );
        let _ = writeln!(
            s,
            "  lower bound: {:.1} KiB (peak / bound = {:.3})",
            kib(m.lower_bound_bytes()),
            m.ratio()
        );
        let _ = writeln!(
            s,
            "  allocated {:.1} KiB; saved by freeing at last use: {:.1} KiB",
            kib(m.allocated_bytes),
            kib(m.saved_by_reuse_bytes())
        );
    }
}

fn group(
    nodes: &[NodeProfile],
    key: impl Fn(&NodeProfile) -> String,
) -> Vec<(String, Duration, usize, usize)> {
    let mut groups: IndexMap<String, (Duration, usize, usize)> = IndexMap::new();
    for n in nodes {
        let g = groups.entry(key(n)).or_default();
        g.0 += n.time;
        g.1 += n.calls;
        g.2 += 1;
    }
    let mut out: Vec<_> = groups
        .into_iter()
        .map(|(k, (t, c, a))| (k, t, c, a))
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

fn table(s: &mut String, title: &str, rows: &[(String, Duration, usize, usize)], total: f64) {
    let _ = writeln!(
        s,
        "{title}\n  <% time> <sum %> <apply time> <time per call> <#call> <#apply> <name>"
    );
    let mut cumulative = 0.0;
    for (name, time, calls, applies) in rows {
        let t = time.as_secs_f64();
        cumulative += t;
        let _ = writeln!(
            s,
            "  {:>6.1}% {:>6.1}% {:>10.6}s {:>10.3}us {:>6} {:>5} {name}",
            100.0 * t / total,
            100.0 * cumulative / total,
            t,
            t * 1e6 / (*calls).max(1) as f64,
            calls,
            applies
        );
    }
}
