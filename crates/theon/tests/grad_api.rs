//! `grad`'s Theano semantics: options, errors, integer variables, known
//! gradients, Lop/Rop, gradient modifiers, and the size of gradient graphs.

use theon::grad::{
    consider_constant, disconnected_grad, grad_clip, grad_scale, grad_terms, lop, rop,
    stop_gradient, try_grad_clip, undefined_grad, zero_grad, DisconnectedInputs, NullGradients,
    ReturnDisconnected,
};
use theon::graph::{toposort, Grad, Op, PerformCtx, TensorType};
use theon::prelude::*;

fn run(inputs: &[Var], outputs: &[Var], values: &[Tensor]) -> Vec<Vec<f64>> {
    let f = Function::builder(inputs, outputs)
        .on_unused_input(UnusedInput::Ignore)
        .build()
        .unwrap();
    f.call(values)
        .unwrap()
        .iter()
        .map(Tensor::to_f64_vec)
        .collect()
}

fn close(got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g - w).abs() <= tol * (1.0 + w.abs()),
            "{got:?} vs {want:?}"
        );
    }
}

fn grad1(cost: &Var, x: &Var) -> Var {
    grad(cost, std::slice::from_ref(x), &GradOptions::default())
        .unwrap()
        .remove(0)
}

#[test]
fn gradient_of_a_polynomial_matches_hand_derivative() {
    let x = vector("x", F64);
    let cost = (&x * &x * &x + x.sin()).sum(Axis::All);
    let g = grad1(&cost, &x);
    let xv = Tensor::randn(F64, &[5], 1);
    let got = run(&[x], &[g], std::slice::from_ref(&xv));
    let want: Vec<f64> = xv
        .to_f64_vec()
        .iter()
        .map(|v| 3.0 * v * v + v.cos())
        .collect();
    close(&got[0], &want, 1e-12);
}

#[test]
fn contributions_of_several_consumers_are_summed_once() {
    let x = vector("x", F64);
    let cost = (x.exp() + x.sin() + &x * &x).sum(Axis::All);
    let g = grad1(&cost, &x);
    let adds = toposort(std::slice::from_ref(&g))
        .iter()
        .filter(|n| n.label() == "add")
        .count();
    // 2 adds in the forward graph; x has 4 consumers (exp, sin, and mul twice) -> 3 adds.
    assert_eq!(adds, 5);
    let xv = Tensor::randn(F64, &[4], 2);
    let want: Vec<f64> = xv
        .to_f64_vec()
        .iter()
        .map(|v| v.exp() + v.cos() + 2.0 * v)
        .collect();
    close(&run(&[x], &[g], &[xv])[0], &want, 1e-12);
}

#[test]
fn gradient_graph_of_a_2000_op_chain_is_linear_and_correct() {
    let x = scalar("x", F64);
    let mut y = x.clone();
    for i in 0..2000 {
        y = if i % 2 == 0 { y.tanh() } else { &y * 1.001 };
    }
    let forward = toposort(std::slice::from_ref(&y)).len();
    let g = grad1(&y, &x);
    let total = toposort(std::slice::from_ref(&g)).len();
    assert!(
        total <= 4 * forward,
        "{total} nodes for a {forward}-node chain"
    );
    // Expected by the chain rule, accumulated in a plain loop.
    let mut v = 0.3f64;
    let mut d = 1.0;
    for i in 0..2000 {
        if i % 2 == 0 {
            v = v.tanh();
            d *= 1.0 - v * v;
        } else {
            v *= 1.001;
            d *= 1.001;
        }
    }
    close(&run(&[x], &[g], &[Tensor::scalar(0.3f64)])[0], &[d], 1e-10);
}

