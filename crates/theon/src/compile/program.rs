//! `Program`: a schedule of nodes over numbered value slots, run by the
//! executor. Built once at compile time, so a call does no graph walking
//! and no hash lookups.

use crate::error::{Error, Result, Site};
use crate::graph::{toposort, NodeKind, Op, PerformCtx, SharedVar, TensorType, Var};
use crate::tensor::Tensor;
use indexmap::IndexMap;
use std::sync::Arc;

/// One scheduled node: read input slots, run the kernel, fill output slots.
pub struct Step {
    pub op: Arc<dyn Op>,
    pub inputs: Vec<usize>,
    pub outputs: Vec<usize>,
    pub input_types: Vec<TensorType>,
    pub output_types: Vec<TensorType>,
    pub site: Site,
    /// Slots whose value is not needed after this step (freed right away).
    pub frees: Vec<usize>,
}

pub struct Program {
    pub n_slots: usize,
    /// Slots of the function's explicit inputs, in call order.
    pub input_slots: Vec<usize>,
    /// Constant values, written into their slots once per call.
    pub constants: Vec<(usize, Tensor)>,
    /// Shared variables read at the start of each call.
    pub shared_reads: Vec<(usize, SharedVar)>,
    pub steps: Vec<Step>,
    /// Slots holding the results (outputs, then update values).
    pub result_slots: Vec<usize>,
}

impl Program {
    /// Schedules `results` (which may only depend on `inputs`, constants and
    /// shared variables; the caller has checked that).
    pub fn build(inputs: &[Var], results: &[Var]) -> Program {
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
                    let inputs = node.inputs.iter().map(|v| slot_of(v, &mut slots)).collect();
                    let outputs = outs.iter().map(|v| slot_of(v, &mut slots)).collect();
                    steps.push(Step {
                        op: op.clone(),
                        inputs,
                        outputs,
                        input_types: node.inputs.iter().map(|v| v.ty().clone()).collect(),
                        output_types: node.output_types.clone(),
                        site: node.site.clone(),
                        frees: vec![],
                    });
                }
            }
        }
        let result_slots = results.iter().map(|v| slot_of(v, &mut slots)).collect();
        let mut program = Program {
            n_slots: slots.len(),
            input_slots,
            constants,
            shared_reads,
            steps,
            result_slots,
        };
        program.plan_frees();
        program
    }

    /// Liveness: free each intermediate value after its last reader.
    fn plan_frees(&mut self) {
        let mut last_use = vec![usize::MAX; self.n_slots];
        for (i, step) in self.steps.iter().enumerate() {
            for &s in &step.inputs {
                last_use[s] = i;
            }
        }
        let keep: Vec<usize> = self.result_slots.clone();
        for (slot, &step) in last_use.iter().enumerate() {
            if step != usize::MAX && !keep.contains(&slot) {
                self.steps[step].frees.push(slot);
            }
        }
    }

    /// Runs the program on values for the input slots; returns the results.
    pub fn run(&self, args: Vec<Tensor>) -> Result<Vec<Tensor>> {
        let mut values: Vec<Option<Tensor>> = vec![None; self.n_slots];
        for (&slot, value) in self.input_slots.iter().zip(args) {
            values[slot] = Some(value);
        }
        for (slot, value) in &self.constants {
            values[*slot] = Some(value.clone());
        }
        for (slot, shared) in &self.shared_reads {
            values[*slot] = Some(shared.get_value());
        }
        for step in &self.steps {
            // Inplace support: an input the op overwrites (`destroy_map`) is
            // moved out of its slot when this step is its last use and it is
            // passed once, so the executor drops its own reference and the
            // op may own the buffer. Otherwise inputs are shared clones
            // (writing through one copies first).
            let destroyed = step.op.destroy_map();
            let inputs: Vec<Tensor> = step
                .inputs
                .iter()
                .enumerate()
                .map(|(pos, &s)| {
                    let hand_over = destroyed.iter().any(|&(_, i)| i == pos)
                        && step.frees.contains(&s)
                        && step.inputs.iter().filter(|&&t| t == s).count() == 1;
                    let value = if hand_over {
                        values[s].take()
                    } else {
                        values[s].clone()
                    };
                    value.expect("scheduled before use")
                })
                .collect();
            let ctx = PerformCtx {
                input_types: &step.input_types,
                output_types: &step.output_types,
            };
            let outputs = if destroyed.is_empty() {
                step.op.perform(&inputs, &ctx)
            } else {
                step.op.perform_inplace(inputs, &ctx)
            }
            .map_err(|e| e.at(&step.site))?;
            check_outputs(step, &outputs)?;
            for (&slot, value) in step.outputs.iter().zip(outputs) {
                values[slot] = Some(value);
            }
            for &slot in &step.frees {
                values[slot] = None;
            }
        }
        Ok(self
            .result_slots
            .iter()
            .map(|&s| values[s].clone().expect("result computed"))
            .collect())
    }
}

/// A kernel must produce values of the types its node declared.
fn check_outputs(step: &Step, outputs: &[Tensor]) -> Result<()> {
    if outputs.len() != step.output_types.len() {
        return Err(Error::value(
            step.op.name(),
            format!(
                "kernel returned {} outputs, expected {}",
                outputs.len(),
                step.output_types.len()
            ),
        )
        .at(&step.site));
    }
    for (i, (value, ty)) in outputs.iter().zip(&step.output_types).enumerate() {
        let fits = value.dtype() == ty.dtype
            && value.ndim() == ty.ndim()
            && value
                .shape()
                .iter()
                .zip(&ty.shape)
                .all(|(&d, s)| s.is_none_or(|s| s == d));
        if !fits {
            ty.check_value(value, &step.op.name(), &format!("output {i}"))
                .map_err(|e| e.at(&step.site))?;
        }
    }
    Ok(())
}
