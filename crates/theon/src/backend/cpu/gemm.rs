//! GEMM and GEMV on f32/f64 through faer's matmul (pure Rust, AVX2/FMA
//! micro-kernels, rayon threads), with BLAS's `C ← αAB + βC` and any
//! strides (transposed, reversed and broadcast operands are read in place,
//! never copied).

use super::sysblas::SystemBlas;
use super::Real;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::tensor::Tensor;
use faer::linalg::matmul::matmul;
use faer::{Accum, Par};

/// A strided matrix view: element (i, j) is `data[offset + i*rs + j*cs]`.
#[derive(Clone, Copy, Debug)]
pub struct MatRef<'a, T> {
    pub data: &'a [T],
    pub offset: usize,
    pub rows: usize,
    pub cols: usize,
    pub rs: isize,
    pub cs: isize,
}

impl<'a, T> MatRef<'a, T> {
    /// A dense row-major `rows × cols` matrix.
    pub fn row_major(data: &'a [T], rows: usize, cols: usize) -> Self {
        MatRef {
            data,
            offset: 0,
            rows,
            cols,
            rs: cols as isize,
            cs: 1,
        }
    }

    /// The transpose, as a view (no copy).
    pub fn t(self) -> Self {
        MatRef {
            rows: self.cols,
            cols: self.rows,
            rs: self.cs,
            cs: self.rs,
            ..self
        }
    }

    /// Errors unless every reachable element lies inside `data`.
    pub(crate) fn check(&self, op: &str, which: &str) -> Result<()> {
        if self.rows == 0 || self.cols == 0 {
            return Ok(());
        }
        let (mut lo, mut hi) = (self.offset as isize, self.offset as isize);
        for (d, s) in [(self.rows, self.rs), (self.cols, self.cs)] {
            let span = (d as isize - 1) * s;
            if span < 0 {
                lo += span
            } else {
                hi += span
            }
        }
        if lo < 0 || hi >= self.data.len() as isize {
            return Err(Error::value(
                op,
                format!(
                    "{which} view ({}x{}, strides {}, {}) reaches past a buffer of {}",
                    self.rows,
                    self.cols,
                    self.rs,
                    self.cs,
                    self.data.len()
                ),
            ));
        }
        Ok(())
    }
}

/// Below this many multiply-adds a product runs on one thread (see
/// docs/kernels.md: measured with `examples/gemm_vs_faer`).
pub const PAR_FLOPS: usize = 1 << 22;

/// The threads faer may use for an `m × k · k × n` product.
fn parallelism(m: usize, k: usize, n: usize) -> Par {
    let threads = rayon::current_num_threads();
    if threads <= 1 || m.saturating_mul(n).saturating_mul(k) < PAR_FLOPS {
        Par::Seq
    } else {
        Par::rayon(threads)
    }
}

/// `c ← alpha·a·b + beta·c` on slices: `c` is dense row-major `m × n`.
/// With `beta == 0`, `c` is not read (NaNs in it do not propagate), as BLAS.
/// Runs on faer (see [`gemm_into_with`] for the system BLAS).
pub fn gemm_into<T: Real>(
    alpha: T,
    a: MatRef<T>,
    b: MatRef<T>,
    beta: T,
    c: &mut [T],
) -> Result<()> {
    gemm_into_with(None, alpha, a, b, beta, c)
}

/// [`gemm_into`] on `blas` where it can express the operands' layout
/// ([`SystemBlas::route`]), else (or with `None`) on faer.
pub fn gemm_into_with<T: Real>(
    blas: Option<&SystemBlas>,
    alpha: T,
    a: MatRef<T>,
    b: MatRef<T>,
    beta: T,
    c: &mut [T],
) -> Result<()> {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    if b.rows != k || c.len() != m * n {
        return Err(Error::value(
            "gemm",
            format!(
                "shapes ({m}x{k}) @ ({}x{n}) do not give the {} outputs supplied",
                b.rows,
                c.len()
            ),
        ));
    }
    a.check("gemm", "a")?;
    b.check("gemm", "b")?;
    if m == 0 || n == 0 {
        return Ok(());
    }
    if let Some(blas) = blas {
        if blas.product(alpha, a, b, beta, c)?.is_some() {
            return Ok(());
        }
    }
    // faer computes `c ← alpha·a·b` (Replace) or `c ← c + alpha·a·b` (Add);
    // another beta scales c first. The thin loops always add.
    let thin = super::gemm_thin::fits(&a, &b);
    let accum = if beta == T::zero() {
        if thin {
            c.fill(T::zero());
        }
        Accum::Replace
    } else {
        if beta != T::one() {
            c.iter_mut().for_each(|v| *v = beta * *v);
        }
        Accum::Add
    };
    if thin {
        super::gemm_thin::add_product(alpha, a, b, c);
        return Ok(());
    }
    let dst = faer::MatMut::from_row_major_slice_mut(c, m, n);
    // SAFETY: `check` proved every element (i, j) reachable through the
    // offsets and strides of `a` and `b` lies inside their slices (for
    // empty views no element is read), and the slices outlive the views;
    // `c` is a distinct, mutably borrowed slice, so nothing aliases it.
    let (av, bv) = unsafe { (a.faer(), b.faer()) };
    matmul(dst, accum, av, bv, alpha, parallelism(m, k, n));
    Ok(())
}

