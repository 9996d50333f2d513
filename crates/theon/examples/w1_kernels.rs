//! W1 (`exp(x)*y + tanh(z) - 0.5*x*x`, 10M elements) from Rust, float32
//! and float64, and the throughput of the math kernels it runs (exp and
//! tanh over 1M elements on one thread, both compiled variants).
//!
//! `cargo run --release -p theon --example w1_kernels [runs]`
//!
//! Prints medians of wall time and of CPU time (all threads of the
//! process; for the single-threaded kernels, the thread's): on a shared
//! machine the CPU time is far steadier than the wall time, since time
//! spent waiting for a core does not count. Run it in turn with another
//! build to compare.

use std::time::Instant;
use theon::backend::cpu::{math, Isa};
use theon::prelude::*;

/// CPU seconds used so far by the process or the calling thread.
fn cpu_seconds(clock: libc::clockid_t) -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec for the call to fill.
    unsafe { libc::clock_gettime(clock, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// Medians (wall seconds, CPU seconds on `clock`) of `runs` calls after 2
/// warm-ups, and the least CPU seconds.
fn median(runs: usize, clock: libc::clockid_t, mut f: impl FnMut()) -> (f64, f64, f64) {
    f();
    f();
    let (mut wall, mut cpu): (Vec<f64>, Vec<f64>) = (0..runs)
        .map(|_| {
            let (t0, c0) = (Instant::now(), cpu_seconds(clock));
            f();
            (t0.elapsed().as_secs_f64(), cpu_seconds(clock) - c0)
        })
        .unzip();
    wall.sort_by(|a, b| a.total_cmp(b));
    cpu.sort_by(|a, b| a.total_cmp(b));
    (wall[runs / 2], cpu[runs / 2], cpu[0])
}

fn w1(dtype: DType) -> Function {
    let (x, y, z) = (vector("x", dtype), vector("y", dtype), vector("z", dtype));
    let out = x.exp() * &y + z.tanh() - 0.5 * &x * &x;
    function(&[x, y, z], &[out]).unwrap()
}

type Kernel32 = fn(Isa, &[f32], &mut [f32]);
type Kernel64 = fn(Isa, &[f64], &mut [f64]);

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(9);
    let n = 10_000_000;
    println!("W1, {n} elements, {} threads", rayon::current_num_threads());
    for dtype in [F32, F64] {
        let f = w1(dtype);
        let args: Vec<Tensor> = (0..3).map(|s| Tensor::randn(dtype, &[n], s)).collect();
        let (t, cpu, _) = median(runs, libc::CLOCK_PROCESS_CPUTIME_ID, || {
            f.call(&args).unwrap();
        });
        let bytes = 4.0 * n as f64 * dtype.size() as f64;
        println!(
            "  {dtype}: {:.2} ms ({:.1} GB/s), CPU time {:.2} ms",
            t * 1e3,
            bytes / t / 1e9,
            cpu * 1e3
        );
    }
    let m = 1 << 20;
    let x32: Vec<f32> = (0..m).map(|i| ((i as f32) * 0.618).sin() * 3.0).collect();
    let x64: Vec<f64> = x32.iter().map(|&v| v as f64).collect();
    let (mut o32, mut o64) = (vec![0f32; m], vec![0f64; m]);
    println!("\nkernel, 2^20 elements, 1 thread: elements per ns of thread CPU time, median and best (baseline | AVX2+FMA)");
    let k32: [(&str, Kernel32); 2] = [
        ("exp f32", math::exp_f32_on),
        ("tanh f32", math::tanh_f32_on),
    ];
    for (name, k) in k32 {
        let rates: Vec<String> = [Isa::Baseline, Isa::Avx2Fma]
            .iter()
            .map(|&isa| {
                let (_, t, best) = median(runs, libc::CLOCK_THREAD_CPUTIME_ID, || {
                    k(isa, &x32, &mut o32)
                });
                format!("{:.2} {:.2}", m as f64 / t / 1e9, m as f64 / best / 1e9)
            })
            .collect();
        println!("  {name}: {}", rates.join(" | "));
    }
    let k64: [(&str, Kernel64); 2] = [
        ("exp f64", math::exp_f64_on),
        ("tanh f64", math::tanh_f64_on),
    ];
    for (name, k) in k64 {
        let rates: Vec<String> = [Isa::Baseline, Isa::Avx2Fma]
            .iter()
            .map(|&isa| {
                let (_, t, best) = median(runs, libc::CLOCK_THREAD_CPUTIME_ID, || {
                    k(isa, &x64, &mut o64)
                });
                format!("{:.2} {:.2}", m as f64 / t / 1e9, m as f64 / best / 1e9)
            })
            .collect();
        println!("  {name}: {}", rates.join(" | "));
    }
}
