//! OpFromGraph: a subgraph as one op, its derived and overridden
//! gradients, implicit shared inputs and errors.

use super::{assert_close, eval};
use theon::grad::{verify_grad, verify_rop, VerifyGradOptions};
use theon::ops::control::OpFromGraph;
use theon::prelude::*;

fn sample_op() -> OpFromGraph {
    let (x, y) = (vector("x", F64), vector("y", F64));
    OpFromGraph::new(
        &[x.clone(), y.clone()],
        &[&x * &y + x.exp(), (&x - &y).sum(Axis::All)],
    )
    .unwrap()
}

#[test]
fn a_call_computes_the_subgraph() {
    let op = sample_op();
    let (a, b) = (vector("a", F64), vector("b", F64));
    let outs = op.call(&[a.clone(), b.clone() * 2.0]);
    let (av, bv) = (Tensor::randn(F64, &[4], 1), Tensor::randn(F64, &[4], 2));
    let out = eval(&[a, b], &outs, &[av.clone(), bv.clone()]);
    let (xs, ys) = (av.to_vec::<f64>(), bv.to_vec::<f64>());
    let want0: Vec<f64> = xs
        .iter()
        .zip(&ys)
        .map(|(x, y)| x * 2.0 * y + x.exp())
        .collect();
    let want1: f64 = xs.iter().zip(&ys).map(|(x, y)| x - 2.0 * y).sum();
    assert_close(&out[0].to_vec::<f64>(), &want0, 1e-12);
    assert_close(&out[1].to_vec::<f64>(), &[want1], 1e-12);
}

#[test]
fn derived_gradients_rop_and_second_derivatives() {
    let op = sample_op();
    let opts = VerifyGradOptions::default();
    let f = |v: &[Var]| {
        let outs = op.call(&[v[0].clone(), v[1].clone()]);
        Ok(outs[0].sin() * &outs[1])
    };
    let points = [Tensor::randn(F64, &[3], 3), Tensor::randn(F64, &[3], 4)];
    verify_grad(f, &points, &opts).unwrap();
    verify_rop(f, &points, &opts).unwrap();
    let g = |v: &[Var]| {
        let y = f(v)?.sum(Axis::All);
        Ok(grad(&y, &[v[0].clone()], &GradOptions::default())?.remove(0))
    };
    verify_grad(g, &points, &opts).unwrap();
}

#[test]
fn a_user_gradient_overrides_the_derived_one() {
    // The forward doubles x; the custom gradient claims a factor of 3.
    let x = vector("x", F64);
    let op = OpFromGraph::new(std::slice::from_ref(&x), &[&x * 2.0])
        .unwrap()
        .with_grad(|_inputs, grads| Ok(vec![&grads[0] * 3.0]));
    let a = vector("a", F64);
    let y = op.call(std::slice::from_ref(&a))[0].sum(Axis::All);
    let g = grad(&y, std::slice::from_ref(&a), &GradOptions::default()).unwrap();
    let out = eval(&[a], &[y, g[0].clone()], &[Tensor::randn(F64, &[3], 5)]);
    assert_eq!(out[1].to_vec::<f64>(), vec![3.0; 3]);
}

#[test]
fn shared_variables_become_implicit_inputs() {
    let w = shared(Tensor::randn(F64, &[3], 6), "w");
    let x = vector("x", F64);
    let op = OpFromGraph::new(std::slice::from_ref(&x), &[(&x * w.var()).sum(Axis::All)]).unwrap();
    assert_eq!(op.implicit.len(), 1);
    let a = vector("a", F64);
    let y = op.call(std::slice::from_ref(&a))[0].clone();
    let f = function(std::slice::from_ref(&a), std::slice::from_ref(&y)).unwrap();
    let av = Tensor::randn(F64, &[3], 7);
    let dot = |w: &Tensor| -> f64 {
        av.to_vec::<f64>()
            .iter()
            .zip(w.to_vec::<f64>())
            .map(|(a, b)| a * b)
            .sum()
    };
    assert_close(
        &f.call(std::slice::from_ref(&av)).unwrap()[0].to_vec::<f64>(),
        &[dot(&w.get_value())],
        1e-12,
    );
    let new_w = Tensor::randn(F64, &[3], 8);
    w.set_value(new_w.clone()).unwrap();
    assert_close(
        &f.call(std::slice::from_ref(&av)).unwrap()[0].to_vec::<f64>(),
        &[dot(&new_w)],
        1e-12,
    );
    // The gradient reaches the shared variable through the implicit input.
    let gw = grad(&y, &[w.var()], &GradOptions::default()).unwrap();
    let out = eval(&[a], &gw, std::slice::from_ref(&av));
    assert_close(&out[0].to_vec::<f64>(), &av.to_vec::<f64>(), 1e-12);
}

#[test]
fn bad_definitions_and_calls() {
    let (x, y) = (vector("x", F64), vector("y", F64));
    let msg = OpFromGraph::new(std::slice::from_ref(&x), &[&x + &y])
        .expect_err("missing input")
        .to_string();
    assert!(
        msg.contains("'y'") && msg.contains("not among the inputs"),
        "{msg}"
    );
    let msg = OpFromGraph::new(&[x.exp()], std::slice::from_ref(&x))
        .expect_err("not an input")
        .to_string();
    assert!(msg.contains("distinct graph input"), "{msg}");
    let op = OpFromGraph::new(std::slice::from_ref(&x), &[x.exp()]).unwrap();
    let msg = op
        .try_call(&[x.clone(), y.clone()])
        .expect_err("arity")
        .to_string();
    assert!(msg.contains("takes 1 inputs, got 2"), "{msg}");
    let m = matrix("m", F64);
    let msg = op.try_call(&[m]).expect_err("type").to_string();
    assert!(msg.contains("input 0 has type float64(?, ?)"), "{msg}");
}
