//! `DebugMode`: runs every node's reference `perform` on private copies of
//! its inputs next to the kernel actually selected, and checks that
//! * the two agree (per-dtype tolerances; integers and bools exactly),
//! * the kernel produced no NaN or Inf where the reference has none,
//! * the kernel left its inputs unchanged, unless the op declares the
//!   overwrite in `destroy_map` (or took an input that died there),
//! * outputs alias inputs only as the op declares in `view_map`, and are
//!   views where the reference returns a view.
//!
//! A failure names the node, its kernel, the rewrites that produced it and
//! the user's source line.

use super::exec::Hook;
use super::program::Step;
use crate::error::{Error, Result};
use crate::graph::{summary, PerformCtx};
use crate::tensor::Tensor;
use crate::DType;

/// DebugMode's options (Theano's `DebugMode`).
#[derive(Clone, Debug, PartialEq)]
pub struct DebugMode {
    /// Flag NaN/Inf in a kernel output where the reference has a finite value.
    pub check_finite: bool,
    /// Check `destroy_map` and `view_map` (no undeclared overwrites or
    /// aliases).
    pub check_aliasing: bool,
    /// Relative and absolute tolerance scale: multiplied into the per-dtype
    /// defaults (`1.0` = float64 `1e-7`/`1e-10`, float32 `1e-4`/`1e-6`,
    /// float16 `1e-2`/`1e-3`).
    pub tolerance_scale: f64,
}

impl Default for DebugMode {
    fn default() -> Self {
        DebugMode {
            check_finite: true,
            check_aliasing: true,
            tolerance_scale: 1.0,
        }
    }
}

impl DebugMode {
    /// `(rtol, atol)` for comparing values of `dtype`.
    pub fn tolerance(&self, dtype: DType) -> (f64, f64) {
        let (r, a) = match dtype {
            DType::F64 => (1e-7, 1e-10),
            DType::F32 => (1e-4, 1e-6),
            DType::F16 => (1e-2, 1e-3),
            _ => (0.0, 0.0),
        };
        (r * self.tolerance_scale, a * self.tolerance_scale)
    }
}

/// The hook that applies [`DebugMode`] to each step.
pub(crate) struct DebugHook<'a> {
    pub mode: &'a DebugMode,
    copies: Vec<Tensor>,
    input_ids: Vec<usize>,
}

impl<'a> DebugHook<'a> {
    pub fn new(mode: &'a DebugMode) -> Self {
        DebugHook {
            mode,
            copies: Vec::new(),
            input_ids: Vec::new(),
        }
    }
}

/// An error about `step` with its kernel, history and site.
pub(crate) fn node_error(check: &str, step: &Step, message: String) -> Error {
    let history = if step.history.is_empty() {
        "none (the node is as the user built it)".to_string()
    } else {
        step.history.join(" -> ")
    };
    Error::value(
        format!("{check}: node {}", step.label),
        format!(
            "{message} (kernel '{}'; rewrite history: {history})",
            step.kernel.name()
        ),
    )
    .at(&step.site)
}

impl Hook for DebugHook<'_> {
    fn before_step(&mut self, _: usize, step: &Step, slots: &[Option<Tensor>]) -> Result<()> {
        self.copies.clear();
        self.input_ids.clear();
        for &s in &step.inputs {
            let value = slots[s].as_ref().expect("executor: input computed");
            self.copies.push(value.to_contiguous_copy());
            self.input_ids.push(value.buffer_id());
        }
        Ok(())
    }

    fn after_step(
        &mut self,
        _: usize,
        step: &Step,
        slots: &[Option<Tensor>],
        outputs: &[Tensor],
    ) -> Result<()> {
        let ctx = PerformCtx {
            input_types: &step.input_types,
            output_types: &step.output_types,
        };
        let reference = step.op.perform(&self.copies, &ctx).map_err(|e| {
            node_error(
                "DebugMode",
                step,
                format!("the kernel succeeded but the reference perform failed: {e}"),
            )
        })?;
        for (i, (got, want)) in outputs.iter().zip(&reference).enumerate() {
            self.compare(step, i, got, want)?;
        }
        if self.mode.check_aliasing {
            self.check_inputs_unchanged(step, slots)?;
            self.check_views(step, outputs, &reference)?;
        }
        Ok(())
    }
}

