//! Linear algebra (Theano's `nlinalg` and `slinalg`) on `faer` kernels:
//! inverses (`matrix_inverse`, `pinv`, `matrix_power`), determinants
//! (`det`, `slogdet`), factorizations (`cholesky`, `qr`, `svd`),
//! eigendecompositions (`eigh`, `eigvalsh`, `eig` for real spectra), linear
//! systems (`solve` with SciPy's `assume_a`, `solve_triangular`, `lstsq`),
//! `norm`, `kron`, `expm` and `trace`.
//!
//! Conventions, shared by the family (see `bridge`):
//! - dtypes: float32 in, float32 out; float64, bool and integers give
//!   float64; float16 is an error (as NumPy's linalg);
//! - batches: every op but `lstsq` and `kron` accepts leading batch dims
//!   (`(..., m, n)`), as NumPy does;
//! - failures: a singular matrix in `matrix_inverse`, `solve` or a negative
//!   `matrix_power`, and a non-positive-definite one in `cholesky` or
//!   `solve(PositiveDefinite)`, are errors naming the op and the batch entry
//!   (SciPy raises `LinAlgError`); a singular matrix has `det` 0 and
//!   `slogdet` `(0, -inf)`, as in NumPy;
//! - `eig` returns real results only: a matrix with a complex eigenvalue
//!   is an error until theon has complex dtypes.
//!
//! ```
//! use theon::prelude::*;
//! use theon::ops::linalg::{det, matrix_inverse};
//! let a = matrix("a", F64);
//! let f = function(&[a.clone()], &[det(&a), matrix_inverse(&a)]).unwrap();
//! let value = Tensor::from_vec(vec![4.0f64, 7.0, 2.0, 6.0], &[2, 2]).unwrap();
//! let out = f.call(&[value]).unwrap();
//! assert!((out[0].item().as_f64() - 10.0).abs() < 1e-12);
//! assert!((out[1].get(&[0, 0]).as_f64() - 0.6).abs() < 1e-12);
//! ```

mod bridge;
mod decomp;
mod det;
mod eigen;
mod expm;
mod inverse;
mod kron;
mod norm;
mod rules;
mod solve;

pub use bridge::{common_dtype, linalg_dtype};
pub use decomp::{cholesky, qr, svd, Cholesky, Qr, QrMode, Svd};
pub use det::{det, slogdet, Det, SlogDet};
pub use eigen::{eig, eigh, eigvalsh, Eig, Eigh};
pub use expm::{expm, Expm};
pub use inverse::{matrix_inverse, matrix_power, pinv, MatrixInverse, MatrixPower, Pinv};
pub use kron::{kron, Kron};
pub use norm::{norm, try_norm, Norm, NormOrd};
pub use solve::{lstsq, solve, solve_triangular, try_solve, Lstsq, Solve, Structure};

pub use crate::ops::extra::{trace, try_trace};

#[cfg(test)]
mod tests;
