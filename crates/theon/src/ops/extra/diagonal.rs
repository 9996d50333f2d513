//! Diagonals: `Diagonal` (NumPy's `diagonal(offset, axis1, axis2)`, a view
//! with the diagonal as the last axis), `AllocDiag` (a matrix with a vector
//! on one diagonal), and the `diag` / `trace` functions built on them.

use crate::error::{normalize_axis, Error, Result};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::tensor::{Scalar, Tensor};

/// The length of diagonal `offset` of a `rows x cols` matrix.
pub fn diagonal_len(rows: usize, cols: usize, offset: i64) -> usize {
    if offset >= 0 {
        rows.min(cols.saturating_sub(offset as usize))
    } else {
        rows.saturating_sub(offset.unsigned_abs() as usize)
            .min(cols)
    }
}

/// Diagonal `offset` of the matrices spanned by `axis1` and `axis2`
/// (distinct, non-negative): those axes are removed and the diagonal is
/// appended as the last axis. The output is a view of the input.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagonal {
    pub offset: i64,
    pub axis1: usize,
    pub axis2: usize,
}

impl Diagonal {
    fn out_shape<T: Copy>(&self, shape: &[T], diag: T) -> Vec<T> {
        let mut out: Vec<T> = (0..shape.len())
            .filter(|&a| a != self.axis1 && a != self.axis2)
            .map(|a| shape[a])
            .collect();
        out.push(diag);
        out
    }
}

impl Op for Diagonal {
    fn name(&self) -> String {
        format!(
            "diagonal{{offset={}, axis1={}, axis2={}}}",
            self.offset, self.axis1, self.axis2
        )
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let x = &inputs[0];
        if x.ndim() < 2 {
            return Err(Error::value(
                self.name(),
                format!("input 0 must have at least 2 dims, got {x}"),
            ));
        }
        for a in [self.axis1, self.axis2] {
            normalize_axis(&self.name(), a as i64, x.ndim())?;
        }
        if self.axis1 == self.axis2 {
            return Err(Error::value(
                self.name(),
                "axis1 and axis2 cannot be the same",
            ));
        }
        let len = match (x.shape[self.axis1], x.shape[self.axis2]) {
            (Some(r), Some(c)) => Some(diagonal_len(r, c, self.offset)),
            _ => None,
        };
        Ok(vec![TensorType::new(
            x.dtype,
            self.out_shape(&x.shape, len),
        )])
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let x = &inputs[0];
        let (s1, s2) = (x.strides()[self.axis1], x.strides()[self.axis2]);
        let len = diagonal_len(x.shape()[self.axis1], x.shape()[self.axis2], self.offset);
        let shape = self.out_shape(x.shape(), len);
        let mut strides = self.out_shape(x.strides(), s1 + s2);
        let mut offset = x.offset() as isize;
        if len > 0 && shape.iter().all(|&d| d > 0) {
            offset += if self.offset >= 0 {
                self.offset as isize * s2
            } else {
                -self.offset as isize * s1
            };
        } else {
            strides.iter_mut().for_each(|s| *s = 0);
        }
        Ok(vec![x.with_layout(shape, strides, offset as usize)])
    }

    fn view_map(&self) -> Vec<(usize, usize)> {
        vec![(0, 0)]
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        self.diagonal_pullback(&inputs[0], &output_grads[0])
    }

    fn pushforward(
        &self,
        _inputs: &[Var],
        _outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        let t = tangents[0].as_ref();
        Ok(vec![t.map(|t| self.diagonal_pushforward(t)).transpose()?])
    }
}

/// A square matrix with the input vector on diagonal `offset` and zeros
/// elsewhere (NumPy's `diag` of a vector).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AllocDiag {
    pub offset: i64,
}

