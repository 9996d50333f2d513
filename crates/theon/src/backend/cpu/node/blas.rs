//! Product kernels for float32/float64 nodes through `backend::cpu::gemm`:
//! `Dot` (ranks ≤ 2), `MatMul` (batched, broadcasting), `Gemm`, `Gemv`,
//! `Ger`, `Outer` of two vectors, and `Einsum`s that are (batched) matrix
//! products — such as the gradients of `dot`, `"ab,ac->bc"`. Operands are read through their
//! strides (transposes and slices are never copied); each product is one
//! GEMM call per batch element into a fresh C-order output, on the system
//! BLAS configured when the kernel was selected (`blas.ldflags`) where it
//! can take the layout, else on faer.

use crate::backend::cpu::gemm::{gemm_into_with, MatRef};
use crate::backend::cpu::sysblas::{self, SystemBlas};
use crate::backend::cpu::Real;
use crate::compile::{Inputs, Kernel};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::graph::{Op, PerformCtx, TensorType};
use crate::ops::products::{Contraction, Dot, Einsum, Gemm, Gemv, Ger, MatMul, Outer};
use crate::tensor::Tensor;
use std::sync::Arc;

/// One operand of a batched product: strides per batch dim, per row and
/// per column of its matrices (0 where a dim is absent or broadcast).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Side {
    input: usize,
    /// Axis of the input for each batch dim / the row / the column, if any.
    batch: Vec<Option<usize>>,
    row: Option<usize>,
    col: Option<usize>,
}

/// A product `out[b, i, j] = Σ_k a[b, i, k] · b[b, k, j]` (or its
/// transpose, computed as `bᵀ·aᵀ`), over a contraction's labels.
#[derive(Clone, Debug)]
struct Shape {
    a: Side,
    b: Side,
    /// Output written as (batch..., n, m): computed as `bᵀ aᵀ`.
    transposed: bool,
}

/// What kind of product node this kernel runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    /// Dot, MatMul, Einsum: `a·b` shaped by the contraction.
    Product,
    /// Gemm/Gemv: `beta·z + alpha·x·y`, inputs (z, alpha, x, y, beta).
    Scaled,
    /// Ger: `z + alpha·outer(x, y)`, inputs (z, alpha, x, y).
    Rank1,
}

pub struct BlasKernel {
    form: Form,
    spec: Option<(Contraction, Shape)>,
    op_name: String,
    name: String,
    /// The system BLAS configured at selection (`Ok(None)`: faer only), or
    /// why it could not be loaded (reported when the node runs).
    blas: std::result::Result<Option<Arc<SystemBlas>>, Error>,
}

/// The kernel for a product node, or `None` (other dtypes, einsums that
/// are not matrix products, N-D dot).
pub fn select(op: &dyn Op, inputs: &[TensorType]) -> Option<BlasKernel> {
    let dtype = inputs.first()?.dtype;
    if !matches!(dtype, DType::F32 | DType::F64) || inputs.iter().any(|t| t.dtype != dtype) {
        return None;
    }
    let any = op.as_any();
    let ranks: Vec<usize> = inputs.iter().map(|t| t.ndim()).collect();
    let (form, spec) = if any.is::<Dot>() {
        if ranks.len() != 2 || ranks.iter().any(|&r| r == 0 || r > 2) {
            return None;
        }
        let c = Dot::contraction(ranks[0], ranks[1]);
        (Form::Product, Some(c))
    } else if any.is::<MatMul>() {
        (
            Form::Product,
            Some(MatMul::contraction(ranks[0], *ranks.get(1)?)),
        )
    } else if let Some(e) = any.downcast_ref::<Einsum>() {
        (Form::Product, Some(e.spec.clone()))
    } else if any.is::<Gemm>() || any.is::<Gemv>() {
        (Form::Scaled, None)
    } else if any.is::<Ger>() {
        (Form::Rank1, None)
    } else if any.is::<Outer>() && ranks == [1, 1] {
        (Form::Product, Some(Outer::contraction()))
    } else {
        return None;
    };
    let spec = match spec {
        Some(c) => Some((c.clone(), matrix_shape(&c)?)),
        None => None,
    };
    let blas = sysblas::configured();
    let on = if matches!(blas, Ok(Some(_))) {
        ".sysblas"
    } else {
        ""
    };
    Some(BlasKernel {
        form,
        spec,
        op_name: op.name(),
        name: format!(
            "cpu.blas.{}_{dtype}{on}",
            op.name().split('{').next().unwrap_or("product")
        ),
        blas,
    })
}

