//! The executor: runs a [`Program`] over a [`Frame`] of value slots that
//! persists between calls, so a call with fixed shapes allocates nothing
//! beyond the values themselves (no maps, no per-node vectors). Checks and
//! profiling plug in as a [`Hook`]; the plain path uses [`NoHook`], which
//! compiles away.

use super::kernel::Inputs;
use super::program::{Program, Step};
use crate::error::{Error, Result};
use crate::graph::PerformCtx;
use crate::tensor::Tensor;

/// The executor's reusable storage: one slot per value, and the vector
/// kernels push their outputs onto.
pub struct Frame {
    pub(crate) slots: Vec<Option<Tensor>>,
    outputs: Vec<Tensor>,
}

impl Frame {
    /// A frame for `program`, with its constants in place.
    pub fn new(program: &Program) -> Frame {
        let mut slots = vec![None; program.n_slots];
        for (slot, value) in &program.constants {
            slots[*slot] = Some(value.clone());
        }
        Frame {
            slots,
            outputs: Vec::new(),
        }
    }

    /// Drops every value but the constants (after a failed call).
    fn clear(&mut self, program: &Program) {
        for slot in self.slots.iter_mut() {
            *slot = None;
        }
        for (slot, value) in &program.constants {
            self.slots[*slot] = Some(value.clone());
        }
        self.outputs.clear();
    }
}

/// Observes (and may veto) each step: profiling, DebugMode, NanGuardMode.
pub trait Hook {
    /// Before the kernel runs; the step's inputs are in `slots`.
    fn before_step(&mut self, index: usize, step: &Step, slots: &[Option<Tensor>]) -> Result<()>;

    /// After the kernel ran and its outputs were checked against the node's
    /// types; inputs are still in `slots` unless the kernel took them.
    fn after_step(
        &mut self,
        index: usize,
        step: &Step,
        slots: &[Option<Tensor>],
        outputs: &[Tensor],
    ) -> Result<()>;
}

/// The hook of plain calls: does nothing.
pub struct NoHook;

impl Hook for NoHook {
    #[inline(always)]
    fn before_step(&mut self, _: usize, _: &Step, _: &[Option<Tensor>]) -> Result<()> {
        Ok(())
    }

    #[inline(always)]
    fn after_step(&mut self, _: usize, _: &Step, _: &[Option<Tensor>], _: &[Tensor]) -> Result<()> {
        Ok(())
    }
}

impl<A: Hook, B: Hook> Hook for (A, B) {
    fn before_step(&mut self, index: usize, step: &Step, slots: &[Option<Tensor>]) -> Result<()> {
        self.0.before_step(index, step, slots)?;
        self.1.before_step(index, step, slots)
    }

    fn after_step(
        &mut self,
        index: usize,
        step: &Step,
        slots: &[Option<Tensor>],
        outputs: &[Tensor],
    ) -> Result<()> {
        self.0.after_step(index, step, slots, outputs)?;
        self.1.after_step(index, step, slots, outputs)
    }
}

impl<H: Hook> Hook for Option<H> {
    fn before_step(&mut self, index: usize, step: &Step, slots: &[Option<Tensor>]) -> Result<()> {
        match self {
            Some(h) => h.before_step(index, step, slots),
            None => Ok(()),
        }
    }

    fn after_step(
        &mut self,
        index: usize,
        step: &Step,
        slots: &[Option<Tensor>],
        outputs: &[Tensor],
    ) -> Result<()> {
        match self {
            Some(h) => h.after_step(index, step, slots, outputs),
            None => Ok(()),
        }
    }
}

impl Program {
    /// Runs the program: `args` fill the input slots (in call order),
    /// `shared` the shared-variable slots (in `shared_reads` order). Returns
    /// the results; on error the frame is cleared and nothing else changed.
    pub fn run<H: Hook>(
        &self,
        frame: &mut Frame,
        args: impl Iterator<Item = Tensor>,
        shared: impl Iterator<Item = Tensor>,
        hook: &mut H,
    ) -> Result<Vec<Tensor>> {
        for (slot, value) in self.input_slots.iter().zip(args) {
            if let Some(slot) = slot {
                frame.slots[*slot] = Some(value);
            }
        }
        for ((slot, _), value) in self.shared_reads.iter().zip(shared) {
            frame.slots[*slot] = Some(value);
        }
        match self.run_steps(frame, hook) {
            Ok(()) => Ok(self.take_results(frame)),
            Err(e) => {
                frame.clear(self);
                Err(e)
            }
        }
    }

    /// [`Self::run`] writing the results into `results` (cleared first), so
    /// a loop calling the program once per step reuses one vector.
    pub fn run_into<H: Hook>(
        &self,
        frame: &mut Frame,
        args: impl Iterator<Item = Tensor>,
        hook: &mut H,
        results: &mut Vec<Tensor>,
    ) -> Result<()> {
        for (slot, value) in self.input_slots.iter().zip(args) {
            if let Some(slot) = slot {
                frame.slots[*slot] = Some(value);
            }
        }
        results.clear();
        match self.run_steps(frame, hook) {
            Ok(()) => {
                for (&slot, &take) in self.result_slots.iter().zip(&self.result_take) {
                    let value = if take {
                        frame.slots[slot].take()
                    } else {
                        frame.slots[slot].clone()
                    };
                    results.push(value.expect("executor: result computed"));
                }
                Ok(())
            }
            Err(e) => {
                frame.clear(self);
                Err(e)
            }
        }
    }

    fn run_steps<H: Hook>(&self, frame: &mut Frame, hook: &mut H) -> Result<()> {
        for (index, step) in self.steps.iter().enumerate() {
            hook.before_step(index, step, &frame.slots)?;
            frame.outputs.clear();
            let ctx = PerformCtx {
                input_types: &step.input_types,
                output_types: &step.output_types,
            };
            let mut inputs = Inputs::new(&mut frame.slots, &step.inputs, &step.dying);
            step.kernel
                .run(&mut inputs, &ctx, &mut frame.outputs)
                .map_err(|e| e.at(&step.site))?;
            check_outputs(step, &frame.outputs)?;
            hook.after_step(index, step, &frame.slots, &frame.outputs)?;
            for (&slot, value) in step.outputs.iter().zip(frame.outputs.drain(..)) {
                frame.slots[slot] = Some(value);
            }
            for &slot in &step.frees {
                frame.slots[slot] = None;
            }
        }
        Ok(())
    }

    fn take_results(&self, frame: &mut Frame) -> Vec<Tensor> {
        let mut results = Vec::with_capacity(self.result_slots.len());
        for (&slot, &take) in self.result_slots.iter().zip(&self.result_take) {
            let value = if take {
                frame.slots[slot].take()
            } else {
                frame.slots[slot].clone()
            };
            results.push(value.expect("executor: result computed"));
        }
        results
    }
}

/// A kernel must produce values of the types its node declared.
fn check_outputs(step: &Step, outputs: &[Tensor]) -> Result<()> {
    if outputs.len() != step.output_types.len() {
        return Err(Error::value(
            &step.label,
            format!(
                "kernel '{}' returned {} outputs, expected {}",
                step.kernel.name(),
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
            let what = format!("output {i} of kernel '{}'", step.kernel.name());
            ty.check_value(value, &step.label, &what)
                .map_err(|e| e.at(&step.site))?;
        }
    }
    Ok(())
}
