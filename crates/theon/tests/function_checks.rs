//! DebugMode (the model zoo runs clean; broken kernels are caught),
//! NanGuardMode (NaN, Inf, huge values), run-time profiles and the memory
//! plan's liveness.

use std::sync::Arc;
use theon::compile::{Inputs, Kernel, KernelRegistry};
use theon::graph::PerformCtx;
use theon::ops::elemwise::{Elemwise, ScalarOp, UnaryOp};
use theon::ops::nnet::{categorical_crossentropy, softmax};
use theon::ops::shape::DimShuffle;
use theon::prelude::*;
use theon::Result;

/// Builds the same step twice (plain and DebugMode), runs both from the
/// same parameters and checks outputs and updated parameters agree.
fn agree_under_debug_mode(
    params: &[(&str, Tensor)],
    build: impl Fn(&[SharedVar]) -> (Vec<Var>, Vec<Var>, Vec<Var>),
    args: &[Tensor],
) {
    let mut results = vec![];
    for debug in [false, true] {
        let shared: Vec<SharedVar> = params.iter().map(|(n, v)| shared(v.clone(), n)).collect();
        let (inputs, outputs, new_values) = build(&shared);
        let mut b =
            Function::builder(&inputs, &outputs).updates(shared.iter().cloned().zip(new_values));
        if debug {
            b = b.debug_mode(DebugMode::default());
        }
        let f = b.build().unwrap();
        let mut out = f.call(args).unwrap();
        out.extend(shared.iter().map(SharedVar::get_value));
        results.push(out);
    }
    for (a, b) in results[0].iter().zip(&results[1]) {
        assert!(a.allclose(b, 1e-12, 1e-12), "{a:?} vs {b:?}");
    }
}

/// Softmax over rows and the mean cross-entropy, spelled with elementwise
/// ops and reductions (differentiable here).
fn softmax_xent(z: &Var, labels: &Var) -> Var {
    let e = z.exp();
    let probs = &e / &e.sum(1).dimshuffle(&[Some(0), None]);
    -(labels * probs.log()).sum(Axis::All) * 0.125
}

/// `x . w` through broadcasting and a sum (differentiable with the ops
/// that have gradients today).
fn dense(x: &Var, w: &Var) -> Var {
    (x.dimshuffle(&[Some(0), Some(1), None]) * w.dimshuffle(&[None, Some(0), Some(1)])).sum(1)
}

#[test]
fn debug_mode_runs_the_zoo_clean() {
    let x = matrix("x", F64);
    let labels = matrix("labels", F64);
    let xv = Tensor::randn(F64, &[8, 5], 1);
    let onehot: Vec<f64> = (0..8 * 3)
        .map(|k| ((k % 3) == (k / 3) % 3) as u8 as f64)
        .collect();
    let lv = Tensor::from_vec(onehot, &[8, 3]).unwrap();
    // Logistic regression step with softmax cross-entropy.
    let zoo_logreg = |p: &[SharedVar]| {
        let loss = softmax_xent(&(dense(&x, &p[0].var()) + p[1].var()), &labels);
        let g = grad(&loss, &[p[0].var(), p[1].var()], &GradOptions::default()).unwrap();
        let new = vec![p[0].var() - &g[0] * 0.1, p[1].var() - &g[1] * 0.1];
        (vec![x.clone(), labels.clone()], vec![loss], new)
    };
    agree_under_debug_mode(
        &[
            ("W", Tensor::randn(F64, &[5, 3], 2)),
            ("b", Tensor::randn(F64, &[3], 3)),
        ],
        zoo_logreg,
        &[xv.clone(), lv.clone()],
    );
    // Two-layer MLP step.
    let zoo_mlp = |p: &[SharedVar]| {
        let h = (dense(&x, &p[0].var()) + p[1].var()).tanh();
        let loss = softmax_xent(&dense(&h, &p[2].var()), &labels);
        let vars: Vec<Var> = p.iter().map(SharedVar::var).collect();
        let g = grad(&loss, &vars, &GradOptions::default()).unwrap();
        let new = vars.iter().zip(&g).map(|(v, g)| v - g * 0.05).collect();
        (vec![x.clone(), labels.clone()], vec![loss], new)
    };
    agree_under_debug_mode(
        &[
            ("W1", Tensor::randn(F64, &[5, 4], 4)),
            ("b1", Tensor::randn(F64, &[4], 5)),
            ("W2", Tensor::randn(F64, &[4, 3], 6)),
        ],
        zoo_mlp,
        &[xv.clone(), lv.clone()],
    );
    // The nnet softmax and categorical cross-entropy ops (forward).
    let nnet = |p: &[SharedVar]| {
        let probs = softmax(&x.dot(&p[0].var()), -1);
        let loss = categorical_crossentropy(&probs, &labels);
        (vec![x.clone(), labels.clone()], vec![probs, loss], vec![])
    };
    agree_under_debug_mode(
        &[("W", Tensor::randn(F64, &[5, 3], 7))],
        nnet,
        &[xv.clone(), lv],
    );
    // An elementwise chain with views (transpose) and reductions.
    let chain = |_: &[SharedVar]| {
        let y = ((&x * 2.0).exp() - 1.0).log1p().sigmoid() * x.t().t();
        (
            vec![x.clone()],
            vec![y.sum(1), y.t().max(Axis::All)],
            vec![],
        )
    };
    agree_under_debug_mode(&[], chain, &[xv]);
}

