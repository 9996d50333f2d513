//! Tests of the linear-algebra ops: identities (A·inv(A) = I, Q·R = A,
//! U·S·Vᵀ = A, L·Lᵀ = A, A·x = b, A·v = λ·v) and plain-loop expectations.
//! Tolerances: 1e-9 (relative to the matrices' scale) for float64, 1e-4
//! for float32, on well-conditioned random inputs.

mod decompositions;
mod inverses;
mod others;
mod systems;

use crate::dtype::DType;
pub use crate::ops::extra::tests::{eval1, input_for, run, try_run};
use crate::tensor::Tensor;

/// Tolerance for results of `dtype`.
pub fn tol(dtype: DType) -> f64 {
    if dtype == DType::F32 {
        1e-4
    } else {
        1e-9
    }
}

/// Matrix `b` of a batch tensor of shape `[.., m, n]`, as a row-major vector.
pub fn mat(t: &Tensor, b: usize) -> Vec<f64> {
    let nd = t.ndim();
    let per = t.shape()[nd - 2] * t.shape()[nd - 1];
    t.to_f64_vec()[b * per..(b + 1) * per].to_vec()
}

/// `a (m x k) · b (k x n)` with plain loops.
pub fn matmul(a: &[f64], b: &[f64], m: usize, k: usize, n: usize) -> Vec<f64> {
    let mut out = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            out[i * n + j] = (0..k).map(|p| a[i * k + p] * b[p * n + j]).sum();
        }
    }
    out
}

/// The transpose of an `m x n` row-major matrix.
pub fn transpose(a: &[f64], m: usize, n: usize) -> Vec<f64> {
    (0..n * m).map(|f| a[(f % m) * n + f / m]).collect()
}

/// The `n x n` identity.
pub fn identity(n: usize) -> Vec<f64> {
    (0..n * n)
        .map(|f| if f / n == f % n { 1.0 } else { 0.0 })
        .collect()
}

#[track_caller]
pub fn assert_close(got: &[f64], want: &[f64], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * (1.0 + w.abs()),
            "{what}: element {i}: {g} vs {w}"
        );
    }
}

/// Random well-conditioned square matrices: normal entries plus `n` on the diagonal.
pub fn well_conditioned(dtype: DType, batch: &[usize], n: usize, seed: u64) -> Tensor {
    let mut shape = batch.to_vec();
    shape.extend([n, n]);
    let r = Tensor::randn(DType::F64, &shape, seed).to_f64_vec();
    let v: Vec<f64> = r
        .iter()
        .enumerate()
        .map(|(f, x)| {
            if (f / n) % n == f % n {
                x + n as f64
            } else {
                *x
            }
        })
        .collect();
    Tensor::from_f64s(dtype, &shape, &v).unwrap()
}

/// A random symmetric positive-definite `n x n` matrix `B·Bᵀ + I`.
pub fn spd(dtype: DType, n: usize, seed: u64) -> Tensor {
    let b = Tensor::randn(DType::F64, &[n, n], seed).to_f64_vec();
    let mut a = matmul(&b, &transpose(&b, n, n), n, n, n);
    for i in 0..n {
        a[i * n + i] += 1.0;
    }
    Tensor::from_f64s(dtype, &[n, n], &a).unwrap()
}
