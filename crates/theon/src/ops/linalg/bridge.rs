//! Between tensors and `faer` matrices: the dtype rule of the family
//! (float32 stays float32, float64 stays float64, bool and integers
//! promote to float64, float16 is refused as NumPy's linalg refuses it),
//! static shape checks, and batches of matrices in the last two axes.
//! Kernels compute in f64 and round to the output dtype.

use crate::dtype::{promote, DType};
use crate::error::{Error, ErrorKind, Result};
use crate::graph::{TensorType, Var};
use crate::tensor::Tensor;
use faer::Mat;

/// The float dtype an input of `dtype` is computed and returned in.
pub fn linalg_dtype(op: &str, index: usize, dtype: DType) -> Result<DType> {
    match dtype {
        DType::F32 | DType::F64 => Ok(dtype),
        DType::F16 => Err(Error::dtype(
            op,
            index,
            dtype,
            "supports float32 and float64 (and integers, as float64), not float16",
        )),
        _ => Ok(DType::F64),
    }
}

/// The common output dtype of several inputs (float32 only if all are).
pub fn common_dtype(op: &str, inputs: &[TensorType]) -> Result<DType> {
    let mut out = DType::F32;
    for (i, t) in inputs.iter().enumerate() {
        out = promote(out, linalg_dtype(op, i, t.dtype)?);
    }
    Ok(out)
}

/// Checks that input `index` is a batch of matrices (rank >= `min_rank`),
/// square when `square` and both dims are known; returns its last two dims.
pub fn check_matrix(
    op: &str,
    index: usize,
    t: &TensorType,
    square: bool,
) -> Result<(Option<usize>, Option<usize>)> {
    if t.ndim() < 2 {
        return Err(Error::value(
            op,
            format!(
                "input {index} must have at least 2 dims (a matrix or a batch of them), got {t}"
            ),
        ));
    }
    let (m, n) = (t.shape[t.ndim() - 2], t.shape[t.ndim() - 1]);
    if let (true, Some(a), Some(b)) = (square, m, n) {
        if a != b {
            return Err(Error::value(
                op,
                format!("input {index} must hold square matrices in its last two axes, got {t}"),
            ));
        }
    }
    Ok((m, n))
}

/// The output type of an op mapping each square matrix to a matrix of the
/// same shape: checks input 0 and gives it the family's dtype.
pub fn square_like(op: &str, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
    check_matrix(op, 0, &inputs[0], true)?;
    Ok(vec![inputs[0].with_dtype(common_dtype(op, inputs)?)])
}

/// The tangents of a one-input, one-output op: `f` of the input's tangent,
/// or none without one.
pub fn push_one(
    tangents: &[Option<Var>],
    f: impl FnOnce(&Var) -> Result<Var>,
) -> Result<Vec<Option<Var>>> {
    Ok(vec![tangents[0].as_ref().map(f).transpose()?])
}

fn not_square(op: &str, index: usize, shape: &[usize]) -> Error {
    ErrorKind::ShapeMismatch {
        op: op.into(),
        index,
        got: shape.to_vec(),
        want: "square matrices in the last two axes".into(),
    }
    .into()
}

/// A batch of matrices: the batch dims and one f64 matrix per batch entry.
pub struct Batch {
    pub batch: Vec<usize>,
    pub rows: usize,
    pub cols: usize,
    pub mats: Vec<Mat<f64>>,
}

/// The matrices in the last two axes of `x` (any strides).
pub fn matrices(op: &str, index: usize, x: &Tensor, square: bool) -> Result<Batch> {
    let nd = x.ndim();
    let (rows, cols) = (x.shape()[nd - 2], x.shape()[nd - 1]);
    if square && rows != cols {
        return Err(not_square(op, index, x.shape()));
    }
    let batch = x.shape()[..nd - 2].to_vec();
    let count: usize = batch.iter().product();
    let values = x.to_f64_vec();
    let per = rows * cols;
    let mats = (0..count)
        .map(|b| Mat::from_fn(rows, cols, |i, j| values[b * per + i * cols + j]))
        .collect();
    Ok(Batch {
        batch,
        rows,
        cols,
        mats,
    })
}

impl Batch {
    /// Applies `f` to each matrix with its batch entry and stacks the
    /// `rows x cols` results into one tensor of `dtype`.
    pub fn map(
        &self,
        dtype: DType,
        (rows, cols): (usize, usize),
        mut f: impl FnMut(usize, &Mat<f64>) -> Result<Mat<f64>>,
    ) -> Result<Tensor> {
        let out = (self.mats.iter().enumerate())
            .map(|(k, a)| f(k, a))
            .collect::<Result<Vec<_>>>()?;
        stack_matrices(dtype, &self.batch, &out, rows, cols)
    }
}

/// Stacks `rows x cols` matrices into a tensor of shape `batch + [rows, cols]`.
pub fn stack_matrices(
    dtype: DType,
    batch: &[usize],
    mats: &[Mat<f64>],
    rows: usize,
    cols: usize,
) -> Result<Tensor> {
    let mut values = Vec::with_capacity(mats.len() * rows * cols);
    for m in mats {
        for i in 0..rows {
            for j in 0..cols {
                values.push(m[(i, j)]);
            }
        }
    }
    let mut shape = batch.to_vec();
    shape.extend([rows, cols]);
    Tensor::from_f64s(dtype, &shape, &values)
}

/// Stacks vectors of length `len` into a tensor of shape `batch + [len]`.
pub fn stack_vectors(
    dtype: DType,
    batch: &[usize],
    vectors: &[Vec<f64>],
    len: usize,
) -> Result<Tensor> {
    let values: Vec<f64> = vectors.iter().flatten().copied().collect();
    let mut shape = batch.to_vec();
    shape.push(len);
    Tensor::from_f64s(dtype, &shape, &values)
}

/// The error for a singular matrix (SciPy's `LinAlgError`).
pub fn singular(op: &str, index: usize, entry: usize) -> Error {
    Error::value(
        op,
        format!("input {index} is singular (matrix {entry} of the batch)"),
    )
}

/// The static output shape `batch + tail` of an input's batch dims.
pub fn batch_shape(t: &TensorType, tail: &[Option<usize>]) -> Vec<Option<usize>> {
    let mut shape = t.shape[..t.ndim() - 2].to_vec();
    shape.extend_from_slice(tail);
    shape
}

/// The LU factors with partial pivoting, or `None` when a pivot is exactly
/// zero (LAPACK's `getrf` reports the same condition as singular).
pub fn nonsingular_lu(a: &Mat<f64>) -> Option<faer::linalg::solvers::PartialPivLu<f64>> {
    let lu = a.partial_piv_lu();
    let u = lu.U();
    (0..a.nrows()).all(|i| u[(i, i)] != 0.0).then_some(lu)
}

/// The sign (+1 or -1) of a permutation given as an array.
pub fn permutation_sign(forward: &[usize]) -> f64 {
    let mut seen = vec![false; forward.len()];
    let mut sign = 1.0;
    for start in 0..forward.len() {
        let mut len = 0;
        let mut i = start;
        while !seen[i] {
            seen[i] = true;
            i = forward[i];
            len += 1;
        }
        if len > 0 && len % 2 == 0 {
            sign = -sign;
        }
    }
    sign
}
