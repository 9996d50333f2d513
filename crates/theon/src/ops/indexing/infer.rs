//! Shape inference for basic indexing: the dims of `x[items]` as int64
//! scalar variables of `x`'s dims, following NumPy's `slice.indices`
//! (clamped bounds) so `x[2:-1].shape` needs no `x`. Slices with symbolic
//! bounds or steps are not inferred (the optimizer then reads the dims of
//! the computed view).

use super::spec::{expand, Item, Scal, SliceSpec};
use crate::graph::Var;
use crate::ops::shape::infer::{
    const_dim, dim_add, dim_floordiv, dim_max, dim_min, dim_sub, dim_value,
};

/// The dims of `x[items]` for an `x` of rank `ndim` and dims `x_dims`.
pub fn basic_dims(items: &[Item], ndim: usize, x_dims: &[Var]) -> Option<Vec<Var>> {
    let mut dims = Vec::new();
    for p in expand("subtensor", items, ndim).ok()? {
        match p.item {
            Item::Int(_) | Item::Ellipsis => {}
            Item::NewAxis => dims.push(const_dim(1)),
            Item::Slice(spec) => dims.push(slice_len(&spec, &x_dims[p.axis])?),
            Item::Array(_) | Item::Mask { .. } => return None,
        }
    }
    Some(dims)
}

fn constant(s: Option<Scal>) -> Option<Option<i64>> {
    match s {
        None => Some(None),
        Some(Scal::Const(c)) => Some(Some(c)),
        Some(Scal::Input(_)) => None,
    }
}

/// `clamp(v < 0 ? v + n : v, lo, hi)` for a constant `v`.
fn bound(v: i64, n: &Var, lo: &Var, hi: &Var) -> Var {
    let v = if v < 0 {
        dim_add(n, &const_dim(v))
    } else {
        const_dim(v)
    };
    dim_min(&dim_max(&v, lo), hi)
}

/// The length of `start:stop:step` over an axis of `n` elements.
fn slice_len(spec: &SliceSpec, n: &Var) -> Option<Var> {
    let (start, stop) = (constant(spec.start)?, constant(spec.stop)?);
    let step = constant(spec.step)?.unwrap_or(1);
    if spec.is_full() {
        return Some(n.clone());
    }
    let zero = const_dim(0);
    let (span, stride) = if step > 0 {
        let lo = start.map_or_else(|| zero.clone(), |s| bound(s, n, &zero, n));
        let hi = stop.map_or_else(|| n.clone(), |s| bound(s, n, &zero, n));
        (dim_sub(&hi, &lo), step)
    } else if step < 0 {
        let (minus_one, last) = (const_dim(-1), dim_sub(n, &const_dim(1)));
        let lo = start.map_or_else(|| last.clone(), |s| bound(s, n, &minus_one, &last));
        let hi = stop.map_or_else(|| minus_one.clone(), |s| bound(s, n, &minus_one, &last));
        (dim_sub(&lo, &hi), -step)
    } else {
        return None;
    };
    // ceil(span / stride), at least 0
    let rounded = dim_add(&span, &const_dim(stride - 1));
    let len = dim_max(&dim_floordiv(&rounded, &const_dim(stride)), &zero);
    Some(match dim_value(&len) {
        Some(d) => const_dim(d),
        None => len,
    })
}
