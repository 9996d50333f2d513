//! The CPU backend's entries in the kernel-selection seam: each selector
//! looks at a node's op and static input types when a function is built and
//! returns a fast kernel, or declines so the node keeps its reference
//! `perform` (integer dtypes, layouts the kernels do not cover).

use super::{fused, node};
use crate::compile::{Kernel, KernelRegistry};
use std::sync::Arc;

/// Adds the CPU kernels to `registry` (done by `KernelRegistry::standard`).
pub fn register(registry: &mut KernelRegistry) {
    registry.register("cpu.fused", |op, inputs, _| {
        fused::select(op, inputs).map(|k| Arc::new(k) as Arc<dyn Kernel>)
    });
    registry.register("cpu.fused_reduce", |op, inputs, _| {
        fused::select_reduce(op, inputs).map(|k| Arc::new(k) as Arc<dyn Kernel>)
    });
    registry.register("cpu.reduce", |op, inputs, outputs| {
        node::reduce::select(op, inputs, outputs).map(|k| Arc::new(k) as Arc<dyn Kernel>)
    });
    registry.register("cpu.cumulative", |op, inputs, _| {
        node::cumulative::select(op, inputs).map(|k| Arc::new(k) as Arc<dyn Kernel>)
    });
    registry.register("cpu.sort", |op, inputs, _| {
        node::sort::select(op, inputs).map(|k| Arc::new(k) as Arc<dyn Kernel>)
    });
    registry.register("cpu.repeat", |op, inputs, _| {
        node::repeat::select(op, inputs).map(|k| Arc::new(k) as Arc<dyn Kernel>)
    });
    registry.register("cpu.blas", |op, inputs, _| {
        node::blas::select(op, inputs).map(|k| Arc::new(k) as Arc<dyn Kernel>)
    });
    registry.register("cpu.index", |op, inputs, _| {
        node::index::select(op, inputs).map(|k| Arc::new(k) as Arc<dyn Kernel>)
    });
    registry.register("cpu.rows", |op, inputs, _| {
        node::nnet::select(op, inputs).map(|k| Arc::new(k) as Arc<dyn Kernel>)
    });
    registry.register("cpu.softmax_pair", |op, inputs, _| {
        node::softmax_pair::select(op, inputs).map(|k| Arc::new(k) as Arc<dyn Kernel>)
    });
    registry.register("cpu.row_blocked", |op, _, _| {
        node::row_blocked::select(op).map(|k| Arc::new(k) as Arc<dyn Kernel>)
    });
}