/// Reads a two-operand contraction as a batched matrix product. The last
/// output labels are `m` (only in a) and/or `n` (only in b), in either
/// order; all earlier output labels are batch labels (an operand without
/// one is broadcast over it); at most one label `k` is summed, and it is in
/// both operands; no label repeats within an operand.
fn matrix_shape(c: &Contraction) -> Option<Shape> {
    let [a, b] = c.operands.as_slice() else {
        return None;
    };
    let repeats = |l: &[usize]| (1..l.len()).any(|i| l[..i].contains(&l[i]));
    if repeats(a) || repeats(b) {
        return None;
    }
    let out = &c.output;
    let only_a = |l: usize| a.contains(&l) && !b.contains(&l);
    let only_b = |l: usize| b.contains(&l) && !a.contains(&l);
    let (mut m, mut n, mut tail) = (None, None, 0);
    for &l in out.iter().rev().take(2) {
        if only_a(l) && m.is_none() {
            m = Some(l);
        } else if only_b(l) && n.is_none() {
            n = Some(l);
        } else {
            break;
        }
        tail += 1;
    }
    let transposed = tail == 2 && Some(out[out.len() - 1]) == m;
    let batch = &out[..out.len() - tail];
    let summed: Vec<usize> = a
        .iter()
        .chain(b)
        .copied()
        .filter(|l| !out.contains(l))
        .collect();
    let k = summed.first().copied();
    let one_k = summed.iter().all(|&l| Some(l) == k) && summed.len() <= 2;
    if !one_k || k.is_some_and(|k| !(a.contains(&k) && b.contains(&k))) {
        return None;
    }
    let pos =
        |labels: &[usize], l: Option<usize>| l.and_then(|l| labels.iter().position(|&x| x == l));
    let side = |input: usize, labels: &[usize], row: Option<usize>, col: Option<usize>| Side {
        input,
        batch: batch.iter().map(|&l| pos(labels, Some(l))).collect(),
        row: pos(labels, row),
        col: pos(labels, col),
    };
    Some(Shape {
        a: side(0, a, m, k),
        b: side(1, b, k, n),
        transposed,
    })
}

impl Kernel for BlasKernel {
    fn name(&self) -> &str {
        &self.name
    }

    fn run(
        &self,
        inputs: &mut Inputs<'_>,
        ctx: &PerformCtx,
        outputs: &mut Vec<Tensor>,
    ) -> Result<()> {
        let values: Vec<&Tensor> = (0..inputs.len()).map(|i| inputs.get(i)).collect();
        let dtype = values[0].dtype();
        if let Some(i) = values.iter().position(|t| t.dtype() != dtype) {
            return Err(Error::dtype(
                &self.op_name,
                i,
                values[i].dtype(),
                format!("expects {dtype} here"),
            ));
        }
        let blas = match &self.blas {
            Ok(blas) => blas.as_deref(),
            Err(e) => return Err(Error::value(&self.op_name, e.kind.to_string())),
        };
        let out = match dtype {
            DType::F32 => self.compute::<f32>(blas, &values, ctx)?,
            DType::F64 => self.compute::<f64>(blas, &values, ctx)?,
            d => return Err(super::not_float(&self.op_name, d)),
        };
        outputs.push(out);
        Ok(())
    }
}

