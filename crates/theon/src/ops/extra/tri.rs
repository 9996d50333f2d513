//! `Tri`: `tril` / `triu`, zeroing the elements above (below) diagonal `k`
//! of the matrices in the last two axes (batched, as NumPy).

use crate::error::{Error, Result};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::tensor::{unravel, Scalar, Tensor};

/// Keeps `x[..., i, j]` where `j - i <= k` (`upper: false`, tril) or
/// `j - i >= k` (`upper: true`, triu); other elements become 0.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Tri {
    pub upper: bool,
    pub k: i64,
}

impl Tri {
    fn keeps(&self, i: usize, j: usize) -> bool {
        let d = j as i64 - i as i64;
        if self.upper {
            d >= self.k
        } else {
            d <= self.k
        }
    }
}

impl Op for Tri {
    fn name(&self) -> String {
        let f = if self.upper { "triu" } else { "tril" };
        format!("{f}{{k={}}}", self.k)
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let x = &inputs[0];
        if x.ndim() < 2 {
            return Err(Error::value(
                self.name(),
                format!("input 0 must have at least 2 dims, got {x}"),
            ));
        }
        Ok(vec![x.clone()])
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let x = &inputs[0];
        let nd = x.ndim();
        let zero = Scalar::Int(0).cast(x.dtype());
        let values: Vec<Scalar> = x
            .to_scalars()
            .into_iter()
            .enumerate()
            .map(|(flat, v)| {
                let idx = unravel(flat, x.shape());
                if self.keeps(idx[nd - 2], idx[nd - 1]) {
                    v
                } else {
                    zero
                }
            })
            .collect();
        Ok(vec![Tensor::from_scalars(x.dtype(), x.shape(), &values)?])
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        match inputs[0].dtype().is_float() {
            true => Ok(vec![Grad::Value(self.tri_linear(&output_grads[0])?)]),
            false => Ok(vec![Grad::Value(crate::ops::creation::zeros_like(
                &inputs[0], None,
            ))]),
        }
    }

    fn pushforward(
        &self,
        _inputs: &[Var],
        _outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        let t = tangents[0].as_ref();
        Ok(vec![t.map(|t| self.tri_linear(t)).transpose()?])
    }
}

/// NumPy's `tril(x, k)`: the lower triangle (on and below diagonal `k`).
#[track_caller]
pub fn tril(x: &Var, k: i64) -> Var {
    Var::apply1(Tri { upper: false, k }, std::slice::from_ref(x)).unwrap_or_else(|e| panic!("{e}"))
}

/// NumPy's `triu(x, k)`: the upper triangle (on and above diagonal `k`).
#[track_caller]
pub fn triu(x: &Var, k: i64) -> Var {
    Var::apply1(Tri { upper: true, k }, std::slice::from_ref(x)).unwrap_or_else(|e| panic!("{e}"))
}