/// A kernel for `exp` that is slightly wrong.
struct SloppyExp;

impl Kernel for SloppyExp {
    fn name(&self) -> &str {
        "test.sloppy_exp"
    }

    fn run(
        &self,
        inputs: &mut Inputs<'_>,
        _: &PerformCtx,
        outputs: &mut Vec<Tensor>,
    ) -> Result<()> {
        let x = inputs.get(0);
        let values: Vec<f64> = x
            .to_f64_vec()
            .iter()
            .map(|v| v.exp() * (1.0 + 1e-5))
            .collect();
        outputs.push(Tensor::from_f64s(x.dtype(), x.shape(), &values)?);
        Ok(())
    }
}

fn registry_with(
    name: &str,
    unary: UnaryOp,
    kernel: impl Kernel + Clone + 'static,
) -> KernelRegistry {
    let mut kernels = KernelRegistry::standard();
    kernels.register_op::<Elemwise>(name, move |op, _, _| {
        (op.op == ScalarOp::Unary(unary)).then(|| Arc::new(kernel.clone()) as Arc<dyn Kernel>)
    });
    kernels
}

impl Clone for SloppyExp {
    fn clone(&self) -> Self {
        SloppyExp
    }
}

#[test]
fn debug_mode_catches_a_broken_kernel() {
    let x = vector("x", F64);
    let y = x.exp() * 3.0;
    let xv = Tensor::randn(F64, &[6], 7);
    let build = |debug: bool| {
        let mut b = Function::builder(std::slice::from_ref(&x), std::slice::from_ref(&y))
            .kernels(registry_with("sloppy", UnaryOp::Exp, SloppyExp))
            .mode(Mode::no_optimization());
        if debug {
            b = b.debug_mode(DebugMode::default());
        }
        b.build().unwrap()
    };
    // Without DebugMode the broken kernel runs unnoticed...
    let plain = build(false);
    assert!(plain
        .program()
        .kernel_names()
        .iter()
        .any(|(_, k)| k == "test.sloppy_exp"));
    plain.call(std::slice::from_ref(&xv)).unwrap();
    // ...with it, the disagreement names the node, kernel and line.
    let err = build(true)
        .call(std::slice::from_ref(&xv))
        .unwrap_err()
        .to_string();
    for fragment in [
        "DebugMode",
        "exp#",
        "test.sloppy_exp",
        "disagrees",
        "function_checks.rs:",
    ] {
        assert!(err.contains(fragment), "'{fragment}' missing from: {err}");
    }
}

/// A kernel for `abs` that returns its input itself (right values on
/// positive data, but an undeclared alias).
#[derive(Clone)]
struct AliasingAbs;

