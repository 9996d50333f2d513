//! The standard rules, grouped by theme, and the standard database that
//! orders them into phases:
//!
//! 1. `merge` (global): common subexpressions and identical constants.
//! 2. `canonicalize` (equilibrium): local merge, constant folding, algebraic
//!    identities (`x*1`, `x-x`, `--x`, double dimshuffle, useless casts),
//!    flattened and sorted add/mul chains with their constants collected,
//!    shape rules (`shapes.rs`: inferred `shape`/`shape_i`, reshape chains,
//!    useless reshape/alloc/broadcast), constant switches and sums of
//!    broadcasts (`useless.rs`).
//! 3. `stabilize` (equilibrium): numerically safer forms (`log1p`,
//!    `softplus`, `log_softmax`, fused softmax cross-entropy, logsumexp).
//! 4. `specialize` (equilibrium): cheaper forms (`x**2` -> `sqr(x)`,
//!    `sum(x*y)` -> dot, dot + scale + add -> gemm/gemv/ger, mean -> sum).
//! 5. `fusion` (global): elementwise trees into one `Composite` node, then
//!    `fused_reduce` (global): a sum of such a node into one
//!    `ReduceOfElemwise`; then `row_blocked` (global): a product reducing
//!    over rows with the row-local graph feeding it into one `RowBlocked`
//!    node run block of rows by block of rows.
//! 6. `final_merge` (global), `inplace` (global, guarded by the destroy
//!    handler) and `dead_code` (global).
//!
//! ## Adding rules for a new op
//!
//! Write the rule next to its theme (or in a new file here): an algebraic
//! identity over elementwise ops is one line with
//! [`identity`](super::pattern::identity); anything else is a function
//! `fn(&mut FunctionGraph, NodeId) -> Option<Vec<VarId>>` wrapped in
//! [`Rule::new`] with `Tracks::op::<YourOp>()` so drivers only offer it your
//! op's nodes. Read the graph with `fg.op_as::<T>()`, `fg.node_inputs()`,
//! `fg.constant_value()`, build replacements with `fg.apply1()` /
//! `fg.constant()`, and return one replacement per output (same types —
//! the engine rejects anything else, naming the rule). Tag it with its
//! phase (`canonicalize`, `stabilize`, `specialize`), `fast_run`, and
//! `fast_compile` if it is cheap and always useful; then add it to the
//! phase's list in the theme's `rules()` function. Its test builds a graph
//! where it fires, checks the structure and compares outputs with the rule
//! on and off (see `rewrite/tests`).

mod blas;
mod canonicalize;
mod chains;
mod control;
mod fold;
mod nnet;
mod scan_graph;
mod scan_loops;
mod scan_merge;
mod shapes;
mod softmax_pair;
mod specialize;
mod stabilize;
mod useless;

pub use fold::{constant_folding, merge_node, merge_pass, MERGE_TAGS};

use super::db::{PhaseKind, RewriteDb};
use super::engine::GlobalPass;
use super::fgraph::{FunctionGraph, VarId};
use crate::dtype::DType;
use crate::ops::elemwise::{Elemwise, ScalarOp};
use crate::tensor::{Scalar, Tensor};

/// Tags of the rules in FAST_COMPILE (cheap and always useful).
pub(crate) const LITE: &[&str] = &["canonicalize", "fast_run", "fast_compile"];
/// Tags of canonicalize rules that only FAST_RUN runs.
pub(crate) const CANON: &[&str] = &["canonicalize", "fast_run"];

/// The standard database.
pub fn standard() -> RewriteDb {
    let mut db = RewriteDb::new();
    let global = |name: &str, tags: &[&str], run| {
        PhaseKind::Global(GlobalPass {
            name: name.into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            run,
        })
    };
    db.add_phase("merge", global("merge", fold::MERGE_TAGS, fold::merge_pass));
    for phase in ["canonicalize", "stabilize", "specialize"] {
        db.add_phase(
            phase,
            PhaseKind::Equilibrium(vec![merge_node(), constant_folding()]),
        );
    }
    for rule in canonicalize::rules()
        .into_iter()
        .chain(chains::rules())
        .chain(shapes::rules())
        .chain(useless::canonicalize_rules())
        .chain(control::rules())
    {
        db.register("canonicalize", rule);
    }
    // Stabilizing rewrites introduce negations; cancel them right away.
    db.register("stabilize", canonicalize::neg_neg());
    for rule in nnet::rules().into_iter().chain(stabilize::rules()) {
        db.register("stabilize", rule);
    }
    for rule in specialize::rules()
        .into_iter()
        .chain(blas::rules())
        .chain(useless::specialize_rules())
        .chain(control::specialize_rules())
        .chain(scan_loops::rules())
        .chain(scan_merge::rules())
        .chain(softmax_pair::rules())
    {
        db.register("specialize", rule);
    }
    db.add_phase(
        "fusion",
        global(
            "fusion",
            &["fusion", "fast_run"],
            super::fusion::fusion_pass,
        ),
    );
    db.add_phase(
        "fused_reduce",
        global(
            "fused_reduce",
            &["fusion", "fused_reduce", "fast_run"],
            super::fused_reduce::fused_reduce_pass,
        ),
    );
    db.add_phase(
        "row_blocked",
        global(
            "row_blocked",
            &["row_blocked", "fast_run"],
            super::row_blocked::row_blocked_pass,
        ),
    );
    db.add_phase(
        "final_merge",
        global("merge", fold::MERGE_TAGS, fold::merge_pass),
    );
    db.add_phase(
        "inplace",
        global(
            "inplace",
            &["inplace", "fast_run"],
            super::destroy::inplace_pass,
        ),
    );
    db.add_phase(
        "dead_code",
        global(
            "dead_code",
            &["dead_code", "fast_run", "fast_compile"],
            |fg, _| fg.remove_dead_nodes(),
        ),
    );
    db
}

/// The scalar op of an `Elemwise` producing `v`, if any.
pub(crate) fn scalar_op(fg: &FunctionGraph, v: VarId) -> Option<ScalarOp> {
    fg.producer_as::<Elemwise>(v).map(|e| e.op)
}

/// Applies a scalar op elementwise (`None` if the types are refused).
pub(crate) fn elemwise(fg: &mut FunctionGraph, op: ScalarOp, inputs: &[VarId]) -> Option<VarId> {
    fg.apply1(Elemwise::new(op), inputs).ok()
}

/// Theano's `fill(like, value)`: `value` broadcast to the shape of `like`,
/// written `switch(true, value, like)` so it keeps `like`'s static and
/// runtime shape without computing anything from its values.
pub(crate) fn fill_like(
    fg: &mut FunctionGraph,
    like: VarId,
    value: f64,
    dtype: DType,
) -> Option<VarId> {
    let yes = fg.constant(Tensor::scalar(true));
    let v = fg.constant(Tensor::full(dtype, &[], Scalar::Float(value)));
    elemwise(fg, ScalarOp::Switch, &[yes, v, like])
}

/// `Some(vec![new])` when `new` may replace `old` (a type `old` accepts):
/// how procedural rules decline instead of producing a wrong type.
pub(crate) fn if_same_type(fg: &FunctionGraph, old: VarId, new: VarId) -> Option<Vec<VarId>> {
    fg.ty(old).accepts(fg.ty(new)).then(|| vec![new])
}
