//! Kernel benchmarks for the CPU backend (BENCHMARKS.md W1 building blocks,
//! W5 GEMM, W6 logsumexp), as ratios to this machine's limits.
//!
//! Run: `cargo bench -p theon --bench kernels` (release). Each figure is the
//! median of 9 runs after 2 warm-ups; every result is checked against an
//! f64 reference before it is timed.

use rayon::prelude::*;
use std::time::Instant;
use theon::backend::cpu::gemm::{gemm_into, MatRef};
use theon::backend::cpu::{isa, math, reduce, Isa};
use theon::prelude::*;

const STREAM_GBS: f64 = 22.0; // STREAM triad, 2 threads (BENCHMARKS.md)
const PEAK_F32: f64 = 175.0; // OpenBLAS GFLOP/s, n = 4096
const PEAK_F64: f64 = 83.0;

fn median_secs(mut f: impl FnMut()) -> f64 {
    for _ in 0..2 {
        f();
    }
    let mut t: Vec<f64> = (0..9)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64()
        })
        .collect();
    t.sort_by(|a, b| a.partial_cmp(b).unwrap());
    t[t.len() / 2]
}

type Kernel<T> = fn(Isa, &[T], &mut [T]);

/// One row of the elementwise table: single thread per variant, and the
/// AVX2 kernel split over 2 threads.
fn elementwise<T: Copy + Send + Sync + Default + Into<f64>>(
    name: &str,
    k: Kernel<T>,
    reference: fn(f64) -> f64,
    x: &[T],
    tol: f64,
) {
    let mut out = vec![T::default(); x.len()];
    k(isa(), x, &mut out);
    for i in (0..x.len()).step_by(9973) {
        let (g, w): (f64, f64) = (out[i].into(), reference(x[i].into()));
        assert!(
            (g - w).abs() <= tol * w.abs().max(1e-30),
            "{name}: {g} vs {w}"
        );
    }
    let bytes = 2.0 * std::mem::size_of_val(x) as f64;
    let base = median_secs(|| k(Isa::Baseline, x, &mut out));
    let avx = median_secs(|| k(Isa::Avx2Fma, x, &mut out));
    let par = median_secs(|| {
        out.par_chunks_mut(1 << 16)
            .zip(x.par_chunks(1 << 16))
            .for_each(|(o, i)| k(Isa::Avx2Fma, i, o))
    });
    let n = x.len() as f64;
    println!(
        "| {name} | {:.1} | {:.1} ({:.2} el/ns) | {:.1} | {:.1} GB/s = {:.2} of STREAM |",
        base * 1e3,
        avx * 1e3,
        n / avx / 1e9,
        par * 1e3,
        bytes / par / 1e9,
        bytes / par / 1e9 / STREAM_GBS
    );
}

fn bench_elementwise() {
    let n = 10_000_000;
    let x32: Vec<f32> = Tensor::rand_uniform(F32, &[n], -10.0, 10.0, 1).to_vec();
    let x64: Vec<f64> = Tensor::rand_uniform(F64, &[n], -10.0, 10.0, 1).to_vec();
    println!(
        "\n### Elementwise, 10M elements (ms; baseline and AVX2 on 1 thread, AVX2 on 2 threads)\n"
    );
    println!("| kernel | baseline 1T | AVX2+FMA 1T | AVX2+FMA 2T | 2T bandwidth |");
    println!("|---|---|---|---|---|");
    elementwise("exp f32", math::exp_f32_on, f64::exp, &x32, 1e-6);
    elementwise("tanh f32", math::tanh_f32_on, f64::tanh, &x32, 1e-6);
    elementwise("exp f64", math::exp_f64_on, f64::exp, &x64, 1e-14);
    elementwise("tanh f64", math::tanh_f64_on, f64::tanh, &x64, 1e-14);
    let mut out = vec![0f32; n];
    let libm = median_secs(|| {
        out.iter_mut().zip(&x32).for_each(|(o, &v)| *o = v.exp());
        std::hint::black_box(&out);
    });
    let libm_tanh = median_secs(|| out.iter_mut().zip(&x32).for_each(|(o, &v)| *o = v.tanh()));
    println!(
        "\n(std/libm scalar f32 for comparison: exp {:.1} ms, tanh {:.1} ms on 1 thread)",
        libm * 1e3,
        libm_tanh * 1e3
    );
}

