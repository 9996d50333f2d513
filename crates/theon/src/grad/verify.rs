//! Numeric gradient checks: `numeric_grad` (central finite differences),
//! `verify_grad` (Theano's check: the symbolic gradient of a random
//! projection of the output against finite differences) and `verify_rop`
//! (the symbolic Jacobian-vector product against finite differences).
//! Graphs are compiled and run with [`crate::compile::function`].

use super::forward::rop;
use super::options::{DisconnectedInputs, GradOptions};
use super::reverse::grad;
use crate::compile::{Function, UnusedInput};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::graph::{TensorType, Var};
use crate::tensor::{unravel, Tensor};

/// Settings of [`verify_grad`] and [`verify_rop`]. `None` tolerances and
/// step take defaults from the least precise float dtype involved.
#[derive(Clone, Debug)]
pub struct VerifyGradOptions {
    /// How many random projections (or tangents) to try.
    pub n_tests: usize,
    pub seed: u64,
    /// Finite-difference step.
    pub eps: Option<f64>,
    pub abs_tol: Option<f64>,
    pub rel_tol: Option<f64>,
}

impl Default for VerifyGradOptions {
    fn default() -> Self {
        VerifyGradOptions {
            n_tests: 2,
            seed: 42,
            eps: None,
            abs_tol: None,
            rel_tol: None,
        }
    }
}

impl VerifyGradOptions {
    fn eps(&self, dtype: DType) -> f64 {
        self.eps.unwrap_or(match dtype {
            DType::F64 => 1e-6,
            DType::F32 => 1e-3,
            _ => 1e-1,
        })
    }

    fn tolerances(&self, dtype: DType) -> (f64, f64) {
        let default = match dtype {
            DType::F64 => 1e-4,
            DType::F32 => 1e-2,
            _ => 5e-2,
        };
        (
            self.abs_tol.unwrap_or(default),
            self.rel_tol.unwrap_or(default),
        )
    }
}

/// Central finite differences of a scalar function at `points`:
/// `(f(x + eps·e_j) - f(x - eps·e_j)) / (2·eps)` for every element `j` of
/// every point, returned with the points' shapes and dtypes.
pub fn numeric_grad(
    mut f: impl FnMut(&[Tensor]) -> Result<f64>,
    points: &[Tensor],
    eps: f64,
) -> Result<Vec<Tensor>> {
    let mut work: Vec<Tensor> = points.iter().map(Tensor::to_contiguous_copy).collect();
    let mut grads = Vec::with_capacity(points.len());
    for i in 0..points.len() {
        let base = work[i].to_f64_vec();
        let mut g = vec![0.0; base.len()];
        for j in 0..base.len() {
            let mut shifted = base.clone();
            shifted[j] = base[j] + eps;
            work[i] = Tensor::from_f64s(points[i].dtype(), points[i].shape(), &shifted)?;
            let plus = f(&work)?;
            shifted[j] = base[j] - eps;
            work[i] = Tensor::from_f64s(points[i].dtype(), points[i].shape(), &shifted)?;
            let minus = f(&work)?;
            g[j] = (plus - minus) / (2.0 * eps);
        }
        work[i] = Tensor::from_f64s(points[i].dtype(), points[i].shape(), &base)?;
        grads.push(Tensor::from_f64s(points[i].dtype(), points[i].shape(), &g)?);
    }
    Ok(grads)
}

/// Checks `fun`'s symbolic gradient at `points`, Theano-style: for
/// `n_tests` random projections `p` (uniform in [0.5, 1.5)), the gradient
/// of `sum(p * fun(x))` must match central finite differences, elementwise
/// within `abs_tol` or `rel_tol`. The error reports the worst mismatch.
///
/// Each point becomes an input whose dims of size 1 broadcast, so a point
/// of shape `(1, n)` tests broadcasting; non-contiguous points are passed
/// as they are to the symbolic gradient.
pub fn verify_grad(
    fun: impl Fn(&[Var]) -> Result<Var>,
    points: &[Tensor],
    options: &VerifyGradOptions,
) -> Result<()> {
    let inputs = symbolic_inputs("verify_grad", points)?;
    let output = fun(&inputs)?;
    let dtype = least_precise(points, &output);
    let out_shape = evaluate(&inputs, &output, points)?.shape().to_vec();
    let projection = Var::input("projection", broadcastable_type(output.dtype(), &out_shape));
    let cost = (&output * &projection).sum(crate::ops::reduce::Axis::All);
    let options_grad = GradOptions::new().disconnected_inputs(DisconnectedInputs::Ignore);
    let grads = grad(&cost, &inputs, &options_grad)?;
    let mut all_inputs = inputs.clone();
    all_inputs.push(projection);
    let f_cost = compile(&all_inputs, std::slice::from_ref(&cost))?;
    let f_grad = compile(&all_inputs, &grads)?;
    let (abs_tol, rel_tol) = options.tolerances(dtype);
    for test in 0..options.n_tests {
        let seed = options.seed.wrapping_add(test as u64);
        let p = Tensor::rand_uniform(output.dtype(), &out_shape, 0.5, 1.5, seed);
        let mut args = points.to_vec();
        args.push(p.clone());
        let analytic = f_grad.call(&args)?;
        let numeric = numeric_grad(
            |xs| {
                let mut args = xs.to_vec();
                args.push(p.clone());
                Ok(f_cost.call(&args)?[0].item().as_f64())
            },
            points,
            options.eps(dtype),
        )?;
        if let Some(worst) =
            worst_mismatch("gradient of input", &analytic, &numeric, abs_tol, rel_tol)
        {
            return Err(Error::grad(
                "verify_grad",
                format!("gradient mismatch (projection {test}): {worst}"),
            ));
        }
    }
    Ok(())
}