impl<T: Real> MatRef<'_, T> {
    /// This view as a faer matrix.
    ///
    /// # Safety
    /// Every element reachable through the offset and strides must lie
    /// inside `data` (what [`MatRef::check`] verifies).
    unsafe fn faer(&self) -> faer::MatRef<'_, T> {
        let base = if self.rows == 0 || self.cols == 0 {
            self.data.as_ptr()
        } else {
            self.data.as_ptr().add(self.offset)
        };
        faer::MatRef::from_raw_parts(base, self.rows, self.cols, self.rs, self.cs)
    }
}

/// A 2-D float tensor as a strided view of its buffer.
fn mat<'a, T: Real>(t: &'a Tensor, op: &str, index: usize) -> Result<MatRef<'a, T>> {
    if t.ndim() != 2 {
        return Err(crate::error::ErrorKind::ShapeMismatch {
            op: op.into(),
            index,
            got: t.shape().to_vec(),
            want: "a matrix (2-D)".into(),
        }
        .into());
    }
    Ok(MatRef {
        data: t.buffer_data::<T>(),
        offset: t.offset(),
        rows: t.shape()[0],
        cols: t.shape()[1],
        rs: t.strides()[0],
        cs: t.strides()[1],
    })
}

/// `alpha·a·b + beta·c` for float32/float64 matrices of one dtype (any
/// strides); `c` defaults to absent (`beta` then ignored). Returns a new
/// C-contiguous tensor. Runs on the configured system BLAS
/// ([`super::sysblas::configured`]) where one is set and can take it.
pub fn gemm(alpha: f64, a: &Tensor, b: &Tensor, beta: f64, c: Option<&Tensor>) -> Result<Tensor> {
    let dtype = a.dtype();
    for (i, t) in [Some(a), Some(b), c].into_iter().enumerate() {
        if let Some(t) = t {
            if t.dtype() != dtype || !matches!(dtype, DType::F32 | DType::F64) {
                return Err(Error::dtype(
                    "gemm",
                    i,
                    t.dtype(),
                    format!("needs float32 or float64 operands of one dtype (input 0 is {dtype})"),
                ));
            }
        }
    }
    let blas = super::sysblas::configured()?;
    let blas = blas.as_deref();
    match dtype {
        DType::F32 => gemm_typed::<f32>(blas, alpha as f32, a, b, beta as f32, c),
        _ => gemm_typed::<f64>(blas, alpha, a, b, beta, c),
    }
}

fn gemm_typed<T: Real>(
    blas: Option<&SystemBlas>,
    alpha: T,
    a: &Tensor,
    b: &Tensor,
    beta: T,
    c: Option<&Tensor>,
) -> Result<Tensor> {
    let (am, bm) = (mat::<T>(a, "gemm", 0)?, mat::<T>(b, "gemm", 1)?);
    if am.cols != bm.rows {
        return Err(crate::error::ErrorKind::ShapeMismatch {
            op: "gemm".into(),
            index: 1,
            got: b.shape().to_vec(),
            want: format!("({}, n) to match a of shape {:?}", am.cols, a.shape()),
        }
        .into());
    }
    let shape = [am.rows, bm.cols];
    let (mut out, beta) = match c {
        Some(c) if c.shape() == shape => (super::copy::contiguous(c), beta),
        Some(c) => {
            return Err(crate::error::ErrorKind::ShapeMismatch {
                op: "gemm".into(),
                index: 2,
                got: c.shape().to_vec(),
                want: format!("{shape:?}"),
            }
            .into())
        }
        // beta = 0: `gemm_into` writes every element without reading any.
        None => (Tensor::empty(T::DTYPE, &shape), T::zero()),
    };
    gemm_into_with(blas, alpha, am, bm, beta, out.data_mut::<T>())?;
    Ok(out)
}

/// `alpha·a·x + beta·y` for a matrix `a` and vector `x` (float32/float64).
pub fn gemv(alpha: f64, a: &Tensor, x: &Tensor, beta: f64, y: Option<&Tensor>) -> Result<Tensor> {
    let col = |t: &Tensor, index: usize| -> Result<Tensor> {
        if t.ndim() != 1 {
            return Err(crate::error::ErrorKind::ShapeMismatch {
                op: "gemv".into(),
                index,
                got: t.shape().to_vec(),
                want: "a vector (1-D)".into(),
            }
            .into());
        }
        Ok(t.expand_dims(1))
    };
    let y2 = y.map(|t| col(t, 2)).transpose()?;
    let out = gemm(alpha, a, &col(x, 1)?, beta, y2.as_ref())?;
    out.reshape(&[out.shape()[0] as i64])
}