fn check_gemm<T: Real>(a: &[T], b: &[T], c: &[T], n: usize) {
    for &(i, j) in &[(0, 0), (n - 1, n - 1), (n / 3, n / 2 + 1)] {
        let want: f64 = (0..n)
            .map(|p| a[i * n + p].to_f64().unwrap() * b[p * n + j].to_f64().unwrap())
            .sum();
        let got = c[i * n + j].to_f64().unwrap();
        let tol = if T::DTYPE == F32 { 1e-3 } else { 1e-10 };
        assert!(
            (got - want).abs() <= tol * (n as f64).sqrt(),
            "gemm ({i},{j}): {got} vs {want}"
        );
    }
}

use theon::backend::cpu::Real;

fn gemm_row<T: Real>(n: usize, peak: f64) {
    let a: Vec<T> = Tensor::randn(T::DTYPE, &[n * n], 2).to_vec();
    let b: Vec<T> = Tensor::randn(T::DTYPE, &[n * n], 3).to_vec();
    let mut c = vec![T::zero(); n * n];
    let run = |c: &mut [T]| {
        gemm_into(
            T::one(),
            MatRef::row_major(&a, n, n),
            MatRef::row_major(&b, n, n),
            T::zero(),
            c,
        )
        .unwrap()
    };
    run(&mut c);
    check_gemm(&a, &b, &c, n);
    let t = median_secs(|| run(&mut c));
    let gflops = 2.0 * (n as f64).powi(3) / t / 1e9;
    println!(
        "| {:?} | {n} | {:.2} | {gflops:.1} | {:.2} |",
        T::DTYPE,
        t * 1e3,
        gflops / peak
    );
}

fn bench_gemm() {
    println!("\n### GEMM (W5), 2 threads\n");
    println!("| dtype | n | ms | GFLOP/s | ratio to OpenBLAS peak |");
    println!("|---|---|---|---|---|");
    for n in [1024, 2048] {
        gemm_row::<f32>(n, PEAK_F32);
        gemm_row::<f64>(n, PEAK_F64);
    }
}

fn bench_logsumexp() {
    let n = 4096;
    let x: Vec<f32> = Tensor::randn(F32, &[n * n], 4).to_vec();
    let mut out = vec![0f32; n];
    reduce::logsumexp_rows(&x, n, n, &mut out);
    for i in [0, n / 2, n - 1] {
        let row = &x[i * n..(i + 1) * n];
        let m = row.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v as f64));
        let want = m + row.iter().map(|&v| (v as f64 - m).exp()).sum::<f64>().ln();
        assert!(
            (out[i] as f64 - want).abs() < 1e-5 * want.abs(),
            "lse row {i}"
        );
    }
    let t = median_secs(|| reduce::logsumexp_rows(&x, n, n, &mut out));
    let gbs = (n * n * 4) as f64 / t / 1e9;
    println!("\n### logsumexp over rows of 4096x4096 f32 (W6), 2 threads\n");
    println!("| ms | GB/s | ratio to STREAM | target |");
    println!("|---|---|---|---|");
    println!(
        "| {:.2} | {gbs:.1} | {:.2} | ≤ 6 ms |",
        t * 1e3,
        gbs / STREAM_GBS
    );
}

fn bench_threshold() {
    println!("\n### Sum: 1 thread vs 2 threads (µs) — where PAR_MIN pays off\n");
    println!("| elements | 1 thread | 2 threads |");
    println!("|---|---|---|");
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    for p in [12, 14, 15, 16, 17, 18, 20, 22] {
        let x: Vec<f32> = Tensor::randn(F32, &[1 << p], 5).to_vec();
        let t1 = one.install(|| {
            median_secs(|| {
                std::hint::black_box(reduce::sum(&x));
            })
        });
        let t2 = median_secs(|| {
            std::hint::black_box(reduce::sum(&x));
        });
        println!("| 2^{p} | {:.1} | {:.1} |", t1 * 1e6, t2 * 1e6);
    }
}

fn main() {
    println!(
        "kernel variant: {:?}, rayon threads: {}",
        isa(),
        rayon::current_num_threads()
    );
    bench_elementwise();
    bench_gemm();
    bench_logsumexp();
    bench_threshold();
}
