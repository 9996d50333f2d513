//! Reductions, dimshuffle and fill under `verify_grad`/`verify_rop`;
//! second derivatives; Hessian-vector products by Rop-of-grad and by Lop;
//! `jacobian` and `hessian` against finite differences.

use theon::grad::{hessian, jacobian, lop, rop, verify_grad, verify_rop, VerifyGradOptions};
use theon::ops::reduce::try_reduce;
use theon::prelude::*;

fn check(what: &str, fun: impl Fn(&[Var]) -> theon::Result<Var>, points: &[Tensor]) {
    let options = VerifyGradOptions::default();
    if let Err(e) = verify_grad(&fun, points, &options) {
        panic!("{what}: {e}");
    }
    if let Err(e) = verify_rop(&fun, points, &options) {
        panic!("{what}: {e}");
    }
}

fn grad1(cost: &Var, x: &Var) -> Var {
    grad(cost, std::slice::from_ref(x), &GradOptions::default())
        .unwrap()
        .remove(0)
}

/// Each reduction kind is either checked here or declared not
/// differentiable (exhaustive: a new kind does not compile until listed).
fn reduce_is_differentiable(kind: ReduceKind) -> bool {
    match kind {
        ReduceKind::Sum | ReduceKind::Prod | ReduceKind::Max | ReduceKind::Min => true,
        ReduceKind::All | ReduceKind::Any => false,
    }
}

const REDUCE_KINDS: [ReduceKind; 6] = [
    ReduceKind::Sum,
    ReduceKind::Prod,
    ReduceKind::Max,
    ReduceKind::Min,
    ReduceKind::All,
    ReduceKind::Any,
];

#[test]
fn reductions_pass_gradient_checks_on_all_axis_forms() {
    let axes: [Axis; 5] = [
        Axis::All,
        Axis::from(1),
        Axis::from(-1),
        Axis::from([0i64, 2]),
        Axis::from([-3i64, -2]),
    ];
    let point = Tensor::rand_uniform(F64, &[2, 3, 4], 0.5, 1.5, 1);
    let strided = Tensor::rand_uniform(F64, &[4, 3, 2], -1.5, 1.5, 2).t();
    for kind in REDUCE_KINDS
        .into_iter()
        .filter(|&k| reduce_is_differentiable(k))
    {
        for axis in &axes {
            for keepdims in [false, true] {
                let fun = |v: &[Var]| try_reduce(&v[0], kind, axis.clone(), keepdims);
                let what = format!("{kind:?} {axis:?} keepdims={keepdims}");
                check(&what, fun, std::slice::from_ref(&point));
                check(&what, fun, std::slice::from_ref(&strided));
            }
        }
    }
}

#[test]
fn sum_over_a_size_zero_axis_has_a_zero_size_gradient() {
    let x = tensor3("x", F64);
    let g = grad1(&x.sum(1).sum(Axis::All), &x);
    let f = function(std::slice::from_ref(&x), &[g]).unwrap();
    let out = f.call(&[Tensor::randn(F64, &[2, 0, 3], 3)]).unwrap();
    assert_eq!(out[0].shape(), &[2, 0, 3]);
    check(
        "sum size-0",
        |v| Ok(v[0].sum(0)),
        &[Tensor::randn(F64, &[0, 3], 4)],
    );
}

#[test]
fn prod_gradient_is_exact_with_zeros() {
    // Rows with no zero, one zero and two zeros.
    let values = vec![0.5, -1.5, 2.0, 0.7, 0.0, 1.3, -0.8, 0.9, 0.0, 1.1, 0.0, 2.5];
    let x = Tensor::from_vec(values, &[3, 4]).unwrap();
    check("prod with zeros", |v| Ok(v[0].prod(1)), &[x]);
    let y = vector("y", F64);
    let g = grad1(&y.prod(0), &y);
    let f = function(std::slice::from_ref(&y), &[g]).unwrap();
    let out = f
        .call(&[Tensor::from_vec(vec![2.0, 0.0, 3.0], &[3]).unwrap()])
        .unwrap();
    assert_eq!(out[0].to_vec::<f64>(), vec![0.0, 6.0, 0.0]);
}

