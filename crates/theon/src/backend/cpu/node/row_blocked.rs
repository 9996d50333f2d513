//! The `RowBlocked` kernel: runs the node's inner program on consecutive
//! blocks of rows, each block's split inputs sized to stay in the core's
//! L2 cache (`BLOCK_BYTES`), so every inner node reading a block (`X·W`,
//! then `Xᵀ·G`) finds it in cache: the large input is read from memory
//! once. Threads take contiguous ranges of blocks, each with its own
//! frame and float64 accumulators for the `Sum` outputs; ranges are added
//! in order and row-indexed (`Concat`) outputs are copied into place.
//!
//! With one block (few rows) it runs the inner program once, which is
//! the reference `perform`. Inner kernels see block-sized inputs, below
//! their own threading thresholds, so they run on the calling thread.

use super::dense;
use crate::compile::{Inputs, Kernel};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::graph::{Op, PerformCtx};
use crate::ops::control::{RowBlocked, RowInput, RowOutput};
use crate::tensor::Tensor;
use rayon::prelude::*;

/// Bytes of split inputs per block: half of the 2 MiB L2 of this
/// machine's cores (the other half holds the inner intermediates and
/// the accumulators).
pub const BLOCK_BYTES: usize = 1 << 20;
/// Fewest rows per block (below this per-block overhead dominates).
const MIN_BLOCK_ROWS: usize = 16;

/// Runs a [`RowBlocked`] node block by block.
pub struct RowBlockedKernel {
    op: RowBlocked,
    /// Fixed rows per block (tests); `None` sizes blocks by `BLOCK_BYTES`.
    block_rows: Option<usize>,
    name: String,
}

/// The kernel for a `RowBlocked` node (compiling its inner program now,
/// so a function's build pays for it, not its first call).
pub fn select(op: &dyn Op) -> Option<RowBlockedKernel> {
    let op = op.as_any().downcast_ref::<RowBlocked>()?;
    // An inner graph that fails to compile reports its error at run time.
    let _ = op.body.program();
    Some(RowBlockedKernel::new(op.clone(), None))
}

impl RowBlockedKernel {
    /// A kernel with `block_rows` rows per block, or blocks sized by
    /// [`BLOCK_BYTES`] when `None`.
    pub fn new(op: RowBlocked, block_rows: Option<usize>) -> RowBlockedKernel {
        RowBlockedKernel {
            op,
            block_rows,
            name: "cpu.row_blocked".into(),
        }
    }

    /// Rows per block for these inputs.
    fn rows_per_block(&self, inputs: &[Tensor]) -> usize {
        if let Some(rows) = self.block_rows {
            return rows.max(1);
        }
        let row_bytes: usize = inputs
            .iter()
            .zip(&self.op.inputs)
            .filter(|(_, kind)| **kind == RowInput::Split)
            .map(|(t, _)| t.dtype().size() * t.shape()[1..].iter().product::<usize>())
            .sum();
        (BLOCK_BYTES / row_bytes.max(1)).max(MIN_BLOCK_ROWS)
    }

    /// The node's outputs from its input values.
    pub fn run_blocks(&self, inputs: &[Tensor]) -> Result<Vec<Tensor>> {
        let n = self.op.rows(inputs)?.unwrap_or(0);
        let rows = self.rows_per_block(inputs);
        if n <= rows {
            return self.op.body.run(inputs.to_vec());
        }
        let blocks = n.div_ceil(rows);
        let threads = rayon::current_num_threads().clamp(1, blocks);
        let per_thread = blocks.div_ceil(threads);
        let ranges: Vec<(usize, usize)> = (0..threads)
            .map(|t| (t * per_thread * rows, ((t + 1) * per_thread * rows).min(n)))
            .filter(|(a, b)| a < b)
            .collect();
        let partials = ranges
            .into_par_iter()
            .map(|(r0, r1)| self.run_range(inputs, r0, r1, rows))
            .collect::<Result<Vec<Partial>>>()?;
        self.combine(partials, n)
    }

    /// Runs the blocks of rows `r0..r1` on one thread.
    fn run_range(&self, inputs: &[Tensor], r0: usize, r1: usize, rows: usize) -> Result<Partial> {
        let mut runner = self.op.body.runner()?;
        let mut partial = Partial::new(self.op.outputs.len());
        for start in (r0..r1).step_by(rows) {
            let stop = (start + rows).min(r1);
            let args = inputs
                .iter()
                .zip(&self.op.inputs)
                .map(|(t, kind)| match kind {
                    RowInput::Split => t.slice_axis(0, Some(start as i64), Some(stop as i64), 1),
                    RowInput::Whole => Ok(t.clone()),
                })
                .collect::<Result<Vec<Tensor>>>()?;
            let outs = runner.run(args.into_iter())?;
            partial.add(&self.op.outputs, outs)?;
        }
        Ok(partial)
    }

