//! Times the `gemm` crate against faer's matmul on square and thin shapes.
use std::time::Instant;

fn time<F: FnMut()>(mut f: F) -> f64 {
    f();
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let t = Instant::now();
        f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    best
}

fn run<T: faer::traits::ComplexField + Copy + From<f32> + 'static>(
    m: usize,
    k: usize,
    n: usize,
    label: &str,
) {
    let a: Vec<T> = (0..m * k).map(|i| T::from((i % 7) as f32 * 0.1)).collect();
    let b: Vec<T> = (0..k * n).map(|i| T::from((i % 5) as f32 * 0.1)).collect();
    let mut c: Vec<T> = vec![T::from(0.0); m * n];
    let flops = 2.0 * (m * n * k) as f64;
    let tg = time(|| unsafe {
        gemm::gemm(
            m,
            n,
            k,
            c.as_mut_ptr(),
            1,
            n as isize,
            false,
            a.as_ptr(),
            1,
            k as isize,
            b.as_ptr(),
            1,
            n as isize,
            T::from(0.0),
            T::from(1.0),
            false,
            false,
            false,
            gemm::Parallelism::Rayon(rayon::current_num_threads()),
        );
    });
    let tf = time(|| {
        let am = faer::MatRef::from_row_major_slice(&a, m, k);
        let bm = faer::MatRef::from_row_major_slice(&b, k, n);
        let cm = faer::MatMut::from_row_major_slice_mut(&mut c, m, n);
        faer::linalg::matmul::matmul(
            cm,
            faer::Accum::Replace,
            am,
            bm,
            T::from(1.0),
            faer::Par::rayon(0),
        );
    });
    println!(
        "{label} {m}x{k}x{n}: gemm {:.1} GFLOP/s  faer {:.1} GFLOP/s",
        flops / tg / 1e9,
        flops / tf / 1e9
    );
}

fn main() {
    for &(m, k, n) in &[
        (1024, 1024, 1024),
        (2048, 2048, 2048),
        (60000, 784, 10),
        (784, 60000, 10),
        (128, 784, 500),
        (784, 128, 500),
        (128, 500, 784),
    ] {
        run::<f32>(m, k, n, "f32");
        run::<f64>(m, k, n, "f64");
    }
}
