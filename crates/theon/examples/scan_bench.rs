//! Scan benchmarks (numbers in docs/scan.md):
//!
//! - **W4 RNN**: `h_t = tanh(x_t·W + h_{t-1}·U + b)`, 100 steps, batch 32,
//!   input 64, hidden 128, float32; loss = sum(h_T²); forward + BPTT
//!   (gradients of W, U, b and h0). Target ≤ 6 ms.
//! - **Per-step overhead**: `h + 1` on a scalar for 100,000 steps.
//!   Target < 0.5 µs per step.
//!
//! The RNN is also built unrolled (100 copies of the step in one graph) to
//! separate the loop's own cost from the kernels'.
//!
//! Run with `cargo run --release -p theon --example scan_bench`
//! (`SCAN_BENCH=rnn` or `SCAN_BENCH=overhead` runs one part).

use std::time::{Duration, Instant};
use theon::graph::toposort;
use theon::ops::control::scan::Scan;
use theon::ops::control::{scan, OpFromGraph};
use theon::prelude::*;

/// How the RNN multiplies matrices.
#[derive(Clone, Copy, PartialEq)]
enum Product {
    /// `dot`, with its own (einsum-based) gradient.
    Dot,
    /// An `OpFromGraph` around `dot` with the gradient written as two
    /// `dot`s (`gA = g·Bᵀ`, `gB = Aᵀ·g`), so both directions run GEMM.
    HandGrad,
}

fn matmul_op() -> OpFromGraph {
    let (a, b) = (matrix("a", F32), matrix("b", F32));
    OpFromGraph::new(&[a.clone(), b.clone()], &[dot(&a, &b)])
        .unwrap()
        .named("matmul")
        .with_grad(|ins, g| Ok(vec![dot(&g[0], &ins[1].t()), dot(&ins[0].t(), &g[0])]))
}

fn product(kind: Product, mm: &OpFromGraph, a: &Var, b: &Var) -> Var {
    match kind {
        Product::Dot => a.dot(b),
        Product::HandGrad => mm.call(&[a.clone(), b.clone()]).remove(0),
    }
}

