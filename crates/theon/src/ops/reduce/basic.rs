//! Reductions along axes: sum, prod, max, min, all, any. NumPy's
//! accumulator dtypes (sum of small ints accumulates in int64); float sums
//! accumulate pairwise in f64, so float32 sums are accurate.

use super::axis::{axes_label, check_axes, reduced_shape, Axis};
use super::groups::{grouped_along, nan_greatest_cmp, nan_least_cmp, pairwise_sum};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::tensor::{Scalar, Tensor};
use std::cmp::Ordering;

/// The reduction a [`Reduce`] node computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReduceKind {
    Sum,
    Prod,
    Max,
    Min,
    All,
    Any,
}

impl ReduceKind {
    /// The NumPy name of the reduction (`"sum"`, `"max"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            ReduceKind::Sum => "sum",
            ReduceKind::Prod => "prod",
            ReduceKind::Max => "max",
            ReduceKind::Min => "min",
            ReduceKind::All => "all",
            ReduceKind::Any => "any",
        }
    }

    /// NumPy's result dtype for the reduction of `x`.
    pub fn out_dtype(self, x: DType) -> DType {
        match self {
            ReduceKind::Sum | ReduceKind::Prod => match x {
                DType::Bool | DType::I8 | DType::I16 | DType::I32 | DType::I64 => DType::I64,
                DType::U8 | DType::U16 | DType::U32 | DType::U64 => DType::U64,
                f => f,
            },
            ReduceKind::Max | ReduceKind::Min => x,
            ReduceKind::All | ReduceKind::Any => DType::Bool,
        }
    }
}

/// A reduction over sorted, non-negative `axes`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Reduce {
    pub kind: ReduceKind,
    pub axes: Vec<usize>,
    pub keepdims: bool,
}

impl Reduce {
    /// The output shape (static or runtime) from the input shape.
    pub fn reduce_shape<T: Clone>(&self, shape: &[T], one: T) -> Vec<T> {
        reduced_shape(shape, &self.axes, self.keepdims, one)
    }
}

impl Op for Reduce {
    fn name(&self) -> String {
        let keep = if self.keepdims { ", keepdims" } else { "" };
        format!(
            "{}{{axis={}{keep}}}",
            self.kind.name(),
            axes_label(&self.axes)
        )
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let x = &inputs[0];
        check_axes(&self.name(), &self.axes, x.ndim())?;
        Ok(vec![TensorType::new(
            self.kind.out_dtype(x.dtype),
            self.reduce_shape(&x.shape, Some(1)),
        )])
    }

    fn infer_shape(&self, _inputs: &[Var], input_shapes: &[Vec<Var>]) -> Option<Vec<Vec<Var>>> {
        let one = crate::ops::shape::infer::const_dim(1);
        Some(vec![self.reduce_shape(input_shapes.first()?, one)])
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let x = &inputs[0];
        check_axes(&self.name(), &self.axes, x.ndim())?;
        let out_shape = self.reduce_shape(x.shape(), 1);
        let out_dtype = self.kind.out_dtype(x.dtype());
        let groups = grouped_along(x, &self.axes);
        let mut values = Vec::with_capacity(groups.len());
        for group in &groups {
            values.push(self.reduce_group(group, x)?);
        }
        Ok(vec![Tensor::from_scalars(out_dtype, &out_shape, &values)?])
    }

    fn pullback(&self, inputs: &[Var], outputs: &[Var], output_grads: &[Var]) -> Result<Vec<Grad>> {
        self.reduce_pullback(&inputs[0], &outputs[0], &output_grads[0])
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        let Some(t) = &tangents[0] else {
            return Ok(vec![None]);
        };
        self.reduce_pushforward(&inputs[0], &outputs[0], t)
    }

    /// all/any give booleans: not differentiable (inputs disconnected).
    fn differentiable(&self) -> bool {
        !matches!(self.kind, ReduceKind::All | ReduceKind::Any)
    }
}