impl Kernel for AliasingAbs {
    fn name(&self) -> &str {
        "test.aliasing_abs"
    }

    fn run(
        &self,
        inputs: &mut Inputs<'_>,
        _: &PerformCtx,
        outputs: &mut Vec<Tensor>,
    ) -> Result<()> {
        outputs.push(inputs.get(0).clone());
        Ok(())
    }
}

/// A kernel for `log` that produces NaN where the reference does not.
#[derive(Clone)]
struct NanLog;

impl Kernel for NanLog {
    fn name(&self) -> &str {
        "test.nan_log"
    }

    fn run(
        &self,
        inputs: &mut Inputs<'_>,
        _: &PerformCtx,
        outputs: &mut Vec<Tensor>,
    ) -> Result<()> {
        let x = inputs.get(0);
        let mut values: Vec<f64> = x.to_f64_vec().iter().map(|v| v.ln()).collect();
        values[0] = f64::NAN;
        outputs.push(Tensor::from_f64s(x.dtype(), x.shape(), &values)?);
        Ok(())
    }
}

/// A DimShuffle kernel that copies where the reference returns a view.
#[derive(Clone)]
struct CopyingTranspose;

impl Kernel for CopyingTranspose {
    fn name(&self) -> &str {
        "test.copying_transpose"
    }

    fn run(
        &self,
        inputs: &mut Inputs<'_>,
        _: &PerformCtx,
        outputs: &mut Vec<Tensor>,
    ) -> Result<()> {
        outputs.push(inputs.get(0).t().to_contiguous_copy());
        Ok(())
    }
}

fn debug_error(y: &Var, x: &Var, kernels: KernelRegistry, arg: Tensor) -> String {
    Function::builder(std::slice::from_ref(x), std::slice::from_ref(y))
        .kernels(kernels)
        .mode(Mode::no_optimization())
        .debug_mode(DebugMode::default())
        .build()
        .unwrap()
        .call(&[arg])
        .unwrap_err()
        .to_string()
}

#[test]
fn debug_mode_checks_aliasing_and_validity() {
    let x = vector("x", F64);
    let positive = Tensor::rand_uniform(F64, &[5], 0.5, 2.0, 8);
    let err = debug_error(
        &x.abs(),
        &x,
        registry_with("alias", UnaryOp::Abs, AliasingAbs),
        positive.clone(),
    );
    assert!(
        err.contains("aliases input 0") && err.contains("abs#"),
        "{err}"
    );
    let err = debug_error(
        &x.log(),
        &x,
        registry_with("nan", UnaryOp::Log, NanLog),
        positive,
    );
    assert!(
        err.contains("invalid value NaN") && err.contains("test.nan_log"),
        "{err}"
    );
    let m = matrix("m", F64);
    let mut kernels = KernelRegistry::standard();
    kernels.register_op::<DimShuffle>("copying", |_, _, _| {
        Some(Arc::new(CopyingTranspose) as Arc<dyn Kernel>)
    });
    let err = debug_error(&m.t(), &m, kernels, Tensor::randn(F64, &[2, 3], 9));
    assert!(
        err.contains("returned a copy") && err.contains("view_map"),
        "{err}"
    );
}

#[test]
fn debug_mode_reports_rewrite_history() {
    let x = vector("x", F64);
    let y = (x.exp() + 1.0).log();
    let f = Function::builder(std::slice::from_ref(&x), &[y])
        .kernels(registry_with("sloppy", UnaryOp::Exp, SloppyExp))
        .mode(Mode::fast_run().excluding(["fusion"]))
        .debug_mode(DebugMode::default())
        .build()
        .unwrap();
    let steps: Vec<_> = f
        .program()
        .steps
        .iter()
        .map(|s| (s.label.clone(), s.history.clone()))
        .collect();
    assert!(
        steps.iter().any(|(_, h)| !h.is_empty()),
        "no rewrite history recorded: {steps:?}"
    );
}

