//! `DimShuffle`: Theano's axis permutation with inserted broadcastable axes
//! (`'x'`) and dropped broadcastable axes. Transpose, expand_dims and
//! squeeze of known-1 dims are all dimshuffles. The output is a view.

use crate::error::{Error, Result};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::tensor::Tensor;

/// Output axis `i` is input axis `pattern[i]`, or a new length-1 axis
/// where `pattern[i]` is `None` (Theano's `'x'`). Input axes missing from
/// the pattern are dropped and must be statically 1.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DimShuffle {
    pub input_ndim: usize,
    pub pattern: Vec<Option<usize>>,
}

impl DimShuffle {
    pub fn dropped(&self) -> Vec<usize> {
        (0..self.input_ndim)
            .filter(|a| !self.pattern.contains(&Some(*a)))
            .collect()
    }

    /// True for a pure axis permutation (no axis added or dropped).
    pub fn is_transpose(&self) -> bool {
        self.pattern.len() == self.input_ndim && self.pattern.iter().all(Option::is_some)
    }
}

impl Op for DimShuffle {
    fn name(&self) -> String {
        let p: Vec<String> = self
            .pattern
            .iter()
            .map(|a| a.map_or("x".to_string(), |a| a.to_string()))
            .collect();
        format!("dimshuffle{{{}}}", p.join(","))
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let x = &inputs[0];
        if x.ndim() != self.input_ndim {
            return Err(Error::value(
                self.name(),
                format!("expects an input of rank {}, got {}", self.input_ndim, x),
            ));
        }
        let mut seen = vec![false; x.ndim()];
        for a in self.pattern.iter().flatten() {
            if *a >= x.ndim() {
                return Err(Error::axis(self.name(), *a as i64, x.ndim()));
            }
            if std::mem::replace(&mut seen[*a], true) {
                return Err(Error::value(
                    self.name(),
                    format!("axis {a} appears twice in the pattern"),
                ));
            }
        }
        for a in self.dropped() {
            if x.shape[a] != Some(1) {
                return Err(Error::value(
                    self.name(),
                    format!(
                        "cannot drop axis {a} of {x}: only axes of static size 1 can be dropped"
                    ),
                ));
            }
        }
        let shape = self
            .pattern
            .iter()
            .map(|a| a.map_or(Some(1), |a| x.shape[a]))
            .collect();
        Ok(vec![TensorType::new(x.dtype, shape)])
    }

    fn infer_shape(&self, _inputs: &[Var], input_shapes: &[Vec<Var>]) -> Option<Vec<Vec<Var>>> {
        let x = input_shapes.first()?;
        let dims = self
            .pattern
            .iter()
            .map(|a| a.map_or_else(|| crate::ops::shape::infer::const_dim(1), |a| x[a].clone()))
            .collect();
        Some(vec![dims])
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let x = &inputs[0];
        let shape: Vec<usize> = self
            .pattern
            .iter()
            .map(|a| a.map_or(1, |a| x.shape()[a]))
            .collect();
        let strides: Vec<isize> = self
            .pattern
            .iter()
            .map(|a| a.map_or(0, |a| x.strides()[a]))
            .collect();
        Ok(vec![x.with_layout(shape, strides, x.offset())])
    }

    fn view_map(&self) -> Vec<(usize, usize)> {
        vec![(0, 0)]
    }

    /// The inverse shuffle: inserted axes are dropped, dropped axes come
    /// back as size 1, the permutation is undone.
    fn pullback(
        &self,
        _inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        let inserted: Vec<usize> = (0..self.pattern.len())
            .filter(|&i| self.pattern[i].is_none())
            .collect();
        let g = crate::grad::sum_to_static_one(&output_grads[0], &inserted)?;
        let inverse: Vec<Option<usize>> = (0..self.input_ndim)
            .map(|a| self.pattern.iter().position(|&p| p == Some(a)))
            .collect();
        Ok(vec![Grad::Value(try_dimshuffle(&g, &inverse)?)])
    }

    /// Linear: the same shuffle applied to the tangent.
    fn pushforward(
        &self,
        _inputs: &[Var],
        _outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        let Some(t) = &tangents[0] else {
            return Ok(vec![None]);
        };
        let t = crate::grad::sum_to_static_one(t, &self.dropped())?;
        Ok(vec![Some(try_dimshuffle(&t, &self.pattern)?)])
    }
}

/// Builds a dimshuffle, or returns the error.
#[track_caller]
pub fn try_dimshuffle(x: &Var, pattern: &[Option<usize>]) -> Result<Var> {
    Var::apply1(
        DimShuffle {
            input_ndim: x.ndim(),
            pattern: pattern.to_vec(),
        },
        std::slice::from_ref(x),
    )
}

impl Var {
    /// Theano's `dimshuffle`: `x.dimshuffle(&[Some(1), None, Some(0)])` is
    /// `x.dimshuffle(1, 'x', 0)`.
    #[track_caller]
    pub fn dimshuffle(&self, pattern: &[Option<usize>]) -> Var {
        try_dimshuffle(self, pattern).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Reverses the axes (Theano's `x.T`).
    #[track_caller]
    pub fn t(&self) -> Var {
        let pattern: Vec<Option<usize>> = (0..self.ndim()).rev().map(Some).collect();
        self.dimshuffle(&pattern)
    }

    /// Permutes the axes: output axis `i` is input axis `perm[i]`.
    #[track_caller]
    pub fn transpose(&self, perm: &[usize]) -> Var {
        let pattern: Vec<Option<usize>> = perm.iter().map(|&a| Some(a)).collect();
        self.dimshuffle(&pattern)
    }
}