impl Op for AllocDiag {
    fn name(&self) -> String {
        format!("alloc_diag{{offset={}}}", self.offset)
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let v = &inputs[0];
        if v.ndim() != 1 {
            return Err(Error::value(
                self.name(),
                format!("input 0 must be a vector, got {v}"),
            ));
        }
        let n = v.shape[0].map(|n| n + self.offset.unsigned_abs() as usize);
        Ok(vec![TensorType::new(v.dtype, vec![n, n])])
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let v = inputs[0].to_scalars();
        let k = self.offset.unsigned_abs() as usize;
        let n = v.len() + k;
        let zero = Scalar::Int(0).cast(inputs[0].dtype());
        let mut out = vec![zero; n * n];
        for (i, &x) in v.iter().enumerate() {
            let (r, c) = if self.offset >= 0 {
                (i, i + k)
            } else {
                (i + k, i)
            };
            out[r * n + c] = x;
        }
        Ok(vec![Tensor::from_scalars(
            inputs[0].dtype(),
            &[n, n],
            &out,
        )?])
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        self.alloc_diag_pullback(&inputs[0], &output_grads[0])
    }

    fn pushforward(
        &self,
        _inputs: &[Var],
        _outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        let t = tangents[0].as_ref();
        Ok(vec![t
            .map(|t| self.alloc_diag_pushforward(t))
            .transpose()?])
    }
}

/// NumPy's `diagonal(x, offset, axis1, axis2)` (axes may be negative).
#[track_caller]
pub fn try_diagonal(x: &Var, offset: i64, axis1: i64, axis2: i64) -> Result<Var> {
    let name = format!("diagonal{{offset={offset}, axis1={axis1}, axis2={axis2}}}");
    let site = crate::Site::caller();
    let a1 = normalize_axis(&name, axis1, x.ndim()).map_err(|e| e.at(&site))?;
    let a2 = normalize_axis(&name, axis2, x.ndim()).map_err(|e| e.at(&site))?;
    Var::apply1(
        Diagonal {
            offset,
            axis1: a1,
            axis2: a2,
        },
        std::slice::from_ref(x),
    )
}

/// Like [`try_diagonal`]; panics with the error's message.
#[track_caller]
pub fn diagonal(x: &Var, offset: i64, axis1: i64, axis2: i64) -> Var {
    try_diagonal(x, offset, axis1, axis2).unwrap_or_else(|e| panic!("{e}"))
}

/// NumPy's `diag(x, k)`: the `k`-th diagonal of a matrix, or a matrix
/// with the vector `x` on its `k`-th diagonal.
#[track_caller]
pub fn try_diag(x: &Var, k: i64) -> Result<Var> {
    match x.ndim() {
        1 => Var::apply1(AllocDiag { offset: k }, std::slice::from_ref(x)),
        2 => try_diagonal(x, k, 0, 1),
        _ => Err(Error::value(
            "diag",
            format!("input must be a vector or a matrix, got {}", x.ty()),
        )
        .at(&crate::Site::caller())),
    }
}

/// Like [`try_diag`]; panics with the error's message.
#[track_caller]
pub fn diag(x: &Var, k: i64) -> Var {
    try_diag(x, k).unwrap_or_else(|e| panic!("{e}"))
}

/// NumPy's `trace(x, offset, axis1, axis2)`: the sum of a diagonal, with
/// the dtype NumPy's `sum` gives (int32 accumulates in int64).
#[track_caller]
pub fn try_trace(x: &Var, offset: i64, axis1: i64, axis2: i64) -> Result<Var> {
    let d = try_diagonal(x, offset, axis1, axis2)?;
    crate::ops::reduce::try_reduce(&d, crate::ops::reduce::ReduceKind::Sum, -1i64, false)
}

/// Like [`try_trace`]; panics with the error's message.
#[track_caller]
pub fn trace(x: &Var, offset: i64, axis1: i64, axis2: i64) -> Var {
    try_trace(x, offset, axis1, axis2).unwrap_or_else(|e| panic!("{e}"))
}

impl Var {
    /// Diagonal `offset` of the matrices spanned by `axis1` and `axis2` (see [`diagonal`]).
    #[track_caller]
    pub fn diagonal(&self, offset: i64, axis1: i64, axis2: i64) -> Var {
        diagonal(self, offset, axis1, axis2)
    }

    /// The sum of diagonal `offset` of the `(0, 1)` matrices (NumPy's `x.trace()`).
    #[track_caller]
    pub fn trace(&self, offset: i64) -> Var {
        trace(self, offset, 0, 1)
    }
}
