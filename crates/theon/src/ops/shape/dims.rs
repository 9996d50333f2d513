//! Symbolic shape arguments. Shape-taking ops (reshape, alloc, broadcast_to,
//! tile, split, ...) take their dims as one int64 vector input, so
//! `x.reshape_var(&y.shape())` works; `MakeVector` builds that vector from
//! scalars. Builders read what is statically known of the vector (constant
//! elements, or dims of `Shape(y)` known in `y`'s type) into the op, so the
//! output type knows those dims; `perform` re-checks them at run time.

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::graph::{Op, PerformCtx, TensorType, Var};
use crate::ops::operand::Operand;
use crate::tensor::{Scalar, Tensor};

/// Stacks integer scalars into an int64 vector (Theano's `MakeVector`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MakeVector;

impl Op for MakeVector {
    fn name(&self) -> String {
        "make_vector".into()
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        for (i, t) in inputs.iter().enumerate() {
            if t.ndim() != 0 {
                return Err(Error::value(
                    self.name(),
                    format!("input {i} must be a scalar, got {t}"),
                ));
            }
            if !t.dtype.is_int() {
                return Err(Error::dtype(self.name(), i, t.dtype, "needs integers"));
            }
        }
        Ok(vec![TensorType::known(DType::I64, &[inputs.len()])])
    }

    fn infer_shape(&self, inputs: &[Var], input_shapes: &[Vec<Var>]) -> Option<Vec<Vec<Var>>> {
        let _ = input_shapes;
        Some(vec![vec![super::infer::const_dim(inputs.len() as i64)]])
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let values: Vec<Scalar> = inputs
            .iter()
            .map(|t| Scalar::Int(t.item().as_i64()))
            .collect();
        Ok(vec![Tensor::from_scalars(
            DType::I64,
            &[values.len()],
            &values,
        )?])
    }

    /// Integer-valued (its inputs are integer scalars): no gradient.
    fn differentiable(&self) -> bool {
        false
    }
}

/// One dim of a shape argument: a constant or a symbolic integer scalar.
#[derive(Clone, Debug)]
pub enum Dim {
    Const(i64),
    Var(Var),
}

impl From<i64> for Dim {
    fn from(d: i64) -> Self {
        Dim::Const(d)
    }
}
impl From<Var> for Dim {
    fn from(v: Var) -> Self {
        Dim::Var(v)
    }
}
impl From<&Var> for Dim {
    fn from(v: &Var) -> Self {
        Dim::Var(v.clone())
    }
}

/// A shape argument resolved to a graph vector plus its static knowledge.
#[derive(Clone, Debug)]
pub struct ShapeArg {
    /// An integer vector of static length.
    pub var: Var,
    /// Each element's value where statically known.
    pub known: Vec<Option<i64>>,
}

impl ShapeArg {
    /// Reads a shape vector variable; `op` names the caller in errors.
    pub fn from_var(op: &str, var: &Var) -> Result<ShapeArg> {
        let ty = var.ty();
        if ty.ndim() != 1 || !ty.dtype.is_int() {
            return Err(Error::value(
                op,
                format!("a shape must be an integer vector, got {ty}"),
            ));
        }
        let Some(len) = ty.shape[0] else {
            return Err(Error::value(
                op,
                format!(
                    "a shape vector needs a static length, got {ty} \
                     (use specify_shape on it to state its length)"
                ),
            ));
        };
        Ok(ShapeArg {
            var: var.clone(),
            known: static_elements(var).unwrap_or_else(|| vec![None; len]),
        })
    }

    pub fn len(&self) -> usize {
        self.known.len()
    }

    pub fn is_empty(&self) -> bool {
        self.known.is_empty()
    }
}

/// The statically known elements of an integer vector, if any are known.
fn static_elements(var: &Var) -> Option<Vec<Option<i64>>> {
    if let Some(t) = var.constant_value() {
        return Some(t.to_scalars().iter().map(|s| Some(s.as_i64())).collect());
    }
    if var.op_as::<MakeVector>().is_some() {
        return Some(var.inputs().iter().map(static_int).collect());
    }
    if var.op_as::<super::Shape>().is_some() {
        let x = &var.inputs()[0];
        return Some(x.ty().shape.iter().map(|d| d.map(|d| d as i64)).collect());
    }
    None
}

/// The value of an integer scalar variable when it is a constant.
pub fn static_int(var: &Var) -> Option<i64> {
    let t = var.constant_value()?;
    (t.size() == 1 && t.dtype().is_int()).then(|| t.item().as_i64())
}

/// Things that can stand for a shape: constant dims (`&[2, -1]`, `vec![..]`),
/// an integer vector `Var` (e.g. `y.shape()`), or a list of [`Dim`]s.
pub trait IntoShape {
    /// Resolves to a graph vector; `op` names the caller in errors.
    #[track_caller]
    fn into_shape(self, op: &str) -> Result<ShapeArg>;
}

