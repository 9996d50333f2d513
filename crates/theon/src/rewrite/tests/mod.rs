//! Tests of the optimizer: every rule fires where it should (structure),
//! and outputs agree with the rule on and off on random inputs.

// `&[x.clone()]` reads better than `std::slice::from_ref(&x)` in tests.
#![allow(clippy::cloned_ref_to_slice_refs)]

mod blas_tests;
mod canonicalize_tests;
mod engine_tests;
mod fgraph_tests;
mod fused_reduce_tests;
mod fusion_tests;
mod inplace_tests;
mod mode_tests;
mod nnet_tests;
mod row_blocked_tests;
mod shape_tests;
mod softmax_pair_tests;
mod stabilize_tests;
mod zoo_tests;

use crate::compile::{Function, UnusedInput};
use crate::graph::{toposort, Var};
use crate::rewrite::Mode;
use crate::tensor::Tensor;

/// FAST_RUN without fusion and inplace, so rule tests see the ops the
/// rules produced.
pub(super) fn no_fusion() -> Mode {
    Mode::fast_run().excluding(["fusion", "inplace"])
}

pub(super) fn compile(inputs: &[Var], outputs: &[Var], mode: Mode) -> Function {
    Function::builder(inputs, outputs)
        .mode(mode)
        .on_unused_input(UnusedInput::Ignore)
        .build()
        .unwrap()
}

/// Op names of the optimized graph, inputs first.
pub(super) fn ops(f: &Function) -> Vec<String> {
    toposort(f.optimized_outputs())
        .iter()
        .filter_map(|n| n.op().map(|op| op.name()))
        .collect()
}

/// Compiles with `rule` on and off (no fusion), checks that it fired only
/// when on, that nothing failed, and that the outputs agree on `args`
/// within `rtol`; returns the function with the rule on.
pub(super) fn check_rule(
    rule: &str,
    inputs: &[Var],
    outputs: &[Var],
    args: &[Tensor],
    rtol: f64,
) -> Function {
    check_rule_with(no_fusion(), rule, inputs, outputs, args, rtol)
}

/// [`check_rule`] starting from `base` instead of FAST_RUN without fusion.
pub(super) fn check_rule_with(
    base: Mode,
    rule: &str,
    inputs: &[Var],
    outputs: &[Var],
    args: &[Tensor],
    rtol: f64,
) -> Function {
    let on = compile(inputs, outputs, base.clone());
    let off = compile(inputs, outputs, base.excluding([rule]));
    assert!(
        on.compile_profile().hits(rule) > 0,
        "{rule} did not fire:\n{}",
        on.compile_profile()
    );
    assert_eq!(off.compile_profile().hits(rule), 0);
    assert!(
        on.compile_profile().failures.is_empty(),
        "{}",
        on.compile_profile()
    );
    let (a, b) = (on.call(args).unwrap(), off.call(args).unwrap());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.dtype(), y.dtype());
        assert!(x.allclose(y, rtol, 1e-300), "{rule}: {x:?} vs {y:?}");
    }
    on
}
