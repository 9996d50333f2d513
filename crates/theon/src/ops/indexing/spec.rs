//! The index description an op stores: hashable data where every symbolic
//! part (a scalar bound, an index array, a mask) names one of the node's
//! index inputs by position. The same description serves `Subtensor`,
//! `AdvancedSubtensor` and `IncSubtensor`, so the gradient of indexing is
//! `IncSubtensor` with the very same items and index inputs.
//!
//! This file also holds NumPy's layout rule, shared by the static type rule
//! and the runtime plan: Ellipsis expansion, which input axes each item
//! consumes, and where the broadcast block of advanced indices lands.

use crate::error::{Error, ErrorKind, Result};
use crate::graph::TensorType;
use std::fmt;

/// An integer in an index: a constant, or index input `k` (a rank-0 integer).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scal {
    Const(i64),
    Input(usize),
}

/// `start:stop:step`; `None` parts take NumPy's defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct SliceSpec {
    pub start: Option<Scal>,
    pub stop: Option<Scal>,
    pub step: Option<Scal>,
}

impl SliceSpec {
    /// True for `:` and `::1`, which keep an axis whole.
    pub fn is_full(&self) -> bool {
        self.start.is_none()
            && self.stop.is_none()
            && matches!(self.step, None | Some(Scal::Const(1)))
    }
}

/// One entry of a stored index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Item {
    Int(Scal),
    Slice(SliceSpec),
    NewAxis,
    Ellipsis,
    /// Index input `k` is an integer index array (advanced indexing).
    Array(usize),
    /// Index input `input` is a boolean mask of rank `ndim`, covering as many
    /// axes (NumPy's `x[mask]`, i.e. `x[mask.nonzero()]`).
    Mask {
        input: usize,
        ndim: usize,
    },
}

impl Item {
    /// How many input axes the item consumes (Ellipsis: decided by expansion).
    fn consumed(&self) -> usize {
        match self {
            Item::Int(_) | Item::Slice(_) | Item::Array(_) => 1,
            Item::Mask { ndim, .. } => *ndim,
            Item::NewAxis | Item::Ellipsis => 0,
        }
    }

    /// Integer and array items move together to the broadcast block.
    pub fn is_advanced_like(&self) -> bool {
        matches!(self, Item::Int(_) | Item::Array(_) | Item::Mask { .. })
    }
}

/// True when any item is an index array or a mask (NumPy's advanced indexing).
pub fn is_advanced(items: &[Item]) -> bool {
    items
        .iter()
        .any(|i| matches!(i, Item::Array(_) | Item::Mask { .. }))
}

/// Every index input position the items refer to, in order of appearance.
pub fn referenced_inputs(items: &[Item]) -> Vec<usize> {
    let input = |s: &Option<Scal>| match s {
        Some(Scal::Input(k)) => Some(*k),
        _ => None,
    };
    let mut out = Vec::new();
    for item in items {
        match item {
            Item::Int(s) => out.extend(input(&Some(*s))),
            Item::Slice(spec) => {
                out.extend([spec.start, spec.stop, spec.step].iter().filter_map(input));
            }
            Item::Array(k) | Item::Mask { input: k, .. } => out.push(*k),
            Item::NewAxis | Item::Ellipsis => {}
        }
    }
    out
}

/// Checks that the items use exactly the `n` index inputs given.
pub fn check_index_inputs(op: &str, items: &[Item], n: usize) -> Result<()> {
    let used = referenced_inputs(items);
    if let Some(k) = used.iter().find(|&&k| k >= n) {
        return Err(Error::value(
            op,
            format!("refers to index input {k}, but only {n} were given"),
        ));
    }
    if let Some(k) = (0..n).find(|k| !used.contains(k)) {
        return Err(Error::value(
            op,
            format!("index input {k} is not used by the index"),
        ));
    }
    Ok(())
}

/// An item tied to the first input axis it consumes.
#[derive(Clone, Copy, Debug)]
pub struct Placed {
    pub item: Item,
    pub axis: usize,
}

/// Expands the Ellipsis into full slices and appends full slices for the
/// unindexed trailing axes. An Ellipsis that stands for no axis stays as a
/// zero-width marker: NumPy still counts it as separating advanced indices.
pub fn expand(op: &str, items: &[Item], ndim: usize) -> Result<Vec<Placed>> {
    if items.iter().filter(|i| **i == Item::Ellipsis).count() > 1 {
        return Err(Error::value(
            op,
            "an index can only have a single ellipsis ('...')",
        ));
    }
    let used: usize = items.iter().map(Item::consumed).sum();
    if used > ndim {
        return Err(Error::value(
            op,
            format!(
                "too many indices for array: array is {ndim}-dimensional, but {used} were indexed"
            ),
        ));
    }
    let mut placed = Vec::with_capacity(items.len() + ndim);
    let mut axis = 0;
    let full = Item::Slice(SliceSpec::default());
    for item in items {
        if *item == Item::Ellipsis {
            let fill = ndim - used;
            if fill == 0 {
                placed.push(Placed { item: *item, axis });
            }
            for _ in 0..fill {
                placed.push(Placed { item: full, axis });
                axis += 1;
            }
            continue;
        }
        placed.push(Placed { item: *item, axis });
        axis += item.consumed();
    }
    while axis < ndim {
        placed.push(Placed { item: full, axis });
        axis += 1;
    }
    Ok(placed)
}

