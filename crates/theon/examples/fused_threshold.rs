//! Fused elementwise kernels from Rust: W1 (`exp(x)*y + tanh(z) -
//! 0.5*x*x`, 10M elements) and where splitting over threads starts to pay
//! (`x + 1` and W1's body at growing sizes, 1 thread vs all threads).
//!
//! `cargo run --release -p theon --example fused_threshold`

use std::time::Instant;
use theon::prelude::*;

/// Median seconds of `runs` calls after 2 warm-ups.
fn median(runs: usize, mut f: impl FnMut()) -> f64 {
    f();
    f();
    let mut t: Vec<f64> = (0..runs)
        .map(|_| {
            let t0 = Instant::now();
            f();
            t0.elapsed().as_secs_f64()
        })
        .collect();
    t.sort_by(|a, b| a.partial_cmp(b).unwrap());
    t[runs / 2]
}

fn w1(dtype: DType) -> Function {
    let (x, y, z) = (vector("x", dtype), vector("y", dtype), vector("z", dtype));
    let out = x.exp() * &y + z.tanh() - 0.5 * &x * &x;
    function(&[x, y, z], &[out]).unwrap()
}

fn main() {
    println!("W1, 10M elements, {} threads", rayon::current_num_threads());
    for dtype in [F32, F64] {
        let n = 10_000_000;
        let f = w1(dtype);
        let args: Vec<Tensor> = (0..3).map(|s| Tensor::randn(dtype, &[n], s)).collect();
        let t = median(9, || {
            f.call(&args).unwrap();
        });
        let bytes = 4.0 * n as f64 * dtype.size() as f64;
        println!("  {dtype}: {:.2} ms ({:.1} GB/s)", t * 1e3, bytes / t / 1e9);
    }
    // Both columns run inside a pool (installing into one costs the same).
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let two = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let x = vector("x", F32);
    let plus = function(std::slice::from_ref(&x), &[&x + 1.0]).unwrap();
    let body = w1(F32);
    println!("\nelements | x+1 1T µs | x+1 2T µs | W1 1T µs | W1 2T µs");
    for p in [10, 12, 13, 14, 15, 16, 17, 18, 20] {
        let n = 1usize << p;
        let a: Vec<Tensor> = (0..3).map(|s| Tensor::randn(F32, &[n], s)).collect();
        let runs = if p < 16 { 101 } else { 21 };
        let mut cells = Vec::new();
        for (f, args) in [(&plus, &a[..1]), (&body, &a[..])] {
            let serial = one.install(|| median(runs, || drop(f.call(args).unwrap())));
            let par = two.install(|| median(runs, || drop(f.call(args).unwrap())));
            cells.push(format!("{:.1} | {:.1}", serial * 1e6, par * 1e6));
        }
        println!("2^{p} | {} | {}", cells[0], cells[1]);
    }
}
