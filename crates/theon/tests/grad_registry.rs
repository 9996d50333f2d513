//! The gradient registry: every op family in theon either has derivative
//! rules that pass `verify_grad` (reverse mode) and `verify_rop` (forward
//! mode) in float64 on random inputs — several shapes, broadcasting,
//! non-contiguous and size-0 inputs — or is declared not differentiable,
//! and the declaration is checked. A differentiable op without a tested
//! domain here fails `every_*_op_is_tested_or_declared`.

use theon::grad::{grad, grad_terms, verify_grad, verify_rop, GradOptions, NullGradients};
use theon::graph::Grad;
use theon::ops::elemwise::{
    differentiability, try_elemwise, BinaryOp, Differentiability, ScalarOp, UnaryOp, ALL_BINARY,
    ALL_UNARY,
};
use theon::prelude::*;

/// Runs both checks and panics with `what` on a mismatch.
fn check(what: &str, fun: impl Fn(&[Var]) -> theon::Result<Var>, points: &[Tensor]) {
    let options = theon::grad::VerifyGradOptions::default();
    if let Err(e) = verify_grad(&fun, points, &options) {
        panic!("{what}: {e}");
    }
    if let Err(e) = verify_rop(&fun, points, &options) {
        panic!("{what}: {e}");
    }
}

fn uniform(shape: &[usize], lo: f64, hi: f64, seed: u64) -> Tensor {
    Tensor::rand_uniform(F64, shape, lo, hi, seed)
}

/// A non-contiguous `[3, 4]` point: the transpose of a `[4, 3]` array.
fn strided(lo: f64, hi: f64, seed: u64) -> Tensor {
    let t = uniform(&[4, 3], lo, hi, seed).t();
    assert!(!t.is_contiguous());
    t
}

/// Where each differentiable unary op is checked (away from kinks/poles).
fn unary_domain(op: UnaryOp) -> Option<(f64, f64)> {
    use UnaryOp::*;
    Some(match op {
        Neg | Abs | Exp | Exp2 | Expm1 | Sqr | Sin | Cos | Arctan | Sinh | Cosh | Tanh
        | Arcsinh | Sigmoid | Softplus | Erf | Erfc => (-2.0, 2.0),
        Log | Log2 | Log10 | Sqrt | Reciprocal => (0.2, 3.0),
        Log1p => (-0.5, 2.0),
        Tan => (-1.2, 1.2),
        Arcsin | Arccos | Arctanh | Erfinv => (-0.8, 0.8),
        Arccosh => (1.2, 3.0),
        Gamma | Gammaln => (0.5, 3.0),
        _ => return None,
    })
}

/// Where each differentiable binary op is checked: ranges of `a` and `b`.
fn binary_domain(op: BinaryOp) -> Option<[(f64, f64); 2]> {
    use BinaryOp::*;
    Some(match op {
        Add | Sub | Mul | Maximum | Minimum | Arctan2 | Hypot => [(-2.0, 2.0), (-2.0, 2.0)],
        TrueDiv => [(-2.0, 2.0), (0.5, 2.0)],
        Pow => [(0.5, 2.0), (-1.5, 1.5)],
        Mod => [(-3.0, 3.0), (0.7, 1.9)],
        _ => return None,
    })
}

#[test]
fn every_unary_op_is_tested_or_declared() {
    let mut missing = Vec::new();
    for op in ALL_UNARY {
        let scalar_op = ScalarOp::Unary(op);
        match differentiability(scalar_op) {
            Differentiability::Smooth => match unary_domain(op) {
                Some((lo, hi)) => check_unary(op, lo, hi),
                None => missing.push(op.name()),
            },
            Differentiability::PiecewiseConstant | Differentiability::Discrete => {
                check_zero_gradient(scalar_op)
            }
            Differentiability::Undefined(why) => check_undefined(scalar_op, why),
        }
    }
    assert!(
        missing.is_empty(),
        "differentiable ops with no tested gradient: {missing:?}"
    );
}