/// Checks `fun`'s R-op at `points`: for `n_tests` random tangents `v`, the
/// symbolic `rop(fun(x), x, v)` must match
/// `(fun(x + eps·v) - fun(x - eps·v)) / (2·eps)` elementwise.
pub fn verify_rop(
    fun: impl Fn(&[Var]) -> Result<Var>,
    points: &[Tensor],
    options: &VerifyGradOptions,
) -> Result<()> {
    let inputs = symbolic_inputs("verify_rop", points)?;
    let output = fun(&inputs)?;
    let dtype = least_precise(points, &output);
    let tangents: Vec<Var> = inputs
        .iter()
        .map(|x| Var::input("tangent", x.ty().clone()))
        .collect();
    let jvp = rop(std::slice::from_ref(&output), &inputs, &tangents)?.remove(0);
    let mut all_inputs = inputs.clone();
    all_inputs.extend(tangents);
    let f_jvp = compile(&all_inputs, &[jvp])?;
    let f_out = compile(&inputs, std::slice::from_ref(&output))?;
    let (abs_tol, rel_tol) = options.tolerances(dtype);
    let eps = options.eps(dtype);
    for test in 0..options.n_tests {
        let seed = options.seed.wrapping_add(1000 + test as u64);
        let vs: Vec<Tensor> = points
            .iter()
            .enumerate()
            .map(|(i, p)| Tensor::randn(p.dtype(), p.shape(), seed.wrapping_mul(31) + i as u64))
            .collect();
        let mut args = points.to_vec();
        args.extend(vs.iter().cloned());
        let analytic = f_jvp.call(&args)?;
        let step = |sign: f64| -> Result<Vec<f64>> {
            let moved: Vec<Tensor> = points
                .iter()
                .zip(&vs)
                .map(|(p, v)| {
                    let values: Vec<f64> = p
                        .to_f64_vec()
                        .iter()
                        .zip(v.to_f64_vec())
                        .map(|(x, d)| x + sign * eps * d)
                        .collect();
                    Tensor::from_f64s(p.dtype(), p.shape(), &values)
                })
                .collect::<Result<_>>()?;
            Ok(f_out.call(&moved)?[0].to_f64_vec())
        };
        let (plus, minus) = (step(1.0)?, step(-1.0)?);
        let numeric: Vec<f64> = plus
            .iter()
            .zip(&minus)
            .map(|(a, b)| (a - b) / (2.0 * eps))
            .collect();
        let numeric = Tensor::from_f64s(DType::F64, analytic[0].shape(), &numeric)?;
        if let Some(worst) = worst_mismatch("output", &analytic, &[numeric], abs_tol, rel_tol) {
            return Err(Error::grad(
                "verify_rop",
                format!("R-op mismatch (tangent {test}): {worst}"),
            ));
        }
    }
    Ok(())
}

fn symbolic_inputs(function: &str, points: &[Tensor]) -> Result<Vec<Var>> {
    points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if !p.dtype().is_float() {
                return Err(Error::dtype(
                    function,
                    i,
                    p.dtype(),
                    "checks gradients only at float points",
                ));
            }
            Ok(Var::input(
                &format!("x{i}"),
                broadcastable_type(p.dtype(), p.shape()),
            ))
        })
        .collect()
}

/// Dims of size 1 are static (they broadcast); the others are unknown.
fn broadcastable_type(dtype: DType, shape: &[usize]) -> TensorType {
    let pattern: Vec<bool> = shape.iter().map(|&d| d == 1).collect();
    TensorType::from_broadcastable(dtype, &pattern)
}

