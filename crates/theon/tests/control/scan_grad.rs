//! Gradients through scan: backpropagation through time against finite
//! differences (float64), truncate_gradient, go_backwards, taps, the R-op,
//! and second derivatives. Matrix products are written as broadcast
//! multiply + sum (dot's gradient lives on another branch).

use super::{assert_close, eval};
use theon::grad::{disconnected_grad, verify_grad, verify_rop, VerifyGradOptions};
use theon::ops::control::{scan, OutputInfo, Seq};
use theon::prelude::*;

fn opts() -> VerifyGradOptions {
    VerifyGradOptions::default()
}

/// `v · M` for a vector `v` (n) and matrix `M` (n, m), as multiply + sum.
fn vecmat(v: &Var, m: &Var) -> Var {
    (v.dimshuffle(&[Some(0), None]) * m).sum(Axis::from(0))
}

/// A tanh RNN over `x` (T, n_in): `h_t = tanh(x_t·W + h_{t-1}·U + b)`.
fn rnn(x: &Var, w: &Var, u: &Var, b: &Var, h0: &Var) -> theon::ops::control::ScanResult {
    let (w, u, b) = (w.clone(), u.clone(), b.clone());
    scan(move |s| (vecmat(s.seq(0), &w) + vecmat(s.prev(0), &u) + &b).tanh())
        .sequences([x])
        .outputs_info([h0])
        .build()
        .unwrap()
}

fn rnn_points() -> Vec<Tensor> {
    vec![
        Tensor::randn(F64, &[5, 3], 1),
        Tensor::rand_uniform(F64, &[3, 4], -0.5, 0.5, 2),
        Tensor::rand_uniform(F64, &[4, 4], -0.5, 0.5, 3),
        Tensor::randn(F64, &[4], 4),
        Tensor::randn(F64, &[4], 5),
    ]
}

#[test]
fn bptt_of_the_history_matches_finite_differences() {
    let f = |v: &[Var]| Ok(rnn(&v[0], &v[1], &v[2], &v[3], &v[4]).outputs[0].clone());
    verify_grad(f, &rnn_points(), &opts()).unwrap();
}

#[test]
fn bptt_of_the_final_state_matches_finite_differences() {
    // loss = sum(h_T²) through the `last` output.
    let f = |v: &[Var]| {
        let r = rnn(&v[0], &v[1], &v[2], &v[3], &v[4]);
        Ok(r.last[0].clone().unwrap().sqr().sum(Axis::All))
    };
    verify_grad(f, &rnn_points(), &opts()).unwrap();
}

#[test]
fn gradient_of_a_two_tap_recurrence_reaches_the_initial_window() {
    // x_t = a * x_{t-2} + sin(x_{t-1}) * c_t.
    let f = |v: &[Var]| {
        let a = v[1].clone();
        let r = scan(move |s| {
            let taps = s.output_taps(0);
            &taps[0] * &a + taps[1].sin() * s.seq(0)
        })
        .sequences([&v[2]])
        .outputs_info([OutputInfo::taps(&v[0], &[-2, -1])])
        .build()
        .unwrap();
        Ok(r.outputs[0].clone())
    };
    let points = [
        Tensor::randn(F64, &[2, 3], 6),
        Tensor::randn(F64, &[3], 7),
        Tensor::randn(F64, &[6, 3], 8),
    ];
    verify_grad(f, &points, &opts()).unwrap();
}

#[test]
fn gradient_with_sparse_taps_and_sequence_taps() {
    // Taps [-3, -1] on the state, [-1, 1] on the sequence.
    let f = |v: &[Var]| {
        let r = scan(|s| {
            let h = s.output_taps(0);
            let x = s.seq_taps(0);
            (&h[0] * 0.5 + &h[1] * &x[0]).tanh() + &x[1]
        })
        .sequences([Seq::taps(&v[1], &[-1, 1])])
        .outputs_info([OutputInfo::taps(&v[0], &[-3, -1])])
        .build()
        .unwrap();
        Ok(r.outputs[0].clone())
    };
    let points = [
        Tensor::randn(F64, &[3, 2], 9),
        Tensor::randn(F64, &[7, 2], 10),
    ];
    verify_grad(f, &points, &opts()).unwrap();
}

