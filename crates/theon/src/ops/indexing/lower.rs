//! Lowering: from the user's `IndexItem`s to an op's stored `Item`s and
//! its index inputs. Constant integer scalars fold into the items (so static
//! shapes propagate and ranges are checked at graph construction); the same
//! variable used twice becomes one index input. Constant index arrays are
//! range-checked here when the indexed dim is static.

use super::item::{IndexItem, IntArg};
use super::spec::{expand, normalize_index, Item, Scal, SliceSpec};
use crate::error::Result;
use crate::graph::Var;
use crate::tensor::Scalar;

/// An op-level index: items plus the variables they refer to.
pub struct Lowered {
    pub items: Vec<Item>,
    pub index_inputs: Vec<Var>,
}

impl Lowered {
    fn input(&mut self, v: &Var) -> usize {
        if let Some(k) = self.index_inputs.iter().position(|u| u == v) {
            return k;
        }
        self.index_inputs.push(v.clone());
        self.index_inputs.len() - 1
    }

    fn scal(&mut self, arg: &IntArg) -> Scal {
        match arg {
            IntArg::Const(c) => Scal::Const(*c),
            IntArg::Var(v) => match constant_int(v) {
                Some(c) => Scal::Const(c),
                None => Scal::Input(self.input(v)),
            },
        }
    }

    fn bound(&mut self, arg: &Option<IntArg>) -> Option<Scal> {
        arg.as_ref().map(|a| self.scal(a))
    }
}

/// The value of a rank-0 integer constant.
fn constant_int(v: &Var) -> Option<i64> {
    let t = v.constant_value()?;
    if t.ndim() != 0 || !t.dtype().is_int() {
        return None;
    }
    match t.item() {
        Scalar::Int(i) => Some(i),
        Scalar::UInt(u) => Some(i64::try_from(u).unwrap_or(i64::MAX)),
        _ => None,
    }
}

/// Lowers a user index. Type errors (float indices, ...) are left to the
/// op's type rule, which reports them with the user's line.
pub fn lower(items: &[IndexItem]) -> Lowered {
    let mut out = Lowered {
        items: Vec::with_capacity(items.len()),
        index_inputs: Vec::new(),
    };
    for item in items {
        let lowered = match item {
            IndexItem::Int(arg) => Item::Int(out.scal(arg)),
            IndexItem::Slice { start, stop, step } => Item::Slice(SliceSpec {
                start: out.bound(start),
                stop: out.bound(stop),
                step: out.bound(step),
            }),
            IndexItem::NewAxis => Item::NewAxis,
            IndexItem::Ellipsis => Item::Ellipsis,
            IndexItem::Array(v) if v.ndim() == 0 && v.dtype().is_int() => {
                Item::Int(out.scal(&IntArg::Var(v.clone())))
            }
            // A rank-0 mask is rejected by the type rule with its own message.
            IndexItem::Array(v) if v.dtype().is_bool() => Item::Mask {
                input: out.input(v),
                ndim: v.ndim(),
            },
            IndexItem::Array(v) => Item::Array(out.input(v)),
        };
        out.items.push(lowered);
    }
    out
}

/// Range-checks constant index arrays against static dims, so that an
/// out-of-range constant index fails at graph construction.
pub fn check_constant_arrays(op: &str, lowered: &Lowered, x: &Var) -> Result<()> {
    let placed = expand(op, &lowered.items, x.ndim())?;
    for p in placed {
        let Item::Array(k) = p.item else { continue };
        let (Some(size), Some(values)) = (
            x.ty().shape[p.axis],
            lowered.index_inputs[k].constant_value(),
        ) else {
            continue;
        };
        if !values.dtype().is_int() {
            continue;
        }
        for v in values.to_scalars() {
            let i = match v {
                Scalar::Int(i) => i,
                Scalar::UInt(u) => i64::try_from(u).unwrap_or(i64::MAX),
                _ => continue,
            };
            normalize_index(op, p.axis, i, size)?;
        }
    }
    Ok(())
}