fn least_precise(points: &[Tensor], output: &Var) -> DType {
    let rank = |d: DType| match d {
        DType::F64 => 2,
        DType::F32 => 1,
        _ => 0,
    };
    points
        .iter()
        .map(Tensor::dtype)
        .chain([output.dtype()])
        .min_by_key(|&d| rank(d))
        .expect("the output is always there")
}

/// Compiles a checked function. Graphs holding the optimizer's inplace ops
/// are accepted, so their rules can be checked too: the executor overwrites
/// only buffers it owns alone, never the points the caller passes.
fn compile(inputs: &[Var], outputs: &[Var]) -> Result<Function> {
    Function::builder(inputs, outputs)
        .on_unused_input(UnusedInput::Ignore)
        .accept_inplace(true)
        .build()
}

fn evaluate(inputs: &[Var], output: &Var, points: &[Tensor]) -> Result<Tensor> {
    if !output.dtype().is_float() {
        return Err(Error::grad(
            "verify_grad",
            format!(
                "the function's output has type {}; only float outputs have gradients",
                output.ty()
            ),
        ));
    }
    Ok(compile(inputs, std::slice::from_ref(output))?
        .call(points)?
        .remove(0))
}

/// The element with the largest error relative to the tolerances, if any
/// element exceeds both of them (NaN on one side only counts as a mismatch).
fn worst_mismatch(
    what: &str,
    analytic: &[Tensor],
    numeric: &[Tensor],
    abs_tol: f64,
    rel_tol: f64,
) -> Option<String> {
    let mut worst: Option<(f64, String)> = None;
    for (i, (a, n)) in analytic.iter().zip(numeric).enumerate() {
        for (j, (x, y)) in a.to_f64_vec().into_iter().zip(n.to_f64_vec()).enumerate() {
            let abs_err = (x - y).abs();
            let rel_err = if abs_err == 0.0 {
                0.0
            } else {
                abs_err / (x.abs() + y.abs())
            };
            let score = (abs_err / abs_tol).min(rel_err / rel_tol);
            let bad = score > 1.0 || (x.is_nan() != y.is_nan());
            let score = if score.is_nan() { f64::INFINITY } else { score };
            if bad && worst.as_ref().is_none_or(|(s, _)| score > *s) {
                let at = unravel(j, a.shape());
                let text = format!(
                    "{what} {i} at {at:?}: analytic {x:e}, numeric {y:e} (abs err {abs_err:.3e} > \
                     {abs_tol:e}, rel err {rel_err:.3e} > {rel_tol:e})"
                );
                worst = Some((score, text));
            }
        }
    }
    worst.map(|(_, text)| text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grad::grad_scale;
    use crate::prelude::*;

    #[test]
    fn numeric_grad_matches_a_known_derivative() {
        let x = Tensor::randn(F64, &[2, 3], 1);
        let g = numeric_grad(
            |xs| Ok(xs[0].to_f64_vec().iter().map(|v| v.sin() * v).sum()),
            std::slice::from_ref(&x),
            1e-6,
        )
        .unwrap();
        for (got, v) in g[0].to_f64_vec().iter().zip(x.to_f64_vec()) {
            assert!((got - (v.cos() * v + v.sin())).abs() < 1e-8);
        }
    }

    #[test]
    fn a_wrong_gradient_is_reported_with_its_worst_element() {
        // grad_scale leaves the forward value alone but doubles the gradient.
        let wrong = |v: &[Var]| Ok(grad_scale(&v[0], 2.0).exp());
        let point = Tensor::randn(F64, &[3], 2);
        let msg = verify_grad(wrong, &[point], &VerifyGradOptions::default())
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("verify_grad") && msg.contains("input 0 at ["),
            "{msg}"
        );
        let wrong_rop = |v: &[Var]| Ok(grad_scale(&v[0], 2.0).exp());
        let msg = verify_rop(
            wrong_rop,
            &[Tensor::randn(F64, &[3], 3)],
            &VerifyGradOptions::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            msg.contains("verify_rop") && msg.contains("output 0"),
            "{msg}"
        );
    }

    #[test]
    fn integer_points_and_outputs_are_refused() {
        let err = verify_grad(
            |v: &[Var]| Ok(v[0].exp()),
            &[Tensor::rand_int(I32, &[2], 0, 5, 1)],
            &VerifyGradOptions::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("float points"), "{err}");
        let err = verify_grad(
            |v: &[Var]| Ok(v[0].floor().cast(I64)),
            &[Tensor::randn(F64, &[2], 1)],
            &VerifyGradOptions::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("only float outputs"), "{err}");
    }
}
