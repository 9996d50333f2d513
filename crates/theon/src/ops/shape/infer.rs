//! Building blocks for `Op::infer_shape`: a dim is an int64 scalar `Var`
//! (a constant where statically known). Arithmetic on dims folds constants
//! as it builds, so inferred shapes of static graphs stay constants and
//! symbolic ones stay small.

use crate::dtype::DType;
use crate::graph::{TensorType, Var};
use crate::ops::elemwise::{maximum, minimum};
use crate::tensor::Tensor;

/// The dim `d` as an int64 constant.
pub fn const_dim(d: i64) -> Var {
    Var::constant(Tensor::scalar(d))
}

/// The value of a dim when it is a constant.
pub fn dim_value(v: &Var) -> Option<i64> {
    let t = v.constant_value()?;
    (t.size() == 1).then(|| t.item().as_i64())
}

/// Folds `f` on constants, otherwise builds `g`.
fn fold2(a: &Var, b: &Var, f: impl Fn(i64, i64) -> i64, g: impl Fn(&Var, &Var) -> Var) -> Var {
    match (dim_value(a), dim_value(b)) {
        (Some(x), Some(y)) => const_dim(f(x, y)),
        _ => g(a, b),
    }
}

/// `a + b`.
pub fn dim_add(a: &Var, b: &Var) -> Var {
    match (dim_value(a), dim_value(b)) {
        (Some(0), _) => b.clone(),
        (_, Some(0)) => a.clone(),
        _ => fold2(a, b, |x, y| x + y, |x, y| x + y),
    }
}

/// `a - b`.
pub fn dim_sub(a: &Var, b: &Var) -> Var {
    match dim_value(b) {
        Some(0) => a.clone(),
        _ => fold2(a, b, |x, y| x - y, |x, y| x - y),
    }
}

/// `a * b`.
pub fn dim_mul(a: &Var, b: &Var) -> Var {
    match (dim_value(a), dim_value(b)) {
        (Some(1), _) => b.clone(),
        (_, Some(1)) => a.clone(),
        _ => fold2(a, b, |x, y| x * y, |x, y| x * y),
    }
}

/// `a // b` (floor division; `b` must not be 0 where it is evaluated).
pub fn dim_floordiv(a: &Var, b: &Var) -> Var {
    match dim_value(b) {
        Some(1) => a.clone(),
        Some(y) if y != 0 => match dim_value(a) {
            Some(x) => const_dim(x.div_euclid(y)),
            None => a.floor_div(b),
        },
        _ => a.floor_div(b),
    }
}

/// `max(a, b)`.
pub fn dim_max(a: &Var, b: &Var) -> Var {
    fold2(a, b, i64::max, |x, y| maximum(x, y))
}

/// `min(a, b)`.
pub fn dim_min(a: &Var, b: &Var) -> Var {
    fold2(a, b, i64::min, |x, y| minimum(x, y))
}

/// The product of `dims` (1 for none).
pub fn dim_prod(dims: &[Var]) -> Var {
    dims.iter().fold(const_dim(1), |acc, d| dim_mul(&acc, d))
}

/// The dims of an output of type `out` that broadcasts inputs of types
/// `types` with dims `shapes` (only static 1s broadcast): a statically known
/// dim is a constant, otherwise the dim of the first input that does not
/// broadcast on that axis.
pub fn broadcast_dims(types: &[TensorType], shapes: &[Vec<Var>], out: &TensorType) -> Vec<Var> {
    let n = out.ndim();
    (0..n)
        .map(|axis| {
            if let Some(d) = out.shape[axis] {
                return const_dim(d as i64);
            }
            types
                .iter()
                .zip(shapes)
                .find_map(|(t, s)| {
                    let at = (axis + t.ndim()).checked_sub(n)?;
                    (t.shape[at] != Some(1)).then(|| s[at].clone())
                })
                .unwrap_or_else(|| const_dim(1))
        })
        .collect()
}

/// Element `i` of an integer shape vector as an int64 dim: the constant or
/// the `make_vector` input where the vector is one, else `v[i]`.
pub fn vector_element(v: &Var, i: usize) -> Option<Var> {
    if let Some(d) = shape_element(v, i) {
        return Some(d);
    }
    if let Some(t) = v.constant_value() {
        return Some(const_dim(t.to_scalars().get(i)?.as_i64()));
    }
    if v.op_as::<super::MakeVector>().is_some() {
        let e = v.inputs().get(i)?;
        return Some(if e.dtype() == DType::I64 {
            e.clone()
        } else {
            e.cast(DType::I64)
        });
    }
    let item = crate::ops::indexing::IndexItem::Int((i as i64).into());
    let e = crate::ops::indexing::try_index(v, &[item]).ok()?;
    Some(if e.dtype() == DType::I64 {
        e
    } else {
        e.cast(DType::I64)
    })
}

/// The shape of input `i` passed through unchanged (ops whose output has
/// the shape of one input).
pub fn same_as(input_shapes: &[Vec<Var>], i: usize) -> Option<Vec<Vec<Var>>> {
    Some(vec![input_shapes.get(i)?.clone()])
}

/// Element `i` of `shape(y)` as `shape_i(y, i)` (a constant when static).
fn shape_element(v: &Var, i: usize) -> Option<Var> {
    v.op_as::<super::Shape>()?;
    let y = v.inputs().first()?;
    (i < y.ndim()).then(|| super::shape_i(y, i as i64))
}

/// Element `i` of a shape vector when it is known to be a size (never the
/// `-1` of a reshape): a non-negative constant, a dim of `shape(y)`, or a
/// `shape_i` inside a `make_vector`.
fn size_element(v: &Var, i: usize) -> Option<Var> {
    if let Some(d) = shape_element(v, i) {
        return Some(d);
    }
    let e = vector_element(v, i)?;
    let is_size = dim_value(&e).is_some_and(|d| d >= 0) || e.op_as::<super::ShapeI>().is_some();
    is_size.then_some(e)
}

/// Output dims of a reshape to `target` (its statically known elements)
/// read from the shape vector `inputs[1]`; the `-1` dim is the input's size
/// divided by the others. `None` when an element might be `-1` at run time.
pub fn reshape_dims(
    target: &[Option<i64>],
    inputs: &[Var],
    input_shapes: &[Vec<Var>],
) -> Option<Vec<Var>> {
    let x = input_shapes.first()?;
    let s = inputs.get(1)?;
    let mut dims: Vec<Option<Var>> = Vec::with_capacity(target.len());
    let mut free = None;
    for (i, t) in target.iter().enumerate() {
        match t {
            Some(-1) => {
                free = Some(i);
                dims.push(None);
            }
            Some(d) => dims.push(Some(const_dim(*d))),
            None => dims.push(Some(size_element(s, i)?)),
        }
    }
    if let Some(f) = free {
        let others: Vec<Var> = dims.iter().flatten().cloned().collect();
        dims[f] = Some(dim_floordiv(&dim_prod(x), &dim_prod(&others)));
    }
    dims.into_iter().collect()
}

/// Output dims of an op that builds the shape vector `s` (alloc,
/// broadcast_to): the known elements as constants, the others read from `s`.
pub fn target_dims(target: &[Option<i64>], s: &Var) -> Option<Vec<Var>> {
    target
        .iter()
        .enumerate()
        .map(|(i, t)| match t {
            Some(d) => Some(const_dim(*d)),
            None => vector_element(s, i),
        })
        .collect()
}
