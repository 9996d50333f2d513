//! Derivative rules of mean, var/std, cumsum/cumprod and logsumexp (the
//! `Op` methods in `moments.rs`, `cumulative.rs` and `logsumexp.rs` call
//! these). Argmax/argmin give
//! integers and declare themselves not differentiable; sum/prod/max/min
//! keep their rules beside them in `basic.rs`.
//!
//! The rules build graphs from public ops only, so they differentiate
//! again. Counts along reduced axes come from `shape_i` (a constant when
//! the dim is static), so inputs of unknown shape work.

use super::axis::Axis;
use super::basic::{try_reduce, ReduceKind};
use super::cumulative::{try_cumulative, CumKind, CumOp};
use super::logsumexp::LogSumExp;
use super::moments::{try_mean, Dispersion, Mean, Variance};
use crate::error::Result;
use crate::graph::{Grad, Var};
use crate::ops::creation::{fill, zeros_like};
use crate::ops::elemwise::{eq, exp, gt, logical_and, logical_or, maximum, switch};
use crate::ops::operand::scalar_constant;
use crate::ops::shape::{try_dimshuffle, try_flip, try_reshape, try_shape_i};

/// `v` (a reduction's output or its gradient) with the reduced `axes`
/// re-inserted as size 1, so it broadcasts against the input.
pub(super) fn reinsert_axes(v: &Var, axes: &[usize], keepdims: bool) -> Result<Var> {
    if keepdims {
        return Ok(v.clone());
    }
    let mut kept = 0..;
    let ndim = v.ndim() + axes.len();
    let pattern: Vec<Option<usize>> = (0..ndim)
        .map(|a| (!axes.contains(&a)).then(|| kept.next().expect("unbounded")))
        .collect();
    try_dimshuffle(v, &pattern)
}

/// The number of elements each output reduces, as a float scalar of `x`'s
/// dtype (1 for no axes).
fn count_along(x: &Var, axes: &[usize]) -> Result<Var> {
    let mut n = scalar_constant(1i64, x.dtype());
    for &a in axes {
        n = n * try_shape_i(x, a as i64)?.cast(x.dtype());
    }
    Ok(n)
}

fn as_i64(axes: &[usize]) -> Vec<i64> {
    axes.iter().map(|&a| a as i64).collect()
}

impl Mean {
    /// `∂mean/∂x = 1/n` everywhere: the gradient spread evenly.
    pub(super) fn mean_pullback(&self, x: &Var, g: &Var) -> Result<Vec<Grad>> {
        if !x.dtype().is_float() {
            return Ok(vec![Grad::Value(zeros_like(x, None))]);
        }
        let g_keep = reinsert_axes(g, &self.axes, self.keepdims)?.cast(x.dtype());
        let n = count_along(x, &self.axes)?;
        Ok(vec![Grad::Value(fill(x, g_keep / n))])
    }

    /// Linear: the mean of the tangent.
    pub(super) fn mean_pushforward(&self, t: &Var) -> Result<Vec<Option<Var>>> {
        Ok(vec![Some(try_mean(t, as_i64(&self.axes), self.keepdims)?)])
    }
}

impl Variance {
    /// `x - mean(x)` and the divisor `max(n - ddof, 0)`, as in the kernel.
    fn centered_and_divisor(&self, x: &Var) -> Result<(Var, Var)> {
        let m = try_mean(x, as_i64(&self.axes), true)?;
        let n = count_along(x, &self.axes)?;
        let divisor = maximum(n - self.ddof as f64, 0.0);
        Ok((x - m, divisor))
    }

    /// `∂var/∂x = 2 (x - mean) / (n - ddof)` (the mean's own dependence on
    /// `x` cancels); `∂std/∂x = ∂var/∂x / (2 std)`.
    pub(super) fn variance_pullback(&self, x: &Var, out: &Var, g: &Var) -> Result<Vec<Grad>> {
        if !x.dtype().is_float() {
            return Ok(vec![Grad::Value(zeros_like(x, None))]);
        }
        let (centered, divisor) = self.centered_and_divisor(x)?;
        let mut g_keep = reinsert_axes(g, &self.axes, self.keepdims)?.cast(x.dtype());
        if self.kind == Dispersion::Std {
            g_keep = g_keep / (reinsert_axes(out, &self.axes, self.keepdims)? * 2.0);
        }
        Ok(vec![Grad::Value(centered * 2.0 * g_keep / divisor)])
    }

    /// `Σ 2 (x - mean) t / (n - ddof)` along the axes (over `2 std` for std).
    pub(super) fn variance_pushforward(
        &self,
        x: &Var,
        out: &Var,
        t: &Var,
    ) -> Result<Vec<Option<Var>>> {
        let (centered, divisor) = self.centered_and_divisor(x)?;
        let weighted = centered * 2.0 * t / divisor;
        let mut jvp = try_reduce(
            &weighted,
            ReduceKind::Sum,
            as_i64(&self.axes),
            self.keepdims,
        )?;
        if self.kind == Dispersion::Std {
            jvp = jvp / (out * 2.0);
        }
        Ok(vec![Some(jvp)])
    }
}

impl LogSumExp {
    /// `softmax(x)` over each reduced group, `exp(x - lse)` with the output
    /// re-inserted along the axes: the derivative of `lse` by each element.
    fn group_softmax(&self, x: &Var, out: &Var) -> Result<Var> {
        Ok(exp(x - reinsert_axes(out, &self.axes, self.keepdims)?))
    }

