//! Thin products: `c += alpha·a·b` where the output has few columns (n ≤
//! `THIN_N`) and `a` is large (the logistic-regression step's `X·W` and
//! `Xᵀ·G`, X 60000×784, W 784×10). Such products stream `a` from memory
//! once and do ~10 multiply-adds per element, so a general GEMM's packing
//! and n = 4-column micro-tiles waste much of the time; these two loops
//! read `a` in place, four rows or columns at a time, from two threads.
//!
//! - rows of `a` contiguous (`X·W`): four dot products of length k per
//!   output column, against `b` transposed once into a small buffer;
//! - columns of `a` contiguous (`Xᵀ·G`, X read in place): rank-4 updates of
//!   the transposed output, the reduced range split over threads, each
//!   with its own accumulator, added in a fixed order (deterministic).

use super::gemm::MatRef;
use super::reduce::{dispatch, twin};
use super::simd::{Arch, Fused, Plain};
use super::{isa, Isa, Real};
use rayon::prelude::*;

/// Most output columns a thin product has.
pub const THIN_N: usize = 16;
/// Fewest elements of `a` for which the thin loops beat faer.
pub const THIN_MIN_A: usize = 1 << 20;

/// Whether `a·b` is a thin product these loops take: few output columns,
/// a large `a` with contiguous rows or columns.
pub fn fits<T>(a: &MatRef<T>, b: &MatRef<T>) -> bool {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    (1..=THIN_N).contains(&n)
        && m.saturating_mul(k) >= THIN_MIN_A
        && m >= 4
        && k >= 4
        && (a.cs == 1 || (a.rs == 1 && m * n <= MAX_COLS_OUT))
}

/// Largest output the column loop takes (each task keeps f32 and f64
/// copies of it).
const MAX_COLS_OUT: usize = 1 << 16;

/// `c[i*n + j] += alpha·(a·b)[i, j]` for a product that [`fits`]; `a` and
/// `b` must lie inside their slices (checked by the caller).
pub fn add_product<T: Real>(alpha: T, a: MatRef<T>, b: MatRef<T>, c: &mut [T]) {
    if a.cs == 1 {
        rows_dot(alpha, a, b, c)
    } else {
        cols_update(alpha, a, b, c)
    }
}

/// Elements a float32 accumulator sums before its partial sum is added
/// to an f64 total (keeps long products accurate).
const SPAN: usize = 2048;

/// Output columns held per row (b's rows are padded to this width).
const NP: usize = 16;

/// `b` (k×n) copied into dense rows of `NP` (zeros past column n).
fn padded<T: Real>(b: MatRef<T>) -> Vec<T> {
    let mut bp = vec![T::zero(); b.rows * NP];
    for kk in 0..b.rows {
        for j in 0..b.cols {
            let at = b.offset as isize + kk as isize * b.rs + j as isize * b.cs;
            bp[kk * NP + j] = b.data[at as usize];
        }
    }
    bp
}

/// Rows of `a` contiguous: a block of rows at a time, each row's `NP`
/// outputs held in registers while `k` advances (`a[i, kk]` broadcast
/// against the padded row `kk` of `b`).
fn rows_dot<T: Real>(alpha: T, a: MatRef<T>, b: MatRef<T>, c: &mut [T]) {
    let (k, n) = (a.cols, b.cols);
    let bp = padded(b);
    let row = |i: usize| {
        let start = (a.offset as isize + i as isize * a.rs) as usize;
        &a.data[start..start + k]
    };
    // Four rows per block for f32, two for f64 (what fits in registers).
    let step = if T::DTYPE == crate::dtype::DType::F32 {
        4
    } else {
        2
    };
    let rows_per_task = 64;
    c.par_chunks_mut(rows_per_task * n)
        .enumerate()
        .for_each(|(t, out)| {
            let first = t * rows_per_task;
            let rows = out.len() / n;
            for i in (0..rows).step_by(step) {
                // A short last block repeats its last row.
                let r: [&[T]; 4] =
                    std::array::from_fn(|q| row(first + (i + q.min(step - 1)).min(rows - 1)));
                let sums = if step == 4 {
                    block::<T, 4>(r, &bp)
                } else {
                    block::<T, 2>(r, &bp)
                };
                for (q, sq) in sums.iter().enumerate().take(step.min(rows - i)) {
                    for (j, &v) in sq[..n].iter().enumerate() {
                        out[(i + q) * n + j] += alpha * T::from(v).expect("a float converts");
                    }
                }
            }
        });
}