impl BlasKernel {
    fn compute<T: Real>(
        &self,
        blas: Option<&SystemBlas>,
        x: &[&Tensor],
        ctx: &PerformCtx,
    ) -> Result<Tensor> {
        match self.form {
            Form::Product => {
                let (spec, shape) = self
                    .spec
                    .as_ref()
                    .expect("products carry their contraction");
                let owned: Vec<Tensor> = x.iter().map(|&t| t.clone()).collect();
                let sizes = spec.label_sizes_runtime(&self.op_name, &owned, ctx.input_types)?;
                let out_shape: Vec<usize> = spec.output.iter().map(|&l| sizes[l]).collect();
                // `batched` writes every element (beta = 0, empty k gives zeros).
                let mut out = Tensor::empty(T::DTYPE, &out_shape);
                let n_batch = shape.a.batch.len();
                let batch = &out_shape[..n_batch];
                let mn: usize = out_shape[n_batch..].iter().product();
                let (a, b) = (x[shape.a.input], x[shape.b.input]);
                batched::<T>(
                    blas,
                    T::one(),
                    a,
                    &shape.a,
                    b,
                    &shape.b,
                    shape.transposed,
                    batch,
                    mn,
                    out.data_mut::<T>(),
                )?;
                Ok(out)
            }
            Form::Scaled | Form::Rank1 => self.scaled::<T>(blas, x),
        }
    }

    /// Gemm / Gemv / Ger: `beta·z + alpha·x·y` into a copy of `z`.
    fn scaled<T: Real>(&self, blas: Option<&SystemBlas>, x: &[&Tensor]) -> Result<Tensor> {
        let (z, xm, ym) = (x[0], x[2], x[3]);
        let alpha = scalar::<T>(&self.op_name, x[1], 1)?;
        let beta = match self.form {
            Form::Rank1 => T::one(),
            _ => scalar::<T>(&self.op_name, x[4], 4)?,
        };
        let rank1 = self.form == Form::Rank1;
        let ranks = [z.ndim(), xm.ndim(), ym.ndim()];
        let want_ranks = match (rank1, z.ndim()) {
            (true, _) => [2, 1, 1],
            (false, 1) => [1, 2, 1],
            (false, _) => [2, 2, 2],
        };
        if ranks != want_ranks {
            return Err(Error::value(
                &self.op_name,
                format!("inputs z, x, y have ranks {ranks:?}, expected {want_ranks:?}"),
            ));
        }
        let want_z = match (rank1, ym.ndim()) {
            (true, _) => vec![len(xm, 0), len(ym, 0)],
            (false, 1) => vec![len(xm, 0)],
            (false, _) => vec![len(xm, 0), len(ym, 1)],
        };
        let inner_ok = rank1 || len(xm, 1) == len(ym, 0);
        if z.shape() != want_z.as_slice() || !inner_ok {
            return Err(Error::value(
                &self.op_name,
                format!(
                    "shapes z {:?}, x {:?}, y {:?} do not agree",
                    z.shape(),
                    xm.shape(),
                    ym.shape()
                ),
            ));
        }
        let mut out = crate::backend::cpu::copy::contiguous(z);
        // x as an (M × K) matrix, y as (K × N); vectors become a column
        // (x of Ger, y of Gemv) or a row (y of Ger).
        let a = if rank1 { vec_mat(xm, true) } else { mat(xm) };
        let b = if rank1 {
            vec_mat(ym, false)
        } else if ym.ndim() == 1 {
            vec_mat(ym, true)
        } else {
            mat(ym)
        };
        let (a, b) = (a.as_ref::<T>(xm), b.as_ref::<T>(ym));
        gemm_into_with(blas, alpha, a, b, beta, out.data_mut::<T>())?;
        if beta == T::zero() {
            // BLAS skips reading z when beta = 0; the reference computes
            // 0·z, so a NaN or infinity in z still makes a NaN there.
            let zs = z.to_vec::<T>();
            for (o, &zv) in out.data_mut::<T>().iter_mut().zip(&zs) {
                if !zv.is_finite() {
                    *o += beta * zv;
                }
            }
        }
        Ok(out)
    }
}

fn len(t: &Tensor, axis: usize) -> usize {
    t.shape().get(axis).copied().unwrap_or(0)
}

