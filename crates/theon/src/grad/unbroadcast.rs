//! `unbroadcast`: fits a gradient computed at a broadcast output shape back
//! to an input's type — sums the dims the forward op broadcast (keeping
//! them as size 1), drops the leading dims it padded, and casts to the
//! input's float dtype. Every pullback of a broadcasting op ends with it.

use crate::error::{Error, Result};
use crate::graph::{TensorType, Var};
use crate::ops::reduce::{try_reduce, ReduceKind};
use crate::ops::shape::try_dimshuffle;

/// Sums `g` over the axes where `input` was broadcast and casts it to the
/// input's dtype (when that is a float), so the result has the input's rank
/// and static broadcast pattern.
///
/// `g` must have at least the input's rank. An input dim statically 1 is
/// summed unless `g` is statically 1 there too; the leading
/// `g.ndim() - input.ndim()` dims are summed and then dropped.
#[track_caller]
pub fn unbroadcast(g: &Var, input: &TensorType) -> Result<Var> {
    if g.ndim() < input.ndim() {
        return Err(Error::grad(
            "unbroadcast",
            format!(
                "gradient of type {} has lower rank than the input type {input}",
                g.ty()
            ),
        ));
    }
    let pad = g.ndim() - input.ndim();
    let summed: Vec<i64> = (0..g.ndim())
        .filter(|&a| {
            let statically_one = g.ty().shape[a] == Some(1);
            !statically_one && (a < pad || input.shape[a - pad] == Some(1))
        })
        .map(|a| a as i64)
        .collect();
    let mut out = if summed.is_empty() {
        g.clone()
    } else {
        try_reduce(g, ReduceKind::Sum, summed, true)?
    };
    if pad > 0 {
        let pattern: Vec<Option<usize>> = (pad..g.ndim()).map(Some).collect();
        out = try_dimshuffle(&out, &pattern)?;
    }
    if input.dtype.is_float() && out.dtype() != input.dtype {
        out = out.cast(input.dtype);
    }
    Ok(out)
}

/// Makes the dims of `g` listed in `axes` statically 1 by summing over the
/// ones that are not (a no-op at run time when they are size 1 already).
#[track_caller]
pub fn sum_to_static_one(g: &Var, axes: &[usize]) -> Result<Var> {
    let needed: Vec<i64> = axes
        .iter()
        .filter(|&&a| g.ty().shape[a] != Some(1))
        .map(|&a| a as i64)
        .collect();
    if needed.is_empty() {
        return Ok(g.clone());
    }
    try_reduce(g, ReduceKind::Sum, needed, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    #[test]
    fn sums_broadcast_and_padded_dims() {
        let g = tensor3("g", F64);
        let input = TensorType::new(F32, vec![Some(1), None]);
        let u = unbroadcast(&g, &input).unwrap();
        assert_eq!(u.ty(), &TensorType::new(F32, vec![Some(1), None]));
        let f = function(std::slice::from_ref(&g), &[u]).unwrap();
        let gv = Tensor::randn(F64, &[2, 3, 4], 5);
        let out = f.call(std::slice::from_ref(&gv)).unwrap();
        let gs = gv.to_vec::<f64>();
        for k in 0..4 {
            let expect: f64 = (0..6).map(|ij| gs[ij * 4 + k]).sum();
            let got = out[0].get(&[0, k]).as_f64();
            assert!((got - expect).abs() < 1e-5, "{got} vs {expect}");
        }
    }

    #[test]
    fn leaves_matching_types_alone() {
        let g = matrix("g", F64);
        let u = unbroadcast(&g, g.ty()).unwrap();
        assert_eq!(u, g);
        let err = unbroadcast(&vector("v", F64), g.ty()).unwrap_err();
        assert!(err.to_string().contains("lower rank"), "{err}");
    }
}