#[test]
fn gradient_going_backwards_and_with_outputs_not_fed_back() {
    let f = |v: &[Var]| {
        let r = scan(|s| {
            let h = (s.prev(0) * s.seq(0)).tanh() + s.seq(1);
            vec![h.clone(), (h * s.seq(1)).exp()]
        })
        .sequences([&v[1], &v[2]])
        .outputs_info([OutputInfo::initial(&v[0]), OutputInfo::none()])
        .go_backwards(true)
        .build()
        .unwrap();
        Ok(r.outputs[0].sum(Axis::All) + r.outputs[1].sum(Axis::All))
    };
    let points = [
        Tensor::randn(F64, &[2], 11),
        Tensor::randn(F64, &[4, 2], 12),
        Tensor::rand_uniform(F64, &[6, 2], -0.5, 0.5, 13),
    ];
    // n_steps comes from the sequences, which must then agree: cut with taps.
    let f2 = |v: &[Var]| f(&[v[0].clone(), v[1].clone(), v[2].clone()]);
    let short = [
        points[0].clone(),
        points[1].clone(),
        Tensor::rand_uniform(F64, &[4, 2], -0.5, 0.5, 13),
    ];
    verify_grad(f2, &short, &opts()).unwrap();
}

#[test]
fn gradient_with_symbolic_n_steps_shorter_than_the_sequence() {
    let n = constant(Tensor::scalar(3i64));
    let f = |v: &[Var]| {
        let r = scan(|s| (s.prev(0) * s.seq(0)).sin())
            .sequences([&v[1]])
            .outputs_info([&v[0]])
            .n_steps(&n)
            .build()
            .unwrap();
        Ok(r.outputs[0].clone())
    };
    let points = [
        Tensor::randn(F64, &[2], 14),
        Tensor::randn(F64, &[5, 2], 15),
    ];
    verify_grad(f, &points, &opts()).unwrap();
    // The rows past n_steps get zero gradient.
    let h0 = vector("h0", F64);
    let x = matrix("x", F64);
    let cost = f(&[h0.clone(), x.clone()]).unwrap().sum(Axis::All);
    let gx = grad(&cost, std::slice::from_ref(&x), &GradOptions::default()).unwrap();
    let out = eval(&[h0, x], &gx, &points);
    assert_eq!(out[0].shape(), &[5, 2]);
    assert_eq!(&out[0].to_vec::<f64>()[6..], &[0.0; 4]);
}

#[test]
fn truncated_gradient_stops_after_n_steps() {
    let (t, n) = (7, 3);
    let x = matrix("x", F64);
    let w = vector("w", F64);
    let h0 = vector("h0", F64);
    let step = |w: Var| move |s: &theon::ops::control::StepArgs| (s.prev(0) * &w + s.seq(0)).tanh();
    let full = scan(step(w.clone()))
        .sequences([&x])
        .outputs_info([&h0])
        .build()
        .unwrap();
    let cut = scan(step(w.clone()))
        .sequences([&x])
        .outputs_info([&h0])
        .truncate_gradient(n)
        .build()
        .unwrap();
    let wrt = [x.clone(), w.clone(), h0.clone()];
    let g_full = grad(
        &full.outputs[0].sum(Axis::All),
        &wrt,
        &GradOptions::default(),
    )
    .unwrap();
    let g_cut = grad(
        &cut.outputs[0].sum(Axis::All),
        &wrt,
        &GradOptions::default(),
    )
    .unwrap();
    // The expected truncated gradient of w: the last n steps only, from a
    // state treated as constant.
    let x_head = x.at(&s![..(t - n) as i64]);
    let x_tail = x.at(&s![(t - n) as i64..]);
    let head = scan(step(w.clone()))
        .sequences([&x_head])
        .outputs_info([&h0])
        .build()
        .unwrap();
    let start = disconnected_grad(&head.last[0].clone().unwrap());
    let tail = scan(step(w.clone()))
        .sequences([&x_tail])
        .outputs_info([&start])
        .build()
        .unwrap();
    let gw_want = grad(
        &tail.outputs[0].sum(Axis::All),
        std::slice::from_ref(&w),
        &GradOptions::default(),
    )
    .unwrap();
    let points = [
        Tensor::randn(F64, &[t, 2], 16),
        Tensor::randn(F64, &[2], 17),
        Tensor::randn(F64, &[2], 18),
    ];
    let mut outs = g_full.clone();
    outs.extend(g_cut.clone());
    outs.extend(gw_want);
    let v = eval(&wrt, &outs, &points);
    let (gx_full, gx_cut) = (v[0].to_vec::<f64>(), v[3].to_vec::<f64>());
    let split = (t - n) * 2;
    assert_eq!(
        &gx_cut[..split],
        &vec![0.0; split][..],
        "rows before the window get nothing"
    );
    assert_close(&gx_cut[split..], &gx_full[split..], 1e-12);
    assert_close(&v[4].to_vec::<f64>(), &v[6].to_vec::<f64>(), 1e-12);
    assert_eq!(
        v[5].to_vec::<f64>(),
        vec![0.0, 0.0],
        "h0 is more than n steps back"
    );
    assert!(
        v[2].to_vec::<f64>().iter().any(|g| g.abs() > 1e-6),
        "the full gradient reaches h0"
    );
}

