//! The destroy handler and the inplace pass: ops overwrite only values
//! nobody else needs (never inputs, constants, shared storage, outputs or
//! values with other readers), results are unchanged, and the kernels
//! write into the handed-over buffer when they own it.

use super::{compile, ops};
use crate::graph::Op;
use crate::graph::{PerformCtx, TensorType, Var};
use crate::ops::elemwise::{ElemwiseInplace, ElemwiseKernel, ScalarOp, UnaryOp};
use crate::ops::indexing::{IncMode, IncSubtensor, IncSubtensorInplace, Item, Scal};
use crate::prelude::*;

fn inplace_mode() -> Mode {
    Mode::fast_run().excluding(["fusion"])
}

/// Compiles with and without the inplace pass; the outputs must agree.
fn check(inputs: &[Var], outputs: &[Var], args: &[Tensor]) -> Vec<String> {
    let on = compile(inputs, outputs, inplace_mode());
    let off = compile(inputs, outputs, inplace_mode().excluding(["inplace"]));
    let (a, b) = (on.call(args).unwrap(), off.call(args).unwrap());
    for (x, y) in a.iter().zip(&b) {
        assert!(x.allclose(y, 0.0, 0.0), "{x:?} vs {y:?}");
    }
    // Calling twice gives the same results: nothing the function keeps
    // (constants, inputs) was overwritten by the first call.
    let again = on.call(args).unwrap();
    for (x, y) in again.iter().zip(&b) {
        assert!(x.allclose(y, 0.0, 0.0));
    }
    ops(&on)
}

#[test]
fn dying_intermediates_are_overwritten() {
    let x = matrix("x", F64);
    let xv = Tensor::randn(F64, &[3, 4], 1);
    let names = check(&[x.clone()], &[x.exp().sin().tanh()], &[xv.clone()]);
    assert_eq!(names, vec!["exp", "sin[inplace=0]", "tanh[inplace=0]"]);
    // Fused: the composite overwrites nothing it does not own.
    let f = compile(&[x.clone()], &[x.exp().sin()], Mode::fast_run());
    assert!(
        !ops(&f)[0].contains("inplace"),
        "x is the caller's: {:?}",
        ops(&f)
    );
}

#[test]
fn inputs_constants_shared_values_and_outputs_are_never_overwritten() {
    let x = matrix("x", F64);
    let xv = Tensor::randn(F64, &[3, 4], 2);
    let before = xv.to_f64_vec();
    // An input.
    assert_eq!(check(&[x.clone()], &[x.exp()], &[xv.clone()]), vec!["exp"]);
    assert_eq!(xv.to_f64_vec(), before);
    // A constant.
    let c = Var::constant(Tensor::randn(F64, &[3, 4], 3));
    let names = check(&[x.clone()], &[(&c * 2.0).exp() + &x], &[xv.clone()]);
    assert!(
        !names.iter().any(|n| n.starts_with("mul[inplace")),
        "{names:?}"
    );
    // A shared variable.
    let w = SharedVar::new(Tensor::randn(F64, &[3, 4], 4), "w");
    let names = check(&[x.clone()], &[w.var().exp()], &[xv.clone()]);
    assert_eq!(names, vec!["exp"]);
    // A value that is also an output.
    let e = x.exp();
    let names = check(&[x.clone()], &[e.clone(), e.sin()], &[xv.clone()]);
    assert_eq!(names, vec!["exp", "sin"]);
}

#[test]
fn values_with_other_readers_or_views_are_not_overwritten() {
    let x = matrix("x", F64);
    let xv = Tensor::randn(F64, &[3, 3], 5);
    let e = x.exp();
    // e is read twice: sin may not clobber it, but the add may clobber sin's result.
    let names = check(&[x.clone()], &[&e.sin() + &e], &[xv.clone()]);
    assert_eq!(names, vec!["exp", "sin", "add[inplace=1]"]);
    // A view of e is read by cos: sin may not overwrite e.
    let names = check(&[x.clone()], &[&e.sin() + &e.t().cos()], &[xv.clone()]);
    assert!(names.contains(&"sin".to_string()), "{names:?}");
    // Overwriting through a view is refused (views are rarely dense).
    let names = check(&[x.clone()], &[e.t().sin()], &[xv.clone()]);
    assert_eq!(names, vec!["exp", "dimshuffle{1,0}", "sin"]);
    // The same value twice in one node: not overwritten.
    let names = check(&[x.clone()], &[&e * &e.sin().t()], &[xv]);
    assert!(
        !names.iter().any(|n| n.starts_with("mul[inplace=0")),
        "{names:?}"
    );
}

