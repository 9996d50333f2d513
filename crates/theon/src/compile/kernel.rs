//! The kernel-selection seam: each scheduled node runs a [`Kernel`] chosen
//! once, at build time, by a [`KernelRegistry`]. With no registered kernel
//! a node runs its op's reference `perform` ([`PerformKernel`]).
//!
//! A kernel reads its inputs through [`Inputs`] (borrowed from the
//! executor's slots: no copies) and pushes its outputs onto a reused
//! vector. An input whose value dies at this node can be taken by value
//! ([`Inputs::take_dying`]); if its buffer is then unshared, the kernel may
//! write its output into it (copy-on-write keeps that safe in every case).

use crate::error::Result;
use crate::graph::{Op, PerformCtx, TensorType};
use crate::tensor::Tensor;
use std::sync::{Arc, OnceLock};

/// A node's implementation as the executor runs it.
pub trait Kernel: Send + Sync {
    /// A short name for profiles and DebugMode reports (`perform`,
    /// `cpu.add_f64`, ...).
    fn name(&self) -> &str;

    /// Computes the node's outputs from `inputs`, pushing them onto
    /// `outputs` (empty on entry) in the op's output order. Never panics on
    /// user data: errors name the op and the offending input.
    fn run(
        &self,
        inputs: &mut Inputs<'_>,
        ctx: &PerformCtx,
        outputs: &mut Vec<Tensor>,
    ) -> Result<()>;
}

/// The input values of one node, borrowed from the executor's slots.
pub struct Inputs<'a> {
    pub(crate) slots: &'a mut [Option<Tensor>],
    pub(crate) map: &'a [usize],
    /// Per input position: the value dies here and no other position of
    /// this node reads it.
    pub(crate) dying: &'a [bool],
}

impl<'a> Inputs<'a> {
    /// Inputs over explicit slots (for tests and tools that run kernels).
    pub fn new(slots: &'a mut [Option<Tensor>], map: &'a [usize], dying: &'a [bool]) -> Self {
        Inputs { slots, map, dying }
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Input `i`. Panics only on an executor bug (a value read before it
    /// was computed or after it was freed).
    pub fn get(&self, i: usize) -> &Tensor {
        self.slots[self.map[i]]
            .as_ref()
            .expect("executor: input read before it was computed or after it was freed")
    }

    /// Input `i` by value if it dies at this node (the executor would drop
    /// it right after); `None` otherwise.
    pub fn take_dying(&mut self, i: usize) -> Option<Tensor> {
        if self.dying[i] {
            self.slots[self.map[i]].take()
        } else {
            None
        }
    }

    /// All inputs cloned (cheap handles onto the same buffers), in order.
    pub fn to_vec(&self) -> Vec<Tensor> {
        (0..self.len()).map(|i| self.get(i).clone()).collect()
    }
}

/// Runs the op's reference `perform`: the default kernel and the oracle.
pub struct PerformKernel {
    op: Arc<dyn Op>,
}

impl PerformKernel {
    pub fn new(op: Arc<dyn Op>) -> PerformKernel {
        PerformKernel { op }
    }
}

impl Kernel for PerformKernel {
    fn name(&self) -> &str {
        "perform"
    }

    fn run(
        &self,
        inputs: &mut Inputs<'_>,
        ctx: &PerformCtx,
        outputs: &mut Vec<Tensor>,
    ) -> Result<()> {
        let destroyed = self.op.destroy_map();
        if destroyed.is_empty() {
            let values = inputs.to_vec();
            outputs.extend(self.op.perform(&values, ctx)?);
            return Ok(());
        }
        // An inplace op may write into an input it destroys, but only when
        // that input dies here: take it out of its slot so the executor holds
        // no reference (copy-on-write makes any other case safe anyway).
        let values = (0..inputs.len())
            .map(|i| {
                let overwritten = destroyed.iter().any(|&(_, d)| d == i);
                match overwritten.then(|| inputs.take_dying(i)).flatten() {
                    Some(owned) => owned,
                    None => inputs.get(i).clone(),
                }
            })
            .collect();
        outputs.extend(self.op.perform_inplace(values, ctx)?);
        Ok(())
    }
}

/// Picks a kernel for a node, or declines (`None`).
pub type Selector =
    dyn Fn(&dyn Op, &[TensorType], &[TensorType]) -> Option<Arc<dyn Kernel>> + Send + Sync;

/// Kernel selectors, consulted newest first when a function is built.
#[derive(Clone, Default)]
pub struct KernelRegistry {
    selectors: Vec<(String, Arc<Selector>)>,
}

impl KernelRegistry {
    /// A registry with no kernels: every node runs its reference `perform`.
    pub fn reference_only() -> KernelRegistry {
        KernelRegistry::default()
    }

    /// The kernels functions use by default: the CPU backend's
    /// (`backend::cpu::registry`), each falling back to `perform` where it
    /// declines a node.
    pub fn standard() -> KernelRegistry {
        static STANDARD: OnceLock<KernelRegistry> = OnceLock::new();
        STANDARD
            .get_or_init(|| {
                let mut registry = KernelRegistry::reference_only();
                crate::backend::cpu::registry::register(&mut registry);
                registry
            })
            .clone()
    }

    /// Adds a selector; it is consulted before every earlier one.
    pub fn register(
        &mut self,
        name: &str,
        selector: impl Fn(&dyn Op, &[TensorType], &[TensorType]) -> Option<Arc<dyn Kernel>>
            + Send
            + Sync
            + 'static,
    ) {
        self.selectors.push((name.to_string(), Arc::new(selector)));
    }

    /// Adds a selector for one op type `T` (the op arrives downcast).
    pub fn register_op<T: Op>(
        &mut self,
        name: &str,
        selector: impl Fn(&T, &[TensorType], &[TensorType]) -> Option<Arc<dyn Kernel>>
            + Send
            + Sync
            + 'static,
    ) {
        self.register(name, move |op, ins, outs| {
            op.as_any()
                .downcast_ref::<T>()
                .and_then(|op| selector(op, ins, outs))
        });
    }

    /// Names of the registered selectors, newest first.
    pub fn names(&self) -> Vec<&str> {
        self.selectors
            .iter()
            .rev()
            .map(|(n, _)| n.as_str())
            .collect()
    }

    /// The kernel for a node: the newest selector that accepts it, else
    /// the op's reference `perform`.
    pub fn select(
        &self,
        op: &Arc<dyn Op>,
        inputs: &[TensorType],
        outputs: &[TensorType],
    ) -> Arc<dyn Kernel> {
        self.selectors
            .iter()
            .rev()
            .find_map(|(_, select)| select(op.as_ref(), inputs, outputs))
            .unwrap_or_else(|| Arc::new(PerformKernel::new(op.clone())))
    }
}

impl std::fmt::Debug for KernelRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KernelRegistry")
            .field("selectors", &self.names())
            .finish()
    }
}
