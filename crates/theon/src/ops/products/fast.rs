//! Matrix products of float32/float64 operands through ndarray's `.dot()`
//! (a tuned GEMM), so `dot`/`matmul` on matrices are fast. Callers check
//! shapes first; the loop [`Contraction`](super::Contraction) kernel stays
//! the oracle these are tested against.

use crate::dtype::DType;
use crate::tensor::{Element, Tensor};
use ndarray::{Ix1, Ix2, LinalgScalar};

/// Like `with_dtype!`, for the float dtypes GEMM handles (f32, f64).
macro_rules! with_float {
    ($dtype:expr, $t:ident => $body:expr) => {{
        match $dtype {
            DType::F32 => {
                type $t = f32;
                $body
            }
            DType::F64 => {
                type $t = f64;
                $body
            }
            _ => None,
        }
    }};
}

/// True when both operands share a float dtype that GEMM handles.
fn gemm_dtype(a: &Tensor, b: &Tensor) -> bool {
    a.dtype() == b.dtype() && matches!(a.dtype(), DType::F32 | DType::F64)
}

/// `np.dot` for rank ≤ 2 operands (and N-D · matrix/vector, by folding the
/// leading axes of `a`). `None` when the case is not handled here.
pub fn dot(a: &Tensor, b: &Tensor) -> Option<Tensor> {
    if !gemm_dtype(a, b) || a.ndim() == 0 || b.ndim() == 0 || b.ndim() > 2 {
        return None;
    }
    with_float!(a.dtype(), T => dot_typed::<T>(a, b))
}

fn dot_typed<T: Element + LinalgScalar>(a: &Tensor, b: &Tensor) -> Option<Tensor> {
    let k = *a.shape().last()?;
    let lead: Vec<usize> = a.shape()[..a.ndim() - 1].to_vec();
    let a2 = a.reshape(&[-1, k as i64]).ok()?;
    let av = a2.view::<T>().into_dimensionality::<Ix2>().ok()?;
    let (data, tail): (Vec<T>, Vec<usize>) = if b.ndim() == 2 {
        let bv = b.view::<T>().into_dimensionality::<Ix2>().ok()?;
        let r = av.dot(&bv);
        (r.iter().copied().collect(), vec![b.shape()[1]])
    } else {
        let bv = b.view::<T>().into_dimensionality::<Ix1>().ok()?;
        let r = av.dot(&bv);
        (r.iter().copied().collect(), vec![])
    };
    let shape: Vec<usize> = if a.ndim() == 1 {
        tail
    } else {
        lead.into_iter().chain(tail).collect()
    };
    Tensor::from_vec(data, &shape).ok()
}

/// `np.matmul` for float operands of equal dtype: one GEMM per batch
/// element. `batch` is the broadcast batch shape, `out_shape` the result's
/// shape (1-D operands already accounted for by the caller).
pub fn matmul(a: &Tensor, b: &Tensor, batch: &[usize], out_shape: &[usize]) -> Option<Tensor> {
    if !gemm_dtype(a, b) {
        return None;
    }
    with_float!(a.dtype(), T => matmul_typed::<T>(a, b, batch, out_shape))
}

/// Views a matmul operand as a stack of matrices over `batch`: 1-D vectors
/// become a row (`a`) or a column (`b`) and batch dims broadcast.
fn as_matrix_stack(x: &Tensor, is_left: bool, batch: &[usize]) -> Option<Tensor> {
    let x = if x.ndim() == 1 {
        x.expand_dims(if is_left { 0 } else { 1 })
    } else {
        x.clone()
    };
    let mut shape = batch.to_vec();
    shape.extend_from_slice(&x.shape()[x.ndim() - 2..]);
    x.broadcast_to(&shape).ok()
}

fn matmul_typed<T: Element + LinalgScalar>(
    a: &Tensor,
    b: &Tensor,
    batch: &[usize],
    out_shape: &[usize],
) -> Option<Tensor> {
    let a = as_matrix_stack(a, true, batch)?;
    let b = as_matrix_stack(b, false, batch)?;
    let n_batch: usize = batch.iter().product();
    let mut data: Vec<T> = Vec::with_capacity(crate::tensor::size_of(out_shape));
    for flat in 0..n_batch {
        let index = crate::tensor::unravel(flat, batch);
        let (mut am, mut bm) = (a.clone(), b.clone());
        for &i in &index {
            am = am.index_axis(0, i);
            bm = bm.index_axis(0, i);
        }
        let av = am.view::<T>().into_dimensionality::<Ix2>().ok()?;
        let bv = bm.view::<T>().into_dimensionality::<Ix2>().ok()?;
        data.extend(av.dot(&bv).iter().copied());
    }
    Tensor::from_vec(data, out_shape).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::TensorType;
    use crate::ops::products::{Dot, MatMul};

    fn types(ts: &[&Tensor]) -> Vec<TensorType> {
        ts.iter()
            .map(|t| TensorType::unknown(t.dtype(), t.ndim()))
            .collect()
    }

    /// The GEMM path agrees with the loop contraction (the oracle) and is
    /// taken for float32/float64 matrices, including strided views.
    #[test]
    fn gemm_paths_match_the_loop_reference() {
        for (dtype, tol) in [(DType::F64, 1e-12), (DType::F32, 1e-5)] {
            let a = Tensor::randn(dtype, &[7, 5], 1).t();
            let b = Tensor::randn(dtype, &[7, 6], 2)
                .slice_axis(1, None, None, -1)
                .unwrap();
            let c = Tensor::randn(dtype, &[3, 5, 7], 3);
            for (x, y) in [(&a, &b), (&c, &b), (&b.t(), &a.t())] {
                let fast = dot(x, y).expect("gemm path for float matrices");
                let spec = Dot::contraction(x.ndim(), y.ndim());
                let slow = spec
                    .evaluate("dot", &[x.clone(), y.clone()], &types(&[x, y]), dtype)
                    .unwrap();
                assert!(fast.allclose(&slow, tol, tol), "{fast:?} vs {slow:?}");
            }
            let p = Tensor::randn(dtype, &[2, 1, 4, 5], 4);
            let q = Tensor::randn(dtype, &[3, 5, 2], 5);
            let fast = matmul(&p, &q, &[2, 3], &[2, 3, 4, 2]).expect("gemm path");
            let mut ty = types(&[&p, &q]);
            ty[0].shape[1] = Some(1);
            let slow = MatMul::contraction(4, 3)
                .evaluate("matmul", &[p, q], &ty, dtype)
                .unwrap();
            assert!(fast.allclose(&slow, tol, tol));
        }
        let i = Tensor::rand_int(DType::I32, &[2, 2], 0, 3, 1);
        assert!(dot(&i, &i).is_none(), "integers take the exact loop kernel");
    }
}
