//! `Program`: the lowered function. A schedule of nodes over numbered value
//! slots, each node with the kernel chosen for it and the slots that die
//! after it (liveness: a value is dropped right after its last reader, so
//! its buffer is released, or reused by a kernel that takes it). Built once
//! at compile time, so a call does no graph walking and no hash lookups.

use super::kernel::{Kernel, KernelRegistry};
use crate::error::Site;
use crate::graph::{toposort, NodeKind, Op, SharedVar, TensorType, Var};
use crate::tensor::Tensor;
use indexmap::IndexMap;
use std::collections::HashMap;
use std::sync::Arc;

/// One scheduled node: read input slots, run the kernel, fill output slots.
pub struct Step {
    pub op: Arc<dyn Op>,
    pub kernel: Arc<dyn Kernel>,
    pub inputs: Vec<usize>,
    pub outputs: Vec<usize>,
    pub input_types: Vec<TensorType>,
    pub output_types: Vec<TensorType>,
    /// Where the user created the node (rewrites keep the rewritten node's).
    pub site: Site,
    /// `opname#id`: how errors and profiles name the node.
    pub label: String,
    /// The rewrites that produced this node, oldest first (empty when the
    /// node is the user's own).
    pub history: Vec<String>,
    /// Slots whose value is not needed after this step (dropped right away).
    pub frees: Vec<usize>,
    /// Per input position: the value dies here and only this position of
    /// the node reads it, so a kernel may take it.
    pub dying: Vec<bool>,
}

/// A lowered function: slots, schedule, results.
pub struct Program {
    pub n_slots: usize,
    /// Slots of the function's explicit inputs, in call order (`None` for an
    /// input nothing reads and that is not a result).
    pub input_slots: Vec<Option<usize>>,
    /// Constant values; their slots are filled once per frame and never freed.
    pub constants: Vec<(usize, Tensor)>,
    /// Shared variables read at the start of each call, in lock order.
    pub shared_reads: Vec<(usize, SharedVar)>,
    pub steps: Vec<Step>,
    /// Slots holding the results (outputs, then update values).
    pub result_slots: Vec<usize>,
    /// Per result: move the value out of its slot (`true`) or clone it (a
    /// constant, or a slot listed again later among the results).
    pub result_take: Vec<bool>,
}

impl Program {
    /// Schedules `results` (which may only depend on `inputs`, constants and
    /// shared variables; the caller has checked that), choosing each node's
    /// kernel from `kernels`. `history` maps a node id to the rewrites that
    /// produced it.
    pub fn build(
        inputs: &[Var],
        results: &[Var],
        kernels: &KernelRegistry,
        history: &HashMap<u64, Vec<String>>,
    ) -> Program {
        let mut slots: IndexMap<(u64, usize), usize> = IndexMap::new();
        let slot_of = |v: &Var, slots: &mut IndexMap<(u64, usize), usize>| {
            let n = slots.len();
            *slots.entry(v.key()).or_insert(n)
        };
        let input_slots: Vec<usize> = inputs.iter().map(|v| slot_of(v, &mut slots)).collect();
        let mut constants = Vec::new();
        let mut shared_reads = Vec::new();
        let mut steps = Vec::new();
        for node in toposort(results) {
            let outs = node.outputs();
            match &node.kind {
                NodeKind::Input => {}
                NodeKind::Constant(t) => constants.push((slot_of(&outs[0], &mut slots), t.clone())),
                NodeKind::Shared(_) => {
                    let shared = outs[0].as_shared().expect("shared leaf");
                    shared_reads.push((slot_of(&outs[0], &mut slots), shared));
                }
                NodeKind::Apply(op) => {
                    let input_types: Vec<TensorType> =
                        node.inputs.iter().map(|v| v.ty().clone()).collect();
                    steps.push(Step {
                        op: op.clone(),
                        kernel: kernels.select(op, &input_types, &node.output_types),
                        inputs: node.inputs.iter().map(|v| slot_of(v, &mut slots)).collect(),
                        outputs: outs.iter().map(|v| slot_of(v, &mut slots)).collect(),
                        input_types,
                        output_types: node.output_types.clone(),
                        site: node.site.clone(),
                        label: format!("{}#{}", op.name(), node.id),
                        history: history.get(&node.id).cloned().unwrap_or_default(),
                        frees: vec![],
                        dying: vec![],
                    });
                }
            }
        }
        shared_reads.sort_by_key(|(_, s)| s.storage_id());
        let result_slots: Vec<usize> = results.iter().map(|v| slot_of(v, &mut slots)).collect();
        let mut program = Program {
            n_slots: slots.len(),
            input_slots: input_slots.into_iter().map(Some).collect(),
            constants,
            shared_reads,
            steps,
            result_slots,
            result_take: vec![],
        };
        program.plan_liveness();
        program
    }

    /// Liveness: each value is dropped after its last reader (or right after
    /// it is computed when nothing reads it); results and constants stay.
    fn plan_liveness(&mut self) {
        const NEVER: usize = usize::MAX;
        let mut last_use = vec![NEVER; self.n_slots];
        for (i, step) in self.steps.iter().enumerate() {
            for &s in &step.inputs {
                last_use[s] = i;
            }
        }
        let mut keep = vec![false; self.n_slots];
        for &s in &self.result_slots {
            keep[s] = true;
        }
        for &(s, _) in &self.constants {
            keep[s] = true;
        }
        for (i, step) in self.steps.iter_mut().enumerate() {
            let dies = |s: usize| !keep[s] && last_use[s] == i;
            step.dying = step
                .inputs
                .iter()
                .map(|&s| dies(s) && step.inputs.iter().filter(|&&t| t == s).count() == 1)
                .collect();
            let mut frees: Vec<usize> = step.inputs.iter().copied().filter(|&s| dies(s)).collect();
            frees.extend(
                step.outputs
                    .iter()
                    .copied()
                    .filter(|&s| !keep[s] && last_use[s] == NEVER),
            );
            frees.sort_unstable();
            frees.dedup();
            step.frees = frees;
        }
        for slot in self.input_slots.iter_mut() {
            if slot.is_some_and(|s| !keep[s] && last_use[s] == NEVER) {
                *slot = None;
            }
        }
        // A result is moved out of its slot unless the slot is a constant
        // or is listed again later (then it is cloned).
        let mut last_listed = vec![usize::MAX; self.n_slots];
        for (i, &s) in self.result_slots.iter().enumerate() {
            last_listed[s] = i;
        }
        let mut constant = vec![false; self.n_slots];
        for &(s, _) in &self.constants {
            constant[s] = true;
        }
        self.result_take = (0..self.result_slots.len())
            .map(|i| {
                let s = self.result_slots[i];
                !constant[s] && last_listed[s] == i
            })
            .collect();
    }

    /// The kernel names per step (what the selection chose).
    pub fn kernel_names(&self) -> Vec<(String, String)> {
        self.steps
            .iter()
            .map(|s| (s.label.clone(), s.kernel.name().to_string()))
            .collect()
    }
}
