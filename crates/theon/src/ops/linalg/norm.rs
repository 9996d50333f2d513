//! `Norm`: NumPy's `linalg.norm(x, ord, axis, keepdims)`. One axis gives
//! vector norms (any `p`, `inf`, `-inf`, 0 counts non-zeros); two axes give
//! matrix norms (`fro`, `nuc`, 1, -1, 2, -2, `inf`, `-inf`); with no
//! `ord` the 2-norm of all the reduced elements.

use super::bridge::{linalg_dtype, push_one};
use crate::error::{normalize_axis, Error, Result};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::ops::extra::FloatParam;
use crate::ops::reduce::grouped_along;
use crate::tensor::Tensor;
use faer::Mat;

/// NumPy's `ord` argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NormOrd {
    /// `ord=None`: the 2-norm of the flattened reduced elements.
    Default,
    Fro,
    Nuc,
    Inf,
    NegInf,
    /// A number: `p` for vectors; 1, -1, 2, -2 for matrices.
    P(FloatParam),
}

impl NormOrd {
    /// `NormOrd::P(p)` from a plain number.
    pub fn p(p: f64) -> Self {
        NormOrd::P(FloatParam(p))
    }
}

/// A norm over `axes` (one axis: vector norm; two, in the order given:
/// matrix norm over rows `axes[0]` and columns `axes[1]`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Norm {
    pub ord: NormOrd,
    pub axes: Vec<usize>,
    pub keepdims: bool,
}

fn vector_norm(ord: NormOrd, x: &[f64]) -> Option<f64> {
    let abs = x.iter().map(|v| v.abs());
    Some(match ord {
        NormOrd::Default => x.iter().map(|v| v * v).sum::<f64>().sqrt(),
        NormOrd::Inf => abs.reduce(f64::max)?,
        NormOrd::NegInf => abs.reduce(f64::min)?,
        NormOrd::P(p) if p.0 == 0.0 => x.iter().filter(|&&v| v != 0.0).count() as f64,
        NormOrd::P(p) if p.0 == 1.0 => abs.sum(),
        NormOrd::P(p) => abs.map(|v| v.powf(p.0)).sum::<f64>().powf(1.0 / p.0),
        NormOrd::Fro | NormOrd::Nuc => return None,
    })
}

fn matrix_norm(ord: NormOrd, a: &Mat<f64>) -> Result<f64> {
    let (m, n) = (a.nrows(), a.ncols());
    let col_sums = || (0..n).map(|j| (0..m).map(|i| a[(i, j)].abs()).sum::<f64>());
    let row_sums = || (0..m).map(|i| (0..n).map(|j| a[(i, j)].abs()).sum::<f64>());
    let singular = || {
        a.singular_values()
            .map_err(|_| Error::value("norm", "the SVD did not converge"))
    };
    let empty = || Error::value("norm", "zero-size array to a matrix norm with no identity");
    Ok(match ord {
        NormOrd::Default | NormOrd::Fro => (0..m)
            .flat_map(|i| (0..n).map(move |j| (i, j)))
            .map(|(i, j)| a[(i, j)] * a[(i, j)])
            .sum::<f64>()
            .sqrt(),
        NormOrd::Nuc => singular()?.iter().sum(),
        NormOrd::Inf => row_sums().reduce(f64::max).ok_or_else(empty)?,
        NormOrd::NegInf => row_sums().reduce(f64::min).ok_or_else(empty)?,
        NormOrd::P(p) if p.0 == 1.0 => col_sums().reduce(f64::max).ok_or_else(empty)?,
        NormOrd::P(p) if p.0 == -1.0 => col_sums().reduce(f64::min).ok_or_else(empty)?,
        NormOrd::P(p) if p.0 == 2.0 => {
            singular()?.into_iter().reduce(f64::max).ok_or_else(empty)?
        }
        NormOrd::P(p) if p.0 == -2.0 => {
            singular()?.into_iter().reduce(f64::min).ok_or_else(empty)?
        }
        NormOrd::P(p) => {
            return Err(Error::value(
                "norm",
                format!("invalid norm order {} for matrices", p.0),
            ))
        }
    })
}

impl Norm {
    fn sorted_axes(&self) -> Vec<usize> {
        let mut a = self.axes.clone();
        a.sort_unstable();
        a
    }

    fn check_ord(&self) -> Result<()> {
        let ok = match (self.axes.len(), self.ord) {
            (_, NormOrd::Default) => true,
            (1, NormOrd::Fro | NormOrd::Nuc) => false,
            (1, _) => true,
            (2, NormOrd::P(p)) => [1.0, -1.0, 2.0, -2.0].contains(&p.0),
            (2, _) => true,
            _ => false,
        };
        match ok {
            true => Ok(()),
            false => Err(Error::value(
                self.name(),
                format!(
                    "invalid norm order {:?} for {} axes",
                    self.ord,
                    self.axes.len()
                ),
            )),
        }
    }
}