/// The `R`-row block through the AVX2+FMA or the baseline build.
fn block<T: Real, const R: usize>(r: [&[T]; 4], bp: &[T]) -> [[f64; NP]; 4] {
    #[cfg(target_arch = "x86_64")]
    {
        if isa() == Isa::Avx2Fma {
            // SAFETY: `isa()` reports Avx2Fma only when the CPU has AVX2
            // and FMA, the features `block_avx2` is compiled for.
            return unsafe { block_avx2::<T, R>(r, bp) };
        }
    }
    block_k::<T, Plain, R>(r, bp)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn block_avx2<T: Real, const R: usize>(r: [&[T]; 4], bp: &[T]) -> [[f64; NP]; 4] {
    block_k::<T, Fused, R>(r, bp)
}

/// Sums over `kk` of `r[q][kk]·bp[kk, :]` for the first `R` rows, in
/// spans of `SPAN` whose partial sums add up in f64.
#[inline(always)]
fn block_k<T: Real, A: Arch, const R: usize>(r: [&[T]; 4], bp: &[T]) -> [[f64; NP]; 4] {
    let k = bp.len() / NP;
    let r = r.map(|x| &x[..k]);
    let mut total = [[0.0f64; NP]; 4];
    for s0 in (0..k).step_by(SPAN) {
        let s1 = (s0 + SPAN).min(k);
        // Halves of 8 lanes: one 256-bit register of f32 each.
        let mut lo = [[T::zero(); 8]; R];
        let mut hi = [[T::zero(); 8]; R];
        for (kk, brow) in (s0..s1).zip(bp[s0 * NP..s1 * NP].chunks_exact(NP)) {
            let (b_lo, b_hi) = brow.split_at(8);
            for q in 0..R {
                let av = r[q][kk];
                for (x, &bv) in lo[q].iter_mut().zip(b_lo) {
                    *x = T::mla::<A>(av, bv, *x);
                }
                for (x, &bv) in hi[q].iter_mut().zip(b_hi) {
                    *x = T::mla::<A>(av, bv, *x);
                }
            }
        }
        for q in 0..R {
            for (tv, av) in total[q].iter_mut().zip(lo[q].iter().chain(&hi[q])) {
                *tv += av.to_f64().expect("a float converts");
            }
        }
    }
    total
}

/// Columns of `a` contiguous: `cᵀ[j, :] += Σ_kk b[kk, j]·a[:, kk]`, four
/// `kk` at a time, the `kk` range split over tasks.
fn cols_update<T: Real>(alpha: T, a: MatRef<T>, b: MatRef<T>, c: &mut [T]) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    let col = |kk: usize| {
        let start = (a.offset as isize + kk as isize * a.cs) as usize;
        &a.data[start..start + m]
    };
    let coef = |kk: usize, j: usize| {
        alpha * b.data[(b.offset as isize + kk as isize * b.rs + j as isize * b.cs) as usize]
    };
    let tasks = (rayon::current_num_threads() * 2).clamp(1, k.div_ceil(256));
    let step = k.div_ceil(tasks).next_multiple_of(4);
    let partials: Vec<Vec<f64>> = (0..k)
        .step_by(step)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|k0| {
            let mut total = vec![0.0f64; n * m];
            let mut ct = vec![T::zero(); n * m];
            for s0 in (k0..(k0 + step).min(k)).step_by(SPAN / 8) {
                ct.fill(T::zero());
                update_span(
                    &mut ct,
                    s0,
                    (s0 + SPAN / 8).min(k0 + step).min(k),
                    m,
                    n,
                    &col,
                    &coef,
                );
                for (t, &v) in total.iter_mut().zip(&ct) {
                    *t += v.to_f64().expect("a float converts");
                }
            }
            total
        })
        .collect();
    let mut sums = vec![0.0f64; n * m];
    for p in partials {
        sums.iter_mut().zip(&p).for_each(|(s, v)| *s += v);
    }
    for (i, crow) in c.chunks_mut(n).enumerate() {
        for (j, v) in crow.iter_mut().enumerate() {
            *v += T::from(sums[j * m + i]).expect("a float converts");
        }
    }
}