#[test]
fn shared_subexpressions_do_not_blow_up() {
    // y_{k+1} = y_k * y_k * 0.5 + y_k: naive recursion would be 2^60 paths.
    let x = scalar("x", F64);
    let mut y = x.clone();
    for _ in 0..60 {
        y = &y * &y * 0.1 + &y * 0.5;
    }
    let forward = toposort(std::slice::from_ref(&y)).len();
    let g = grad1(&y, &x);
    let total = toposort(std::slice::from_ref(&g)).len();
    assert!(total <= 5 * forward, "{total} nodes for {forward}");
    let (mut v, mut d) = (0.7f64, 1.0f64);
    for _ in 0..60 {
        d *= 0.2 * v + 0.5;
        v = v * v * 0.1 + v * 0.5;
    }
    close(&run(&[x], &[g], &[Tensor::scalar(0.7f64)])[0], &[d], 1e-10);
}

#[test]
fn fifty_layer_network_gradient_stays_linear() {
    // Each layer: h = tanh(sum(h[:, None] * W, axis=0) + b), a matmul made of
    // broadcasting and a reduction (no dot op in this branch).
    let x = vector("x", F64);
    let params: Vec<(Var, Var)> = (0..50)
        .map(|l| (matrix(&format!("W{l}"), F64), vector(&format!("b{l}"), F64)))
        .collect();
    let mut h = x.clone();
    for (w, b) in &params {
        h = ((h.dimshuffle(&[Some(0), None]) * w).sum(0) + b).tanh();
    }
    let cost = (&h * &h).sum(Axis::All);
    let wrt: Vec<Var> = params
        .iter()
        .flat_map(|(w, b)| [w.clone(), b.clone()])
        .collect();
    let grads = grad(&cost, &wrt, &GradOptions::default()).unwrap();
    let forward = toposort(std::slice::from_ref(&cost)).len();
    let total = toposort(&grads).len();
    assert!(total <= 6 * forward, "{total} nodes for {forward}");
}

#[test]
fn non_scalar_cost_needs_known_grads() {
    let x = vector("x", F64);
    let y = x.exp();
    let err = grad(&y, std::slice::from_ref(&x), &GradOptions::default()).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("must be a scalar") && msg.contains("grad_api.rs"),
        "{msg}"
    );
    let v = vector("v", F64);
    let options = GradOptions::new().known_grads([(y.clone(), v.clone())]);
    let g = grad(&y, std::slice::from_ref(&x), &options)
        .unwrap()
        .remove(0);
    let (xv, vv) = (Tensor::randn(F64, &[3], 3), Tensor::randn(F64, &[3], 4));
    let want: Vec<f64> = xv
        .to_f64_vec()
        .iter()
        .zip(vv.to_f64_vec())
        .map(|(a, b)| a.exp() * b)
        .collect();
    close(&run(&[x, v], &[g], &[xv, vv])[0], &want, 1e-12);
}

#[test]
fn integer_wrt_is_refused() {
    let n = vector("n", I64);
    let x = vector("x", F64);
    let cost = (&x * &n).sum(Axis::All);
    let msg = grad(&cost, &[n], &GradOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("'n'") && msg.contains("int64") && msg.contains("float"),
        "{msg}"
    );
}

#[test]
fn disconnected_wrt_follows_the_options() {
    let x = vector("x", F64);
    let unused = vector("unused", F64);
    let cost = x.exp().sum(Axis::All);
    let wrt = [x.clone(), unused.clone()];
    let msg = grad(&cost, &wrt, &GradOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("'unused'") && msg.contains("does not depend"),
        "{msg}"
    );
    for policy in [DisconnectedInputs::Warn, DisconnectedInputs::Ignore] {
        let options = GradOptions::new().disconnected_inputs(policy);
        let g = grad(&cost, &wrt, &options).unwrap();
        let out = run(
            &[x.clone(), unused.clone()],
            &g[1..],
            &[Tensor::randn(F64, &[2], 1), Tensor::randn(F64, &[3], 2)],
        );
        assert_eq!(out[0], vec![0.0; 3]);
    }
    for ret in [ReturnDisconnected::None, ReturnDisconnected::Disconnected] {
        let options = GradOptions::new()
            .disconnected_inputs(DisconnectedInputs::Ignore)
            .return_disconnected(ret);
        let terms = grad_terms(Some(&cost), &wrt, &options).unwrap();
        assert!(matches!(terms[0], Grad::Value(_)) && matches!(terms[1], Grad::Disconnected));
    }
}

