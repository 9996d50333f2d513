//! The runtime form of an index: symbolic parts resolved from the index
//! input values, every integer range-checked (an error names the axis, the
//! index and the size), and — for advanced indexing and set/inc — the list
//! of source positions each output element reads. Nothing here reads or
//! writes memory outside the indexed tensor.

use super::spec::{arrange, block_position, expand, normalize_index, Item, Scal, SliceSpec};
use crate::error::{Error, Result};
use crate::tensor::{broadcast_shapes, c_strides, size_of, unravel, Scalar, Tensor};

/// A scalar's value as an index, or `None` for bools and floats. Unsigned
/// values beyond `i64::MAX` saturate (they are out of range anyway).
fn as_index(s: Scalar) -> Option<i64> {
    match s {
        Scalar::Int(i) => Some(i),
        Scalar::UInt(u) => Some(i64::try_from(u).unwrap_or(i64::MAX)),
        Scalar::Bool(_) | Scalar::Float(_) => None,
    }
}

fn index_input<'a>(op: &str, index: &'a [Tensor], k: usize) -> Result<&'a Tensor> {
    index
        .get(k)
        .ok_or_else(|| Error::value(op, format!("index input {k} is missing")))
}

/// The value of an integer in an index.
pub fn resolve_scal(op: &str, s: Scal, index: &[Tensor]) -> Result<i64> {
    match s {
        Scal::Const(c) => Ok(c),
        Scal::Input(k) => {
            let t = index_input(op, index, k)?;
            if t.ndim() != 0 || !t.dtype().is_int() {
                return Err(Error::value(
                    op,
                    format!(
                        "index input {k} must be an integer scalar, got {} of shape {:?}",
                        t.dtype(),
                        t.shape()
                    ),
                ));
            }
            as_index(t.item()).ok_or_else(|| Error::value(op, "index is not an integer"))
        }
    }
}

/// `(start, stop, step)` of a slice with symbolic parts resolved; the step
/// is checked to be non-zero.
pub fn resolve_slice(
    op: &str,
    spec: &SliceSpec,
    axis: usize,
    index: &[Tensor],
) -> Result<(Option<i64>, Option<i64>, i64)> {
    let get = |s: Option<Scal>| s.map(|s| resolve_scal(op, s, index)).transpose();
    let step = get(spec.step)?.unwrap_or(1);
    if step == 0 {
        return Err(Error::value(
            op,
            format!("slice step cannot be zero (axis {axis})"),
        ));
    }
    Ok((get(spec.start)?, get(spec.stop)?, step))
}

/// An advanced index array, normalised and range-checked, for one input axis.
struct IndexArray {
    axis: usize,
    shape: Vec<usize>,
    strides: Vec<isize>,
    values: Vec<usize>,
}

impl IndexArray {
    fn new(axis: usize, shape: Vec<usize>, values: Vec<usize>) -> Self {
        let strides = c_strides(&shape);
        IndexArray {
            axis,
            shape,
            strides,
            values,
        }
    }