#[test]
fn max_gradient_goes_to_the_maximum() {
    let x = vector("x", F64);
    let g = grad1(&x.max(0), &x);
    let f = function(std::slice::from_ref(&x), &[g]).unwrap();
    let out = f
        .call(&[Tensor::from_vec(vec![1.0, 5.0, -2.0], &[3]).unwrap()])
        .unwrap();
    assert_eq!(out[0].to_vec::<f64>(), vec![0.0, 1.0, 0.0]);
}

#[test]
fn all_and_any_disconnect_their_inputs() {
    for kind in REDUCE_KINDS
        .into_iter()
        .filter(|&k| !reduce_is_differentiable(k))
    {
        let x = matrix("x", F64);
        let y = try_reduce(&x, kind, 1, false).unwrap();
        let cost = y.cast(F64).sum(Axis::All);
        let err = grad(&cost, std::slice::from_ref(&x), &GradOptions::default()).unwrap_err();
        assert!(
            err.to_string().contains("does not depend"),
            "{kind:?}: {err}"
        );
    }
}

#[test]
fn dimshuffle_gradients_undo_the_shuffle() {
    let p = Tensor::randn(F64, &[3, 4], 5);
    check(
        "transpose",
        |v| Ok(v[0].t() * 1.5),
        std::slice::from_ref(&p),
    );
    check(
        "insert axes",
        |v| Ok(v[0].dimshuffle(&[None, Some(1), None, Some(0)])),
        &[p],
    );
    let q = Tensor::randn(F64, &[3, 1, 4], 6);
    check(
        "drop axis",
        |v| Ok(v[0].dimshuffle(&[Some(2), Some(0)])),
        std::slice::from_ref(&q),
    );
    let strided = Tensor::randn(F64, &[4, 1, 3], 7).t();
    check(
        "drop axis strided",
        |v| Ok(v[0].dimshuffle(&[Some(0), Some(2)]).exp()),
        &[strided],
    );
}

#[test]
fn fill_passes_gradient_to_its_value_only() {
    let like = Tensor::randn(F64, &[3, 4], 8);
    let value = Tensor::randn(F64, &[1, 4], 9);
    check("fill", |v| Ok(fill(&v[0], &v[1])), &[like, value]);
}

#[test]
fn second_derivatives_pass_gradient_checks() {
    type Cost = fn(&Var) -> Var;
    let cases: [(&str, Cost, f64, f64); 6] = [
        ("tanh", |x| x.tanh(), -2.0, 2.0),
        ("pow", |x| x.pow(x * 0.5 + 1.0), 0.5, 2.0),
        ("sigmoid*log", |x| x.sigmoid() * x.log(), 0.5, 2.0),
        ("prod", |x| x.prod_keepdims(1) * x, 0.5, 1.5),
        ("div", |x| 1.0 / (x * x + 1.0), -2.0, 2.0),
        ("max", |x| x.max_keepdims(0) * x.exp(), -2.0, 2.0),
    ];
    for (what, f, lo, hi) in cases {
        // The function checked is the gradient itself: its gradient is the Hessian.
        let grad_fun = |v: &[Var]| {
            let cost = f(&v[0]).sum(Axis::All);
            Ok(grad1(&cost, &v[0]))
        };
        check(
            what,
            grad_fun,
            &[Tensor::rand_uniform(F64, &[3, 4], lo, hi, 10)],
        );
    }
}

#[test]
fn tanh_second_derivative_matches_closed_form() {
    let x = vector("x", F64);
    let g = grad1(&x.tanh().sum(Axis::All), &x);
    let h = grad1(&g.sum(Axis::All), &x);
    let xv = Tensor::randn(F64, &[5], 11);
    let out = function(std::slice::from_ref(&x), &[h])
        .unwrap()
        .call(std::slice::from_ref(&xv))
        .unwrap();
    for (got, v) in out[0].to_vec::<f64>().iter().zip(xv.to_f64_vec()) {
        let t = v.tanh();
        assert!((got - (-2.0 * t * (1.0 - t * t))).abs() < 1e-12);
    }
}