#[test]
fn nan_guard_names_the_first_bad_node() {
    let x = vector("x", F64);
    let huge = &x * 1e12;
    let inf = -(&x - 1.0).log();
    let guard = |g: NanGuardMode, y: &Var| {
        Function::builder(std::slice::from_ref(&x), std::slice::from_ref(y))
            .nan_guard(g)
            .mode(Mode::no_optimization())
            .build()
            .unwrap()
    };
    let ones = Tensor::from_vec(vec![1.0f64, 2.0, 3.0], &[3]).unwrap();
    let err = guard(NanGuardMode::new(false, false, true), &huge)
        .call(std::slice::from_ref(&ones))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("huge") && err.contains("mul#") && err.contains("function_checks.rs:"),
        "{err}"
    );
    // log(0) = -inf is caught at the log node, before neg.
    let err = guard(NanGuardMode::new(false, true, false), &inf)
        .call(std::slice::from_ref(&ones))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("Inf") && err.contains("log#") && err.contains("min 0, max 2"),
        "{err}"
    );
    // Switched off, the same values pass.
    let ok = guard(NanGuardMode::new(true, false, false), &inf);
    assert!(ok.call(&[ones]).unwrap()[0].to_f64_vec()[0].is_infinite());
}

#[test]
fn profile_counts_times_shapes_and_memory() {
    let x = matrix("x", F64);
    let y = ((&x * 2.0).exp() + x.t().t()).sum(1);
    let f = Function::builder(std::slice::from_ref(&x), &[y])
        .profile(true)
        .mode(Mode::no_optimization())
        .name("profiled")
        .build()
        .unwrap();
    for seed in 0..3 {
        f.call(&[Tensor::randn(F64, &[4, 5], seed)]).unwrap();
    }
    let p = f.profile();
    assert_eq!(p.calls, 3);
    assert!(p.nodes.iter().all(|n| n.calls == 3));
    let sum = p
        .nodes
        .iter()
        .find(|n| n.op_name.starts_with("sum"))
        .unwrap();
    assert_eq!(sum.output_shapes, vec![vec![4]]);
    let classes: Vec<String> = p.by_class().into_iter().map(|c| c.0).collect();
    assert!(
        classes.contains(&"Elemwise".to_string()) && classes.contains(&"DimShuffle".to_string()),
        "{classes:?}"
    );
    let m = &p.memory;
    assert_eq!(m.base_bytes, 4 * 5 * 8 + 8); // x, and the constant 2.0
    assert!(m.peak_bytes() >= m.lower_bound_bytes() && m.lower_bound_bytes() > m.base_bytes);
    let text = p.summary();
    for part in [
        "Function profile: profiled",
        "Class",
        "Ops",
        "Apply",
        "Memory profile",
        "compile profile",
    ] {
        assert!(text.contains(part), "'{part}' missing from:\n{text}");
    }
    let plain = function(std::slice::from_ref(&x), &[x.exp()]).unwrap();
    plain.call(&[Tensor::randn(F64, &[2, 2], 4)]).unwrap();
    assert_eq!(plain.profile().calls, 0);
}

#[test]
fn liveness_frees_each_intermediate_at_its_last_use() {
    let x = vector("x", F64);
    let mut y = x.clone();
    for k in 0..10 {
        y = (&y + k as f64).sin();
    }
    let f = Function::builder(std::slice::from_ref(&x), &[y])
        .mode(Mode::no_optimization())
        .profile(true)
        .build()
        .unwrap();
    let program = f.program();
    let mut freed = vec![0; program.n_slots];
    for step in &program.steps {
        for &s in &step.frees {
            freed[s] += 1;
        }
    }
    for &r in &program.result_slots {
        assert_eq!(freed[r], 0, "a result slot is freed");
    }
    assert!(freed.iter().all(|&n| n <= 1));
    f.call(&[Tensor::randn(F64, &[1000], 5)]).unwrap();
    let m = f.profile().memory;
    // Twenty intermediates of 8000 bytes; at most three alive at once.
    assert_eq!(m.allocated_bytes, 20 * 8000);
    assert!(m.peak_intermediate_bytes <= 3 * 8000, "{m:?}");
    assert!(m.saved_by_reuse_bytes() >= 17 * 8000);
}