impl Reduce {
    /// Reduces the elements of one output position (`x` is the whole input,
    /// for dtypes and error messages).
    fn reduce_group(&self, group: &[Scalar], x: &Tensor) -> Result<Scalar> {
        let acc = self.kind.out_dtype(x.dtype());
        Ok(match self.kind {
            ReduceKind::Sum if acc.is_float() => {
                let values: Vec<f64> = group.iter().map(|s| s.as_f64()).collect();
                Scalar::Float(pairwise_sum(&values))
            }
            ReduceKind::Sum => group
                .iter()
                .fold(Scalar::Int(0).cast(acc), |a, &b| add_int(a, b.cast(acc))),
            ReduceKind::Prod if acc.is_float() => {
                Scalar::Float(group.iter().map(|s| s.as_f64()).product())
            }
            ReduceKind::Prod => group
                .iter()
                .fold(Scalar::Int(1).cast(acc), |a, &b| mul_int(a, b.cast(acc))),
            ReduceKind::Max | ReduceKind::Min => self.extremum(group, x)?,
            ReduceKind::All => Scalar::Bool(group.iter().all(|s| s.as_bool())),
            ReduceKind::Any => Scalar::Bool(group.iter().any(|s| s.as_bool())),
        })
    }

    /// Max or min of a group; NaN wins (NumPy propagates NaN). An empty
    /// group has no identity and is an error, as in NumPy.
    fn extremum(&self, group: &[Scalar], x: &Tensor) -> Result<Scalar> {
        let is_max = self.kind == ReduceKind::Max;
        let beats = |v: Scalar, best: Scalar| {
            if is_max {
                nan_greatest_cmp(v, best) == Ordering::Greater
            } else {
                nan_least_cmp(v, best) == Ordering::Less
            }
        };
        group
            .iter()
            .copied()
            .reduce(|best, v| if beats(v, best) { v } else { best })
            .ok_or_else(|| {
                let numpy_name = if is_max { "maximum" } else { "minimum" };
                Error::value(
                    self.name(),
                    format!(
                        "zero-size array to reduction operation {numpy_name} which has no \
                         identity (input 0 has shape {:?})",
                        x.shape()
                    ),
                )
            })
    }
}

/// Wrapping addition of two integers of the accumulator dtype (NumPy wraps).
pub(super) fn add_int(a: Scalar, b: Scalar) -> Scalar {
    match (a, b) {
        (Scalar::Int(x), Scalar::Int(y)) => Scalar::Int(x.wrapping_add(y)),
        (Scalar::UInt(x), Scalar::UInt(y)) => Scalar::UInt(x.wrapping_add(y)),
        _ => unreachable!("accumulator and element share a dtype"),
    }
}

/// Wrapping product of two integers of the accumulator dtype (NumPy wraps).
pub(super) fn mul_int(a: Scalar, b: Scalar) -> Scalar {
    match (a, b) {
        (Scalar::Int(x), Scalar::Int(y)) => Scalar::Int(x.wrapping_mul(y)),
        (Scalar::UInt(x), Scalar::UInt(y)) => Scalar::UInt(x.wrapping_mul(y)),
        _ => unreachable!("accumulator and element share a dtype"),
    }
}

/// Builds a reduction node, or returns the error (bad axis, ...).
#[track_caller]
pub fn try_reduce(x: &Var, kind: ReduceKind, axis: impl Into<Axis>, keepdims: bool) -> Result<Var> {
    // Taken here: a closure would report its own line, not the caller's.
    let site = crate::Site::caller();
    let axes = axis
        .into()
        .resolve(kind.name(), x.ndim())
        .map_err(|e| e.at(&site))?;
    let op = Reduce {
        kind,
        axes,
        keepdims,
    };
    Var::apply1(op, std::slice::from_ref(x))
}

#[track_caller]
fn reduce(x: &Var, kind: ReduceKind, axis: impl Into<Axis>, keepdims: bool) -> Var {
    try_reduce(x, kind, axis, keepdims).unwrap_or_else(|e| panic!("{e}"))
}

