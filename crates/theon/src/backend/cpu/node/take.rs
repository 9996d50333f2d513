//! The `cpu.index` gather's fast path for `take(x, idx, axis=-1)` and
//! `x[:, ..., idx]`: leading whole axes and one integer index array on the
//! last axis. Each output row is `row[idx[k]]` for every k, read straight
//! from the input row, instead of a gather plan that lists a start for
//! every single output element (the general path's cost here).

use crate::error::Result;
use crate::ops::indexing::{normalize_index, Item};
use crate::tensor::{Element, Tensor};
use rayon::prelude::*;

/// Output bytes from which rows are gathered on several threads.
const PAR_MIN_BYTES: usize = 1 << 20;

/// `Some(result)` when `items` are whole slices followed by one integer
/// array on the last axis of `x` (`index[0]`), else `None`. Out-of-range
/// indices give the reference's `IndexError` (same op, axis and size).
pub fn take_last_axis(
    op: &str,
    items: &[Item],
    x: &Tensor,
    index: &[Tensor],
) -> Option<Result<Tensor>> {
    let (last, leading) = items.split_last()?;
    let whole = |i: &Item| matches!(i, Item::Slice(s) if s.is_full());
    let idx = index.first()?;
    if x.ndim() == 0
        || leading.len() + 1 != x.ndim()
        || !leading.iter().all(whole)
        || *last != Item::Array(0)
        || index.len() != 1
        || !idx.dtype().is_int()
    {
        return None;
    }
    let axis = x.ndim() - 1;
    let size = x.shape()[axis];
    let picks: Result<Vec<usize>> = idx
        .to_scalars()
        .iter()
        .map(|s| normalize_index(op, axis, s.as_i64(), size))
        .collect();
    Some(picks.map(|picks| {
        let mut shape = x.shape()[..axis].to_vec();
        shape.extend_from_slice(idx.shape());
        let x = super::dense(x);
        let mut out = Tensor::empty(x.dtype(), &shape);
        crate::with_dtype!(x.dtype(), T => {
            let src = x.as_slice::<T>().expect("dense is contiguous");
            gather_rows(src, size, &picks, out.data_mut::<T>());
        });
        out
    }))
}

/// `out[r, k] = x[r, picks[k]]` for every row `r` of the `rows × size` input.
fn gather_rows<T: Element + Copy>(x: &[T], size: usize, picks: &[usize], out: &mut [T]) {
    if picks.is_empty() || size == 0 {
        return;
    }
    let row = |(o, r): (&mut [T], &[T])| {
        for (o, &i) in o.iter_mut().zip(picks) {
            *o = r[i];
        }
    };
    if std::mem::size_of_val(out) < PAR_MIN_BYTES {
        out.chunks_mut(picks.len())
            .zip(x.chunks(size))
            .for_each(row);
    } else {
        out.par_chunks_mut(picks.len())
            .zip(x.par_chunks(size))
            .for_each(row);
    }
}