    /// `∂lse/∂x = softmax(x)` along the axes: the gradient spread by it.
    pub(super) fn lse_pullback(&self, x: &Var, out: &Var, g: &Var) -> Result<Vec<Grad>> {
        let g_keep = reinsert_axes(g, &self.axes, self.keepdims)?.cast(x.dtype());
        Ok(vec![Grad::Value(self.group_softmax(x, out)? * g_keep)])
    }

    /// `Σ softmax(x) ⊙ t` along the axes.
    pub(super) fn lse_pushforward(&self, x: &Var, out: &Var, t: &Var) -> Result<Vec<Option<Var>>> {
        let weighted = self.group_softmax(x, out)? * t;
        let jvp = try_reduce(
            &weighted,
            ReduceKind::Sum,
            as_i64(&self.axes),
            self.keepdims,
        )?;
        Ok(vec![Some(jvp)])
    }
}

/// Cumulative sum from the end along `axis`: `flip(cumsum(flip(v)))`.
fn reverse_cumsum(v: &Var, axis: usize) -> Result<Var> {
    let flipped = try_flip(v, axis as i64)?;
    try_flip(
        &try_cumulative(&flipped, CumKind::Sum, axis as i64)?,
        axis as i64,
    )
}

impl CumOp {
    /// The input seen as the op sees it: flattened for `axis = None`.
    fn lanes(&self, x: &Var) -> Result<(Var, usize)> {
        match self.axis {
            Some(a) => Ok((x.clone(), a)),
            None => Ok((try_reshape(x, [-1i64])?, 0)),
        }
    }

    pub(super) fn cum_pullback(&self, x: &Var, out: &Var, g: &Var) -> Result<Vec<Grad>> {
        if !x.dtype().is_float() {
            return Ok(vec![Grad::Value(zeros_like(x, None))]);
        }
        let (lanes, axis) = self.lanes(x)?;
        let g = g.cast(x.dtype());
        let gx = match self.kind {
            CumKind::Sum => reverse_cumsum(&g, axis)?,
            CumKind::Prod => cumprod_pullback(&lanes, out, &g, axis)?,
        };
        let gx = match self.axis {
            Some(_) => gx,
            None => try_reshape(&gx, x.shape())?,
        };
        Ok(vec![Grad::Value(gx)])
    }

    pub(super) fn cum_pushforward(&self, x: &Var, out: &Var, t: &Var) -> Result<Vec<Option<Var>>> {
        let axis = self.axis.map_or(Axis::All, |a| Axis::from(a as i64));
        let jvp = match self.kind {
            CumKind::Sum => try_cumulative(t, CumKind::Sum, axis)?,
            CumKind::Prod => {
                let (lanes, axis) = self.lanes(x)?;
                let (t_lanes, _) = self.lanes(t)?;
                cumprod_pushforward(&lanes, out, &t_lanes, axis)?
            }
        };
        Ok(vec![Some(jvp)])
    }
}

/// What the cumprod rules need to be exact with zeros in a lane: whether
/// a zero comes strictly before each position, which position is the
/// lane's first zero, `x` with zeros replaced by 1 (safe to divide by), and
/// the cumprod of `x` with only the first zero replaced by 1 (the product
/// of all the other factors up to each position after that zero).
struct ZeroSplit {
    zero_before: Var,
    first_zero: Var,
    safe: Var,
    without_first_zero: Var,
}

fn zero_split(x: &Var, axis: usize) -> Result<ZeroSplit> {
    let is_zero = eq(x, 0.0);
    let zeros_through = try_cumulative(&is_zero, CumKind::Sum, axis as i64)?;
    let zero_before = gt(&zeros_through - is_zero.cast(zeros_through.dtype()), 0);
    let first_zero = logical_and(&is_zero, eq(&zeros_through, 1));
    let safe = switch(&is_zero, 1.0, x);
    let skip_first = switch(&first_zero, 1.0, x);
    Ok(ZeroSplit {
        zero_before,
        first_zero,
        safe,
        without_first_zero: try_cumulative(&skip_first, CumKind::Prod, axis as i64)?,
    })
}

/// `gx_j = Σ_{k≥j} g_k ∏_{i≤k, i≠j} x_i`, exactly: before a lane's first
/// zero it is `Σ_{k≥j} g_k y_k / x_j`; at the first zero it is
/// `Σ_{k≥j} g_k · (cumprod without that zero)_k`; after it, zero.
fn cumprod_pullback(x: &Var, y: &Var, g: &Var, axis: usize) -> Result<Var> {
    let z = zero_split(x, axis)?;
    let regular = reverse_cumsum(&(g * y), axis)? / &z.safe;
    let at_zero = reverse_cumsum(&(g * &z.without_first_zero), axis)?;
    Ok(switch(
        &z.zero_before,
        0.0,
        switch(&z.first_zero, at_zero, regular),
    ))
}

/// `ty_k = Σ_{j≤k} t_j ∏_{i≤k, i≠j} x_i`, exactly: before a lane's first
/// zero it is `y_k Σ_{j≤k} t_j / x_j`; from the first zero `z` on, only
/// `j = z` survives: `t_z · (cumprod without that zero)_k`.
fn cumprod_pushforward(x: &Var, y: &Var, t: &Var, axis: usize) -> Result<Var> {
    let z = zero_split(x, axis)?;
    let regular = y * try_cumulative(&(t / &z.safe), CumKind::Sum, axis as i64)?;
    let t_at_zero = try_cumulative(&switch(&z.first_zero, t, 0.0), CumKind::Sum, axis as i64)?;
    let from_zero = logical_or(&z.zero_before, &z.first_zero);
    Ok(switch(
        from_zero,
        t_at_zero * &z.without_first_zero,
        regular,
    ))
}
