//! The CPU backend's entries in the kernel-selection seam: each selector
//! looks at a node's op and static input types when a function is built and
//! returns a fast kernel, or declines so the node keeps its reference
//! `perform` (integer dtypes, layouts the kernels do not cover).

use super::fused;
use crate::compile::{Kernel, KernelRegistry};
use std::sync::Arc;

/// Adds the CPU kernels to `registry` (done by `KernelRegistry::standard`).
pub fn register(registry: &mut KernelRegistry) {
    registry.register("cpu.fused", |op, inputs, _| {
        fused::select(op, inputs).map(|k| Arc::new(k) as Arc<dyn Kernel>)
    });
}