/// An op with no derivative rules.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Opaque;

impl Op for Opaque {
    fn name(&self) -> String {
        "opaque".into()
    }
    fn output_types(&self, inputs: &[TensorType]) -> theon::Result<Vec<TensorType>> {
        Ok(vec![inputs[0].clone()])
    }
    fn perform(&self, inputs: &[Tensor], _: &PerformCtx) -> theon::Result<Vec<Tensor>> {
        Ok(vec![inputs[0].clone()])
    }
}

#[test]
fn an_op_without_gradient_is_named_with_its_line() {
    let x = vector("x", F64);
    let line = line!() + 1;
    let y = Var::apply1(Opaque, std::slice::from_ref(&x)).unwrap();
    let cost = y.exp().sum(Axis::All);
    let msg = grad(&cost, std::slice::from_ref(&x), &GradOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("opaque") && msg.contains(&format!("grad_api.rs:{line}")),
        "{msg}"
    );
    let v = vector("v", F64);
    let msg = rop(&[y.exp()], std::slice::from_ref(&x), &[v])
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("opaque")
            && msg.contains("R-op")
            && msg.contains(&format!("grad_api.rs:{line}")),
        "{msg}"
    );
    // Not on the path to x: no error.
    let z = vector("z", F64);
    let cost = (y.sum(Axis::All) * z.sum(Axis::All)).exp();
    assert!(grad(&cost, &[z], &GradOptions::default()).is_ok());
}

#[test]
fn integer_paths_give_zero_gradients_not_errors() {
    let x = vector("x", F64);
    let n = vector("n", I32);
    // floor, a cast to int and back: connected, gradient zero.
    let cost = (x.floor().cast(I64).cast(F64) + &x * &n).sum(Axis::All);
    let g = grad1(&cost, &x);
    let nv = Tensor::rand_int(I32, &[4], -5, 5, 3);
    let out = run(&[x, n], &[g], &[Tensor::randn(F64, &[4], 4), nv.clone()]);
    assert_eq!(out[0], nv.to_f64_vec());
}

#[test]
fn consider_constant_option_stops_gradients() {
    let x = vector("x", F64);
    let y = &x * 2.0;
    let cost = (&x * &y).sum(Axis::All);
    let full = grad1(&cost, &x);
    let options = GradOptions::new().consider_constant(std::slice::from_ref(&y));
    let cut = grad(&cost, std::slice::from_ref(&x), &options)
        .unwrap()
        .remove(0);
    let xv = Tensor::randn(F64, &[3], 5);
    let out = run(&[x], &[full, cut], std::slice::from_ref(&xv));
    let xs = xv.to_f64_vec();
    close(
        &out[0],
        &xs.iter().map(|v| 4.0 * v).collect::<Vec<_>>(),
        1e-12,
    );
    close(
        &out[1],
        &xs.iter().map(|v| 2.0 * v).collect::<Vec<_>>(),
        1e-12,
    );
}

#[test]
fn modifiers_are_identity_forward_and_change_only_gradients() {
    let x = vector("x", F64);
    let xv = Tensor::from_vec(vec![0.5f64, -2.0, 3.0], &[3]).unwrap();
    let cost = |y: Var| (&y * &y).sum(Axis::All); // d/dy = 2y = [1, -4, 6]
    let cases: Vec<(Var, Vec<f64>)> = vec![
        (consider_constant(&x), vec![0.0; 3]),
        (zero_grad(&x), vec![0.0; 3]),
        (grad_clip(&x, -1.5, 2.0), vec![1.0, -1.5, 2.0]),
        (grad_scale(&x, -0.5), vec![-0.5, 2.0, -3.0]),
    ];
    for (y, want) in cases {
        let g = grad1(&cost(y.clone()), &x);
        let out = run(std::slice::from_ref(&x), &[y, g], std::slice::from_ref(&xv));
        assert_eq!(out[0], xv.to_f64_vec());
        assert_eq!(out[1], want);
    }
    for y in [disconnected_grad(&x), stop_gradient(&x)] {
        let err = grad(&cost(y), std::slice::from_ref(&x), &GradOptions::default()).unwrap_err();
        assert!(err.to_string().contains("does not depend"), "{err}");
    }
    let line = line!() + 1;
    let u = undefined_grad(&x);
    let msg = grad(
        &cost(u.clone()),
        std::slice::from_ref(&x),
        &GradOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        msg.contains("undefined_grad") && msg.contains(&format!("grad_api.rs:{line}")),
        "{msg}"
    );
    let options = GradOptions::new().null_gradients(NullGradients::Return);
    let terms = grad_terms(Some(&cost(u)), std::slice::from_ref(&x), &options).unwrap();
    assert!(matches!(&terms[0], Grad::Undefined(r) if r.contains("undefined_grad")));
    assert!(try_grad_clip(&x, 1.0, -1.0)
        .unwrap_err()
        .to_string()
        .contains("grad_clip"));
}