#[test]
fn every_binary_op_is_tested_or_declared() {
    let mut missing = Vec::new();
    for op in ALL_BINARY {
        let scalar_op = ScalarOp::Binary(op);
        match differentiability(scalar_op) {
            Differentiability::Smooth => match binary_domain(op) {
                Some(domain) => check_binary(op, domain),
                None => missing.push(op.name()),
            },
            Differentiability::PiecewiseConstant | Differentiability::Discrete => {
                check_zero_gradient(scalar_op)
            }
            Differentiability::Undefined(why) => check_undefined(scalar_op, why),
        }
    }
    assert!(
        missing.is_empty(),
        "differentiable ops with no tested gradient: {missing:?}"
    );
}

fn check_unary(op: UnaryOp, lo: f64, hi: f64) {
    let fun = move |v: &[Var]| try_elemwise(ScalarOp::Unary(op), vec![v[0].clone().into()]);
    let seed = op as u64 * 10;
    check(op.name(), fun, &[uniform(&[3, 4], lo, hi, seed)]);
    check(op.name(), fun, &[strided(lo, hi, seed + 1)]);
    check(op.name(), fun, &[uniform(&[], lo, hi, seed + 2)]);
    check(op.name(), fun, &[uniform(&[2, 0, 3], lo, hi, seed + 3)]);
}

fn check_binary(op: BinaryOp, [(alo, ahi), (blo, bhi)]: [(f64, f64); 2]) {
    let fun = move |v: &[Var]| {
        try_elemwise(
            ScalarOp::Binary(op),
            vec![v[0].clone().into(), v[1].clone().into()],
        )
    };
    let s = 100 + op as u64 * 10;
    let shape_pairs: [(&[usize], &[usize]); 5] = [
        (&[3, 4], &[3, 4]),
        (&[3, 4], &[1, 4]),
        (&[2, 3, 4], &[3, 1]),
        (&[3, 4], &[]),
        (&[1, 4], &[3, 1]),
    ];
    for (k, (sa, sb)) in shape_pairs.iter().enumerate() {
        let a = uniform(sa, alo, ahi, s + k as u64);
        let b = uniform(sb, blo, bhi, s + 50 + k as u64);
        check(op.name(), fun, &[a, b]);
    }
    // Non-contiguous on either side, and the right side padded.
    check(
        op.name(),
        fun,
        &[strided(alo, ahi, s + 7), uniform(&[4], blo, bhi, s + 8)],
    );
    check(
        op.name(),
        fun,
        &[uniform(&[3, 4], alo, ahi, s + 9), strided(blo, bhi, s + 6)],
    );
}

/// Builds `op` on float inputs, or on their int64 casts where the op takes
/// only integers.
fn build_on(op: ScalarOp, xs: &[Var]) -> Var {
    let operands = |xs: Vec<Var>| xs.into_iter().map(Into::into).collect::<Vec<_>>();
    try_elemwise(op, operands(xs.to_vec())).unwrap_or_else(|_| {
        let ints: Vec<Var> = xs.iter().map(|x| x.cast(I64)).collect();
        try_elemwise(op, operands(ints)).expect("the op takes int64")
    })
}

