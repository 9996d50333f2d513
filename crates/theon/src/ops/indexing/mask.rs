//! `Nonzero`: the coordinates of the non-zero elements, one int64 vector
//! per axis (NumPy's `nonzero`). Their length depends on the data, so it
//! is statically unknown. Boolean-mask indexing `x[mask]` means
//! `x[mask.nonzero()]`; the indexing ops take masks directly (`Item::Mask`)
//! so that the mask's shape is checked against the indexed axes.

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::graph::{Op, PerformCtx, TensorType};
use crate::tensor::{unravel, Tensor};

/// Coordinates of the non-zero elements of a tensor of rank `ndim` >= 1,
/// in C order: output `j` holds the axis-`j` coordinates.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Nonzero;

impl Op for Nonzero {
    fn name(&self) -> String {
        "nonzero".into()
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let [x] = inputs else {
            return Err(Error::value("nonzero", "takes exactly one input"));
        };
        if x.ndim() == 0 {
            return Err(Error::value(
                "nonzero",
                "input 0 is a scalar (shape ()); nonzero needs rank >= 1 (use atleast_1d)",
            ));
        }
        Ok(vec![TensorType::unknown(DType::I64, 1); x.ndim()])
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let [x] = inputs else {
            return Err(Error::value("nonzero", "takes exactly one input"));
        };
        let mut coords: Vec<Vec<i64>> = vec![Vec::new(); x.ndim()];
        for (flat, v) in x.to_scalars().into_iter().enumerate() {
            if v.as_bool() {
                for (c, i) in coords.iter_mut().zip(unravel(flat, x.shape())) {
                    c.push(i as i64);
                }
            }
        }
        coords
            .into_iter()
            .map(|c| {
                let n = c.len();
                Tensor::from_vec(c, &[n])
            })
            .collect()
    }

    fn differentiable(&self) -> bool {
        false
    }
}
