//! `Axis`: which axes a reduction runs over, as the user writes it (none =
//! all, one axis, or a list; negative axes count from the end). Resolving
//! it against a rank gives sorted, distinct, non-negative axes or an error.

use crate::error::{normalize_axis, Error, Result};

/// Which axes to reduce: all of them, one, or several (negative allowed).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Axis {
    All,
    Some(Vec<i64>),
}

impl From<i64> for Axis {
    fn from(a: i64) -> Self {
        Axis::Some(vec![a])
    }
}
impl From<i32> for Axis {
    fn from(a: i32) -> Self {
        Axis::Some(vec![a as i64])
    }
}
impl From<Vec<i64>> for Axis {
    fn from(a: Vec<i64>) -> Self {
        Axis::Some(a)
    }
}
impl From<&[i64]> for Axis {
    fn from(a: &[i64]) -> Self {
        Axis::Some(a.to_vec())
    }
}
impl<const N: usize> From<[i64; N]> for Axis {
    fn from(a: [i64; N]) -> Self {
        Axis::Some(a.to_vec())
    }
}
impl From<Option<i64>> for Axis {
    fn from(a: Option<i64>) -> Self {
        a.map_or(Axis::All, |a| Axis::Some(vec![a]))
    }
}

impl Axis {
    /// Sorted, deduplicated, non-negative axes for an input of rank `ndim`.
    /// An axis out of range, or one named twice (`(1, -1)` on a matrix), is
    /// an error naming `op`.
    pub fn resolve(&self, op: &str, ndim: usize) -> Result<Vec<usize>> {
        let mut axes = match self {
            Axis::All => (0..ndim).collect(),
            Axis::Some(list) => list
                .iter()
                .map(|&a| normalize_axis(op, a, ndim))
                .collect::<Result<Vec<_>>>()?,
        };
        axes.sort_unstable();
        if let Some(pair) = axes.windows(2).find(|w| w[0] == w[1]) {
            return Err(Error::value(
                op,
                format!(
                    "axis {} is repeated in {self} for an input of rank {ndim}",
                    pair[0]
                ),
            ));
        }
        Ok(axes)
    }

    /// The one axis of an op that reduces along a single axis (argmax,
    /// cumsum): `None` for [`Axis::All`] (the flattened array), else the
    /// normalised axis. A list of several axes is an error naming `op`.
    pub fn resolve_single(&self, op: &str, ndim: usize) -> Result<Option<usize>> {
        match self {
            Axis::All => Ok(None),
            Axis::Some(list) if list.len() == 1 => normalize_axis(op, list[0], ndim).map(Some),
            Axis::Some(_) => Err(Error::value(
                op,
                format!("takes one axis or None, got {self}"),
            )),
        }
    }
}

impl std::fmt::Display for Axis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Axis::All => f.write_str("axis=None"),
            Axis::Some(list) => {
                let items: Vec<String> = list.iter().map(i64::to_string).collect();
                write!(f, "axis=({})", items.join(", "))
            }
        }
    }
}

/// Formats resolved axes for an op's printed name: `(0,2)`.
pub(crate) fn axes_label(axes: &[usize]) -> String {
    let items: Vec<String> = axes.iter().map(usize::to_string).collect();
    format!("({})", items.join(","))
}

/// Formats a single optional axis for an op's printed name: `1` or `None`.
pub(crate) fn axis_label(axis: Option<usize>) -> String {
    axis.map_or_else(|| "None".to_string(), |a| a.to_string())
}

/// `shape` with `axes` removed, or set to `one` when `keepdims`.
pub(crate) fn reduced_shape<T: Clone>(
    shape: &[T],
    axes: &[usize],
    keepdims: bool,
    one: T,
) -> Vec<T> {
    let mut out = Vec::with_capacity(shape.len());
    for (i, d) in shape.iter().enumerate() {
        if !axes.contains(&i) {
            out.push(d.clone());
        } else if keepdims {
            out.push(one.clone());
        }
    }
    out
}

/// Checks statically resolved `axes` against an input's rank (an op built
/// by hand, not through the API, may carry any axes).
pub(crate) fn check_axes(op: &str, axes: &[usize], ndim: usize) -> Result<()> {
    if let Some(&bad) = axes.iter().find(|&&a| a >= ndim) {
        return Err(Error::axis(op, bad as i64, ndim));
    }
    if axes.windows(2).any(|w| w[0] >= w[1]) {
        return Err(Error::value(
            op,
            format!("axes {axes:?} must be sorted and distinct"),
        ));
    }
    Ok(())
}
