//! `Contraction`: every product op written in einsum form over label ids,
//! with the shape rule (static and runtime) and the plain-loop reference
//! kernel they all share.
//!
//! Each operand axis carries a label; labels in `output` index the result,
//! all others are summed. A label repeated within one operand takes that
//! operand's diagonal. A label marked as broadcasting lets an axis whose
//! type says "statically 1" stand for any size (theon's rule: only known-1
//! dims broadcast); all other occurrences of a label must agree exactly.

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::graph::TensorType;
use crate::tensor::{c_strides, size_of, Scalar, Tensor};

/// A product in einsum form over label ids `0..n_labels`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Contraction {
    /// The label of each axis of each operand.
    pub operands: Vec<Vec<usize>>,
    /// The labels of the output axes, in order (no repeats).
    pub output: Vec<usize>,
    /// Per label: whether statically-1 axes broadcast against other sizes.
    pub broadcast: Vec<bool>,
}

/// Renders a static shape as `(2, ?, 3)`.
pub fn static_shape_text(shape: &[Option<usize>]) -> String {
    let dims: Vec<String> = shape
        .iter()
        .map(|d| d.map_or("?".to_string(), |d| d.to_string()))
        .collect();
    let comma = if dims.len() == 1 { "," } else { "" };
    format!("({}{comma})", dims.join(", "))
}

/// Renders a runtime shape as `(2, 3)`.
pub fn shape_text(shape: &[usize]) -> String {
    let known: Vec<Option<usize>> = shape.iter().map(|&d| Some(d)).collect();
    static_shape_text(&known)
}

/// One occurrence of a label: operand, axis, size (static or runtime).
#[derive(Clone, Copy)]
struct Occurrence {
    operand: usize,
    axis: usize,
    size: Option<usize>,
    broadcasts: bool,
}

impl Contraction {
    /// Shape inference: the output dims (int64 scalar variables) from the
    /// operands' dims; each output label takes the dim of an operand axis
    /// that carries it and does not broadcast (statically 1).
    pub fn output_dims(
        &self,
        types: &[TensorType],
        shapes: &[Vec<crate::graph::Var>],
    ) -> Vec<crate::graph::Var> {
        let mut dims = Vec::with_capacity(self.output.len());
        for &label in &self.output {
            let mut best = None;
            for (operand, labels) in self.operands.iter().enumerate() {
                for (axis, &l) in labels.iter().enumerate() {
                    let broadcasts = types[operand].shape[axis] == Some(1);
                    if l == label && (best.is_none() || !broadcasts) {
                        best = Some(shapes[operand][axis].clone());
                    }
                }
            }
            dims.push(best.unwrap_or_else(|| crate::ops::shape::infer::const_dim(1)));
        }
        dims
    }

    /// Number of distinct labels.
    pub fn n_labels(&self) -> usize {
        self.broadcast.len()
    }

    fn occurrences(
        &self,
        label: usize,
        shapes: &[Vec<Option<usize>>],
        types: &[TensorType],
    ) -> Vec<Occurrence> {
        let mut found = Vec::new();
        for (operand, labels) in self.operands.iter().enumerate() {
            for (axis, &l) in labels.iter().enumerate() {
                if l == label {
                    found.push(Occurrence {
                        operand,
                        axis,
                        size: shapes[operand][axis],
                        broadcasts: self.broadcast[l] && types[operand].shape[axis] == Some(1),
                    });
                }
            }
        }
        found
    }

