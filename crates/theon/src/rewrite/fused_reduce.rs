//! Reduction fusion: a float `sum` whose input is an elementwise node
//! (`Composite` or a single `Elemwise`) read by nothing else becomes one
//! `ReduceOfElemwise` node (`sum(x*y)`, `sum(exp(x - m), axis=1)`), so a
//! backend can reduce the expression block by block instead of writing it
//! to memory and reading it back. Runs right after elementwise fusion.
//!
//! It fires only on the forms the fused kernels cover, so it never trades
//! a fast pair of kernels for a slow reference: sums over one consecutive
//! run of axes, bodies of one float dtype (float32 or float64, inputs and
//! every intermediate), at most `MAX_INPUTS` inputs.

use super::fgraph::{Client, FunctionGraph, NodeId, VarId};
use super::profile::CompileProfile;
use crate::dtype::DType;
use crate::ops::elemwise::{Composite, CompositeNode, Elemwise};
use crate::ops::reduce::{Reduce, ReduceKind, ReduceOfElemwise};

/// Largest number of body inputs fused (the fused kernels take up to 64).
const MAX_INPUTS: usize = 32;

/// Fuses every eligible reduction; returns how many nodes were built.
pub fn fused_reduce_pass(fg: &mut FunctionGraph, profile: &mut CompileProfile) -> usize {
    let mut fused = 0;
    for id in fg.toposort() {
        if !fg.is_alive(id) {
            continue;
        }
        let Some((op, inputs)) = candidate(fg, id) else {
            continue;
        };
        fg.current_site = Some(fg.node(id).site.clone());
        let new = match fg.apply1(op, &inputs) {
            Ok(v) => v,
            Err(e) => {
                profile.fail("fused_reduce", e.to_string());
                continue;
            }
        };
        if !fg.ty(id.out(0)).accepts(fg.ty(new)) {
            fg.prune_if_unused(new.node, "fused_reduce");
            continue;
        }
        match fg.replace(id.out(0), new, "fused_reduce") {
            Ok(()) => fused += 1,
            Err(e) => profile.fail("fused_reduce", e.to_string()),
        }
    }
    fused
}

/// The fused op and its inputs for the reduction node `id`, if eligible.
fn candidate(fg: &FunctionGraph, id: NodeId) -> Option<(ReduceOfElemwise, Vec<VarId>)> {
    let reduce = fg.op_as::<Reduce>(id)?;
    let x = *fg.node_inputs(id).first()?;
    let dtype = fg.ty(x).dtype;
    let consecutive = reduce.axes.windows(2).all(|w| w[1] == w[0] + 1);
    if reduce.kind != ReduceKind::Sum
        || !matches!(dtype, DType::F32 | DType::F64)
        || reduce.axes.is_empty()
        || !consecutive
    {
        return None;
    }
    let only_reader = matches!(fg.clients(x), [Client::Node(n, 0)] if *n == id);
    if !only_reader {
        return None;
    }
    let producer = x.node;
    let inputs = fg.node_inputs(producer).to_vec();
    let body = body_of(fg, producer, &inputs, dtype)?;
    let one_dtype = body.inputs.iter().all(|&d| d == dtype)
        && body.body.iter().all(|n| n.dtype == dtype)
        && inputs.len() <= MAX_INPUTS;
    if !one_dtype {
        return None;
    }
    Some((ReduceOfElemwise::new(body, reduce.clone()).ok()?, inputs))
}

/// The producer as a one-output composite (an `Elemwise` becomes a body
/// of one node).
fn body_of(
    fg: &FunctionGraph,
    producer: NodeId,
    inputs: &[VarId],
    dtype: DType,
) -> Option<Composite> {
    if let Some(c) = fg.op_as::<Composite>(producer) {
        return (c.outputs.len() == 1).then(|| c.clone());
    }
    let e = fg.op_as::<Elemwise>(producer)?;
    let node = CompositeNode {
        op: e.op,
        args: (0..inputs.len()).collect(),
        dtype,
    };
    let dtypes = inputs.iter().map(|v| fg.ty(*v).dtype).collect();
    Composite::new(dtypes, vec![node], vec![inputs.len()]).ok()
}