fn scalar<T: Real>(op: &str, t: &Tensor, index: usize) -> Result<T> {
    if t.size() != 1 {
        return Err(Error::value(
            op,
            format!("input {index} must be a scalar, got shape {:?}", t.shape()),
        ));
    }
    Ok(T::from(t.item().as_f64()).expect("a float converts"))
}

/// A matrix view description: (offset, rows, cols, row stride, col stride).
struct View(usize, usize, usize, isize, isize);

impl View {
    fn as_ref<'a, T: Real>(&self, t: &'a Tensor) -> MatRef<'a, T> {
        MatRef {
            data: t.buffer_data::<T>(),
            offset: self.0,
            rows: self.1,
            cols: self.2,
            rs: self.3,
            cs: self.4,
        }
    }
}

fn mat(t: &Tensor) -> View {
    View(
        t.offset(),
        t.shape()[0],
        t.shape()[1],
        t.strides()[0],
        t.strides()[1],
    )
}

/// A vector as a column (`column`) or a row matrix.
fn vec_mat(t: &Tensor, column: bool) -> View {
    let (n, s) = (t.shape()[0], t.strides()[0]);
    if column {
        View(t.offset(), n, 1, s, 1)
    } else {
        View(t.offset(), 1, n, 1, s)
    }
}

/// Dim and stride of `t` along `axis` (size 1 and stride 0 if absent or
/// broadcast: a size-1 dim never steps).
fn dim(t: &Tensor, axis: Option<usize>) -> (usize, isize) {
    match axis {
        Some(a) if t.shape()[a] != 1 => (t.shape()[a], t.strides()[a]),
        Some(a) => (t.shape()[a], 0),
        None => (1, 0),
    }
}

/// One GEMM per batch element into the dense `out` (batch-major, each
/// element `m × n`, or `n × m` when `transposed`).
#[allow(clippy::too_many_arguments)]
fn batched<T: Real>(
    blas: Option<&SystemBlas>,
    alpha: T,
    a: &Tensor,
    sa: &Side,
    b: &Tensor,
    sb: &Side,
    transposed: bool,
    batch: &[usize],
    mn: usize,
    out: &mut [T],
) -> Result<()> {
    let ((m, ars), (ka, acs)) = (dim(a, sa.row), dim(a, sa.col));
    let ((kb, brs), (n, bcs)) = (dim(b, sb.row), dim(b, sb.col));
    // The contraction's runtime check made the k dims equal or one of them
    // a broadcasting 1 (stride 0 here).
    let k = if ka == 1 { kb } else { ka };
    let (ad, bd) = (a.buffer_data::<T>(), b.buffer_data::<T>());
    let a_batch: Vec<isize> = sa.batch.iter().map(|&ax| dim(a, ax).1).collect();
    let b_batch: Vec<isize> = sb.batch.iter().map(|&ax| dim(b, ax).1).collect();
    let mut index = vec![0usize; batch.len()];
    for chunk in out.chunks_mut(mn.max(1)).take(batch.iter().product()) {
        let off = |base: usize, strides: &[isize]| {
            base as isize
                + index
                    .iter()
                    .zip(strides)
                    .map(|(&i, &s)| i as isize * s)
                    .sum::<isize>()
        };
        let (ao, bo) = (off(a.offset(), &a_batch), off(b.offset(), &b_batch));
        let am = MatRef {
            data: ad,
            offset: ao.max(0) as usize,
            rows: m,
            cols: k,
            rs: ars,
            cs: acs,
        };
        let bm = MatRef {
            data: bd,
            offset: bo.max(0) as usize,
            rows: k,
            cols: n,
            rs: brs,
            cs: bcs,
        };
        if transposed {
            gemm_into_with(blas, alpha, bm.t(), am.t(), T::zero(), chunk)?;
        } else {
            gemm_into_with(blas, alpha, am, bm, T::zero(), chunk)?;
        }
        for axis in (0..index.len()).rev() {
            index[axis] += 1;
            if index[axis] < batch[axis] {
                break;
            }
            index[axis] = 0;
        }
    }
    Ok(())
}
