//! W2 (logistic-regression step, X 60000×784 float32) with and without
//! the `row_blocked` rewrite (one pass over X), timed interleaved in one
//! run: medians of `RUNS` calls after 2 warm-ups each, and the results of
//! both checked against each other first.
//!
//! `cargo run --release -p theon --example w2_one_pass` (`RUNS=15` for more)

use std::time::Instant;
use theon::grad::GradOptions;
use theon::ops::nnet::{categorical_crossentropy, softmax};
use theon::prelude::*;

fn step(x: &Var, y: &Var, w: &SharedVar, b: &SharedVar, mode: Mode) -> Function {
    let probs = softmax(&(x.dot(&w.var()) + b.var()), -1);
    let loss = categorical_crossentropy(&probs, y).mean(Axis::All);
    let grads = grad(&loss, &[w.var(), b.var()], &GradOptions::default()).unwrap();
    Function::builder(
        &[x.clone(), y.clone()],
        &[loss, grads[0].clone(), grads[1].clone()],
    )
    .mode(mode)
    .build()
    .unwrap()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(9);
    let (n, d, k) = (60000, 784, 10);
    let x = matrix("x", F32);
    let y = vector("y", I32);
    let w = SharedVar::new(Tensor::randn(F32, &[d, k], 1), "W");
    let b = SharedVar::new(Tensor::randn(F32, &[k], 4), "b");
    let one_pass = step(&x, &y, &w, &b, Mode::fast_run());
    let two_pass = step(
        &x,
        &y,
        &w,
        &b,
        Mode::fast_run().excluding(["row_blocked", "softmax_with_crossentropy"]),
    );
    let args = [
        Tensor::rand_uniform(F32, &[n, d], 0.0, 1.0, 2),
        Tensor::rand_int(I32, &[n], 0, k as i64, 3),
    ];
    let (a, c) = (one_pass.call(&args).unwrap(), two_pass.call(&args).unwrap());
    for (p, q) in a.iter().zip(&c) {
        assert!(p.allclose(q, 1e-4, 1e-6), "results differ: {p:?} vs {q:?}");
    }
    for f in [&one_pass, &two_pass] {
        for _ in 0..2 {
            f.call(&args).unwrap();
        }
    }
    // ONLY=one / ONLY=two times one variant (for profiling it alone).
    let only = std::env::var("ONLY").unwrap_or_default();
    let (mut t1, mut t2) = (vec![0.0], vec![0.0]);
    for _ in 0..runs {
        for (f, t, name) in [(&one_pass, &mut t1, "one"), (&two_pass, &mut t2, "two")] {
            if !only.is_empty() && only != name {
                continue;
            }
            let t0 = Instant::now();
            f.call(&args).unwrap();
            t.push(t0.elapsed().as_secs_f64() * 1e3);
        }
    }
    let (m1, m2) = (median(t1), median(t2));
    println!("W2 step, medians of {runs} interleaved calls:");
    println!("  one pass (row_blocked)    {m1:7.2} ms");
    println!(
        "  two passes (rule off)     {m2:7.2} ms   ratio {:.2}",
        m2 / m1
    );
}