    /// Adds the ranges' sums in order and concatenates their rows.
    fn combine(&self, partials: Vec<Partial>, n: usize) -> Result<Vec<Tensor>> {
        let mut results = Vec::with_capacity(self.op.outputs.len());
        for (k, kind) in self.op.outputs.iter().enumerate() {
            let out = match kind {
                RowOutput::Sum => {
                    let mut total: Option<Accumulator> = None;
                    for p in &partials {
                        let acc = p.sums[k].as_ref().expect("every range ran a block");
                        match &mut total {
                            None => total = Some(acc.clone()),
                            Some(t) => t.add_values(&acc.values),
                        }
                    }
                    total.expect("at least one range").finish()?
                }
                RowOutput::Concat => {
                    let blocks: Vec<&Tensor> = partials.iter().flat_map(|p| &p.rows[k]).collect();
                    concat_rows(&blocks, n)?
                }
            };
            results.push(out);
        }
        Ok(results)
    }
}

impl Kernel for RowBlockedKernel {
    fn name(&self) -> &str {
        &self.name
    }

    fn run(
        &self,
        inputs: &mut Inputs<'_>,
        _ctx: &PerformCtx,
        outputs: &mut Vec<Tensor>,
    ) -> Result<()> {
        outputs.extend(self.run_blocks(&inputs.to_vec())?);
        Ok(())
    }
}

/// One thread's results: sums so far and its blocks of rows.
struct Partial {
    sums: Vec<Option<Accumulator>>,
    rows: Vec<Vec<Tensor>>,
}

impl Partial {
    fn new(outputs: usize) -> Partial {
        Partial {
            sums: (0..outputs).map(|_| None).collect(),
            rows: (0..outputs).map(|_| Vec::new()).collect(),
        }
    }

    fn add(&mut self, kinds: &[RowOutput], outs: Vec<Tensor>) -> Result<()> {
        for (k, (kind, value)) in kinds.iter().zip(outs).enumerate() {
            match kind {
                RowOutput::Concat => self.rows[k].push(value),
                RowOutput::Sum => match &mut self.sums[k] {
                    None => self.sums[k] = Some(Accumulator::of(&value)),
                    Some(acc) => acc.add(&value, k)?,
                },
            }
        }
        Ok(())
    }
}

/// A float64 running sum of one output's block values.
#[derive(Clone)]
struct Accumulator {
    dtype: DType,
    shape: Vec<usize>,
    values: Vec<f64>,
}

impl Accumulator {
    fn of(t: &Tensor) -> Accumulator {
        let mut acc = Accumulator {
            dtype: t.dtype(),
            shape: t.shape().to_vec(),
            values: vec![0.0; t.size()],
        };
        acc.add_tensor(t);
        acc
    }

    fn add(&mut self, t: &Tensor, output: usize) -> Result<()> {
        if t.shape() != self.shape.as_slice() {
            return Err(Error::value(
                "row_blocked",
                format!(
                    "sum output {output} has shape {:?} in one block and {:?} in another",
                    self.shape,
                    t.shape()
                ),
            ));
        }
        self.add_tensor(t);
        Ok(())
    }

    fn add_tensor(&mut self, t: &Tensor) {
        let acc = &mut self.values;
        let contiguous = t.is_contiguous();
        match t.dtype() {
            DType::F32 if contiguous => (acc.iter_mut())
                .zip(t.as_slice::<f32>().expect("contiguous"))
                .for_each(|(a, &v)| *a += v as f64),
            DType::F64 if contiguous => (acc.iter_mut())
                .zip(t.as_slice::<f64>().expect("contiguous"))
                .for_each(|(a, &v)| *a += v),
            _ => (acc.iter_mut())
                .zip(t.to_f64_vec())
                .for_each(|(a, v)| *a += v),
        }
    }

    fn add_values(&mut self, values: &[f64]) {
        self.values
            .iter_mut()
            .zip(values)
            .for_each(|(a, v)| *a += v);
    }

    fn finish(self) -> Result<Tensor> {
        Tensor::from_f64s(self.dtype, &self.shape, &self.values)
    }
}

/// The blocks stacked along axis 0 into one tensor of `n` rows.
fn concat_rows(blocks: &[&Tensor], n: usize) -> Result<Tensor> {
    let first = blocks.first().expect("at least one block");
    let mut shape = first.shape().to_vec();
    let fits = blocks.iter().all(|b| b.shape()[1..] == shape[1..]);
    let total: usize = blocks.iter().map(|b| b.shape()[0]).sum();
    if !fits || total != n {
        let shapes: Vec<&[usize]> = blocks.iter().take(3).map(|b| b.shape()).collect();
        return Err(Error::value(
            "row_blocked",
            format!("row outputs of blocks do not stack into {n} rows: shapes {shapes:?}..."),
        ));
    }
    shape[0] = n;
    let dtype = first.dtype();
    let mut out = Tensor::zeros(dtype, &shape);
    crate::with_dtype!(dtype, T => {
        let dst = out.data_mut::<T>();
        let mut at = 0;
        for b in blocks {
            let d = dense(b);
            let src = d.as_slice::<T>().expect("dense");
            dst[at..at + src.len()].copy_from_slice(src);
            at += src.len();
        }
    });
    Ok(out)
}