impl DebugHook<'_> {
    fn compare(&self, step: &Step, i: usize, got: &Tensor, want: &Tensor) -> Result<()> {
        if got.dtype() != want.dtype() || got.shape() != want.shape() {
            return Err(node_error(
                "DebugMode",
                step,
                format!(
                    "output {i} is {} {:?} but the reference gives {} {:?}",
                    got.dtype(),
                    got.shape(),
                    want.dtype(),
                    want.shape()
                ),
            ));
        }
        let (rtol, atol) = self.mode.tolerance(got.dtype());
        let (g, w) = (got.to_f64_vec(), want.to_f64_vec());
        for (k, (&a, &b)) in g.iter().zip(&w).enumerate() {
            let invalid = !a.is_finite() && b.is_finite();
            if invalid && self.mode.check_finite {
                return Err(node_error(
                    "DebugMode",
                    step,
                    format!("output {i} has invalid value {a} at flat index {k} where the reference has {b}"),
                ));
            }
            let same =
                a == b || (a.is_nan() && b.is_nan()) || (a - b).abs() <= atol + rtol * b.abs();
            if !same {
                return Err(node_error(
                    "DebugMode",
                    step,
                    format!(
                        "output {i} disagrees with the reference at flat index {k}: kernel {a}, \
                         reference {b} (rtol {rtol}, atol {atol}); kernel output {}, reference {}",
                        summary(got),
                        summary(want)
                    ),
                ));
            }
        }
        Ok(())
    }

    fn check_inputs_unchanged(&self, step: &Step, slots: &[Option<Tensor>]) -> Result<()> {
        let destroyed = step.op.destroy_map();
        for (i, (&s, copy)) in step.inputs.iter().zip(&self.copies).enumerate() {
            let Some(now) = &slots[s] else { continue };
            if destroyed.iter().any(|&(_, d)| d == i) {
                continue;
            }
            if !now.bit_eq(copy) {
                return Err(node_error(
                    "DebugMode",
                    step,
                    format!(
                        "the kernel overwrote input {i} ({} -> {}), which the op does not declare in destroy_map",
                        summary(copy),
                        summary(now)
                    ),
                ));
            }
        }
        Ok(())
    }

    fn check_views(&self, step: &Step, outputs: &[Tensor], reference: &[Tensor]) -> Result<()> {
        let views = step.op.view_map();
        let destroys = step.op.destroy_map();
        let copy_ids: Vec<usize> = self.copies.iter().map(Tensor::buffer_id).collect();
        for (o, out) in outputs.iter().enumerate() {
            let declared: Vec<usize> = views
                .iter()
                .chain(&destroys)
                .filter(|&&(vo, _)| vo == o)
                .map(|&(_, vi)| vi)
                .collect();
            for (i, &id) in self.input_ids.iter().enumerate() {
                if out.buffer_id() == id && !declared.contains(&i) && out.size() > 0 {
                    return Err(node_error(
                        "DebugMode",
                        step,
                        format!("output {o} aliases input {i}, which the op does not declare in view_map or destroy_map"),
                    ));
                }
            }
            for &i in &declared {
                let reference_views = reference[o].buffer_id() == copy_ids[i];
                if reference_views && out.buffer_id() != self.input_ids[i] && out.size() > 0 {
                    return Err(node_error(
                        "DebugMode",
                        step,
                        format!("output {o} is declared a view of input {i} (view_map) and the reference returns a view, but the kernel returned a copy"),
                    ));
                }
            }
        }
        Ok(())
    }
}
