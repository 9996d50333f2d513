//! The user's index description: `IndexItem`s as NumPy spells an index
//! tuple (`x[1, 2:5, ::-1, None, ..., idx]`), plus the `s![]` builder.
//! Nothing here is checked yet; lowering (`lower.rs`) and the ops' type
//! rules turn a description into an op and report what is wrong with it.

use crate::graph::Var;
use std::ops::{Range, RangeFrom, RangeFull, RangeTo};

/// An integer used in an index: a constant or a symbolic integer scalar.
#[derive(Clone, Debug)]
pub enum IntArg {
    Const(i64),
    /// A rank-0 integer variable (any integer dtype).
    Var(Var),
}

impl From<i64> for IntArg {
    fn from(v: i64) -> Self {
        IntArg::Const(v)
    }
}
impl From<i32> for IntArg {
    fn from(v: i32) -> Self {
        IntArg::Const(v as i64)
    }
}
impl From<usize> for IntArg {
    fn from(v: usize) -> Self {
        IntArg::Const(i64::try_from(v).unwrap_or(i64::MAX))
    }
}
impl From<Var> for IntArg {
    fn from(v: Var) -> Self {
        IntArg::Var(v)
    }
}
impl From<&Var> for IntArg {
    fn from(v: &Var) -> Self {
        IntArg::Var(v.clone())
    }
}

/// One entry of an index tuple, with NumPy's meaning.
#[derive(Clone, Debug)]
pub enum IndexItem {
    /// Selects one position and drops the axis; negative counts from the end.
    Int(IntArg),
    /// `start:stop:step`; `None` parts take NumPy's defaults and
    /// out-of-range bounds are clamped. Symbolic bounds make the length
    /// statically unknown.
    Slice {
        start: Option<IntArg>,
        stop: Option<IntArg>,
        step: Option<IntArg>,
    },
    /// `None` / `np.newaxis`: inserts an axis of length 1.
    NewAxis,
    /// `...`: as many full slices as the unindexed axes need.
    Ellipsis,
    /// An integer index array (advanced indexing) or a boolean mask. A rank-0
    /// integer array acts like [`IndexItem::Int`], as in NumPy.
    Array(Var),
}

/// `np.newaxis`, for use in `s![]`.
pub const NEWAXIS: IndexItem = IndexItem::NewAxis;
/// `...`, for use in `s![]`.
pub const ELLIPSIS: IndexItem = IndexItem::Ellipsis;

impl IndexItem {
    /// A slice with explicit parts (`None` for a default).
    pub fn slice(start: Option<IntArg>, stop: Option<IntArg>, step: Option<IntArg>) -> IndexItem {
        IndexItem::Slice { start, stop, step }
    }

    /// The full slice `:`.
    pub fn full() -> IndexItem {
        IndexItem::slice(None, None, None)
    }

    /// A Rust range with a step: `stepped(1..7, 2)` is `1:7:2`,
    /// `stepped(.., -1)` is `::-1`.
    pub fn stepped(range: impl SliceRange, step: impl Into<IntArg>) -> IndexItem {
        let (start, stop) = range.bounds();
        IndexItem::slice(start, stop, Some(step.into()))
    }
}

/// Rust ranges that describe the `start:stop` part of a slice.
pub trait SliceRange {
    /// `(start, stop)`, `None` where the range leaves the bound open.
    fn bounds(self) -> (Option<IntArg>, Option<IntArg>);
}

impl SliceRange for RangeFull {
    fn bounds(self) -> (Option<IntArg>, Option<IntArg>) {
        (None, None)
    }
}

macro_rules! slice_ranges {
    ($($t:ty),*) => {
        $(
            impl SliceRange for Range<$t> {
                fn bounds(self) -> (Option<IntArg>, Option<IntArg>) {
                    (Some(self.start.into()), Some(self.end.into()))
                }
            }
            impl SliceRange for RangeFrom<$t> {
                fn bounds(self) -> (Option<IntArg>, Option<IntArg>) {
                    (Some(self.start.into()), None)
                }
            }
            impl SliceRange for RangeTo<$t> {
                fn bounds(self) -> (Option<IntArg>, Option<IntArg>) {
                    (None, Some(self.end.into()))
                }
            }
            impl From<Range<$t>> for IndexItem {
                fn from(r: Range<$t>) -> Self {
                    let (start, stop) = r.bounds();
                    IndexItem::slice(start, stop, None)
                }
            }
            impl From<RangeFrom<$t>> for IndexItem {
                fn from(r: RangeFrom<$t>) -> Self {
                    let (start, stop) = r.bounds();
                    IndexItem::slice(start, stop, None)
                }
            }
            impl From<RangeTo<$t>> for IndexItem {
                fn from(r: RangeTo<$t>) -> Self {
                    let (start, stop) = r.bounds();
                    IndexItem::slice(start, stop, None)
                }
            }
        )*
    };
}

slice_ranges!(i64, i32, usize, Var, &Var);

impl From<RangeFull> for IndexItem {
    fn from(_: RangeFull) -> Self {
        IndexItem::full()
    }
}

macro_rules! int_items {
    ($($t:ty),*) => {
        $(
            impl From<$t> for IndexItem {
                fn from(v: $t) -> Self {
                    IndexItem::Int(v.into())
                }
            }
        )*
    };
}

int_items!(i64, i32, usize);

impl From<Var> for IndexItem {
    /// An index array, a mask, or (rank 0, integer) a symbolic integer.
    fn from(v: Var) -> Self {
        IndexItem::Array(v)
    }
}
impl From<&Var> for IndexItem {
    fn from(v: &Var) -> Self {
        IndexItem::Array(v.clone())
    }
}

/// Builds a `Vec<IndexItem>` the way NumPy spells an index tuple:
/// `s![1, 2..5, ..;-1, NEWAXIS, ELLIPSIS, &idx]` is `[1, 2:5, ::-1, None, ..., idx]`.
/// A step follows its range after `;`. Integer literals, Rust ranges of
/// integers or variables, `Var`s (index arrays, masks, integer scalars) and
/// `IndexItem`s are accepted.
#[macro_export]
macro_rules! s {
    (@acc [$($done:expr,)*]) => {{
        let items: ::std::vec::Vec<$crate::ops::indexing::IndexItem> = vec![$($done),*];
        items
    }};
    (@acc [$($done:expr,)*] $r:expr ; $step:expr , $($rest:tt)*) => {
        $crate::s!(@acc [$($done,)* $crate::s!(@stepped $r, $step),] $($rest)*)
    };
    (@acc [$($done:expr,)*] $r:expr ; $step:expr) => {
        $crate::s!(@acc [$($done,)* $crate::s!(@stepped $r, $step),])
    };
    // `3..1` is an empty NumPy slice on purpose; `10..2;-1` is not empty.
    (@item $e:expr) => {{
        #[allow(clippy::reversed_empty_ranges)]
        let item = $e;
        $crate::ops::indexing::IndexItem::from(item)
    }};
    (@stepped $r:expr, $step:expr) => {{
        #[allow(clippy::reversed_empty_ranges)]
        let range = $r;
        $crate::ops::indexing::IndexItem::stepped(range, $step)
    }};
    (@acc [$($done:expr,)*] $e:expr , $($rest:tt)*) => {
        $crate::s!(@acc [$($done,)* $crate::s!(@item $e),] $($rest)*)
    };
    (@acc [$($done:expr,)*] $e:expr) => {
        $crate::s!(@acc [$($done,)* $crate::s!(@item $e),])
    };
    ($($t:tt)*) => {
        $crate::s!(@acc [] $($t)*)
    };
}
