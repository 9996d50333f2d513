//! Cross-entropies: the categorical one with integer labels is a dedicated
//! op (`-log(p[i, y_i])`, labels bounds-checked); the dense and binary
//! forms are compositions of elementwise ops and `sum`.

use crate::error::{Error, ErrorKind, Result, Site};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::ops::elemwise::{log, softplus};
use crate::ops::products::static_shape_text;
use crate::tensor::{Scalar, Tensor};

/// Theano's `CrossentropyCategorical1Hot`: for a matrix of probabilities
/// `coding` (N, K) and integer labels `y` (N,), `out[i] = -log(coding[i, y[i]])`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CrossentropyCategorical1Hot;

impl Op for CrossentropyCategorical1Hot {
    fn name(&self) -> String {
        "crossentropy_categorical_1hot".into()
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let name = self.name();
        let [coding, labels] = inputs else {
            return Err(Error::value(
                &name,
                format!("takes 2 inputs, got {}", inputs.len()),
            ));
        };
        if coding.ndim() != 2 {
            return Err(Error::value(
                &name,
                format!("input 0 (coding_dist) must be a matrix, got {coding}"),
            ));
        }
        if !coding.dtype.is_float() {
            return Err(Error::dtype(
                &name,
                0,
                coding.dtype,
                "needs float probabilities",
            ));
        }
        if labels.ndim() != 1 {
            return Err(Error::value(
                &name,
                format!("input 1 (labels) must be a vector, got {labels}"),
            ));
        }
        if !labels.dtype.is_int() {
            return Err(Error::dtype(
                &name,
                1,
                labels.dtype,
                "needs integer class labels",
            ));
        }
        let rows = match (coding.shape[0], labels.shape[0]) {
            (Some(a), Some(b)) if a != b => {
                return Err(rows_mismatch(&name, &coding.shape, &labels.shape))
            }
            (a, b) => a.or(b),
        };
        Ok(vec![TensorType::new(coding.dtype, vec![rows])])
    }

    fn infer_shape(&self, _inputs: &[Var], input_shapes: &[Vec<Var>]) -> Option<Vec<Vec<Var>>> {
        Some(vec![vec![input_shapes.first()?.first()?.clone()]])
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let (coding, labels) = (&inputs[0], &inputs[1]);
        let (n, k) = (coding.shape()[0], coding.shape()[1]);
        if labels.shape()[0] != n {
            let known = |s: &[usize]| s.iter().map(|&d| Some(d)).collect::<Vec<_>>();
            return Err(rows_mismatch(
                &self.name(),
                &known(coding.shape()),
                &known(labels.shape()),
            ));
        }
        let mut out = Vec::with_capacity(n);
        for (i, label) in labels.to_scalars().into_iter().enumerate() {
            let y = label_index(label, k).ok_or_else(|| {
                Error::from(ErrorKind::Index {
                    op: self.name(),
                    axis: 1,
                    index: label_value(label),
                    size: k,
                })
            })?;
            out.push(-coding.get(&[i, y]).as_f64().ln());
        }
        Ok(vec![Tensor::from_f64s(
            ctx.output_types[0].dtype,
            &[n],
            &out,
        )?])
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        self.crossentropy_pullback(inputs, &output_grads[0])
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        match &tangents[0] {
            Some(t) => Ok(vec![Some(self.crossentropy_pushforward(inputs, t)?)]),
            None => Ok(vec![None]),
        }
    }
}

fn rows_mismatch(op: &str, coding: &[Option<usize>], labels: &[Option<usize>]) -> Error {
    Error::value(
        op,
        format!(
            "coding_dist of shape {} and labels of shape {} need one label per row",
            static_shape_text(coding),
            static_shape_text(labels)
        ),
    )
}

/// The label as an index into `0..k`, if it is one.
fn label_index(label: Scalar, k: usize) -> Option<usize> {
    match label {
        Scalar::Int(v) if v >= 0 && (v as u64) < k as u64 => Some(v as usize),
        Scalar::UInt(v) if v < k as u64 => Some(v as usize),
        _ => None,
    }
}

/// The label's value for an error message (huge unsigned labels saturate).
fn label_value(label: Scalar) -> i64 {
    match label {
        Scalar::UInt(v) => i64::try_from(v).unwrap_or(i64::MAX),
        other => other.as_i64(),
    }
}

/// `categorical_crossentropy(coding_dist, true_dist)`, or the error.
#[track_caller]
pub fn try_categorical_crossentropy(coding_dist: &Var, true_dist: &Var) -> Result<Var> {
    if true_dist.ndim() == 1 && true_dist.dtype().is_int() {
        return Var::apply1(
            CrossentropyCategorical1Hot,
            &[coding_dist.clone(), true_dist.clone()],
        );
    }
    if true_dist.ndim() == coding_dist.ndim() && coding_dist.ndim() >= 1 {
        let dense = true_dist * &log(coding_dist);
        return Ok(-dense.sum(coding_dist.ndim() as i64 - 1));
    }
    Err(Error::value(
        "categorical_crossentropy",
        format!(
            "true_dist must be an integer label vector or have the rank of coding_dist {}; got {}",
            coding_dist.ty(),
            true_dist.ty()
        ),
    )
    .at(&Site::caller()))
}

/// Theano's `categorical_crossentropy`: with integer labels `y` (a vector),
/// `-log(coding_dist[i, y[i]])`; with a probability matrix `t`,
/// `-sum(t * log(coding_dist), axis=-1)`.
#[track_caller]
pub fn categorical_crossentropy(coding_dist: &Var, true_dist: &Var) -> Var {
    try_categorical_crossentropy(coding_dist, true_dist).unwrap_or_else(|e| panic!("{e}"))
}

/// `-(target * log(output) + (1 - target) * log(1 - output))`, elementwise.
#[track_caller]
pub fn binary_crossentropy(output: &Var, target: &Var) -> Var {
    -(target * &log(output) + (1.0 - target) * log(1.0 - output))
}

/// The binary cross-entropy of `sigmoid(logits)` against `target`, in the
/// stable form `softplus(logits) - logits * target` (no overflow for large
/// logits, no `log(0)`).
#[track_caller]
pub fn sigmoid_binary_crossentropy(logits: &Var, target: &Var) -> Var {
    softplus(logits) - logits * target
}