/// Where the broadcast block of advanced indices lands among the basic
/// output dims: `Some(n)` after the first `n` of them when the advanced
/// items are adjacent, `None` (at the front) when something separates them.
pub fn block_position(placed: &[Placed]) -> Option<usize> {
    let mut basic_dims = 0;
    let mut position = None;
    let mut broken = false;
    for p in placed {
        if p.item.is_advanced_like() {
            if position.is_some() && broken {
                return None;
            }
            position.get_or_insert(basic_dims);
        } else {
            if position.is_some() {
                broken = true;
            }
            if matches!(p.item, Item::Slice(_) | Item::NewAxis) {
                basic_dims += 1;
            }
        }
    }
    Some(position.unwrap_or(basic_dims))
}

/// Places the broadcast block among the basic output dims (NumPy's rule).
pub fn arrange<T: Clone>(basic: &[T], block: &[T], position: Option<usize>) -> Vec<T> {
    let at = position.unwrap_or(0);
    let mut out = basic[..at].to_vec();
    out.extend_from_slice(block);
    out.extend_from_slice(&basic[at..]);
    out
}

/// The error for an integer index outside `[-size, size)`.
pub fn index_error(op: &str, axis: usize, index: i64, size: usize) -> Error {
    ErrorKind::Index {
        op: op.into(),
        axis,
        index,
        size,
    }
    .into()
}

/// Normalises a possibly negative index against `size`, or errors.
pub fn normalize_index(op: &str, axis: usize, index: i64, size: usize) -> Result<usize> {
    let n = i64::try_from(size).unwrap_or(i64::MAX);
    if index < -n || index >= n {
        return Err(index_error(op, axis, index, size));
    }
    Ok(if index < 0 { index + n } else { index } as usize)
}

/// The length of a slice of an axis of `size` (NumPy's `slice.indices`).
pub fn slice_extent(size: usize, start: Option<i64>, stop: Option<i64>, step: i64) -> (i64, usize) {
    let n = i64::try_from(size).unwrap_or(i64::MAX);
    let (lo, hi) = crate::tensor::slice_bounds(n, start, stop, step);
    let len = if step > 0 {
        (hi - lo + step - 1).max(0) / step
    } else {
        (lo - hi - step - 1).max(0) / -step
    };
    (lo, len as usize)
}

fn fmt_scal(s: &Scal) -> String {
    match s {
        Scal::Const(c) => c.to_string(),
        Scal::Input(k) => format!("${k}"),
    }
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Item::Int(s) => f.write_str(&fmt_scal(s)),
            Item::Slice(spec) => {
                let part = |s: &Option<Scal>| s.as_ref().map(fmt_scal).unwrap_or_default();
                write!(f, "{}:{}", part(&spec.start), part(&spec.stop))?;
                if let Some(step) = &spec.step {
                    write!(f, ":{}", fmt_scal(step))?;
                }
                Ok(())
            }
            Item::NewAxis => f.write_str("None"),
            Item::Ellipsis => f.write_str("..."),
            Item::Array(k) => write!(f, "${k}"),
            Item::Mask { input, .. } => write!(f, "mask${input}"),
        }
    }
}

/// `a, b, c` for printing op names.
pub fn items_text(items: &[Item]) -> String {
    let parts: Vec<String> = items.iter().map(Item::to_string).collect();
    parts.join(", ")
}

/// Checks the index inputs' types against the items (integer scalars,
/// integer arrays, boolean masks) and returns the static output shape.
pub fn static_shape(
    op: &str,
    items: &[Item],
    x: &TensorType,
    index: &[TensorType],
    first_index_input: usize,
) -> Result<Vec<Option<usize>>> {
    let placed = expand(op, items, x.ndim())?;
    let input = |k: usize| {
        index.get(k).ok_or_else(|| {
            Error::value(
                op,
                format!(
                    "refers to index input {k}, but only {} were given",
                    index.len()
                ),
            )
        })
    };
    let mut basic = Vec::new();
    let mut block_shapes = Vec::new();
    for p in &placed {
        let dim = x.shape.get(p.axis).copied().flatten();
        match p.item {
            Item::Int(s) => {
                check_int_scalar(op, s, input, first_index_input)?;
                if let (Scal::Const(c), Some(n)) = (s, dim) {
                    normalize_index(op, p.axis, c, n)?;
                }
                block_shapes.push(Vec::new());
            }
            Item::Slice(spec) => {
                basic.push(static_slice_len(op, &spec, dim, input, first_index_input)?)
            }
            Item::NewAxis => basic.push(Some(1)),
            Item::Ellipsis => {}
            Item::Array(k) => {
                let t = input(k)?;
                if !t.dtype.is_int() {
                    return Err(Error::dtype(
                        op,
                        first_index_input + k,
                        t.dtype,
                        "needs arrays used as indices to be of integer (or boolean) type",
                    ));
                }
                block_shapes.push(t.shape.clone());
            }
            Item::Mask { input: k, ndim } => {
                check_mask_type(
                    op,
                    input(k)?,
                    first_index_input + k,
                    ndim,
                    p.axis,
                    &x.shape[p.axis..p.axis + ndim],
                )?;
                block_shapes.push(vec![None]);
            }
        }
    }
    if !is_advanced(items) {
        return Ok(basic);
    }
    let block = broadcast_index_static(op, &block_shapes)?;
    Ok(arrange(&basic, &block, block_position(&placed)))
}