impl IntoShape for &[i64] {
    #[track_caller]
    fn into_shape(self, _op: &str) -> Result<ShapeArg> {
        let value = Tensor::from_slice(self, &[self.len()])?;
        Ok(ShapeArg {
            var: Var::constant(value),
            known: self.iter().map(|&d| Some(d)).collect(),
        })
    }
}
impl<const N: usize> IntoShape for &[i64; N] {
    #[track_caller]
    fn into_shape(self, op: &str) -> Result<ShapeArg> {
        self.as_slice().into_shape(op)
    }
}
impl<const N: usize> IntoShape for [i64; N] {
    #[track_caller]
    fn into_shape(self, op: &str) -> Result<ShapeArg> {
        self.as_slice().into_shape(op)
    }
}
impl IntoShape for Vec<i64> {
    #[track_caller]
    fn into_shape(self, op: &str) -> Result<ShapeArg> {
        self.as_slice().into_shape(op)
    }
}
impl IntoShape for &Vec<i64> {
    #[track_caller]
    fn into_shape(self, op: &str) -> Result<ShapeArg> {
        self.as_slice().into_shape(op)
    }
}
impl IntoShape for &Var {
    #[track_caller]
    fn into_shape(self, op: &str) -> Result<ShapeArg> {
        ShapeArg::from_var(op, self)
    }
}
impl IntoShape for Var {
    #[track_caller]
    fn into_shape(self, op: &str) -> Result<ShapeArg> {
        ShapeArg::from_var(op, &self)
    }
}
impl IntoShape for &[Dim] {
    #[track_caller]
    fn into_shape(self, op: &str) -> Result<ShapeArg> {
        let scalars: Vec<Var> = self
            .iter()
            .map(|d| match d {
                Dim::Const(c) => Var::constant(Tensor::scalar(*c)),
                Dim::Var(v) => v.clone(),
            })
            .collect();
        let var = Var::apply1(MakeVector, &scalars).map_err(|e| rename(e, op))?;
        ShapeArg::from_var(op, &var)
    }
}
impl IntoShape for Vec<Dim> {
    #[track_caller]
    fn into_shape(self, op: &str) -> Result<ShapeArg> {
        self.as_slice().into_shape(op)
    }
}

fn rename(e: Error, op: &str) -> Error {
    Error::value(op, format!("bad shape argument: {}", e.kind))
}

/// Turns an integer operand into an int64 scalar variable (literals become
/// int64 constants); errors name `op` and `what`.
#[track_caller]
pub fn int_scalar(op: &str, what: &str, operand: Operand) -> Result<Var> {
    let var = match operand {
        Operand::Var(v) => v,
        Operand::Weak(s, _) => {
            if matches!(s, Scalar::Float(_)) {
                return Err(Error::value(
                    op,
                    format!("{what} must be an integer, got {}", s.as_f64()),
                ));
            }
            Var::constant(Tensor::scalar(s.as_i64()))
        }
    };
    if var.ndim() != 0 || !var.dtype().is_int() {
        return Err(Error::value(
            op,
            format!("{what} must be an integer scalar, got {}", var.ty()),
        ));
    }
    Ok(var)
}

/// Reads a runtime shape vector as i64s; errors name `op`.
pub fn read_dims(op: &str, t: &Tensor, expected_len: usize) -> Result<Vec<i64>> {
    if t.ndim() != 1 || t.size() != expected_len {
        return Err(Error::value(
            op,
            format!(
                "shape input has shape {:?}, expected [{expected_len}]",
                t.shape()
            ),
        ));
    }
    Ok(t.to_scalars().iter().map(|s| s.as_i64()).collect())
}

/// Reads a shape vector whose dims must all be non-negative.
pub fn read_sizes(op: &str, t: &Tensor, expected_len: usize) -> Result<Vec<usize>> {
    let dims = read_dims(op, t, expected_len)?;
    if let Some(d) = dims.iter().find(|&&d| d < 0) {
        return Err(Error::value(
            op,
            format!("negative dimension {d} in shape {dims:?}"),
        ));
    }
    Ok(dims.iter().map(|&d| d as usize).collect())
}

/// Checks runtime dims against the dims the op knew statically.
pub fn check_known(op: &str, known: &[Option<i64>], got: &[i64]) -> Result<()> {
    let clash = known
        .iter()
        .zip(got)
        .any(|(k, g)| k.is_some_and(|k| k != *g));
    if clash || known.len() != got.len() {
        let want: Vec<String> = known
            .iter()
            .map(|k| k.map_or("?".into(), |k| k.to_string()))
            .collect();
        return Err(Error::value(
            op,
            format!(
                "shape input is {got:?} at run time, but was statically [{}]",
                want.join(", ")
            ),
        ));
    }
    Ok(())
}

/// Static non-negative dims from known elements (negative ones unknown).
pub fn known_sizes(known: &[Option<i64>]) -> Vec<Option<usize>> {
    known
        .iter()
        .map(|k| k.and_then(|k| usize::try_from(k).ok()))
        .collect()
}

/// Formats a static shape with `?` for unknown dims.
pub fn fmt_static(shape: &[Option<usize>]) -> String {
    let dims: Vec<String> = shape
        .iter()
        .map(|d| d.map_or("?".into(), |d| d.to_string()))
        .collect();
    format!("({})", dims.join(", "))
}