/// A small model of a 3-vector `w`: a tanh layer scaling each feature by
/// `w`, an output layer weighted by `sin(w)`, a sigmoid, a squared error and
/// an L2 penalty.
fn model_loss(w: &Var, data: &Tensor, target: &Tensor) -> Var {
    let x = constant(data.clone()); // (4, 3)
    let y = constant(target.clone()); // (4,)
    let hidden = (x * w.dimshuffle(&[None, Some(0)])).tanh(); // (4, 3)
    let pred = (hidden * w.sin().dimshuffle(&[None, Some(0)]))
        .sum(1)
        .sigmoid();
    let err = pred - y;
    (&err * &err).sum(Axis::All) + (w * w).sum(Axis::All) * 0.01
}

#[test]
fn hessian_vector_products_by_rop_of_grad_and_by_lop_agree() {
    let data = Tensor::randn(F64, &[4, 3], 12);
    let target = Tensor::rand_uniform(F64, &[4], 0.0, 1.0, 13);
    let w = vector("w", F64);
    let v = vector("v", F64);
    let g = grad1(&model_loss(&w, &data, &target), &w);
    let by_rop = rop(
        std::slice::from_ref(&g),
        std::slice::from_ref(&w),
        std::slice::from_ref(&v),
    )
    .unwrap()
    .remove(0);
    let by_lop = lop(
        std::slice::from_ref(&g),
        std::slice::from_ref(&w),
        std::slice::from_ref(&v),
    )
    .unwrap()
    .remove(0);
    let f = function(&[w, v], &[by_rop, by_lop]).unwrap();
    let out = f
        .call(&[Tensor::randn(F64, &[3], 14), Tensor::randn(F64, &[3], 15)])
        .unwrap();
    let (a, b) = (out[0].to_vec::<f64>(), out[1].to_vec::<f64>());
    assert!(a.iter().any(|x| x.abs() > 1e-3), "{a:?}");
    for (x, y) in a.iter().zip(&b) {
        assert!((x - y).abs() < 1e-12 * (1.0 + x.abs()), "{a:?} vs {b:?}");
    }
}

#[test]
fn hessian_of_a_small_model_matches_finite_differences_of_its_gradient() {
    let data = Tensor::randn(F64, &[4, 3], 16);
    let target = Tensor::rand_uniform(F64, &[4], 0.0, 1.0, 17);
    let w = tensor("w", F64, &[Some(3)]);
    let loss = model_loss(&w, &data, &target);
    let h = hessian(&loss, std::slice::from_ref(&w)).unwrap().remove(0);
    let g = grad1(&loss, &w);
    let f_h = function(std::slice::from_ref(&w), &[h]).unwrap();
    let f_g = function(std::slice::from_ref(&w), &[g]).unwrap();
    let w0 = Tensor::randn(F64, &[3], 18).to_vec::<f64>();
    let hv = f_h
        .call(&[Tensor::from_vec(w0.clone(), &[3]).unwrap()])
        .unwrap()[0]
        .to_vec::<f64>();
    let eps = 1e-5;
    for j in 0..3 {
        let at = |d: f64| {
            let mut p = w0.clone();
            p[j] += d;
            f_g.call(&[Tensor::from_vec(p, &[3]).unwrap()]).unwrap()[0].to_vec::<f64>()
        };
        let (plus, minus) = (at(eps), at(-eps));
        for i in 0..3 {
            let fd = (plus[i] - minus[i]) / (2.0 * eps);
            assert!(
                (hv[i * 3 + j] - fd).abs() < 1e-6,
                "H[{i},{j}] {} vs {fd}",
                hv[i * 3 + j]
            );
        }
    }
    for i in 0..3 {
        assert!((hv[i * 3 + (i + 1) % 3] - hv[((i + 1) % 3) * 3 + i]).abs() < 1e-12);
    }
}

