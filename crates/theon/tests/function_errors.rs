//! Bad calls: each error names the input or node and the user's line, and
//! no shared variable changes (values bit-identical after the failed call).

use std::sync::Arc;
use theon::compile::{Inputs, Kernel, KernelRegistry};
use theon::graph::PerformCtx;
use theon::ops::elemwise::{BinaryOp, Elemwise, ScalarOp};
use theon::prelude::*;
use theon::{Error, Result};

/// A training-like function: two inputs, two shared variables updated.
struct Fixture {
    w: SharedVar,
    b: SharedVar,
    f: Function,
}

impl Fixture {
    fn new(
        builder: impl FnOnce(theon::compile::FunctionBuilder) -> theon::compile::FunctionBuilder,
    ) -> Fixture {
        let w = shared(Tensor::rand_uniform(F64, &[3], 0.5, 1.5, 1), "w");
        let b = shared(Tensor::randn(F64, &[3], 2), "b");
        let x = tensor("x", F64, &[Some(3)]);
        let y = vector("y", F32);
        let h = (&x * w.var()).log() + &y;
        let f = builder(
            Function::builder(&[x.clone(), y.clone()], &[h.sum(Axis::All)])
                .updates([(w.clone(), w.var() + &y), (b.clone(), b.var() * 2.0)]),
        )
        .build()
        .unwrap();
        Fixture { w, b, f }
    }

    /// Runs `call`, expects an error containing every fragment, and checks
    /// that the shared values did not change at all.
    fn expect_error(
        &self,
        call: impl FnOnce(&Function) -> Result<Vec<Tensor>>,
        fragments: &[&str],
    ) {
        let (w0, b0) = (
            self.w.get_value().to_contiguous_copy(),
            self.b.get_value().to_contiguous_copy(),
        );
        let err = call(&self.f).unwrap_err().to_string();
        for fragment in fragments {
            assert!(err.contains(fragment), "'{fragment}' missing from: {err}");
        }
        assert!(
            err.contains("function_errors.rs:"),
            "no user line in: {err}"
        );
        assert!(self.w.get_value().bit_eq(&w0) && self.b.get_value().bit_eq(&b0));
    }
}

fn good_x() -> Tensor {
    Tensor::rand_uniform(F64, &[3], 0.5, 2.0, 3)
}

fn good_y() -> Tensor {
    Tensor::randn(F32, &[3], 4)
}

#[test]
fn a_good_call_updates_both() {
    let fx = Fixture::new(|b| b);
    let (w0, b0) = (
        fx.w.get_value().to_vec::<f64>(),
        fx.b.get_value().to_vec::<f64>(),
    );
    fx.f.call(&[good_x(), good_y()]).unwrap();
    let y = good_y().to_f64_vec();
    let w1: Vec<f64> = w0.iter().zip(&y).map(|(a, b)| a + b).collect();
    assert_eq!(fx.w.get_value().to_vec::<f64>(), w1);
    assert_eq!(
        fx.b.get_value().to_vec::<f64>(),
        b0.iter().map(|v| v * 2.0).collect::<Vec<_>>()
    );
}

#[test]
fn missing_argument() {
    let fx = Fixture::new(|b| b);
    fx.expect_error(|f| f.call(&[good_x()]), &["'y'", "missing"]);
}

#[test]
fn extra_argument() {
    let fx = Fixture::new(|b| b);
    fx.expect_error(
        |f| f.call(&[good_x(), good_y(), good_y()]),
        &["expected 2 argument(s), got 3"],
    );
}

#[test]
fn unknown_keyword() {
    let fx = Fixture::new(|b| b);
    fx.expect_error(
        |f| f.args().arg(good_x()).kw("z", good_y()).call(),
        &["unknown keyword argument 'z'", "x, y"],
    );
}

#[test]
fn wrong_dtype_without_downcast() {
    // int16 into float32 is exact and fine; float64 into float32 is not.
    let fx = Fixture::new(|b| b);
    let y16 = Tensor::rand_int(I16, &[3], -5, 5, 5);
    fx.f.call(&[good_x(), y16]).unwrap();
    let fx = Fixture::new(|b| b);
    let y64 = good_y().cast(F64);
    fx.expect_error(|f| f.call(&[good_x(), y64]), &["'y'", "float32", "float64"]);
}

#[test]
fn wrong_rank() {
    let fx = Fixture::new(|b| b);
    let y2 = Tensor::randn(F32, &[3, 1], 6);
    fx.expect_error(|f| f.call(&[good_x(), y2]), &["'y'", "rank 1"]);
}

#[test]
fn shape_contradicting_a_static_shape() {
    let fx = Fixture::new(|b| b);
    let x4 = Tensor::rand_uniform(F64, &[4], 0.5, 2.0, 7);
    fx.expect_error(|f| f.call(&[x4, good_y()]), &["'x'", "axis 0", "[4]"]);
}

#[test]
fn nan_under_nan_guard() {
    let fx = Fixture::new(|b| b.nan_guard(NanGuardMode::new(true, true, false)));
    fx.f.call(&[good_x(), good_y()]).unwrap();
    // A negative x makes log produce NaN: the guard names the log node.
    let mut xs = good_x().to_vec::<f64>();
    xs[1] = -1.0;
    let bad = Tensor::from_vec(xs, &[3]).unwrap();
    fx.expect_error(
        |f| f.call(&[bad, good_y()]),
        &["NanGuardMode", "log", "NaN", "input 0"],
    );
}

#[test]
fn runtime_shape_error_mid_run() {
    let fx = Fixture::new(|b| b);
    // y of length 2 passes the input checks but cannot broadcast with x.
    let y2 = Tensor::randn(F32, &[2], 8);
    fx.expect_error(|f| f.call(&[good_x(), y2]), &["cannot be broadcast", "[2]"]);
}

/// A kernel that fails on every call, as a backend kernel might on data it
/// cannot handle.
struct FailingKernel;

impl Kernel for FailingKernel {
    fn name(&self) -> &str {
        "test.failing"
    }

    fn run(&self, _: &mut Inputs<'_>, _: &PerformCtx, _: &mut Vec<Tensor>) -> Result<()> {
        Err(Error::value("test.failing", "kernel failed on purpose"))
    }
}

#[test]
fn kernel_error_mid_run() {
    let mut kernels = KernelRegistry::standard();
    kernels.register_op::<Elemwise>("failing add", |op, _, _| {
        (op.op == ScalarOp::Binary(BinaryOp::Add))
            .then(|| Arc::new(FailingKernel) as Arc<dyn Kernel>)
    });
    let fx = Fixture::new(|b| b.kernels(kernels).mode(Mode::no_optimization()));
    fx.expect_error(
        |f| f.call(&[good_x(), good_y()]),
        &["kernel failed on purpose"],
    );
}
