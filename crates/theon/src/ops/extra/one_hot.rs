//! `ToOneHot`: Theano's `to_one_hot(y, nb_class, dtype)`: row `i` of the
//! output is all zeros except a 1 in column `y[i]`.

use super::common::require_integral;
use crate::dtype::DType;
use crate::error::{Error, ErrorKind, Result};
use crate::graph::{Op, PerformCtx, TensorType, Var};
use crate::tensor::Tensor;

/// Input: an integer vector of class labels in `[0, nb_class)`; output: a
/// `(len, nb_class)` matrix of `dtype`. A label out of range (negative
/// too) is a run-time error naming its position.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ToOneHot {
    pub nb_class: usize,
    pub dtype: DType,
}

impl Op for ToOneHot {
    fn name(&self) -> String {
        format!(
            "to_one_hot{{nb_class={}, dtype={}}}",
            self.nb_class, self.dtype
        )
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let y = &inputs[0];
        require_integral(&self.name(), 0, y.dtype)?;
        if y.ndim() != 1 {
            return Err(Error::value(
                self.name(),
                format!("input 0 must be a vector of labels, got {y}"),
            ));
        }
        Ok(vec![TensorType::new(
            self.dtype,
            vec![y.shape[0], Some(self.nb_class)],
        )])
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let labels = inputs[0].to_scalars();
        let mut out = vec![0.0f64; labels.len() * self.nb_class];
        for (i, label) in labels.iter().enumerate() {
            let k = label.as_i64();
            if k < 0 || k as u64 >= self.nb_class as u64 {
                return Err(ErrorKind::Index {
                    op: format!("{} (label at position {i} of input 0)", self.name()),
                    axis: 1,
                    index: k,
                    size: self.nb_class,
                }
                .into());
            }
            out[i * self.nb_class + k as usize] = 1.0;
        }
        Ok(vec![Tensor::from_f64s(
            self.dtype,
            &[labels.len(), self.nb_class],
            &out,
        )?])
    }

    fn differentiable(&self) -> bool {
        false
    }
}

/// Theano's `to_one_hot(y, nb_class, dtype)`.
#[track_caller]
pub fn try_to_one_hot(y: &Var, nb_class: usize, dtype: DType) -> Result<Var> {
    Var::apply1(ToOneHot { nb_class, dtype }, std::slice::from_ref(y))
}

/// Like [`try_to_one_hot`]; panics with the error's message.
#[track_caller]
pub fn to_one_hot(y: &Var, nb_class: usize, dtype: DType) -> Var {
    try_to_one_hot(y, nb_class, dtype).unwrap_or_else(|e| panic!("{e}"))
}