    fn from_tensor(op: &str, t: &Tensor, axis: usize, size: usize) -> Result<Self> {
        if !t.dtype().is_int() {
            return Err(Error::value(
                op,
                format!(
                    "arrays used as indices must be of integer (or boolean) type, got {}",
                    t.dtype()
                ),
            ));
        }
        let values = t
            .to_scalars()
            .into_iter()
            .map(|s| {
                let i = as_index(s).expect("integer dtype");
                normalize_index(op, axis, i, size)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(IndexArray::new(axis, t.shape().to_vec(), values))
    }

    /// The value at a position of the broadcast block (right-aligned).
    fn at(&self, block_index: &[usize]) -> usize {
        let pad = block_index.len() - self.shape.len();
        let flat: isize = self
            .shape
            .iter()
            .zip(&self.strides)
            .enumerate()
            .map(|(j, (&d, &s))| {
                if d == 1 {
                    0
                } else {
                    block_index[pad + j] as isize * s
                }
            })
            .sum();
        self.values[flat as usize]
    }
}

/// The coordinates of the true elements of a mask covering `dims` (axes
/// from `first_axis`), one index array per covered axis.
fn mask_arrays(
    op: &str,
    mask: &Tensor,
    first_axis: usize,
    dims: &[usize],
) -> Result<Vec<IndexArray>> {
    if !mask.dtype().is_bool() || mask.ndim() != dims.len() {
        return Err(Error::value(
            op,
            format!(
                "expected a boolean mask of rank {}, got {} of shape {:?}",
                dims.len(),
                mask.dtype(),
                mask.shape()
            ),
        ));
    }
    for (j, (&m, &d)) in mask.shape().iter().zip(dims).enumerate() {
        if m != d {
            return Err(Error::value(
                op,
                format!(
                    "boolean index did not match indexed array along axis {}; size of axis is {d} but size of corresponding boolean axis is {m}",
                    first_axis + j
                ),
            ));
        }
    }
    let mut coords: Vec<Vec<usize>> = vec![Vec::new(); dims.len()];
    for (flat, v) in mask.to_scalars().into_iter().enumerate() {
        if v.as_bool() {
            for (c, i) in coords.iter_mut().zip(unravel(flat, dims)) {
                c.push(i);
            }
        }
    }
    Ok(coords
        .into_iter()
        .enumerate()
        .map(|(j, c)| IndexArray::new(first_axis + j, vec![c.len()], c))
        .collect())
}

/// A basic output dim: a slice of an input axis or a new axis.
enum BasicDim {
    Range {
        axis: usize,
        start: i64,
        step: i64,
        len: usize,
    },
    New,
}

impl BasicDim {
    fn len(&self) -> usize {
        match self {
            BasicDim::Range { len, .. } => *len,
            BasicDim::New => 1,
        }
    }
}

/// Which element of the (C-order) input each output element is, in runs:
/// the result's trailing dims that take whole input axes in order (the
/// `:` of `x[i, :]`) are copied as one run of consecutive input elements.
pub struct Gather {
    /// The shape of the indexed result.
    pub shape: Vec<usize>,
    /// Output elements per run (1 when no trailing dim is a whole axis).
    pub run: usize,
    /// For each run in C order, the flat C-order input position of its
    /// first element; the run's elements follow it in the input.
    pub starts: Vec<usize>,
}

impl Gather {
    /// Each output element's flat C-order position in the input, in C order.
    pub fn sources(&self) -> impl Iterator<Item = usize> + '_ {
        self.starts.iter().flat_map(move |&s| s..s + self.run)
    }
}

/// The input offsets of every position of a grid of basic dims, in C
/// order (one offset, 0, for no dims).
fn basic_offsets(dims: &[BasicDim], x_strides: &[isize]) -> Vec<isize> {
    let mut offsets = vec![0isize];
    for dim in dims {
        let (first, step, len) = match *dim {
            BasicDim::Range {
                axis,
                start,
                step,
                len,
            } => {
                let stride = x_strides[axis];
                (start as isize * stride, step as isize * stride, len)
            }
            BasicDim::New => (0, 0, 1),
        };
        offsets = (offsets.iter())
            .flat_map(|&o| (0..len).map(move |i| o + first + i as isize * step))
            .collect();
    }
    offsets
}

/// The input offset each position of the broadcast block reads through
/// the index arrays, in C order.
fn block_offsets(arrays: &[IndexArray], block: &[usize], x_strides: &[isize]) -> Vec<isize> {
    let n = size_of(block);
    let mut offsets = Vec::with_capacity(n);
    let mut idx = vec![0usize; block.len()];
    for _ in 0..n {
        let offset = (arrays.iter())
            .map(|a| a.at(&idx) as isize * x_strides[a.axis])
            .sum();
        offsets.push(offset);
        for (i, &d) in idx.iter_mut().zip(block).rev() {
            *i += 1;
            if *i < d {
                break;
            }
            *i = 0;
        }
    }
    offsets
}

/// How many of the last basic dims (from `first` on, i.e. after the
/// advanced block in the result) take the input's last axes whole, in order.
fn whole_tail(basic: &[BasicDim], first: usize, x_shape: &[usize]) -> usize {
    let mut tail = 0;
    for dim in basic[first..].iter().rev() {
        let innermost = x_shape.len().checked_sub(tail + 1);
        match *dim {
            BasicDim::Range {
                axis,
                start: 0,
                step: 1,
                len,
            } if Some(axis) == innermost && len == x_shape[axis] => tail += 1,
            _ => break,
        }
    }
    tail
}

/// Resolves `items` against an input of `x_shape` and lists the source of
/// every element of the result (NumPy's basic and advanced indexing).
pub fn gather(op: &str, items: &[Item], x_shape: &[usize], index: &[Tensor]) -> Result<Gather> {
    let placed = expand(op, items, x_shape.len())?;
    let mut basic = Vec::new();
    let mut arrays = Vec::new();
    for p in &placed {
        let size = x_shape.get(p.axis).copied().unwrap_or(0);
        match p.item {
            Item::Int(s) => {
                let i = normalize_index(op, p.axis, resolve_scal(op, s, index)?, size)?;
                arrays.push(IndexArray::new(p.axis, vec![], vec![i]));
            }
            Item::Slice(spec) => {
                let (start, stop, step) = resolve_slice(op, &spec, p.axis, index)?;
                let (start, len) = super::spec::slice_extent(size, start, stop, step);
                basic.push(BasicDim::Range {
                    axis: p.axis,
                    start,
                    step,
                    len,
                });
            }
            Item::NewAxis => basic.push(BasicDim::New),
            Item::Ellipsis => {}
            Item::Array(k) => arrays.push(IndexArray::from_tensor(
                op,
                index_input(op, index, k)?,
                p.axis,
                size,
            )?),
            Item::Mask { input, ndim } => arrays.extend(mask_arrays(
                op,
                index_input(op, index, input)?,
                p.axis,
                &x_shape[p.axis..p.axis + ndim],
            )?),
        }
    }
    let shapes: Vec<&[usize]> = arrays.iter().map(|a| a.shape.as_slice()).collect();
    let block = broadcast_shapes(&shapes).ok_or_else(|| {
        let text: Vec<String> = shapes.iter().map(|s| format!("{s:?}")).collect();
        Error::value(
            op,
            format!(
                "shape mismatch: indexing arrays could not be broadcast together with shapes {}",
                text.join(" ")
            ),
        )
    })?;
    let lens: Vec<usize> = basic.iter().map(BasicDim::len).collect();
    let position = block_position(&placed);
    let shape = arrange(&lens, &block, position);
    // Without index arrays the block is empty and may sit anywhere.
    let at = if block.is_empty() {
        0
    } else {
        position.unwrap_or(0)
    };
    let tail = whole_tail(&basic, at, x_shape);
    let run = size_of(&shape[shape.len() - tail..]);
    let x_strides = c_strides(x_shape);
    // The result's outer dims are the basic dims before the block, the
    // block, and the basic dims after it (less the whole-axis tail); each
    // group's offsets are listed once and a run starts at their sum.
    let before = basic_offsets(&basic[..at], &x_strides);
    let within = block_offsets(&arrays, &block, &x_strides);
    let after = basic_offsets(&basic[at..basic.len() - tail], &x_strides);
    let runs = if run == 0 {
        0
    } else {
        before.len() * within.len() * after.len()
    };
    let mut starts = Vec::with_capacity(runs);
    if runs > 0 {
        for &p in &before {
            for &b in &within {
                starts.extend(after.iter().map(|&q| (p + b + q) as usize));
            }
        }
    }
    Ok(Gather { shape, run, starts })
}
