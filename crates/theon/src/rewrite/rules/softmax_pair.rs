//! Specialize rule `softmax_with_crossentropy`: a `SoftmaxCrossentropy`
//! of logits `x` and a row `Softmax` of the same `x` (what `grad` of a
//! softmax cross-entropy loss builds: the loss forward and the softmax in
//! its gradient) become one `SoftmaxWithCrossentropy` node giving both,
//! so each row is exponentiated once.

use super::super::engine::{Rule, Tracks};
use super::super::fgraph::{Client, FunctionGraph, NodeId, VarId};
use crate::ops::nnet::{Softmax, SoftmaxCrossentropy, SoftmaxWithCrossentropy};

/// The rule (tags `specialize`, `fast_run`).
pub fn rules() -> Vec<Rule> {
    vec![Rule::new(
        "softmax_with_crossentropy",
        &["specialize", "fast_run"],
        Tracks::op::<SoftmaxCrossentropy>(),
        softmax_with_crossentropy,
    )]
}

/// `softmax_crossentropy(x, t)` + `softmax(x, 1)` -> one two-output node.
fn softmax_with_crossentropy(fg: &mut FunctionGraph, node: NodeId) -> Option<Vec<VarId>> {
    let targets = fg.op_as::<SoftmaxCrossentropy>(node)?.targets;
    let inputs = fg.node_inputs(node).to_vec();
    let x = inputs[0];
    let softmax = fg.clients(x).iter().find_map(|c| match *c {
        Client::Node(n, 0) if fg.op_as::<Softmax>(n).is_some_and(|s| s.axis == 1) => Some(n),
        _ => None,
    })?;
    let outs = fg
        .apply(
            std::sync::Arc::new(SoftmaxWithCrossentropy { targets }),
            &inputs,
        )
        .ok()?;
    let fits = |old: VarId, new: VarId| fg.ty(old).accepts(fg.ty(new));
    if !fits(node.out(0), outs[0]) || !fits(softmax.out(0), outs[1]) {
        fg.prune_if_unused(outs[0].node, "softmax_with_crossentropy");
        return None;
    }
    fg.replace(softmax.out(0), outs[1], "softmax_with_crossentropy")
        .ok()?;
    Some(vec![outs[0]])
}