    /// The size of every label, from shapes with unknown (`None`) dims.
    /// `types` says which dims are statically 1 (those may broadcast).
    fn label_sizes(
        &self,
        op: &str,
        shapes: &[Vec<Option<usize>>],
        types: &[TensorType],
    ) -> Result<Vec<Option<usize>>> {
        let mismatch = |a: Occurrence, b: Occurrence| {
            let texts: Vec<String> = shapes.iter().map(|s| static_shape_text(s)).collect();
            let fmt = |o: Occurrence| {
                format!(
                    "axis {} of input {} (size {})",
                    o.axis,
                    o.operand,
                    o.size.unwrap_or(0)
                )
            };
            Error::value(
                op,
                format!(
                    "input shapes {} are not aligned: {} does not match {}",
                    texts.join(" and "),
                    fmt(a),
                    fmt(b)
                ),
            )
        };
        let mut sizes = Vec::with_capacity(self.n_labels());
        for label in 0..self.n_labels() {
            let occ = self.occurrences(label, shapes, types);
            // A diagonal (label repeated within one operand) never broadcasts.
            for (i, a) in occ.iter().enumerate() {
                for b in &occ[i + 1..] {
                    if a.operand == b.operand
                        && a.size.is_some()
                        && b.size.is_some()
                        && a.size != b.size
                    {
                        return Err(mismatch(*a, *b));
                    }
                }
            }
            let mut known: Option<Occurrence> = None;
            let mut unknown = false;
            for o in occ.iter().filter(|o| !o.broadcasts) {
                match (o.size, known) {
                    (None, _) => unknown = true,
                    (Some(_), None) => known = Some(*o),
                    (Some(s), Some(k)) if Some(s) != k.size => return Err(mismatch(k, *o)),
                    _ => {}
                }
            }
            sizes.push(match (known, unknown) {
                (Some(k), _) => k.size,
                (None, true) => None,
                // Every occurrence broadcasts: the label has size 1.
                (None, false) => Some(1),
            });
        }
        Ok(sizes)
    }

    /// The static output shape, or an error naming the op and both shapes
    /// when known dims do not align.
    pub fn output_shape_static(
        &self,
        op: &str,
        types: &[TensorType],
    ) -> Result<Vec<Option<usize>>> {
        self.check_ranks(op, types.iter().map(TensorType::ndim))?;
        let shapes: Vec<Vec<Option<usize>>> = types.iter().map(|t| t.shape.clone()).collect();
        let sizes = self.label_sizes(op, &shapes, types)?;
        Ok(self.output.iter().map(|&l| sizes[l]).collect())
    }

    /// The size of every label for runtime inputs (checks alignment).
    pub fn label_sizes_runtime(
        &self,
        op: &str,
        inputs: &[Tensor],
        types: &[TensorType],
    ) -> Result<Vec<usize>> {
        self.check_ranks(op, inputs.iter().map(Tensor::ndim))?;
        let shapes: Vec<Vec<Option<usize>>> = inputs
            .iter()
            .map(|t| t.shape().iter().map(|&d| Some(d)).collect())
            .collect();
        let sizes = self.label_sizes(op, &shapes, types)?;
        Ok(sizes
            .into_iter()
            .map(|s| s.expect("runtime sizes are known"))
            .collect())
    }

    fn check_ranks(&self, op: &str, ranks: impl Iterator<Item = usize>) -> Result<()> {
        let ranks: Vec<usize> = ranks.collect();
        if ranks.len() != self.operands.len() {
            return Err(Error::value(
                op,
                format!("takes {} inputs, got {}", self.operands.len(), ranks.len()),
            ));
        }
        for (i, (labels, &rank)) in self.operands.iter().zip(&ranks).enumerate() {
            if labels.len() != rank {
                return Err(Error::value(
                    op,
                    format!("input {i} has rank {rank}, expected rank {}", labels.len()),
                ));
            }
        }
        Ok(())
    }

