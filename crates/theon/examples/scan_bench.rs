//! Scan benchmarks (numbers in docs/scan.md):
//!
//! - **W4 RNN**: `h_t = tanh(x_t·W + h_{t-1}·U + b)`, 100 steps, batch 32,
//!   input 64, hidden 128, float32; loss = sum(h_T²); forward + BPTT
//!   (gradients of W, U, b and h0). Target ≤ 6 ms.
//! - **Per-step overhead**: `h + 1` on a scalar for 100,000 steps.
//!   Target < 0.5 µs per step.
//!
//! Run with `cargo run --release -p theon --example scan_bench`.
//!
//! The matrix products go through an `OpFromGraph` around `dot` whose
//! gradient is given by hand (`gA = g·Bᵀ`, `gB = Aᵀ·g`), because `dot`'s
//! own gradient is not on this branch yet; both directions use the same
//! GEMM as `dot`.

use std::time::{Duration, Instant};
use theon::ops::control::{scan, OpFromGraph};
use theon::prelude::*;

/// `a · b` for matrices, differentiable through a user gradient.
fn matmul_op() -> OpFromGraph {
    let (a, b) = (matrix("a", F32), matrix("b", F32));
    OpFromGraph::new(&[a.clone(), b.clone()], &[dot(&a, &b)])
        .unwrap()
        .named("matmul")
        .with_grad(|ins, g| Ok(vec![dot(&g[0], &ins[1].t()), dot(&ins[0].t(), &g[0])]))
}

/// The median of `runs` timings of `f` (after `warmup` untimed calls).
fn median(warmup: usize, runs: usize, mut f: impl FnMut()) -> Duration {
    for _ in 0..warmup {
        f();
    }
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

fn rnn_bench() {
    let (steps, batch, n_in, n_h) = (100, 32, 64, 128);
    let mm = matmul_op();
    let x = tensor3("x", F32);
    let w = matrix("W", F32);
    let u = matrix("U", F32);
    let b = vector("b", F32);
    let h0 = matrix("h0", F32);
    let (w2, u2, b2, mm2) = (w.clone(), u.clone(), b.clone(), mm.clone());
    let r = scan(move |s| {
        let xw = mm2.call(&[s.seq(0).clone(), w2.clone()])[0].clone();
        let hu = mm2.call(&[s.prev(0).clone(), u2.clone()])[0].clone();
        (xw + hu + &b2).tanh()
    })
    .sequences([&x])
    .outputs_info([&h0])
    .name("rnn")
    .build()
    .unwrap();
    let h_last = r.last[0].clone().unwrap();
    let loss = h_last.sqr().sum(Axis::All);
    let params = [w.clone(), u.clone(), b.clone(), h0.clone()];
    let grads = grad(&loss, &params, &GradOptions::default()).unwrap();
    let inputs = [x, w, u, b, h0];
    let forward = function(&inputs, std::slice::from_ref(&loss)).unwrap();
    let mut outs = vec![loss];
    outs.extend(grads);
    let both = function(&inputs, &outs).unwrap();
    let scale = |n: usize| 1.0 / (n as f64).sqrt();
    let args = [
        Tensor::randn(F32, &[steps, batch, n_in], 1),
        Tensor::rand_uniform(F32, &[n_in, n_h], -scale(n_in), scale(n_in), 2),
        Tensor::rand_uniform(F32, &[n_h, n_h], -scale(n_h), scale(n_h), 3),
        Tensor::randn(F32, &[n_h], 4),
        Tensor::randn(F32, &[batch, n_h], 5),
    ];
    let t_fwd = median(3, 21, || {
        forward.call(&args).unwrap();
    });
    let t_both = median(3, 21, || {
        both.call(&args).unwrap();
    });
    let flops_fwd = 2.0 * steps as f64 * batch as f64 * (n_in + n_h) as f64 * n_h as f64;
    // Backward: dU, dW and dh_{t-1} products (dx is not needed).
    let flops_bwd = 2.0 * steps as f64 * batch as f64 * (n_in + 2 * n_h) as f64 * n_h as f64;
    println!("W4 RNN (T={steps}, batch {batch}, input {n_in}, hidden {n_h}, float32)");
    println!(
        "  forward:        {:8.3} ms  ({:.1} GFLOP/s in products)",
        ms(t_fwd),
        flops_fwd / t_fwd.as_secs_f64() / 1e9
    );
    println!(
        "  forward + BPTT: {:8.3} ms  ({:.1} GFLOP/s in products; target <= 6 ms)",
        ms(t_both),
        (flops_fwd + flops_bwd) / t_both.as_secs_f64() / 1e9
    );
}

fn overhead_bench() {
    let n = 100_000usize;
    let h0 = scalar("h0", F64);
    let r = scan(|s| s.prev(0) + 1.0)
        .outputs_info([&h0])
        .n_steps(n)
        .build()
        .unwrap();
    let history = function(std::slice::from_ref(&h0), &[r.outputs[0].clone()]).unwrap();
    let last_only = function(&[h0], &[r.last[0].clone().unwrap()]).unwrap();
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
    println!("Per-step overhead (h + 1 on a scalar, {n} steps; target < 0.5 us/step)");
    println!("  keeping the history: {:.3} us/step", per_step(t_hist));
    println!("  last state only:     {:.3} us/step", per_step(t_last));
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    rnn_bench();
    overhead_bench();
}