/// A piecewise-constant or discrete `y = op(x, z...)`: the gradient of
/// `sum(y * x)` must be exactly `y` (the zero partial is connected and the
/// product rule still flows), and the other inputs get zeros, not errors.
fn check_zero_gradient(op: ScalarOp) {
    let x = matrix("x", F64);
    let others: Vec<Var> = (1..op.arity())
        .map(|i| matrix(&format!("z{i}"), F64))
        .collect();
    let mut args = vec![x.clone()];
    args.extend(others.iter().cloned());
    let y = build_on(op, &args).cast(F64);
    let cost = (&y * &x).sum(Axis::All);
    let grads = grad(&cost, &args, &GradOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", op.name()));
    let mut outputs = vec![y];
    outputs.extend(grads);
    let f = function(&args, &outputs).unwrap();
    let values: Vec<Tensor> = (0..args.len())
        .map(|i| Tensor::randn(F64, &[3, 4], 7 + i as u64).cast(F64))
        .map(|t| scale(&t, 3.0))
        .collect();
    let out = f.call(&values).unwrap();
    assert_eq!(
        out[1].to_f64_vec(),
        out[0].to_f64_vec(),
        "{}: d/dx",
        op.name()
    );
    for g in &out[2..] {
        assert!(
            g.to_f64_vec().iter().all(|&v| v == 0.0),
            "{}: others",
            op.name()
        );
    }
}

fn scale(t: &Tensor, k: f64) -> Tensor {
    let values: Vec<f64> = t.to_f64_vec().iter().map(|v| v * k).collect();
    Tensor::from_f64s(t.dtype(), t.shape(), &values).unwrap()
}

/// An op without a derivative: asking for one errors with the op's name
/// and the line that built it; `null_gradients=Return` returns the reason.
fn check_undefined(op: ScalarOp, why: &str) {
    let x = vector("x", F64);
    let cost = build_on(op, std::slice::from_ref(&x)).sum(Axis::All);
    let err = grad(&cost, std::slice::from_ref(&x), &GradOptions::default()).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains(&op.name()) && msg.contains("grad_registry.rs") && msg.contains(why),
        "{msg}"
    );
    let options = GradOptions::new().null_gradients(NullGradients::Return);
    let terms = grad_terms(Some(&cost), &[x], &options).unwrap();
    assert!(matches!(&terms[0], Grad::Undefined(r) if r.contains(why)));
}

#[test]
fn switch_routes_the_gradient_to_the_chosen_branch() {
    let cond = Tensor::rand_int(Bool, &[3, 4], 0, 2, 11);
    let c = constant(cond);
    let fun = move |v: &[Var]| Ok(switch(&c, &v[0], &v[1]));
    check(
        "switch",
        &fun,
        &[
            uniform(&[3, 4], -2.0, 2.0, 1),
            uniform(&[1, 4], -2.0, 2.0, 2),
        ],
    );
    check(
        "switch",
        fun,
        &[strided(-2.0, 2.0, 3), uniform(&[], -2.0, 2.0, 4)],
    );
}

#[test]
fn clip_gradient_reaches_value_and_both_bounds() {
    let fun = |v: &[Var]| Ok(clip(&v[0], &v[1], &v[2]));
    let x = uniform(&[3, 4], -2.0, 2.0, 5);
    let lo = uniform(&[1, 4], -1.0, -0.2, 6);
    let hi = uniform(&[3, 1], 0.2, 1.0, 7);
    check("clip", fun, &[x, lo.clone(), hi.clone()]);
    check("clip", fun, &[strided(-2.0, 2.0, 8), lo, hi]);
}

#[test]
fn casts_between_floats_pass_gradients_and_to_ints_give_zero() {
    let to_f32 = |v: &[Var]| Ok(v[0].cast(F32).tanh());
    check(
        "cast float64->float32",
        to_f32,
        &[uniform(&[3, 4], -2.0, 2.0, 9)],
    );
    let to_f64 = |v: &[Var]| Ok(v[0].cast(F64).exp());
    let p = Tensor::rand_uniform(F32, &[3, 4], -1.0, 1.0, 10);
    check("cast float32->float64", to_f64, &[p]);
    assert_eq!(
        differentiability(ScalarOp::Cast(F32)),
        Differentiability::Smooth
    );
    check_zero_gradient(ScalarOp::Cast(I32));
}

#[test]
fn float32_gradients_keep_float32() {
    let x = matrix("x", F32);
    let cost = (x.tanh() * &x).sum(Axis::All);
    let g = grad(&cost, std::slice::from_ref(&x), &GradOptions::default()).unwrap();
    assert_eq!(g[0].dtype(), F32);
    let fun = |v: &[Var]| Ok(v[0].tanh() * &v[1]);
    let a = Tensor::rand_uniform(F32, &[3, 4], -1.0, 1.0, 12);
    let b = Tensor::rand_uniform(F32, &[1, 4], -1.0, 1.0, 13);
    check("float32 tanh*mul", fun, &[a, b]);
}
