//! `RavelMultiIndex` and `UnravelIndex`: between multi-indices into an
//! array of shape `dims` and flat C-order indices (NumPy's functions of the
//! same names, `mode="raise"`, `order="C"`). Out-of-range indices are
//! run-time errors naming the dim, the index and its size.

use super::common::require_integral;
use crate::dtype::DType;
use crate::error::{Error, ErrorKind, Result};
use crate::graph::{Op, PerformCtx, TensorType, Var};
use crate::ops::elemwise::{broadcast_runtime, broadcast_static};
use crate::tensor::{c_strides, Scalar, Tensor};

fn index_error(op: &str, axis: usize, index: i64, size: usize) -> Error {
    ErrorKind::Index {
        op: op.to_string(),
        axis,
        index,
        size,
    }
    .into()
}

/// Inputs: one integer array per dim of `dims` (broadcast together);
/// output: the int64 flat indices.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RavelMultiIndex {
    pub dims: Vec<usize>,
}

impl Op for RavelMultiIndex {
    fn name(&self) -> String {
        format!("ravel_multi_index{{dims={:?}}}", self.dims)
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        if inputs.len() != self.dims.len() {
            return Err(Error::value(
                self.name(),
                format!(
                    "needs one index array per dim ({}), got {}",
                    self.dims.len(),
                    inputs.len()
                ),
            ));
        }
        for (i, t) in inputs.iter().enumerate() {
            require_integral(&self.name(), i, t.dtype)?;
        }
        let shapes: Vec<&[Option<usize>]> = inputs.iter().map(|t| t.shape.as_slice()).collect();
        Ok(vec![TensorType::new(
            DType::I64,
            broadcast_static(&self.name(), &shapes)?,
        )])
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let shapes: Vec<&[usize]> = inputs.iter().map(|t| t.shape()).collect();
        let shape = broadcast_runtime(&self.name(), &shapes, ctx.input_types)?;
        let columns: Vec<Vec<Scalar>> = inputs
            .iter()
            .map(|t| t.broadcast_to(&shape).map(|b| b.to_scalars()))
            .collect::<Result<_>>()?;
        let strides = c_strides(&self.dims);
        let n: usize = shape.iter().product();
        let mut out = Vec::with_capacity(n);
        for k in 0..n {
            let mut flat = 0i64;
            for (d, col) in columns.iter().enumerate() {
                let i = col[k].as_i64();
                if i < 0 || i as u64 >= self.dims[d] as u64 {
                    return Err(index_error(&self.name(), d, i, self.dims[d]));
                }
                flat += i * strides[d] as i64;
            }
            out.push(Scalar::Int(flat));
        }
        Ok(vec![Tensor::from_scalars(DType::I64, &shape, &out)?])
    }

    fn differentiable(&self) -> bool {
        false
    }
}

/// Input: integer flat indices; outputs: one int64 array per dim of
/// `dims`, each of the input's shape.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct UnravelIndex {
    pub dims: Vec<usize>,
}

impl Op for UnravelIndex {
    fn name(&self) -> String {
        format!("unravel_index{{dims={:?}}}", self.dims)
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        require_integral(&self.name(), 0, inputs[0].dtype)?;
        Ok(vec![
            TensorType::new(DType::I64, inputs[0].shape.clone());
            self.dims.len()
        ])
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let x = &inputs[0];
        let size: usize = self.dims.iter().product();
        let mut outs = vec![Vec::with_capacity(x.size()); self.dims.len()];
        for v in x.to_scalars() {
            let flat = v.as_i64();
            if flat < 0 || flat as u64 >= size as u64 {
                return Err(index_error(&self.name(), 0, flat, size));
            }
            let mut rest = flat as usize;
            for (d, &dim) in self.dims.iter().enumerate().rev() {
                outs[d].push(Scalar::Int((rest % dim) as i64));
                rest /= dim;
            }
        }
        outs.iter()
            .map(|o| Tensor::from_scalars(DType::I64, x.shape(), o))
            .collect()
    }

    fn differentiable(&self) -> bool {
        false
    }
}

/// NumPy's `ravel_multi_index(multi_index, dims)`.
#[track_caller]
pub fn try_ravel_multi_index(multi_index: &[Var], dims: &[usize]) -> Result<Var> {
    Var::apply1(
        RavelMultiIndex {
            dims: dims.to_vec(),
        },
        multi_index,
    )
}

/// Like [`try_ravel_multi_index`]; panics with the error's message.
#[track_caller]
pub fn ravel_multi_index(multi_index: &[Var], dims: &[usize]) -> Var {
    try_ravel_multi_index(multi_index, dims).unwrap_or_else(|e| panic!("{e}"))
}

/// NumPy's `unravel_index(indices, dims)`: one output per dim.
#[track_caller]
pub fn try_unravel_index(indices: &Var, dims: &[usize]) -> Result<Vec<Var>> {
    Var::apply(
        UnravelIndex {
            dims: dims.to_vec(),
        },
        std::slice::from_ref(indices),
    )
}

/// Like [`try_unravel_index`]; panics with the error's message.
#[track_caller]
pub fn unravel_index(indices: &Var, dims: &[usize]) -> Vec<Var> {
    try_unravel_index(indices, dims).unwrap_or_else(|e| panic!("{e}"))
}