#[test]
fn rop_through_scan_matches_finite_differences() {
    let f = |v: &[Var]| Ok(rnn(&v[0], &v[1], &v[2], &v[3], &v[4]).outputs[0].clone());
    verify_rop(f, &rnn_points(), &opts()).unwrap();
    let g = |v: &[Var]| {
        let r = scan(|s| {
            let h = s.output_taps(0);
            (&h[0] * s.seq(0) + &h[1]).sin()
        })
        .sequences([&v[1]])
        .outputs_info([OutputInfo::taps(&v[0], &[-2, -1])])
        .build()
        .unwrap();
        Ok(r.last[0].clone().unwrap())
    };
    verify_rop(
        g,
        &[
            Tensor::randn(F64, &[2, 3], 19),
            Tensor::randn(F64, &[5, 3], 20),
        ],
        &opts(),
    )
    .unwrap();
}

#[test]
fn second_derivatives_through_scan() {
    // The gradient of the gradient: verify_grad of a function returning a
    // gradient differentiates the backward scan.
    let loss = |v: &[Var]| {
        let r = rnn(&v[0], &v[1], &v[2], &v[3], &v[4]);
        r.last[0].clone().unwrap().sqr().sum(Axis::All) + r.outputs[0].sum(Axis::All)
    };
    let small = |seed: u64| {
        vec![
            Tensor::randn(F64, &[3, 2], seed),
            Tensor::rand_uniform(F64, &[2, 2], -0.5, 0.5, seed + 1),
            Tensor::rand_uniform(F64, &[2, 2], -0.5, 0.5, seed + 2),
            Tensor::randn(F64, &[2], seed + 3),
            Tensor::randn(F64, &[2], seed + 4),
        ]
    };
    let grad_u = |v: &[Var]| {
        let g = grad(&loss(v), &[v[2].clone()], &GradOptions::default())?;
        Ok(g[0].clone())
    };
    verify_grad(grad_u, &small(21), &opts()).unwrap();
}

#[test]
fn hessian_vector_product_through_scan() {
    // Hv by R-op of the gradient, against finite differences of the gradient.
    let x = matrix("x", F64);
    let u = vector("u", F64);
    let h0 = vector("h0", F64);
    let v = vector("v", F64);
    let build = |u: &Var| {
        let u = u.clone();
        scan(move |s| (s.prev(0) * &u + s.seq(0)).tanh())
            .sequences([&x])
            .outputs_info([&h0])
            .build()
            .unwrap()
    };
    let cost = build(&u).outputs[0].sqr().sum(Axis::All);
    let g = grad(&cost, std::slice::from_ref(&u), &GradOptions::default())
        .unwrap()
        .remove(0);
    let hv_rop = rop(
        std::slice::from_ref(&g),
        std::slice::from_ref(&u),
        std::slice::from_ref(&v),
    )
    .unwrap()
    .remove(0);
    let hv_lop = grad(
        &(&g * &v).sum(Axis::All),
        std::slice::from_ref(&u),
        &GradOptions::default(),
    )
    .unwrap()
    .remove(0);
    let f = function(
        &[x.clone(), u.clone(), h0.clone(), v.clone()],
        &[g, hv_rop, hv_lop],
    )
    .unwrap();
    let (xv, uv, hv, vv) = (
        Tensor::randn(F64, &[4, 3], 22),
        Tensor::rand_uniform(F64, &[3], -0.8, 0.8, 23),
        Tensor::randn(F64, &[3], 24),
        Tensor::randn(F64, &[3], 25),
    );
    let out = f
        .call(&[xv.clone(), uv.clone(), hv.clone(), vv.clone()])
        .unwrap();
    let eps = 1e-6;
    let shifted = |sign: f64| {
        let moved: Vec<f64> = uv
            .to_vec::<f64>()
            .iter()
            .zip(vv.to_vec::<f64>())
            .map(|(a, d)| a + sign * eps * d)
            .collect();
        let args = [
            xv.clone(),
            Tensor::from_vec(moved, &[3]).unwrap(),
            hv.clone(),
            vv.clone(),
        ];
        f.call(&args).unwrap()[0].to_vec::<f64>()
    };
    let (plus, minus) = (shifted(1.0), shifted(-1.0));
    let numeric: Vec<f64> = plus
        .iter()
        .zip(&minus)
        .map(|(p, m)| (p - m) / (2.0 * eps))
        .collect();
    assert_close(&out[1].to_vec::<f64>(), &numeric, 1e-6);
    assert_close(&out[2].to_vec::<f64>(), &numeric, 1e-6);
}

