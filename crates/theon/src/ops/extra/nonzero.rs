//! `NonzeroTuple`: NumPy's `nonzero(x)` (= `where(x)` with one argument):
//! one int64 vector of coordinates per input dim, in C order. The count is
//! known only at run time.

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::graph::{Op, PerformCtx, TensorType, Var};
use crate::tensor::{unravel, Scalar, Tensor};

/// One output per input dim: the coordinates of the non-zero elements.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NonzeroTuple;

impl Op for NonzeroTuple {
    fn name(&self) -> String {
        "nonzero_tuple".into()
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let x = &inputs[0];
        if x.ndim() == 0 {
            return Err(Error::value(
                self.name(),
                "input 0 is a scalar; nonzero needs at least one dim (as NumPy 2)",
            ));
        }
        Ok(vec![TensorType::unknown(DType::I64, 1); x.ndim()])
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let x = &inputs[0];
        let mut coords = vec![Vec::new(); x.ndim()];
        for (flat, v) in x.to_scalars().into_iter().enumerate() {
            if v.as_bool() {
                for (c, i) in coords.iter_mut().zip(unravel(flat, x.shape())) {
                    c.push(Scalar::Int(i as i64));
                }
            }
        }
        coords
            .iter()
            .map(|c| Tensor::from_scalars(DType::I64, &[c.len()], c))
            .collect()
    }

    fn differentiable(&self) -> bool {
        false
    }
}

/// NumPy's `nonzero(x)` / `where(x)`: coordinates of the non-zero elements,
/// one int64 vector per dim of `x` (named `nonzero_tuple` as in Theano, so
/// it does not clash with the three-argument `where_`).
#[track_caller]
pub fn try_nonzero_tuple(x: &Var) -> Result<Vec<Var>> {
    Var::apply(NonzeroTuple, std::slice::from_ref(x))
}

/// Like [`try_nonzero_tuple`]; panics with the error's message.
#[track_caller]
pub fn nonzero_tuple(x: &Var) -> Vec<Var> {
    try_nonzero_tuple(x).unwrap_or_else(|e| panic!("{e}"))
}
