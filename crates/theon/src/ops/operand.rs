//! `Operand`: a graph variable or a weak literal. Literals become constants
//! whose dtype follows NEP 50 (they never upcast the variables they meet).

use crate::dtype::{promote_all, weak_dtype, DType, WeakKind};
use crate::graph::Var;
use crate::tensor::{Scalar, Tensor};

#[derive(Clone, Debug)]
pub enum Operand {
    Var(Var),
    Weak(Scalar, WeakKind),
}

impl From<Var> for Operand {
    fn from(v: Var) -> Self {
        Operand::Var(v)
    }
}
impl From<&Var> for Operand {
    fn from(v: &Var) -> Self {
        Operand::Var(v.clone())
    }
}
impl From<f64> for Operand {
    fn from(x: f64) -> Self {
        Operand::Weak(Scalar::Float(x), WeakKind::Float)
    }
}
impl From<f32> for Operand {
    fn from(x: f32) -> Self {
        Operand::Weak(Scalar::Float(x as f64), WeakKind::Float)
    }
}
impl From<i64> for Operand {
    fn from(x: i64) -> Self {
        Operand::Weak(Scalar::Int(x), WeakKind::Int)
    }
}
impl From<i32> for Operand {
    fn from(x: i32) -> Self {
        Operand::Weak(Scalar::Int(x as i64), WeakKind::Int)
    }
}
impl From<usize> for Operand {
    fn from(x: usize) -> Self {
        Operand::Weak(Scalar::Int(x as i64), WeakKind::Int)
    }
}
impl From<bool> for Operand {
    fn from(x: bool) -> Self {
        Operand::Weak(Scalar::Bool(x), WeakKind::Bool)
    }
}

fn default_dtype(kind: WeakKind) -> DType {
    match kind {
        WeakKind::Bool => DType::Bool,
        WeakKind::Int => DType::I64,
        WeakKind::Float => DType::F64,
    }
}

/// Turns operands into variables: weak literals take the dtype NEP 50 gives
/// them next to the promoted dtype of the strong operands.
#[track_caller]
pub fn resolve_operands(operands: Vec<Operand>) -> Vec<Var> {
    let strong: Vec<DType> = operands
        .iter()
        .filter_map(|o| match o {
            Operand::Var(v) => Some(v.dtype()),
            Operand::Weak(..) => None,
        })
        .collect();
    let strong = promote_all(&strong);
    operands
        .into_iter()
        .map(|o| match o {
            Operand::Var(v) => v,
            Operand::Weak(value, kind) => {
                let dtype = strong.map_or_else(|| default_dtype(kind), |s| weak_dtype(s, kind));
                Var::constant(Tensor::full(dtype, &[], value))
            }
        })
        .collect()
}

/// A scalar constant of an explicit dtype.
#[track_caller]
pub fn scalar_constant(value: impl Into<Scalar>, dtype: DType) -> Var {
    Var::constant(Tensor::full(dtype, &[], value.into()))
}
