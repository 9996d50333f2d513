//! The Rust API of indexing: `x.at(&s![..])`, `x.set_at`, `x.inc_at`,
//! Theano's `set_subtensor(x[...], y)` / `inc_subtensor`, `take` and
//! `nonzero`. Every builder is `#[track_caller]`, so nodes and errors carry
//! the user's line; the plain forms panic with the error, `try_*` forms
//! return it.

use super::advanced::AdvancedSubtensor;
use super::basic::Subtensor;
use super::item::IndexItem;
use super::lower::{check_constant_arrays, lower, Lowered};
use super::mask::Nonzero;
use super::set_inc::{IncMode, IncSubtensor};
use super::spec::{is_advanced, Item};
use crate::error::{normalize_axis, Error, Result, Site};
use crate::graph::{Op, Var};
use crate::ops::operand::{resolve_operands, Operand};

fn with_inputs(first: &[&Var], lowered: &Lowered) -> Vec<Var> {
    first
        .iter()
        .map(|v| (*v).clone())
        .chain(lowered.index_inputs.iter().cloned())
        .collect()
}

/// `x[items]`: basic indexing (a view) or advanced indexing (a copy).
#[track_caller]
pub fn try_index(x: &Var, items: &[IndexItem]) -> Result<Var> {
    let site = Site::caller();
    let lowered = lower(items);
    let inputs = with_inputs(&[x], &lowered);
    let (out, name) = if is_advanced(&lowered.items) {
        let op = AdvancedSubtensor {
            items: lowered.items.clone(),
        };
        let name = op.name();
        (Var::apply1(op, &inputs)?, name)
    } else {
        let op = Subtensor {
            items: lowered.items.clone(),
        };
        let name = op.name();
        (Var::apply1(op, &inputs)?, name)
    };
    check_constant_arrays(&name, &lowered, x).map_err(|e| e.at(&site))?;
    Ok(out)
}

/// Indexes `x` by an op-level description and its index inputs (the
/// inputs `Item`s refer to): `Subtensor` or `AdvancedSubtensor`. Gradients
/// use this to index with the items of an existing node.
#[track_caller]
pub fn try_index_items(x: &Var, items: &[Item], index_inputs: &[Var]) -> Result<Var> {
    let mut inputs = vec![x.clone()];
    inputs.extend(index_inputs.iter().cloned());
    if is_advanced(items) {
        Var::apply1(
            AdvancedSubtensor {
                items: items.to_vec(),
            },
            &inputs,
        )
    } else {
        Var::apply1(
            Subtensor {
                items: items.to_vec(),
            },
            &inputs,
        )
    }
}

/// `IncSubtensor` from an op-level description: the pullback of `x[items]`
/// is `try_update_items(zeros_like(x), items, index_inputs, gz, Inc)`.
#[track_caller]
pub fn try_update_items(
    x: &Var,
    items: &[Item],
    index_inputs: &[Var],
    value: &Var,
    mode: IncMode,
) -> Result<Var> {
    let mut inputs = vec![x.clone(), value.clone()];
    inputs.extend(index_inputs.iter().cloned());
    Var::apply1(
        IncSubtensor {
            items: items.to_vec(),
            mode,
        },
        &inputs,
    )
}

/// `x[items] = value` (`Set`) or `x[items] += value` (`Inc`), as a new value.
#[track_caller]
pub fn try_update_index(
    x: &Var,
    items: &[IndexItem],
    value: impl Into<Operand>,
    mode: IncMode,
) -> Result<Var> {
    let site = Site::caller();
    let lowered = lower(items);
    let y = resolve_operands(vec![x.into(), value.into()]).remove(1);
    let op = IncSubtensor {
        items: lowered.items.clone(),
        mode,
    };
    let name = op.name();
    let out = Var::apply1(op, &with_inputs(&[x, &y], &lowered))?;
    check_constant_arrays(&name, &lowered, x).map_err(|e| e.at(&site))?;
    Ok(out)
}

/// Theano's form: `set_subtensor(x[...], y)` / `inc_subtensor(x[...], y)`,
/// where the first argument is the result of indexing.
#[track_caller]
pub fn try_update_subtensor(sub: &Var, value: impl Into<Operand>, mode: IncMode) -> Result<Var> {
    let items: Vec<Item> = if let Some(op) = sub.op_as::<Subtensor>() {
        op.items.clone()
    } else if let Some(op) = sub.op_as::<AdvancedSubtensor>() {
        op.items.clone()
    } else {
        let verb = match mode {
            IncMode::Set => "set_subtensor",
            IncMode::Inc => "inc_subtensor",
        };
        return Err(Error::value(
            verb,
            format!(
                "expects the result of indexing (x[...]) as its first argument, got {}",
                sub.label()
            ),
        )
        .at(&Site::caller()));
    };
    let (x, index) = sub.inputs().split_first().expect("indexing has an input");
    let y = resolve_operands(vec![x.into(), value.into()]).remove(1);
    try_update_items(x, &items, index, &y, mode)
}