#[test]
fn gradient_with_until_matches_finite_differences() {
    // The stop condition depends on a counter carry, far from any threshold.
    let f = |v: &[Var]| {
        let r = scan(|s| {
            let h = (s.prev(0) * s.non_seq(0)).sin() + 0.5;
            let count = s.prev(1) + 1i64;
            theon::ops::control::StepOutputs::new([h, count.clone()]).until(&count.ge(4i64))
        })
        .outputs_info([
            OutputInfo::initial(&v[0]),
            OutputInfo::initial(&constant(Tensor::scalar(0i64))),
        ])
        .non_sequences([&v[1]])
        .n_steps(10)
        .build()
        .unwrap();
        Ok(r.outputs[0].clone())
    };
    verify_grad(
        f,
        &[Tensor::randn(F64, &[3], 26), Tensor::randn(F64, &[3], 27)],
        &opts(),
    )
    .unwrap();
}

#[test]
fn gradient_reaches_a_shared_variable_the_body_reads() {
    // Theano-style: the weights are shared variables used inside the step.
    let w = shared(Tensor::rand_uniform(F64, &[3], -0.8, 0.8, 30), "w");
    let x = matrix("x", F64);
    let h0 = vector("h0", F64);
    let wv = w.var();
    let r = scan(move |s| (s.prev(0) * &wv + s.seq(0)).tanh())
        .sequences([&x])
        .outputs_info([&h0])
        .build()
        .unwrap();
    let cost = r.outputs[0].sqr().sum(Axis::All);
    let gw = grad(&cost, &[w.var()], &GradOptions::default()).unwrap();
    let args = [
        Tensor::randn(F64, &[5, 3], 31),
        Tensor::randn(F64, &[3], 32),
    ];
    let f_cost = function(&[x.clone(), h0.clone()], std::slice::from_ref(&cost)).unwrap();
    let analytic = eval(&[x, h0], &gw, &args)[0].to_vec::<f64>();
    let base = w.get_value().to_vec::<f64>();
    let eps = 1e-6;
    let numeric: Vec<f64> = (0..3)
        .map(|i| {
            let at = |d: f64| {
                let mut v = base.clone();
                v[i] += d;
                w.set_value(Tensor::from_vec(v, &[3]).unwrap()).unwrap();
                f_cost.call(&args).unwrap()[0].item().as_f64()
            };
            (at(eps) - at(-eps)) / (2.0 * eps)
        })
        .collect();
    assert_close(&analytic, &numeric, 1e-6);
}

#[test]
fn nested_scans_and_their_gradient() {
    // Outer step: h_t = h_{t-1} + sum over an inner scan of cumulative
    // products of x_t's elements with h_{t-1}.
    let f = |v: &[Var]| {
        let r = scan(|s| {
            let (row, h) = (s.seq(0).clone(), s.prev(0).clone());
            let inner = scan(move |q| q.prev(0) * q.seq(0) * &h)
                .sequences([&row])
                .outputs_info([&constant(Tensor::scalar(1.0f64))])
                .build()?;
            Ok::<_, theon::Error>(s.prev(0) + inner.outputs[0].sum(Axis::All) * 0.1)
        })
        .sequences([&v[1]])
        .outputs_info([&v[0]])
        .build()
        .unwrap();
        Ok(r.outputs[0].clone())
    };
    let points = [
        Tensor::from_vec(vec![0.3f64], &[]).unwrap(),
        Tensor::rand_uniform(F64, &[3, 4], -1.0, 1.0, 33),
    ];
    // Forward against loops.
    let h0 = scalar("h0", F64);
    let x = matrix("x", F64);
    let out = eval(&[h0.clone(), x.clone()], &[f(&[h0, x]).unwrap()], &points)[0].to_vec::<f64>();
    let xs = points[1].to_vec::<f64>();
    let mut h = 0.3;
    let mut want = Vec::new();
    for t in 0..3 {
        let (mut p, mut total) = (1.0, 0.0);
        for j in 0..4 {
            p *= xs[t * 4 + j] * h;
            total += p;
        }
        h += 0.1 * total;
        want.push(h);
    }
    assert_close(&out, &want, 1e-12);
    verify_grad(f, &points, &opts()).unwrap();
}
