//! Times GEMM back ends side by side, interleaved round by round (medians
//! of 9 after 2 warm-ups): the `gemm` crate (all threads), faer's matmul on
//! one thread and on all threads, and theon's `gemm_into` (faer with its
//! threading threshold). Shapes: square W5 sizes and the W2/W3 products,
//! with the transposed operands those graphs really read (`Xᵀ·g` reads X
//! column-major, in place). With `THEON_BLAS` naming a CBLAS library (and
//! the `system-blas` feature), a last column times that library through
//! `gemm_into_with`.
//!
//! `cargo run --release -p theon --example gemm_vs_faer`
//! `THEON_BLAS=/path/libopenblas.so cargo run --release -p theon --features system-blas --example gemm_vs_faer`
use std::time::Instant;
use theon::backend::cpu::gemm::{gemm_into, gemm_into_with, MatRef};
use theon::backend::cpu::sysblas::SystemBlas;
use theon::backend::cpu::Real;

/// Medians (seconds) of each closure, called in turn each round.
fn interleaved(fs: &mut [&mut dyn FnMut()]) -> Vec<f64> {
    for _ in 0..2 {
        fs.iter_mut().for_each(|f| f());
    }
    let mut times = vec![Vec::new(); fs.len()];
    for _ in 0..9 {
        for (f, t) in fs.iter_mut().zip(&mut times) {
            let start = Instant::now();
            f();
            t.push(start.elapsed().as_secs_f64());
        }
    }
    times
        .into_iter()
        .map(|mut t| {
            t.sort_by(f64::total_cmp);
            t[t.len() / 2]
        })
        .collect()
}

fn val<T: Real>(x: f64) -> T {
    <T as num_traits::NumCast>::from(x).expect("a float converts")
}

/// One product `m×k · k×n`; `a_t` stores a as its transpose (k×m row-major).
fn run<T: Real>(m: usize, k: usize, n: usize, a_t: bool, label: &str, blas: Option<&SystemBlas>) {
    let a: Vec<T> = (0..m * k).map(|i| val::<T>((i % 7) as f64 * 0.1)).collect();
    let b: Vec<T> = (0..k * n).map(|i| val::<T>((i % 5) as f64 * 0.1)).collect();
    let mut c: Vec<T> = vec![T::zero(); m * n];
    let (ars, acs) = if a_t {
        (1, m as isize)
    } else {
        (k as isize, 1)
    };
    let flops = 2.0 * (m * n * k) as f64;
    let threads = rayon::current_num_threads();
    let faer_with = |c: &mut [T], par: faer::Par| {
        // SAFETY: a is an m×k matrix with strides (ars, acs) inside `a`.
        let am = unsafe { faer::MatRef::from_raw_parts(a.as_ptr(), m, k, ars, acs) };
        let bm = faer::MatRef::from_row_major_slice(&b, k, n);
        let cm = faer::MatMut::from_row_major_slice_mut(c, m, n);
        faer::linalg::matmul::matmul(cm, faer::Accum::Replace, am, bm, T::one(), par);
    };
    let mut c2 = c.clone();
    let mut c3 = c.clone();
    let mut c4 = c.clone();
    let mut c5 = c.clone();
    let am = MatRef {
        data: &a,
        offset: 0,
        rows: m,
        cols: k,
        rs: ars,
        cs: acs,
    };
    let mut system = || {
        if let Some(blas) = blas {
            let bm = MatRef::row_major(&b, k, n);
            gemm_into_with(Some(blas), T::one(), am, bm, T::zero(), &mut c5).unwrap();
        }
    };
    let medians = interleaved(&mut [
        // SAFETY: the strides describe a, b and c inside their vectors.
        &mut || unsafe {
            gemm::gemm(
                m,
                n,
                k,
                c.as_mut_ptr(),
                1,
                n as isize,
                false,
                a.as_ptr(),
                acs,
                ars,
                b.as_ptr(),
                1,
                n as isize,
                T::zero(),
                T::one(),
                false,
                false,
                false,
                gemm::Parallelism::Rayon(threads),
            );
        },
        &mut || faer_with(&mut c2, faer::Par::Seq),
        &mut || faer_with(&mut c3, faer::Par::rayon(threads)),
        &mut || {
            gemm_into(
                T::one(),
                am,
                MatRef::row_major(&b, k, n),
                T::zero(),
                &mut c4,
            )
            .unwrap();
        },
        &mut system,
    ]);
    if blas.is_some() {
        // Both results are checked before their timings mean anything.
        let big = c4
            .iter()
            .fold(0.0f64, |m, v| m.max(v.to_f64().unwrap().abs()));
        let diff = c4.iter().zip(&c5).fold(0.0f64, |m, (x, y)| {
            m.max((x.to_f64().unwrap() - y.to_f64().unwrap()).abs())
        });
        assert!(
            diff <= 1e-4 * big,
            "system BLAS differs from faer by {diff}"
        );
    }
    let gf: Vec<String> = medians
        .iter()
        .map(|t| format!("{:6.1}", flops / t / 1e9))
        .collect();
    let layout = if a_t { "aT" } else { "a " };
    let system = match blas {
        Some(_) => format!("  system {}", gf[4]),
        None => String::new(),
    };
    println!(
        "{label} {m:>5}x{k:>5}x{n:>4} {layout}: gemm {}  faer-1T {}  faer-{threads}T {}  theon {}{system}  GFLOP/s",
        gf[0], gf[1], gf[2], gf[3]
    );
}

fn main() {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average: {}", load.trim());
    let blas = match std::env::var("THEON_BLAS") {
        Ok(path) if !path.is_empty() => {
            let blas = theon::backend::cpu::sysblas::load(&path).expect("THEON_BLAS loads");
            println!("system BLAS: {blas:?}");
            Some(blas)
        }
        _ => None,
    };
    for &(m, k, n, a_t) in &[
        (1024, 1024, 1024, false),
        (2048, 2048, 2048, false),
        (60000, 784, 10, false), // W2 forward X·W
        (784, 60000, 10, true),  // W2 gradient Xᵀ·g
        (128, 784, 500, false),  // W3 forward x·W1
        (784, 128, 500, true),   // W3 gradient xᵀ·dh
        (128, 500, 784, false),  // W3 dh·W1ᵀ-like
        (128, 500, 10, false),   // W3 second layer
        (64, 64, 64, false),
    ] {
        run::<f32>(m, k, n, a_t, "f32", blas.as_deref());
        run::<f64>(m, k, n, a_t, "f64", blas.as_deref());
    }
}
