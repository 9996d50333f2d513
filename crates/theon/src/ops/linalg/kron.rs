//! `Kron`: NumPy's Kronecker product of two arrays of any ranks (the
//! smaller rank is padded with leading 1s): block `i` of the output is
//! `a[i] * b`.

use crate::error::{Error, Result};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::ops::elemwise::BinaryOp;
use crate::tensor::{unravel, Scalar, Tensor};

/// The Kronecker product; the dtype is that of `a * b`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Kron;

fn padded<T: Clone>(shape: &[T], ndim: usize, one: T) -> Vec<T> {
    let mut out = vec![one; ndim - shape.len()];
    out.extend_from_slice(shape);
    out
}

impl Op for Kron {
    fn name(&self) -> String {
        "kron".into()
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let (a, b) = (&inputs[0], &inputs[1]);
        let (_, dtype) = BinaryOp::Mul
            .signature(a.dtype, b.dtype)
            .map_err(|(i, why)| Error::dtype(self.name(), i, inputs[i].dtype, why))?;
        let nd = a.ndim().max(b.ndim());
        let (pa, pb) = (padded(&a.shape, nd, Some(1)), padded(&b.shape, nd, Some(1)));
        let shape = pa
            .iter()
            .zip(&pb)
            .map(|(x, y)| Some((*x)? * (*y)?))
            .collect();
        Ok(vec![TensorType::new(dtype, shape)])
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let (a, b) = (&inputs[0], &inputs[1]);
        let (cast, dtype) = BinaryOp::Mul
            .signature(a.dtype(), b.dtype())
            .map_err(|(i, why)| Error::dtype(self.name(), i, inputs[i].dtype(), why))?;
        let nd = a.ndim().max(b.ndim());
        let (sa, sb) = (padded(a.shape(), nd, 1), padded(b.shape(), nd, 1));
        let shape: Vec<usize> = sa.iter().zip(&sb).map(|(x, y)| x * y).collect();
        let (av, bv) = (a.to_scalars(), b.to_scalars());
        let strides = |s: &[usize]| crate::tensor::c_strides(s);
        let (ta, tb) = (strides(&sa), strides(&sb));
        let n: usize = shape.iter().product();
        let out: Vec<Scalar> = (0..n)
            .map(|flat| {
                let idx = unravel(flat, &shape);
                let (mut ia, mut ib) = (0isize, 0isize);
                for d in 0..nd {
                    ia += (idx[d] / sb[d]) as isize * ta[d];
                    ib += (idx[d] % sb[d]) as isize * tb[d];
                }
                BinaryOp::Mul
                    .eval(av[ia as usize].cast(cast), bv[ib as usize].cast(cast))
                    .cast(dtype)
            })
            .collect();
        Ok(vec![Tensor::from_scalars(dtype, &shape, &out)?])
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        self.kron_pullback(inputs, &output_grads[0])
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        Ok(vec![self.kron_pushforward(inputs, tangents)?])
    }
}

/// NumPy's `kron(a, b)`.
#[track_caller]
pub fn kron(a: &Var, b: &Var) -> Var {
    Var::apply1(Kron, &[a.clone(), b.clone()]).unwrap_or_else(|e| panic!("{e}"))
}
