//! Test support: run the kernel the standard registry selects for a node
//! and compare it with the op's reference `perform` on the same inputs.

use crate::compile::{Inputs, KernelRegistry};
use crate::dtype::DType;
use crate::error::Result;
use crate::graph::{Op, PerformCtx, TensorType};
use crate::tensor::Tensor;
use std::sync::Arc;

/// Relative and absolute tolerance per dtype.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tol {
    pub f32: (f64, f64),
    pub f64: (f64, f64),
}

/// Tolerance for results within a few ulp (f32: 1e-5 relative; f64: 1e-12).
pub(crate) const ULPS: Tol = Tol {
    f32: (1e-5, 1e-6),
    f64: (1e-12, 1e-13),
};

/// Runs the kernel the standard registry picks on `inputs` (moved into the
/// slots, so a dying input can be the only holder of its buffer); returns
/// the kernel's name and result.
pub(crate) fn run_selected(
    op: &Arc<dyn Op>,
    inputs: Vec<Tensor>,
    types: &[TensorType],
    dying: &[bool],
) -> (String, Result<Vec<Tensor>>) {
    let out_types = op.output_types(types).expect("the test's types are valid");
    let kernel = KernelRegistry::standard().select(op, types, &out_types);
    let map: Vec<usize> = (0..inputs.len()).collect();
    let mut slots: Vec<Option<Tensor>> = inputs.into_iter().map(Some).collect();
    let mut ins = Inputs::new(&mut slots, &map, dying);
    let ctx = PerformCtx {
        input_types: types,
        output_types: &out_types,
    };
    let mut outs = Vec::new();
    let result = kernel.run(&mut ins, &ctx, &mut outs).map(|_| outs);
    (kernel.name().to_string(), result)
}

/// The reference result of `op` on `inputs`.
pub(crate) fn reference(
    op: &Arc<dyn Op>,
    inputs: &[Tensor],
    types: &[TensorType],
) -> Result<Vec<Tensor>> {
    let out_types = op.output_types(types).expect("the test's types are valid");
    let ctx = PerformCtx {
        input_types: types,
        output_types: &out_types,
    };
    op.perform(inputs, &ctx)
}

/// Asserts that a `cpu.*` kernel was selected (name starting with
/// `kernel_prefix`) and that it agrees with the reference within `tol`
/// (NaN where the reference has NaN, same shapes and dtypes). Returns the
/// kernel's outputs.
#[track_caller]
pub(crate) fn check(
    op: impl Op,
    inputs: &[Tensor],
    types: &[TensorType],
    kernel_prefix: &str,
    tol: Tol,
) -> Vec<Tensor> {
    let op: Arc<dyn Op> = Arc::new(op);
    let want = reference(&op, inputs, types).expect("reference succeeds");
    let (name, got) = run_selected(&op, inputs.to_vec(), types, &vec![false; inputs.len()]);
    assert!(
        name.starts_with(kernel_prefix),
        "{} ran {name}, wanted {kernel_prefix}",
        op.name()
    );
    let got = got.unwrap_or_else(|e| panic!("{} ({name}) failed: {e}", op.name()));
    assert_close(&op.name(), &got, &want, tol);
    got
}

/// Asserts elementwise agreement (see [`check`]).
#[track_caller]
pub(crate) fn assert_close(what: &str, got: &[Tensor], want: &[Tensor], tol: Tol) {
    assert_eq!(got.len(), want.len(), "{what}: output count");
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(g.dtype(), w.dtype(), "{what}: output {k} dtype");
        assert_eq!(g.shape(), w.shape(), "{what}: output {k} shape");
        let (rtol, atol) = match w.dtype() {
            DType::F32 => tol.f32,
            DType::F64 => tol.f64,
            _ => (0.0, 0.0),
        };
        let (gv, wv) = (g.to_f64_vec(), w.to_f64_vec());
        for (i, (&a, &b)) in gv.iter().zip(&wv).enumerate() {
            let ok = (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= atol + rtol * b.abs();
            assert!(
                ok,
                "{what}: output {k} element {i} of {:?}: got {a}, want {b}",
                g.shape()
            );
        }
    }
}

/// The odd sizes every kernel is tested on.
pub(crate) const SIZES: [usize; 5] = [0, 1, 7, 1023, 300_001];