/// `set_subtensor(x[...], y)`: `x` with the indexed elements replaced by `y`
/// (the last of repeated indices wins).
#[track_caller]
pub fn set_subtensor(sub: &Var, value: impl Into<Operand>) -> Var {
    try_update_subtensor(sub, value, IncMode::Set).unwrap_or_else(|e| panic!("{e}"))
}

/// `inc_subtensor(x[...], y)`: `x` with `y` added at the indexed elements
/// (every occurrence of a repeated index adds, like `np.add.at`).
#[track_caller]
pub fn inc_subtensor(sub: &Var, value: impl Into<Operand>) -> Var {
    try_update_subtensor(sub, value, IncMode::Inc).unwrap_or_else(|e| panic!("{e}"))
}

/// NumPy's `take(x, indices, axis)` with `mode='raise'`: elements of `x`
/// at integer `indices` along `axis` (negative axis and indices allowed).
#[track_caller]
pub fn try_take(x: &Var, indices: &Var, axis: i64) -> Result<Var> {
    let site = Site::caller();
    let axis = normalize_axis("take", axis, x.ndim()).map_err(|e| e.at(&site))?;
    if !indices.dtype().is_int() {
        return Err(Error::dtype("take", 1, indices.dtype(), "needs integer indices").at(&site));
    }
    let mut items = vec![IndexItem::full(); axis];
    items.push(IndexItem::Array(indices.clone()));
    try_index(x, &items)
}

/// `take(x, indices, axis)`; see [`try_take`].
#[track_caller]
pub fn take(x: &Var, indices: &Var, axis: i64) -> Var {
    try_take(x, indices, axis).unwrap_or_else(|e| panic!("{e}"))
}

/// NumPy's `nonzero`: one int64 coordinate vector per axis of `x`.
#[track_caller]
pub fn try_nonzero(x: &Var) -> Result<Vec<Var>> {
    Var::apply(Nonzero, std::slice::from_ref(x))
}

/// `nonzero(x)`; see [`try_nonzero`].
#[track_caller]
pub fn nonzero(x: &Var) -> Vec<Var> {
    try_nonzero(x).unwrap_or_else(|e| panic!("{e}"))
}

impl Var {
    /// NumPy indexing `x[...]`: `x.at(&s![1, 2..5, ..;-1, NEWAXIS, &idx])`.
    /// Basic indices give a view; index arrays and masks a copy. (`index`
    /// is taken: it is a variable's output position.)
    #[track_caller]
    pub fn at(&self, items: &[IndexItem]) -> Var {
        try_index(self, items).unwrap_or_else(|e| panic!("{e}"))
    }

    /// [`Var::at`] returning the error instead of panicking.
    #[track_caller]
    pub fn try_at(&self, items: &[IndexItem]) -> Result<Var> {
        try_index(self, items)
    }

    /// `x` with `x[items] = value` (broadcast to the indexed shape).
    #[track_caller]
    pub fn set_at(&self, items: &[IndexItem], value: impl Into<Operand>) -> Var {
        try_update_index(self, items, value, IncMode::Set).unwrap_or_else(|e| panic!("{e}"))
    }

    /// `x` with `value` added at `x[items]`, accumulating repeated indices.
    #[track_caller]
    pub fn inc_at(&self, items: &[IndexItem], value: impl Into<Operand>) -> Var {
        try_update_index(self, items, value, IncMode::Inc).unwrap_or_else(|e| panic!("{e}"))
    }

    /// [`Var::set_at`] returning the error instead of panicking.
    #[track_caller]
    pub fn try_set_at(&self, items: &[IndexItem], value: impl Into<Operand>) -> Result<Var> {
        try_update_index(self, items, value, IncMode::Set)
    }

    /// [`Var::inc_at`] returning the error instead of panicking.
    #[track_caller]
    pub fn try_inc_at(&self, items: &[IndexItem], value: impl Into<Operand>) -> Result<Var> {
        try_update_index(self, items, value, IncMode::Inc)
    }

    /// `take(self, indices, axis)`.
    #[track_caller]
    pub fn take(&self, indices: &Var, axis: i64) -> Var {
        take(self, indices, axis)
    }

    /// `nonzero(self)`.
    #[track_caller]
    pub fn nonzero(&self) -> Vec<Var> {
        nonzero(self)
    }
}
