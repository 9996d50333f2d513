//! `Bincount`: occurrences of each non-negative integer in a vector,
//! optionally weighted (NumPy's `bincount(x, weights, minlength)`). The
//! output length (`max(x) + 1`, at least `minlength`) is known only at
//! run time; a negative value is a run-time error naming its position.

use super::common::require_integral;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::graph::{Op, PerformCtx, TensorType, Var};
use crate::tensor::{Scalar, Tensor};

/// Inputs: integer vector `x`, then a weights vector of the same length
/// when `weighted`. Output: int64 counts, or float64 sums of weights.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Bincount {
    pub minlength: usize,
    pub weighted: bool,
}

impl Op for Bincount {
    fn name(&self) -> String {
        let w = if self.weighted { ", weighted" } else { "" };
        format!("bincount{{minlength={}{w}}}", self.minlength)
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let x = &inputs[0];
        require_integral(&self.name(), 0, x.dtype)?;
        let bad_rank = |i: usize, t: &TensorType| {
            Error::value(self.name(), format!("input {i} must be a vector, got {t}"))
        };
        if x.ndim() != 1 {
            return Err(bad_rank(0, x));
        }
        if self.weighted {
            let w = &inputs[1];
            if w.ndim() != 1 {
                return Err(bad_rank(1, w));
            }
            if let (Some(n), Some(m)) = (x.shape[0], w.shape[0]) {
                if n != m {
                    return Err(self.length_error(n, m));
                }
            }
        }
        let dtype = if self.weighted {
            DType::F64
        } else {
            DType::I64
        };
        Ok(vec![TensorType::unknown(dtype, 1)])
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let values = inputs[0].to_scalars();
        let weights = match self.weighted {
            true => Some(inputs[1].to_f64_vec()),
            false => None,
        };
        if let Some(w) = &weights {
            if w.len() != values.len() {
                return Err(self.length_error(values.len(), w.len()));
            }
        }
        let mut bins = Vec::with_capacity(values.len());
        for (i, v) in values.iter().enumerate() {
            match *v {
                Scalar::Int(k) if k < 0 => {
                    return Err(Error::value(
                        self.name(),
                        format!("input 0 has the negative value {k} at position {i}; bincount counts only non-negative integers"),
                    ))
                }
                v => bins.push(v.as_u64() as usize),
            }
        }
        let len = bins
            .iter()
            .map(|&b| b + 1)
            .max()
            .unwrap_or(0)
            .max(self.minlength);
        let mut sums = vec![0.0f64; len];
        for (i, &b) in bins.iter().enumerate() {
            sums[b] += weights.as_ref().map_or(1.0, |w| w[i]);
        }
        let dtype = if self.weighted {
            DType::F64
        } else {
            DType::I64
        };
        Ok(vec![Tensor::from_f64s(dtype, &[len], &sums)?])
    }

    fn differentiable(&self) -> bool {
        false
    }
}

impl Bincount {
    fn length_error(&self, n: usize, m: usize) -> Error {
        Error::value(
            self.name(),
            format!("input 1 (weights) has length {m}, but input 0 has length {n}"),
        )
    }
}

/// NumPy's `bincount(x, weights, minlength)`.
#[track_caller]
pub fn try_bincount(x: &Var, weights: Option<&Var>, minlength: usize) -> Result<Var> {
    let op = Bincount {
        minlength,
        weighted: weights.is_some(),
    };
    let mut inputs = vec![x.clone()];
    inputs.extend(weights.cloned());
    Var::apply1(op, &inputs)
}

/// Like [`try_bincount`]; panics with the error's message.
#[track_caller]
pub fn bincount(x: &Var, weights: Option<&Var>, minlength: usize) -> Var {
    try_bincount(x, weights, minlength).unwrap_or_else(|e| panic!("{e}"))
}