/// `ct[j, :] += Σ_{kk in k0..k1} coef(kk, j)·col(kk)`, four `kk` at a time.
fn update_span<'a, T: Real>(
    ct: &mut [T],
    k0: usize,
    k1: usize,
    m: usize,
    n: usize,
    col: &impl Fn(usize) -> &'a [T],
    coef: &impl Fn(usize, usize) -> T,
) {
    let mut kk = k0;
    while kk < k1 {
        if kk + 4 <= k1 {
            let cols: [&[T]; 4] = std::array::from_fn(|q| col(kk + q));
            for j in 0..n {
                let w: [T; 4] = std::array::from_fn(|q| coef(kk + q, j));
                axpy4(&mut ct[j * m..(j + 1) * m], cols, w);
            }
            kk += 4;
        } else {
            // The tail one column at a time (a zero weight would turn an
            // infinity in `a` into NaN).
            for j in 0..n {
                let (w, x) = (coef(kk, j), col(kk));
                for (y, &v) in ct[j * m..(j + 1) * m].iter_mut().zip(x) {
                    *y += w * v;
                }
            }
            kk += 1;
        }
    }
}

/// `y += w0·x0 + w1·x1 + w2·x2 + w3·x3`.
#[inline(always)]
fn axpy4_k<T: Real, A: Arch>(y: &mut [T], x: [&[T]; 4], w: [T; 4]) {
    let n = y.len();
    let [x0, x1, x2, x3] = x.map(|v| &v[..n]);
    for i in 0..n {
        let mut s = T::mla::<A>(w[0], x0[i], y[i]);
        s = T::mla::<A>(w[1], x1[i], s);
        s = T::mla::<A>(w[2], x2[i], s);
        y[i] = T::mla::<A>(w[3], x3[i], s);
    }
}
twin!(axpy4_k, axpy4_avx2, (y: &mut [T], x: [&[T]; 4], w: [T; 4]) -> ());

