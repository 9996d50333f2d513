//! `TensorType`: dtype + static shape. Each dim is known or unknown; only a
//! dim statically known to be 1 broadcasts.

use crate::dtype::DType;
use crate::error::{ErrorKind, Result};
use crate::tensor::Tensor;
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TensorType {
    pub dtype: DType,
    pub shape: Vec<Option<usize>>,
}

impl TensorType {
    pub fn new(dtype: DType, shape: Vec<Option<usize>>) -> Self {
        TensorType { dtype, shape }
    }

    /// A type whose dims are all unknown.
    pub fn unknown(dtype: DType, ndim: usize) -> Self {
        TensorType {
            dtype,
            shape: vec![None; ndim],
        }
    }

    /// A type with every dim known.
    pub fn known(dtype: DType, shape: &[usize]) -> Self {
        TensorType {
            dtype,
            shape: shape.iter().map(|&d| Some(d)).collect(),
        }
    }

    /// Theano's constructor: `true` marks a broadcastable (known 1) dim.
    pub fn from_broadcastable(dtype: DType, broadcastable: &[bool]) -> Self {
        TensorType {
            dtype,
            shape: broadcastable
                .iter()
                .map(|&b| if b { Some(1) } else { None })
                .collect(),
        }
    }

    pub fn scalar(dtype: DType) -> Self {
        TensorType {
            dtype,
            shape: vec![],
        }
    }

    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    /// Theano's `broadcastable` pattern.
    pub fn broadcastable(&self) -> Vec<bool> {
        self.shape.iter().map(|d| *d == Some(1)).collect()
    }

    pub fn with_dtype(&self, dtype: DType) -> Self {
        TensorType {
            dtype,
            shape: self.shape.clone(),
        }
    }

    /// The static size when every dim is known.
    pub fn known_size(&self) -> Option<usize> {
        self.shape
            .iter()
            .try_fold(1usize, |acc, d| d.map(|d| acc * d))
    }

    /// Checks that a runtime value fits this type (dtype, rank, known dims).
    pub fn check_value(&self, value: &Tensor, function: &str, input: &str) -> Result<()> {
        let fail = |message: String| {
            Err(ErrorKind::Input {
                function: function.into(),
                input: input.into(),
                message,
            }
            .into())
        };
        if value.dtype() != self.dtype {
            return fail(format!(
                "expects dtype {}, got {}",
                self.dtype,
                value.dtype()
            ));
        }
        if value.ndim() != self.ndim() {
            return fail(format!(
                "expects rank {} ({}), got shape {:?}",
                self.ndim(),
                self,
                value.shape()
            ));
        }
        for (axis, (want, &got)) in self.shape.iter().zip(value.shape()).enumerate() {
            if let Some(w) = want {
                if *w != got {
                    return fail(format!(
                        "expects size {w} on axis {axis} ({self}), got shape {:?}",
                        value.shape()
                    ));
                }
            }
        }
        Ok(())
    }

    /// True when a value of `other` type can stand where `self` is expected:
    /// same dtype and rank, and `other` knows at least what `self` knows.
    pub fn accepts(&self, other: &TensorType) -> bool {
        self.dtype == other.dtype
            && self.ndim() == other.ndim()
            && self
                .shape
                .iter()
                .zip(&other.shape)
                .all(|(a, b)| a.is_none() || a == b)
    }

    /// True when the two types can describe the same values.
    pub fn compatible(&self, other: &TensorType) -> bool {
        self.dtype == other.dtype
            && self.ndim() == other.ndim()
            && self
                .shape
                .iter()
                .zip(&other.shape)
                .all(|(a, b)| a.is_none() || b.is_none() || a == b)
    }
}

impl fmt::Display for TensorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dims: Vec<String> = self
            .shape
            .iter()
            .map(|d| d.map_or("?".to_string(), |d| d.to_string()))
            .collect();
        let sep = if dims.len() == 1 { "," } else { "" };
        write!(f, "{}({}{})", self.dtype, dims.join(", "), sep)
    }
}