#[test]
fn lop_is_the_vector_jacobian_product_and_rop_the_jacobian_vector_product() {
    // f(a, b) = [a * b, sin(a)] for vectors a, b; J^T u and J v by hand.
    let a = vector("a", F64);
    let b = vector("b", F64);
    let f = [&a * &b, a.sin()];
    let (u0, u1) = (vector("u0", F64), vector("u1", F64));
    let (va, vb) = (vector("va", F64), vector("vb", F64));
    let l = lop(&f, &[a.clone(), b.clone()], &[u0.clone(), u1.clone()]).unwrap();
    let r = rop(&f, &[a.clone(), b.clone()], &[va.clone(), vb.clone()]).unwrap();
    let vals: Vec<Tensor> = (0..6).map(|i| Tensor::randn(F64, &[3], 20 + i)).collect();
    let inputs = [a, b, u0, u1, va, vb];
    let out = run(
        &inputs,
        &[l[0].clone(), l[1].clone(), r[0].clone(), r[1].clone()],
        &vals,
    );
    let v: Vec<Vec<f64>> = vals.iter().map(Tensor::to_f64_vec).collect();
    let m = |f: &dyn Fn(usize) -> f64| (0..3).map(f).collect::<Vec<f64>>();
    close(
        &out[0],
        &m(&|i| v[2][i] * v[1][i] + v[3][i] * v[0][i].cos()),
        1e-12,
    );
    close(&out[1], &m(&|i| v[2][i] * v[0][i]), 1e-12);
    close(
        &out[2],
        &m(&|i| v[4][i] * v[1][i] + v[0][i] * v[5][i]),
        1e-12,
    );
    close(&out[3], &m(&|i| v[0][i].cos() * v[4][i]), 1e-12);
}

#[test]
fn rop_of_an_independent_output_is_zero_and_bad_eval_points_are_named() {
    let x = vector("x", F64);
    let c = vector("c", F64);
    let r = rop(&[c.exp()], std::slice::from_ref(&x), &[vector("v", F64)]).unwrap();
    let out = run(&[c], &r, &[Tensor::randn(F64, &[2], 1)]);
    assert_eq!(out[0], vec![0.0, 0.0]);
    let msg = rop(&[x.exp()], std::slice::from_ref(&x), &[matrix("m", F64)])
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("eval point") && msg.contains("grad_api.rs"),
        "{msg}"
    );
}

#[test]
fn gradient_with_respect_to_an_intermediate_variable() {
    let x = vector("x", F64);
    let h = x.exp();
    let cost = (h.sin() * 2.0).sum(Axis::All);
    let g = grad(&cost, &[h.clone(), x.clone()], &GradOptions::default()).unwrap();
    let xv = Tensor::randn(F64, &[3], 8);
    let out = run(&[x], &g, std::slice::from_ref(&xv));
    let xs = xv.to_f64_vec();
    close(
        &out[0],
        &xs.iter().map(|v| 2.0 * v.exp().cos()).collect::<Vec<_>>(),
        1e-12,
    );
    close(
        &out[1],
        &xs.iter()
            .map(|v| 2.0 * v.exp().cos() * v.exp())
            .collect::<Vec<_>>(),
        1e-12,
    );
}