#[test]
fn jacobian_matches_finite_differences() {
    let x = tensor("x", F64, &[Some(3)]);
    let m = matrix("m", F64);
    // y_i = sum_k m[i, k] * x_k ^ 2 + sin(x_i): a full Jacobian in x and m.
    let y = (&m * (&x * &x).dimshuffle(&[None, Some(0)])).sum(1) + x.sin();
    assert_eq!(y.ty().shape, vec![Some(3)]);
    let j = jacobian(&y, &[x.clone(), m.clone()]).unwrap();
    let f = function(&[x.clone(), m.clone()], &j).unwrap();
    let xv = Tensor::randn(F64, &[3], 19).to_vec::<f64>();
    let mv = Tensor::randn(F64, &[3, 3], 20).to_vec::<f64>();
    let out = f
        .call(&[
            Tensor::from_vec(xv.clone(), &[3]).unwrap(),
            Tensor::from_vec(mv.clone(), &[3, 3]).unwrap(),
        ])
        .unwrap();
    assert_eq!(out[0].shape(), &[3, 3]);
    assert_eq!(out[1].shape(), &[3, 3, 3]);
    let jx = out[0].to_vec::<f64>();
    let jm = out[1].to_vec::<f64>();
    for i in 0..3 {
        for k in 0..3 {
            let mut want = 2.0 * mv[i * 3 + k] * xv[k];
            if i == k {
                want += xv[i].cos();
            }
            assert!((jx[i * 3 + k] - want).abs() < 1e-12);
            for l in 0..3 {
                let want = if l == i { xv[k] * xv[k] } else { 0.0 };
                assert!((jm[i * 9 + l * 3 + k] - want).abs() < 1e-12);
            }
        }
    }
}

#[test]
fn jacobian_and_hessian_of_unknown_length_loop_with_scan() {
    let unknown = vector("u", F64);
    let j = jacobian(&unknown.exp(), std::slice::from_ref(&unknown)).unwrap();
    let cost = (&unknown * &unknown * &unknown).sum(Axis::All);
    let h = hessian(&cost, std::slice::from_ref(&unknown)).unwrap();
    let f = function(
        std::slice::from_ref(&unknown),
        &[j[0].clone(), h[0].clone()],
    )
    .unwrap();
    for n in [4usize, 1] {
        let uv = Tensor::randn(F64, &[n], 21);
        let out = f.call(std::slice::from_ref(&uv)).unwrap();
        assert_eq!(out[0].shape(), &[n, n]);
        assert_eq!(out[1].shape(), &[n, n]);
        let (u, jv, hv) = (
            uv.to_vec::<f64>(),
            out[0].to_vec::<f64>(),
            out[1].to_vec::<f64>(),
        );
        for i in 0..n {
            for k in 0..n {
                let (want_j, want_h) = if i == k {
                    (u[i].exp(), 6.0 * u[i])
                } else {
                    (0.0, 0.0)
                };
                assert!(
                    (jv[i * n + k] - want_j).abs() < 1e-12 * want_j.abs().max(1.0),
                    "{n} {i} {k}: {jv:?} {u:?}"
                );
                assert!(
                    (hv[i * n + k] - want_h).abs() < 1e-12 * want_h.abs().max(1.0),
                    "{n} {i} {k}: {hv:?} {u:?}"
                );
            }
        }
    }
    let other = vector("v", F64);
    let msg = jacobian(&unknown.exp(), std::slice::from_ref(&other))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("does not depend on 'v'"), "{msg}");
    let m = matrix("m", F64);
    let msg = hessian(&(&m * &m).sum(Axis::All), std::slice::from_ref(&m))
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("expects vectors") && msg.contains("'m'"),
        "{msg}"
    );
}
