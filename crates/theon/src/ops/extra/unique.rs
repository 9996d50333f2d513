//! `Unique`: the sorted distinct values of the flattened input, optionally
//! with the first index of each, the inverse map and the counts (NumPy 2's
//! `unique(x, return_index, return_inverse, return_counts)`, `axis=None`,
//! `equal_nan=True`: all NaNs collapse into one, sorted last). The number
//! of distinct values is only known at run time.

use super::common::{nan_last_cmp, stable_argsort};
use crate::dtype::DType;
use crate::error::Result;
use crate::graph::{Op, PerformCtx, TensorType, Var};
use crate::tensor::{Scalar, Tensor};
use std::cmp::Ordering;

/// Outputs, in order: the values, then the int64 `index` (first flat
/// position of each value), `inverse` (of the input's shape, as NumPy 2:
/// `values[inverse] == x`) and `counts`, each only when requested.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Unique {
    pub return_index: bool,
    pub return_inverse: bool,
    pub return_counts: bool,
}

/// The groups of equal values of `flat`: for each distinct value, its
/// positions in `flat` in increasing order; groups sorted by value.
fn equal_groups(flat: &[Scalar]) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for i in stable_argsort(flat) {
        match groups.last_mut() {
            Some(g) if nan_last_cmp(flat[g[0]], flat[i]) == Ordering::Equal => g.push(i),
            _ => groups.push(vec![i]),
        }
    }
    groups
}

impl Op for Unique {
    fn name(&self) -> String {
        let mut flags = Vec::new();
        for (on, name) in [
            (self.return_index, "index"),
            (self.return_inverse, "inverse"),
            (self.return_counts, "counts"),
        ] {
            if on {
                flags.push(name);
            }
        }
        format!("unique{{{}}}", flags.join(","))
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let x = &inputs[0];
        let mut out = vec![TensorType::unknown(x.dtype, 1)];
        if self.return_index {
            out.push(TensorType::unknown(DType::I64, 1));
        }
        if self.return_inverse {
            out.push(TensorType::new(DType::I64, x.shape.clone()));
        }
        if self.return_counts {
            out.push(TensorType::unknown(DType::I64, 1));
        }
        Ok(out)
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let x = &inputs[0];
        let flat = x.to_scalars();
        let groups = equal_groups(&flat);
        let n = groups.len();
        let values: Vec<Scalar> = groups.iter().map(|g| flat[g[0]]).collect();
        let mut out = vec![Tensor::from_scalars(x.dtype(), &[n], &values)?];
        if self.return_index {
            let first: Vec<Scalar> = groups.iter().map(|g| Scalar::Int(g[0] as i64)).collect();
            out.push(Tensor::from_scalars(DType::I64, &[n], &first)?);
        }
        if self.return_inverse {
            let mut inverse = vec![Scalar::Int(0); flat.len()];
            for (k, g) in groups.iter().enumerate() {
                for &i in g {
                    inverse[i] = Scalar::Int(k as i64);
                }
            }
            out.push(Tensor::from_scalars(DType::I64, x.shape(), &inverse)?);
        }
        if self.return_counts {
            let counts: Vec<Scalar> = groups.iter().map(|g| Scalar::Int(g.len() as i64)).collect();
            out.push(Tensor::from_scalars(DType::I64, &[n], &counts)?);
        }
        Ok(out)
    }

    fn differentiable(&self) -> bool {
        false
    }
}

/// NumPy's `unique`: the outputs of [`Unique`] in its order (values first).
#[track_caller]
pub fn unique(x: &Var, return_index: bool, return_inverse: bool, return_counts: bool) -> Vec<Var> {
    let op = Unique {
        return_index,
        return_inverse,
        return_counts,
    };
    Var::apply(op, std::slice::from_ref(x)).unwrap_or_else(|e| panic!("{e}"))
}
