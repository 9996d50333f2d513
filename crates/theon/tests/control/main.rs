//! Control flow: scan (examples against plain loops, gradients, errors),
//! ifelse and OpFromGraph.

mod ifelse;
mod op_from_graph;
mod rewrites;
mod scan_checkpoints;
mod scan_errors;
mod scan_examples;
mod scan_grad;
mod scan_loops;

use theon::prelude::*;

/// Asserts two float slices agree within `tol` (absolute + relative).
#[track_caller]
pub fn assert_close(got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "lengths differ: {got:?} vs {want:?}");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * (1.0 + w.abs()),
            "element {i}: got {g}, want {w} (tol {tol})\n got {got:?}\nwant {want:?}"
        );
    }
}

/// Compiles and runs `outputs` as a function of `inputs`.
pub fn eval(inputs: &[Var], outputs: &[Var], args: &[Tensor]) -> Vec<Tensor> {
    function(inputs, outputs).unwrap().call(args).unwrap()
}