    /// The reference kernel: for every output position, the sum over all
    /// summed labels of the product of the operands' elements, in the
    /// output dtype (floats accumulate in f64, integers wrap, bools are
    /// `or` of `and`s, as NumPy's `dot` does).
    pub fn evaluate(
        &self,
        op: &str,
        inputs: &[Tensor],
        types: &[TensorType],
        out_dtype: DType,
    ) -> Result<Tensor> {
        let sizes = self.label_sizes_runtime(op, inputs, types)?;
        let summed: Vec<usize> = (0..self.n_labels())
            .filter(|l| !self.output.contains(l))
            .collect();
        let order: Vec<usize> = self.output.iter().chain(&summed).copied().collect();
        let values: Vec<Vec<Scalar>> = inputs
            .iter()
            .map(|t| {
                t.to_scalars()
                    .into_iter()
                    .map(|s| s.cast(out_dtype))
                    .collect()
            })
            .collect();
        // Per operand, the C-order stride each label steps by (diagonals add
        // their axes' strides; broadcast axes step by 0).
        let label_strides: Vec<Vec<usize>> = inputs
            .iter()
            .zip(&self.operands)
            .map(|(t, labels)| {
                let mut strides = vec![0usize; self.n_labels()];
                for ((&l, &d), s) in labels.iter().zip(t.shape()).zip(c_strides(t.shape())) {
                    if d == sizes[l] && d > 1 {
                        strides[l] += s as usize;
                    }
                }
                strides
            })
            .collect();
        let out_shape: Vec<usize> = self.output.iter().map(|&l| sizes[l]).collect();
        let n_out = size_of(&out_shape);
        let n_sum: usize = summed.iter().map(|&l| sizes[l]).product();
        let order_sizes: Vec<usize> = order.iter().map(|&l| sizes[l]).collect();
        let mut result = Vec::with_capacity(n_out);
        let mut index = vec![0usize; order.len()];
        for _ in 0..n_out {
            let mut acc = zero(out_dtype);
            for _ in 0..n_sum {
                let mut product: Option<Scalar> = None;
                for (vals, strides) in values.iter().zip(&label_strides) {
                    let pos: usize = order
                        .iter()
                        .zip(&index)
                        .map(|(&l, &i)| strides[l] * i)
                        .sum();
                    product = Some(product.map_or(vals[pos], |p| mul(p, vals[pos])));
                }
                acc = add(acc, product.unwrap_or_else(|| one(out_dtype)));
                advance(&mut index, &order_sizes);
            }
            if n_sum == 0 {
                // No summed positions were visited: step the output index.
                advance(
                    &mut index[..self.output.len()],
                    &order_sizes[..self.output.len()],
                );
            }
            result.push(acc);
        }
        Tensor::from_scalars(out_dtype, &out_shape, &result)
    }
}

/// Steps a C-order multi-index (the last axis fastest), wrapping at the end.
fn advance(index: &mut [usize], sizes: &[usize]) {
    for axis in (0..index.len()).rev() {
        index[axis] += 1;
        if index[axis] < sizes[axis] {
            return;
        }
        index[axis] = 0;
    }
}

fn zero(dtype: DType) -> Scalar {
    Scalar::Int(0).cast(dtype)
}

fn one(dtype: DType) -> Scalar {
    Scalar::Int(1).cast(dtype)
}

/// Product of two scalars of one kind (integers wrap, as NumPy's do).
fn mul(a: Scalar, b: Scalar) -> Scalar {
    match (a, b) {
        (Scalar::Float(x), Scalar::Float(y)) => Scalar::Float(x * y),
        (Scalar::Int(x), Scalar::Int(y)) => Scalar::Int(x.wrapping_mul(y)),
        (Scalar::UInt(x), Scalar::UInt(y)) => Scalar::UInt(x.wrapping_mul(y)),
        (Scalar::Bool(x), Scalar::Bool(y)) => Scalar::Bool(x && y),
        _ => unreachable!("operands are cast to the output dtype first"),
    }
}

/// Sum of two scalars of one kind (booleans: logical or).
fn add(a: Scalar, b: Scalar) -> Scalar {
    match (a, b) {
        (Scalar::Float(x), Scalar::Float(y)) => Scalar::Float(x + y),
        (Scalar::Int(x), Scalar::Int(y)) => Scalar::Int(x.wrapping_add(y)),
        (Scalar::UInt(x), Scalar::UInt(y)) => Scalar::UInt(x.wrapping_add(y)),
        (Scalar::Bool(x), Scalar::Bool(y)) => Scalar::Bool(x || y),
        _ => unreachable!("operands are cast to the output dtype first"),
    }
}
