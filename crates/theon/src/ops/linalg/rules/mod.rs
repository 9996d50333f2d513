//! Derivative rules of the linear-algebra ops (the `Op` methods call
//! these), on batches of matrices in the last two axes. The results are
//! the standard ones of matrix calculus, written as pullbacks (`Ā` from the
//! output gradients) and pushforwards (output tangents from `dA`):
//!
//! - `inverse.rs`: `d inv = -inv·dA·inv`, `det' = det·inv⁻ᵀ` (slogdet's
//!   `log|det|` the same without the `det`; its sign is piecewise constant),
//!   `matrix_power` as a sum of products, `pinv` (Golub–Pereyra, constant
//!   rank), `solve` for every structure, `lstsq` through the pseudo-inverse;
//! - `factor.rs`: `cholesky` (Murray 2016), `qr` (Walter–Lehmann; tall,
//!   square and wide), `svd` (Townsend 2016);
//! - `eigen.rs`: `eigh` / `eigvalsh` and `eig` (real spectra), with the
//!   usual `1 / (λ_j - λ_i)` eigenvector terms (distinct eigenvalues);
//! - `composed.rs`: `norm` and `kron` differentiate as the graph of
//!   simpler ops they equal; `expm` through the block-matrix form of its
//!   Fréchet derivative.
//!
//! Ops that read one triangle of their input (cholesky, eigh, symmetric
//! and triangular solves) give a gradient on that triangle only, exactly
//! what finite differences of the op see. Where a result is not unique
//! (the extra columns of a complete `Q` or of full SVD factors of a
//! rectangular matrix), the rule answers `Grad::Undefined` unless the cost
//! does not use them. Integer inputs get zero gradients.

mod composed;
mod eigen;
mod factor;
mod inverse;

use crate::error::Result;
use crate::graph::{Grad, Var};
use crate::ops::creation::{try_eye, zeros_like};
use crate::ops::elemwise::minimum;
use crate::ops::extra::{tril, triu, try_diagonal};
use crate::ops::indexing::{try_index, IndexItem, IntArg};
use crate::ops::products::try_matmul;
use crate::ops::shape::{try_dimshuffle, try_shape_i};

/// The zero gradient of an integer or boolean input.
fn zero_grad(x: &Var) -> Grad {
    Grad::Value(zeros_like(x, None))
}

/// `a·b` (batched).
fn mm(a: &Var, b: &Var) -> Result<Var> {
    try_matmul(a, b)
}

/// `a·b·c` (batched).
fn mm3(a: &Var, b: &Var, c: &Var) -> Result<Var> {
    mm(&mm(a, b)?, c)
}

/// The transpose of each matrix (the last two axes swapped).
fn mt(x: &Var) -> Result<Var> {
    let nd = x.ndim();
    let mut pattern: Vec<Option<usize>> = (0..nd).map(Some).collect();
    pattern.swap(nd - 2, nd - 1);
    try_dimshuffle(x, &pattern)
}

/// `x` with `extra` axes of size 1 appended (a batch of scalars against a
/// batch of matrices: `extra = 2`; of vectors as rows: see [`as_rows`]).
fn append_axes(x: &Var, extra: usize) -> Result<Var> {
    let mut pattern: Vec<Option<usize>> = (0..x.ndim()).map(Some).collect();
    pattern.extend(vec![None; extra]);
    try_dimshuffle(x, &pattern)
}

/// A batch of vectors `(..., k)` as `(..., 1, k)`: scales matrix columns.
fn as_rows(v: &Var) -> Result<Var> {
    let nd = v.ndim();
    let mut pattern: Vec<Option<usize>> = (0..nd - 1).map(Some).collect();
    pattern.extend([None, Some(nd - 1)]);
    try_dimshuffle(v, &pattern)
}

/// A batch of vectors `(..., k)` as `(..., k, 1)`: scales matrix rows.
fn as_cols(v: &Var) -> Result<Var> {
    append_axes(v, 1)
}

/// The identity matching the last axis of `x`, in `x`'s dtype.
fn eye_cols(x: &Var) -> Result<Var> {
    let n = try_shape_i(x, -1)?;
    try_eye(&n, &n, 0i64, x.dtype())
}

/// The identity matching the second-to-last axis of `x`.
fn eye_rows(x: &Var) -> Result<Var> {
    let n = try_shape_i(x, -2)?;
    try_eye(&n, &n, 0i64, x.dtype())
}

/// The main diagonal of each matrix, `(..., n)`.
fn diag_part(x: &Var) -> Result<Var> {
    try_diagonal(x, 0, -2, -1)
}

/// The matrices with `v` on the diagonal: `(..., k) -> (..., k, k)`.
fn diag_embed(v: &Var) -> Result<Var> {
    Ok(as_rows(v)? * eye_cols(v)?)
}

/// `Φ(x)`: the lower triangle with the diagonal halved.
fn phi(x: &Var) -> Result<Var> {
    Ok(tril(x, -1) + eye_cols(x)? * x * 0.5)
}

/// The symmetric matrix whose `lower` (or upper) triangle is `x`'s: what
/// an op reading one triangle sees.
fn sym_from(x: &Var, lower: bool) -> Result<Var> {
    Ok(match lower {
        true => tril(x, 0) + mt(&tril(x, -1))?,
        false => triu(x, 0) + mt(&triu(x, 1))?,
    })
}

/// The adjoint of [`sym_from`]: a gradient `s` of the symmetric matrix
/// becomes the gradient of the triangle it was read from.
fn onto_triangle(s: &Var, lower: bool) -> Result<Var> {
    Ok(match lower {
        true => tril(s, 0) + tril(&mt(s)?, -1),
        false => triu(s, 0) + triu(&mt(s)?, 1),
    })
}

/// `F` with `F[i, j] = 1 / (λ_j - λ_i)` off the diagonal and 0 on it, for
/// a batch of value vectors `λ` (`(..., k) -> (..., k, k)`).
fn inverse_gaps(values: &Var) -> Result<Var> {
    let gaps = as_rows(values)? - as_cols(values)?;
    let eye = eye_cols(values)?;
    Ok(1.0 / (gaps + &eye) - eye)
}

/// `min(m, n)` of the matrices in `x`, as an index.
fn min_dim(x: &Var) -> Result<IntArg> {
    let nd = x.ndim();
    Ok(match (x.ty().shape[nd - 2], x.ty().shape[nd - 1]) {
        (Some(m), Some(n)) => IntArg::Const(m.min(n) as i64),
        _ => IntArg::Var(minimum(try_shape_i(x, -2)?, try_shape_i(x, -1)?)),
    })
}

/// Whether the matrices in `x` are statically known to have `m <= n`.
fn static_wide_or_square(x: &Var) -> bool {
    let nd = x.ndim();
    matches!((x.ty().shape[nd - 2], x.ty().shape[nd - 1]), (Some(m), Some(n)) if m <= n)
}

/// Whether the matrices in `x` are statically known to be square.
fn static_square(x: &Var) -> bool {
    let nd = x.ndim();
    matches!((x.ty().shape[nd - 2], x.ty().shape[nd - 1]), (Some(m), Some(n)) if m == n)
}

/// `x[..., rows, cols]` with slices `(start, stop)` on the last two axes.
fn block(
    x: &Var,
    rows: (Option<IntArg>, Option<IntArg>),
    cols: (Option<IntArg>, Option<IntArg>),
) -> Result<Var> {
    try_index(
        x,
        &[
            IndexItem::Ellipsis,
            IndexItem::slice(rows.0, rows.1, None),
            IndexItem::slice(cols.0, cols.1, None),
        ],
    )
}