fn axpy4<T: Real>(y: &mut [T], x: [&[T]; 4], w: [T; 4]) {
    dispatch!(axpy4_k, axpy4_avx2, T, (y, x, w))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::cpu::gemm::gemm_into;
    use crate::dtype::DType;
    use crate::tensor::Tensor;

    /// `alpha·a·b + beta·c` by plain f64 loops over `Tensor::get`.
    fn expected(alpha: f64, a: &Tensor, b: &Tensor, beta: f64, c: &[f64]) -> Vec<f64> {
        let (m, k, n) = (a.shape()[0], a.shape()[1], b.shape()[1]);
        let (av, bv) = (a.to_f64_vec(), b.to_f64_vec());
        let mut out = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                let dot: f64 = (0..k).map(|l| av[i * k + l] * bv[l * n + j]).sum();
                out[i * n + j] = alpha * dot
                    + if beta == 0.0 {
                        0.0
                    } else {
                        beta * c[i * n + j]
                    };
            }
        }
        out
    }

    fn view<T: Real>(t: &Tensor) -> MatRef<'_, T> {
        MatRef {
            data: t.buffer_data::<T>(),
            offset: t.offset(),
            rows: t.shape()[0],
            cols: t.shape()[1],
            rs: t.strides()[0],
            cs: t.strides()[1],
        }
    }

    fn run<T: Real>(alpha: f64, a: &Tensor, b: &Tensor, beta: f64, c0: &Tensor, tol: f64) {
        let (am, bm) = (view::<T>(a), view::<T>(b));
        assert!(
            fits(&am, &bm),
            "{:?} x {:?} should take the thin loops",
            a.shape(),
            b.shape()
        );
        let mut c: Vec<T> = c0.to_vec::<T>();
        let cv = c0.to_f64_vec();
        let cast = |v: f64| <T as num_traits::NumCast>::from(v).unwrap();
        gemm_into(cast(alpha), am, bm, cast(beta), &mut c).unwrap();
        let want = expected(alpha, a, b, beta, &cv);
        for (i, (g, w)) in c.iter().zip(&want).enumerate() {
            let g = g.to_f64().unwrap();
            assert!(
                (g - w).abs() <= tol * (1.0 + w.abs()),
                "{} {:?}x{:?} (strides {:?}) alpha {alpha} beta {beta}: element {i}: {g} vs {w}",
                a.dtype(),
                a.shape(),
                b.shape(),
                a.strides()
            );
        }
    }

    #[test]
    fn thin_products_match_loops_on_both_layouts() {
        for (d, tol) in [(DType::F32, 1e-4), (DType::F64, 1e-11)] {
            for (m, k, n) in [
                (2011, 523, 10),
                (1031, 1029, 1),
                (4, 262_147, 3),
                (1500, 701, 16),
            ] {
                let a = Tensor::randn(d, &[m, k], 1);
                let at = Tensor::randn(d, &[k, m], 2).t(); // columns contiguous
                let b = Tensor::rand_uniform(d, &[k, n], -1.0, 1.0, 3);
                let bt = Tensor::rand_uniform(d, &[n, k], -1.0, 1.0, 4).t(); // strided b
                let c = Tensor::randn(d, &[m, n], 5);
                for (alpha, beta) in [(1.0, 0.0), (0.5, 1.0), (-2.0, 0.25)] {
                    for (a, b) in [(&a, &b), (&at, &bt)] {
                        match d {
                            DType::F32 => run::<f32>(alpha, a, b, beta, &c, tol),
                            _ => run::<f64>(alpha, a, b, beta, &c, tol),
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn beta_zero_ignores_nan_in_c_and_infinities_in_a_stay_local() {
        let (m, k, n) = (1024, 1030, 3);
        let mut av = Tensor::randn(DType::F64, &[k, m], 1).to_f64_vec();
        av[k * m - 1] = f64::INFINITY; // a[m-1, k-1] in the transposed view
        let a = Tensor::from_vec(av, &[k, m]).unwrap().t();
        let b = Tensor::rand_uniform(DType::F64, &[k, n], 0.5, 1.0, 2);
        let mut c = vec![f64::NAN; m * n];
        gemm_into(1.0, view::<f64>(&a), view::<f64>(&b), 0.0, &mut c).unwrap();
        assert!(
            c[..(m - 1) * n].iter().all(|v| v.is_finite()),
            "only the last row sees inf"
        );
        assert!(c[(m - 1) * n..].iter().all(|&v| v == f64::INFINITY));
    }

    #[test]
    fn small_wide_or_strided_products_do_not_fit() {
        let small = Tensor::randn(DType::F32, &[100, 100], 1);
        let wide = Tensor::randn(DType::F32, &[1024, 1024], 2);
        let b10 = Tensor::randn(DType::F32, &[100, 10], 3);
        let b17 = Tensor::randn(DType::F32, &[1024, 17], 4);
        assert!(!fits(&view::<f32>(&small), &view::<f32>(&b10)));
        assert!(!fits(&view::<f32>(&wide), &view::<f32>(&b17)));
        let stepped = Tensor::randn(DType::F32, &[2048, 2048], 5)
            .slice_axis(0, None, None, 2)
            .unwrap()
            .slice_axis(1, None, None, 2)
            .unwrap();
        let b = Tensor::randn(DType::F32, &[1024, 4], 6);
        assert!(!fits(&view::<f32>(&stepped), &view::<f32>(&b)));
    }
}