/// The median of `runs` timings of `f` (after `warmup` untimed calls;
/// fewer runs when one call takes over 100 ms).
fn median(warmup: usize, runs: usize, mut f: impl FnMut()) -> Duration {
    let t = Instant::now();
    for _ in 0..warmup {
        f();
    }
    let runs = if t.elapsed() > Duration::from_millis(100) * warmup as u32 {
        runs.min(5)
    } else {
        runs
    };
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

const STEPS: usize = 100;
const BATCH: usize = 32;
const N_IN: usize = 64;
const N_H: usize = 128;

/// The RNN's loss, `sum(h_T²)`, by scan or unrolled.
fn rnn_loss(p: [&Var; 5], unrolled: bool, kind: Product) -> Var {
    let [x, w, u, b, h0] = p;
    let mm = matmul_op();
    let h_last = if unrolled {
        let mut h = h0.clone();
        for t in 0..STEPS {
            let xt = x.at(&s![t as i64]);
            h = (product(kind, &mm, &xt, w) + product(kind, &mm, &h, u) + b).tanh();
        }
        h
    } else {
        let (w, u, b) = (w.clone(), u.clone(), b.clone());
        let r = scan(move |s| {
            let xw = product(kind, &mm, s.seq(0), &w);
            (xw + product(kind, &mm, s.prev(0), &u) + &b).tanh()
        })
        .sequences([x])
        .outputs_info([h0])
        .name("rnn")
        .build()
        .unwrap();
        r.last[0].clone().unwrap()
    };
    h_last.sqr().sum(Axis::All)
}

/// `(forward, forward + BPTT)` median times.
fn time_rnn(unrolled: bool, kind: Product, args: &[Tensor]) -> (Duration, Duration) {
    let x = tensor3("x", F32);
    let w = matrix("W", F32);
    let u = matrix("U", F32);
    let b = vector("b", F32);
    let h0 = matrix("h0", F32);
    let loss = rnn_loss([&x, &w, &u, &b, &h0], unrolled, kind);
    let params = [w.clone(), u.clone(), b.clone(), h0.clone()];
    let grads = grad(&loss, &params, &GradOptions::default()).unwrap();
    let inputs = [x, w, u, b, h0];
    let forward = function(&inputs, std::slice::from_ref(&loss)).unwrap();
    let mut outs = vec![loss];
    outs.extend(grads);
    let both = function(&inputs, &outs).unwrap();
    let t_fwd = median(3, 21, || {
        forward.call(args).unwrap();
    });
    let t_both = median(3, 21, || {
        both.call(args).unwrap();
    });
    (t_fwd, t_both)
}

fn rnn_bench() {
    let scale = |n: usize| 1.0 / (n as f64).sqrt();
    let args = [
        Tensor::randn(F32, &[STEPS, BATCH, N_IN], 1),
        Tensor::rand_uniform(F32, &[N_IN, N_H], -scale(N_IN), scale(N_IN), 2),
        Tensor::rand_uniform(F32, &[N_H, N_H], -scale(N_H), scale(N_H), 3),
        Tensor::randn(F32, &[N_H], 4),
        Tensor::randn(F32, &[BATCH, N_H], 5),
    ];
    let flops_fwd = 2.0 * (STEPS * BATCH * (N_IN + N_H) * N_H) as f64;
    // Backward: the dW, dU and dh_{t-1} products (dx is not needed).
    let flops_bwd = 2.0 * (STEPS * BATCH * (N_IN + 2 * N_H) * N_H) as f64;
    println!("W4 RNN (T={STEPS}, batch {BATCH}, input {N_IN}, hidden {N_H}, float32)");
    let configs = [
        ("scan, dot", false, Product::Dot),
        ("unrolled, dot", true, Product::Dot),
        ("scan, hand-grad matmul", false, Product::HandGrad),
        ("unrolled, hand-grad matmul", true, Product::HandGrad),
    ];
    for (label, unrolled, kind) in configs {
        let (t_fwd, t_both) = time_rnn(unrolled, kind, &args);
        println!(
            "  {label:27} forward: {:8.3} ms ({:5.1} GFLOP/s)   forward + BPTT: {:8.3} ms ({:5.1} GFLOP/s)",
            ms(t_fwd),
            flops_fwd / t_fwd.as_secs_f64() / 1e9,
            ms(t_both),
            (flops_fwd + flops_bwd) / t_both.as_secs_f64() / 1e9
        );
    }
    println!("  (target: scan forward + BPTT <= 6 ms)");
}

fn overhead_bench() {
    let n = 100_000usize;
    let h0 = scalar("h0", F64);
    let r = scan(|s| s.prev(0) + 1.0)
        .outputs_info([&h0])
        .n_steps(n)
        .build()
        .unwrap();
    // `scan_sum_out` would turn `h + 1` into `h0 + n` (no loop at all):
    // keep the loop to time it.
    let mode = Mode::fast_run().excluding(["scan_sum_out"]);
    let build = |outputs: &[Var]| {
        Function::builder(std::slice::from_ref(&h0), outputs)
            .mode(mode.clone())
            .build()
            .unwrap()
    };
    let history = build(&[r.outputs[0].clone()]);
    let last_only = build(&[r.last[0].clone().unwrap()]);
    let arg = [Tensor::scalar(0.5f64)];
    let out = last_only.call(&arg).unwrap();
    assert_eq!(out[0].item().as_f64(), 0.5 + n as f64);
    let per_step = |d: Duration| d.as_secs_f64() * 1e6 / n as f64;
    let t_hist = median(1, 7, || {
        history.call(&arg).unwrap();
    });
    let t_last = median(1, 7, || {
        last_only.call(&arg).unwrap();
    });
    // The body's program alone, run as the loop runs it (one frame, one
    // argument per call): what the kernels and the executor cost per step.
    let scan_op = toposort(last_only.optimized_outputs())
        .iter()
        .find_map(|n| {
            n.op()
                .and_then(|op| op.as_any().downcast_ref::<Scan>().cloned())
        })
        .expect("a scan node");
    let mut runner = scan_op.body.runner().unwrap();
    let t_body = median(1, 7, || {
        let mut h = Tensor::scalar(0.5f64);
        for _ in 0..n {
            h = runner.run(std::iter::once(h)).unwrap().remove(0);
        }
    });
    println!("Per-step overhead (h + 1 on a scalar, {n} steps; target < 0.5 us/step)");
    println!("  keeping the history: {:.3} us/step", per_step(t_hist));
    println!("  last state only:     {:.3} us/step", per_step(t_last));
    println!(
        "  the body alone:      {:.3} us/call (kernel + executor)",
        per_step(t_body)
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    // `SCAN_BENCH=rnn` or `SCAN_BENCH=overhead` runs one part.
    let only = std::env::var("SCAN_BENCH").unwrap_or_default();
    if only.is_empty() || only == "rnn" {
        rnn_bench();
    }
    if only.is_empty() || only == "overhead" {
        overhead_bench();
    }
}