macro_rules! reduce_api {
    ($($f:ident, $fk:ident => $kind:ident),* $(,)?) => {
        $(
            #[doc = concat!("`", stringify!($f), "` over `axis` (`Axis::All`, an axis or a list).")]
            #[track_caller]
            pub fn $f(x: &Var, axis: impl Into<Axis>, keepdims: bool) -> Var {
                reduce(x, ReduceKind::$kind, axis, keepdims)
            }
        )*
        impl Var {
            $(
                #[doc = concat!("`", stringify!($f), "` over `axis`, dropping the reduced axes.")]
                #[track_caller]
                pub fn $f(&self, axis: impl Into<Axis>) -> Var {
                    reduce(self, ReduceKind::$kind, axis, false)
                }
                #[doc = concat!("`", stringify!($f), "` over `axis`, keeping reduced axes as size 1.")]
                #[track_caller]
                pub fn $fk(&self, axis: impl Into<Axis>) -> Var {
                    reduce(self, ReduceKind::$kind, axis, true)
                }
            )*
        }
    };
}

reduce_api! {
    sum, sum_keepdims => Sum,
    prod, prod_keepdims => Prod,
    max, max_keepdims => Max,
    min, min_keepdims => Min,
    all, all_keepdims => All,
    any, any_keepdims => Any,
}

/// Derivative rules of the reductions (used by `Op::pullback`/`pushforward`).
impl Reduce {
    /// `v` of the output's rank with the reduced axes re-inserted as size 1.
    fn with_reduced_axes(&self, v: &Var) -> Result<Var> {
        if self.keepdims {
            return Ok(v.clone());
        }
        let mut kept = 0..;
        let ndim = v.ndim() + self.axes.len();
        let pattern: Vec<Option<usize>> = (0..ndim)
            .map(|a| (!self.axes.contains(&a)).then(|| kept.next().expect("unbounded")))
            .collect();
        crate::ops::shape::try_dimshuffle(v, &pattern)
    }

    /// `∂out/∂x` elementwise, at `x`'s shape, for prod/max/min.
    fn local_partials(&self, x: &Var, out: &Var) -> Result<Var> {
        use crate::ops::elemwise::{eq, logical_and, switch};
        let out_keep = self.with_reduced_axes(out)?;
        Ok(match self.kind {
            // Product of the other elements, exact even with zeros: with no
            // zero it is out/x; with one zero only that element gets the
            // product of the rest; with more, everything is zero.
            ReduceKind::Prod => {
                let axes: Vec<i64> = self.axes.iter().map(|&a| a as i64).collect();
                let is_zero = eq(x, 0.0);
                let n_zeros = try_reduce(&is_zero, ReduceKind::Sum, axes.clone(), true)?;
                let rest = try_reduce(&switch(&is_zero, 1.0, x), ReduceKind::Prod, axes, true)?;
                let lone_zero = logical_and(eq(&n_zeros, 1), &is_zero);
                switch(eq(&n_zeros, 0), &out_keep / x, switch(lone_zero, rest, 0.0))
            }
            // Ties share the gradient, as in Theano.
            _ => eq(x, &out_keep).cast(x.dtype()),
        })
    }

    fn reduce_pullback(&self, x: &Var, out: &Var, g: &Var) -> Result<Vec<Grad>> {
        if !x.dtype().is_float() {
            return Ok(vec![Grad::Value(crate::ops::creation::zeros_like(x, None))]);
        }
        let g_keep = self.with_reduced_axes(g)?;
        let gx = match self.kind {
            ReduceKind::Sum => crate::ops::creation::fill(x, &g_keep),
            ReduceKind::Prod | ReduceKind::Max | ReduceKind::Min => {
                self.local_partials(x, out)? * g_keep
            }
            ReduceKind::All | ReduceKind::Any => return Ok(vec![Grad::Disconnected]),
        };
        Ok(vec![Grad::Value(gx.cast(x.dtype()))])
    }

    fn reduce_pushforward(&self, x: &Var, out: &Var, t: &Var) -> Result<Vec<Option<Var>>> {
        if !out.dtype().is_float() {
            return Ok(vec![None]);
        }
        let weighted = match self.kind {
            ReduceKind::Sum => t.clone(),
            ReduceKind::Prod | ReduceKind::Max | ReduceKind::Min => {
                self.local_partials(x, out)? * t
            }
            ReduceKind::All | ReduceKind::Any => return Ok(vec![None]),
        };
        let axes: Vec<i64> = self.axes.iter().map(|&a| a as i64).collect();
        let jvp = try_reduce(&weighted, ReduceKind::Sum, axes, self.keepdims)?;
        Ok(vec![Some(jvp.cast(out.dtype()))])
    }
}