impl Op for Norm {
    fn name(&self) -> String {
        let keep = if self.keepdims { ", keepdims" } else { "" };
        format!("norm{{ord={:?}, axis={:?}{keep}}}", self.ord, self.axes)
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let x = &inputs[0];
        let dtype = linalg_dtype(&self.name(), 0, x.dtype)?;
        self.check_ord()?;
        let axes = self.sorted_axes();
        if let Some(&bad) = axes.iter().find(|&&a| a >= x.ndim()) {
            return Err(Error::axis(self.name(), bad as i64, x.ndim()));
        }
        if axes.windows(2).any(|w| w[0] == w[1]) {
            return Err(Error::value(self.name(), "an axis is repeated"));
        }
        let shape = (0..x.ndim())
            .filter_map(|a| match (axes.contains(&a), self.keepdims) {
                (false, _) => Some(x.shape[a]),
                (true, true) => Some(Some(1)),
                (true, false) => None,
            })
            .collect();
        Ok(vec![TensorType::new(dtype, shape)])
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let x = &inputs[0];
        let axes = self.sorted_axes();
        let groups = grouped_along(x, &axes);
        let mut out = Vec::with_capacity(groups.len());
        for g in &groups {
            let v: Vec<f64> = g.iter().map(|s| s.as_f64()).collect();
            out.push(if self.axes.len() == 2 {
                let (r, c) = (x.shape()[axes[0]], x.shape()[axes[1]]);
                let a = Mat::from_fn(r, c, |i, j| v[i * c + j]);
                let a = if self.axes[0] > self.axes[1] {
                    a.transpose().to_owned()
                } else {
                    a
                };
                matrix_norm(self.ord, &a).map_err(|e| Error::value(self.name(), e.to_string()))?
            } else {
                vector_norm(self.ord, &v).ok_or_else(|| {
                    Error::value(self.name(), "zero-size array to a norm with no identity")
                })?
            });
        }
        let shape: Vec<usize> = ctx.output_types[0]
            .shape
            .iter()
            .enumerate()
            .map(|(i, d)| d.unwrap_or_else(|| self.out_dim(x.shape(), &axes, i)))
            .collect();
        Ok(vec![Tensor::from_f64s(
            ctx.output_types[0].dtype,
            &shape,
            &out,
        )?])
    }

    fn pullback(&self, inputs: &[Var], outputs: &[Var], output_grads: &[Var]) -> Result<Vec<Grad>> {
        self.norm_pullback(&inputs[0], &outputs[0], &output_grads[0])
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        push_one(tangents, |t| {
            self.norm_pushforward(&inputs[0], &outputs[0], t)
        })
    }
}

impl Norm {
    /// Output dim `i` at run time.
    fn out_dim(&self, shape: &[usize], axes: &[usize], i: usize) -> usize {
        let kept: Vec<usize> = (0..shape.len())
            .filter_map(|a| match (axes.contains(&a), self.keepdims) {
                (false, _) => Some(shape[a]),
                (true, true) => Some(1),
                (true, false) => None,
            })
            .collect();
        kept[i]
    }
}

/// NumPy's `linalg.norm(x, ord, axis, keepdims)`; `axis = None` means the
/// vector norm of a vector, the matrix norm of a matrix, and (only with
/// `NormOrd::Default`) the 2-norm of all elements otherwise.
#[track_caller]
pub fn try_norm(x: &Var, ord: NormOrd, axis: Option<&[i64]>, keepdims: bool) -> Result<Var> {
    let site = crate::Site::caller();
    let name = format!("norm{{ord={ord:?}}}");
    let axes = match axis {
        Some(list) => list
            .iter()
            .map(|&a| normalize_axis(&name, a, x.ndim()))
            .collect::<Result<Vec<_>>>()
            .map_err(|e| e.at(&site))?,
        None if x.ndim() <= 2 || ord == NormOrd::Default => (0..x.ndim()).collect(),
        None => {
            return Err(Error::value(
                name,
                format!(
                    "an ord needs a vector or a matrix, got {}; pass axis",
                    x.ty()
                ),
            )
            .at(&site))
        }
    };
    Var::apply1(
        Norm {
            ord,
            axes,
            keepdims,
        },
        std::slice::from_ref(x),
    )
}

/// Like [`try_norm`]; panics with the error's message.
#[track_caller]
pub fn norm(x: &Var, ord: NormOrd, axis: Option<&[i64]>, keepdims: bool) -> Var {
    try_norm(x, ord, axis, keepdims).unwrap_or_else(|e| panic!("{e}"))
}