#[test]
fn inc_subtensor_writes_into_a_dying_value() {
    let x = matrix("x", F64);
    let xv = Tensor::randn(F64, &[3, 4], 6);
    let y = x.exp().inc_at(&s![1..], 1.0).set_at(&s![0, 0], 5.0);
    let names = check(&[x.clone()], &[y], &[xv.clone()]);
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("inc_subtensor") && n.ends_with("[inplace=0]")),
        "{names:?}"
    );
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("set_subtensor") && n.ends_with("[inplace=0]")),
        "{names:?}"
    );
    // Not into the caller's input.
    let names = check(&[x.clone()], &[x.inc_at(&s![0], 1.0)], &[xv]);
    assert!(!names[0].contains("inplace"), "{names:?}");
}

fn ctx_types(inputs: &[Tensor]) -> Vec<TensorType> {
    inputs
        .iter()
        .map(|t| TensorType::unknown(t.dtype(), t.ndim()))
        .collect()
}

#[test]
fn kernels_write_into_an_owned_buffer_and_copy_a_shared_one() {
    let op = ElemwiseInplace {
        kernel: ElemwiseKernel::Scalar(ScalarOp::Unary(UnaryOp::Exp)),
        destroy: 0,
    };
    let t = Tensor::randn(F64, &[4, 3], 7);
    let want: Vec<f64> = t.to_f64_vec().iter().map(|v| v.exp()).collect();
    let in_types = ctx_types(std::slice::from_ref(&t));
    let ctx = PerformCtx {
        input_types: &in_types,
        output_types: &in_types,
    };
    // Owned: the result lives in the input's buffer.
    let owned = t.to_contiguous_copy();
    let ptr = owned.buffer_data::<f64>().as_ptr();
    let out = op.perform_inplace(vec![owned], &ctx).unwrap();
    assert_eq!(out[0].buffer_data::<f64>().as_ptr(), ptr);
    assert_eq!(out[0].to_f64_vec(), want);
    // Shared: the other holder keeps its values.
    let keep = t.clone();
    let out = op.perform_inplace(vec![t.clone()], &ctx).unwrap();
    assert!(!out[0].shares_buffer(&keep));
    assert_eq!(out[0].to_f64_vec(), want);
    assert_eq!(keep.to_f64_vec(), t.to_f64_vec());

    let inc = IncSubtensorInplace {
        inner: IncSubtensor {
            items: vec![Item::Int(Scal::Const(-1))],
            mode: IncMode::Inc,
        },
    };
    let x = Tensor::randn(F64, &[3, 2], 8).to_contiguous_copy();
    let y = Tensor::from_vec(vec![1.0f64, 2.0], &[2]).unwrap();
    let mut expect = x.to_f64_vec();
    expect[4] += 1.0;
    expect[5] += 2.0;
    let types = ctx_types(&[x.clone(), y.clone()]);
    let ctx = PerformCtx {
        input_types: &types,
        output_types: &types[..1],
    };
    let ptr = x.buffer_data::<f64>().as_ptr();
    let out = inc.perform_inplace(vec![x, y], &ctx).unwrap();
    assert_eq!(out[0].buffer_data::<f64>().as_ptr(), ptr);
    assert_eq!(out[0].to_f64_vec(), expect);
}

/// A test op that overwrites its input and records whether the executor
/// handed it a buffer it owns alone.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Probe;

static OWNED: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

impl Op for Probe {
    fn name(&self) -> String {
        "probe".into()
    }
    fn output_types(&self, inputs: &[TensorType]) -> crate::Result<Vec<TensorType>> {
        Ok(inputs.to_vec())
    }
    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> crate::Result<Vec<Tensor>> {
        Ok(inputs.to_vec())
    }
    fn perform_inplace(
        &self,
        inputs: Vec<Tensor>,
        _ctx: &PerformCtx,
    ) -> crate::Result<Vec<Tensor>> {
        let owned = inputs[0].can_write_in_place();
        OWNED.store(1 + owned as u8, std::sync::atomic::Ordering::SeqCst);
        Ok(inputs)
    }
    fn destroy_map(&self) -> Vec<(usize, usize)> {
        vec![(0, 0)]
    }
}

#[test]
fn the_executor_hands_over_dying_buffers_only() {
    use std::sync::atomic::Ordering::SeqCst;
    let x = vector("x", F64);
    let xv = Tensor::randn(F64, &[5], 9);
    let probe = |v: &Var| Var::apply1(Probe, std::slice::from_ref(v)).unwrap();
    let run = |outputs: &[Var]| {
        OWNED.store(0, SeqCst);
        crate::compile::Function::builder(std::slice::from_ref(&x), outputs)
            .mode(Mode::no_optimization())
            .accept_inplace(true)
            .build()
            .unwrap()
            .call(&[xv.clone()])
            .unwrap();
        OWNED.load(SeqCst)
    };
    assert_eq!(
        run(&[probe(&x.exp())]),
        2,
        "a dying intermediate is handed over"
    );
    assert_eq!(run(&[probe(&x)]), 1, "the caller's input is not");
    let e = x.exp();
    assert_eq!(
        run(&[probe(&e), e.clone()]),
        1,
        "nor a value that is also an output"
    );
}