fn check_int_scalar<'a>(
    op: &str,
    s: Scal,
    input: impl Fn(usize) -> Result<&'a TensorType>,
    first_index_input: usize,
) -> Result<()> {
    let Scal::Input(k) = s else { return Ok(()) };
    let t = input(k)?;
    if !t.dtype.is_int() {
        return Err(Error::dtype(
            op,
            first_index_input + k,
            t.dtype,
            "needs integer scalars as indices and slice bounds",
        ));
    }
    if t.ndim() != 0 {
        return Err(Error::value(
            op,
            format!(
                "input {} ({t}) is used as an integer index or slice bound and must be a scalar",
                first_index_input + k
            ),
        ));
    }
    Ok(())
}

fn static_slice_len<'a>(
    op: &str,
    spec: &SliceSpec,
    dim: Option<usize>,
    input: impl Fn(usize) -> Result<&'a TensorType> + Copy,
    first_index_input: usize,
) -> Result<Option<usize>> {
    for s in [spec.start, spec.stop, spec.step].into_iter().flatten() {
        check_int_scalar(op, s, input, first_index_input)?;
    }
    if spec.step == Some(Scal::Const(0)) {
        return Err(Error::value(op, "slice step cannot be zero"));
    }
    let konst = |s: Option<Scal>| match s {
        None => Some(None),
        Some(Scal::Const(c)) => Some(Some(c)),
        Some(Scal::Input(_)) => None,
    };
    if spec.start.is_none()
        && spec.stop.is_none()
        && matches!(spec.step, None | Some(Scal::Const(1 | -1)))
    {
        return Ok(dim);
    }
    Ok(
        match (dim, konst(spec.start), konst(spec.stop), konst(spec.step)) {
            (Some(n), Some(start), Some(stop), Some(step)) => {
                Some(slice_extent(n, start, stop, step.unwrap_or(1)).1)
            }
            _ => None,
        },
    )
}

fn check_mask_type(
    op: &str,
    t: &TensorType,
    index: usize,
    ndim: usize,
    first_axis: usize,
    dims: &[Option<usize>],
) -> Result<()> {
    if !t.dtype.is_bool() {
        return Err(Error::dtype(
            op,
            index,
            t.dtype,
            "needs a boolean mask here",
        ));
    }
    if t.ndim() != ndim || ndim == 0 {
        return Err(Error::value(
            op,
            format!("input {index} ({t}) must be a boolean mask of rank {ndim} (rank-0 masks are not supported)"),
        ));
    }
    for (j, (m, d)) in t.shape.iter().zip(dims).enumerate() {
        if let (Some(m), Some(d)) = (m, d) {
            if m != d {
                return Err(Error::value(
                    op,
                    format!("boolean index did not match indexed array along axis {}; size of axis is {d} but size of corresponding boolean axis is {m}", first_axis + j),
                ));
            }
        }
    }
    Ok(())
}

/// NumPy broadcasting of index array shapes, statically: any dim of 1
/// broadcasts; an unknown dim is 1 or the other size.
pub fn broadcast_index_static(
    op: &str,
    shapes: &[Vec<Option<usize>>],
) -> Result<Vec<Option<usize>>> {
    let ndim = shapes.iter().map(Vec::len).max().unwrap_or(0);
    let mut out = Vec::with_capacity(ndim);
    for axis in 0..ndim {
        let mut known: Option<usize> = None;
        let mut unknown = false;
        for s in shapes {
            let pad = ndim - s.len();
            match if axis < pad { Some(1) } else { s[axis - pad] } {
                None => unknown = true,
                Some(1) => {}
                Some(d) if known.is_some_and(|k| k != d) => {
                    return Err(index_broadcast_error(op, shapes))
                }
                Some(d) => known = Some(d),
            }
        }
        out.push(known.or(if unknown { None } else { Some(1) }));
    }
    Ok(out)
}

fn index_broadcast_error(op: &str, shapes: &[Vec<Option<usize>>]) -> Error {
    let text: Vec<String> = shapes
        .iter()
        .map(|s| {
            let dims: Vec<String> = s
                .iter()
                .map(|d| d.map_or("?".into(), |d| d.to_string()))
                .collect();
            format!("({})", dims.join(","))
        })
        .collect();
    Error::value(
        op,
        format!(
            "shape mismatch: indexing arrays could not be broadcast together with shapes {}",
            text.join(" ")
        ),
    )
}
