//! The rules that move work out of scan loops: each fires where it should
//! (the optimized graph shows it), and results agree with the rule on and
//! off, and with plain loops, on random inputs.

use super::assert_close;
use theon::graph::toposort;
use theon::ops::control::scan::Scan;
use theon::ops::control::{scan, OutputInfo, Seq};
use theon::prelude::*;

fn scans(f: &Function) -> Vec<Scan> {
    toposort(f.optimized_outputs())
        .iter()
        .filter_map(|n| {
            n.op()
                .and_then(|op| op.as_any().downcast_ref::<Scan>())
                .cloned()
        })
        .collect()
}

fn compile(inputs: &[Var], outputs: &[Var], mode: Mode) -> Function {
    Function::builder(inputs, outputs)
        .mode(mode)
        .build()
        .unwrap()
}

/// Runs `on` and `off` and checks every output agrees within `tol`.
fn agree(on: &Function, off: &Function, args: &[Tensor], tol: f64) -> Vec<Vec<f64>> {
    let a = on.call(args).unwrap();
    let b = off.call(args).unwrap();
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.shape(), y.shape());
        assert_close(&x.to_f64_vec(), &y.to_f64_vec(), tol);
    }
    a.iter().map(|t| t.to_f64_vec()).collect()
}

/// `y = x · w` for row-major `x` (n × k) and `w` (k × m).
fn matmul(x: &[f64], w: &[f64], n: usize, k: usize, m: usize) -> Vec<f64> {
    let mut y = vec![0.0; n * m];
    for i in 0..n {
        for j in 0..m {
            y[i * m + j] = (0..k).map(|p| x[i * k + p] * w[p * m + j]).sum();
        }
    }
    y
}

#[test]
fn invariant_computation_in_a_body_is_hoisted() {
    // `exp(w)` and `sum(w²)` only read the non-sequence: computed once.
    let x = matrix("x", F64);
    let w = vector("w", F64);
    let h0 = vector("h0", F64);
    let r = scan(|s| s.prev(0) * s.non_seq(0).exp() + s.seq(0) * s.non_seq(0).sqr().sum(Axis::All))
        .sequences([&x])
        .outputs_info([&h0])
        .non_sequences([&w])
        .build()
        .unwrap();
    let inputs = [x.clone(), w.clone(), h0.clone()];
    let outs = [r.outputs[0].clone()];
    let on = compile(&inputs, &outs, Mode::fast_run());
    let off = compile(
        &inputs,
        &outs,
        Mode::fast_run().excluding(["scan_hoist_invariants"]),
    );
    assert!(on.compile_profile().hits("scan_hoist_invariants") >= 1);
    assert_eq!(off.compile_profile().hits("scan_hoist_invariants"), 0);
    let hoisted = &scans(&on)[0];
    assert_eq!(
        hoisted.spec.consts.len(),
        2,
        "exp(w) and sum(w²) are constants now"
    );
    let body_ops: Vec<String> = toposort(&hoisted.body.outputs)
        .iter()
        .filter_map(|n| n.op().map(|op| op.name()))
        .collect();
    assert!(!body_ops.iter().any(|n| n.contains("exp")), "{body_ops:?}");
    let args = [
        Tensor::randn(F64, &[5, 3], 1),
        Tensor::randn(F64, &[3], 2),
        Tensor::randn(F64, &[3], 3),
    ];
    let got = agree(&on, &off, &args, 1e-12);
    let (xs, ws) = (args[0].to_f64_vec(), args[1].to_f64_vec());
    let ss: f64 = ws.iter().map(|v| v * v).sum();
    let mut h = args[2].to_f64_vec();
    let mut want = Vec::new();
    for t in 0..5 {
        h = (0..3)
            .map(|j| h[j] * ws[j].exp() + xs[t * 3 + j] * ss)
            .collect();
        want.extend(&h);
    }
    assert_close(&got[0], &want, 1e-12);
}

/// The RNN `h_t = tanh(x_t·W + h_{t-1}·U + b)` over `x` (T × B × I).
fn rnn(x: &Var, w: &Var, u: &Var, b: &Var, h0: &Var) -> theon::ops::control::ScanResult {
    let (w, u, b) = (w.clone(), u.clone(), b.clone());
    scan(move |s| (s.seq(0).dot(&w) + s.prev(0).dot(&u) + &b).tanh())
        .sequences([x])
        .outputs_info([h0])
        .build()
        .unwrap()
}

fn rnn_args(t: usize, batch: usize, n_in: usize, n_h: usize) -> Vec<Tensor> {
    vec![
        Tensor::randn(F64, &[t, batch, n_in], 11),
        Tensor::rand_uniform(F64, &[n_in, n_h], -0.5, 0.5, 12),
        Tensor::rand_uniform(F64, &[n_h, n_h], -0.5, 0.5, 13),
        Tensor::randn(F64, &[n_h], 14),
        Tensor::randn(F64, &[batch, n_h], 15),
    ]
}

#[test]
fn sequence_products_are_computed_for_all_steps_before_the_loop() {
    let (x, w, u) = (tensor3("x", F64), matrix("w", F64), matrix("u", F64));
    let (b, h0) = (vector("b", F64), matrix("h0", F64));
    let r = rnn(&x, &w, &u, &b, &h0);
    let inputs = [x, w, u, b, h0];
    let outs = [r.outputs[0].clone()];
    let on = compile(&inputs, &outs, Mode::fast_run());
    let off = compile(
        &inputs,
        &outs,
        Mode::fast_run().excluding(["scan_push_out_sequences"]),
    );
    assert!(on.compile_profile().hits("scan_push_out_sequences") >= 1);
    // x_t·W is read as a second sequence; the body keeps one product.
    assert_eq!(scans(&on)[0].spec.reads.len(), 2);
    assert_eq!(scans(&off)[0].spec.reads.len(), 1);
    let (t, batch, n_in, n_h) = (4, 3, 2, 5);
    let args = rnn_args(t, batch, n_in, n_h);
    let got = agree(&on, &off, &args, 1e-12);
    let v: Vec<Vec<f64>> = args.iter().map(|a| a.to_f64_vec()).collect();
    let mut h = v[4].clone();
    let mut want = Vec::new();
    for s in 0..t {
        let xw = matmul(
            &v[0][s * batch * n_in..(s + 1) * batch * n_in],
            &v[1],
            batch,
            n_in,
            n_h,
        );
        let hu = matmul(&h, &v[2], batch, n_h, n_h);
        h = (0..batch * n_h)
            .map(|i| (xw[i] + hu[i] + v[3][i % n_h]).tanh())
            .collect();
        want.extend(&h);
    }
    assert_close(&got[0], &want, 1e-12);
}

#[test]
fn a_scan_without_recurrence_becomes_whole_sequence_operations() {
    // y_t = tanh(x_{t-1}·W + x_{t+1}) · 2 + z_t, going backwards.
    let (x, z, w) = (tensor3("x", F64), tensor3("z", F64), matrix("w", F64));
    let r = scan(|s| {
        let taps = s.seq_taps(0);
        (taps[0].dot(s.non_seq(0)) + &taps[1]).tanh() * 2.0 + s.seq(1)
    })
    .sequences([Seq::taps(&x, &[-1, 1]), Seq::new(&z)])
    .non_sequences([&w])
    .go_backwards(true)
    .build()
    .unwrap();
    let inputs = [x.clone(), z.clone(), w.clone()];
    let outs = [r.outputs[0].clone(), r.steps.clone()];
    let on = compile(&inputs, &outs, Mode::fast_run());
    let off = compile(
        &inputs,
        &outs,
        Mode::fast_run().excluding(["scan_push_out_sequences"]),
    );
    assert_eq!(scans(&on).len(), 0, "{}", on.debugprint());
    assert_eq!(scans(&off).len(), 1);
    // x has 7 rows (5 steps with taps -1 and +1); z has more rows than needed.
    let (n, k) = (2, 3);
    let args = [
        Tensor::randn(F64, &[7, n, k], 21),
        Tensor::randn(F64, &[5, n, k], 22),
        Tensor::randn(F64, &[k, k], 23),
    ];
    let got = agree(&on, &off, &args, 1e-12);
    let v: Vec<Vec<f64>> = args.iter().map(|a| a.to_f64_vec()).collect();
    let row = |m: &[f64], r: usize| m[r * n * k..(r + 1) * n * k].to_vec();
    let mut want = Vec::new();
    for s in 0..5 {
        // Backwards over x reversed: tap -1 of step s is x'[s] = x[6 - s],
        // tap +1 is x'[s + 2] = x[4 - s]; z is read at row 4 - s.
        let xw = matmul(&row(&v[0], 6 - s), &v[2], n, k, k);
        let x1 = row(&v[0], 4 - s);
        let zs = row(&v[1], 4 - s);
        want.extend((0..n * k).map(|i| (xw[i] + x1[i]).tanh() * 2.0 + zs[i]));
    }
    assert_close(&got[0], &want, 1e-12);
    assert_eq!(got[1], vec![5.0]);
}

#[test]
fn accumulated_gradients_are_summed_after_the_backward_loop() {
    let (x, w, u) = (tensor3("x", F64), matrix("w", F64), matrix("u", F64));
    let (b, h0) = (vector("b", F64), matrix("h0", F64));
    let r = rnn(&x, &w, &u, &b, &h0);
    let loss = r.last[0].clone().unwrap().sqr().sum(Axis::All);
    let params = [w.clone(), u.clone(), b.clone(), h0.clone()];
    let grads = grad(&loss, &params, &GradOptions::default()).unwrap();
    let inputs = [x, w, u, b, h0];
    let on = compile(&inputs, &grads, Mode::fast_run());
    let off = compile(
        &inputs,
        &grads,
        Mode::fast_run().excluding(["scan_sum_out"]),
    );
    assert!(on.compile_profile().hits("scan_sum_out") >= 1);
    let carries =
        |f: &Function| -> Vec<usize> { scans(f).iter().map(|s| s.spec.carries.len()).collect() };
    // Forward: h. Backward: dh plus the sums of dW, dU, db (off), or
    // dh alone with δ_t written out (on).
    let (c_on, c_off) = (carries(&on), carries(&off));
    assert_eq!(
        c_on.iter().sum::<usize>() + 3,
        c_off.iter().sum::<usize>(),
        "{c_on:?} {c_off:?}"
    );
    let args = rnn_args(6, 3, 2, 4);
    agree(&on, &off, &args, 1e-10);
    // And against finite differences of the loss for one entry of U.
    let f = compile(&inputs, &[loss], Mode::fast_run());
    let g_u = on.call(&args).unwrap()[1].to_f64_vec();
    let eps = 1e-6;
    let bump = |d: f64| {
        let mut u = args[2].to_f64_vec();
        u[5] += d;
        let mut a = args.clone();
        a[2] = Tensor::from_vec(u, &[4, 4]).unwrap();
        f.call(&a).unwrap()[0].item().as_f64()
    };
    let numeric = (bump(eps) - bump(-eps)) / (2.0 * eps);
    assert!(
        (numeric - g_u[5]).abs() < 1e-6 * (1.0 + numeric.abs()),
        "{numeric} vs {}",
        g_u[5]
    );
}

#[test]
fn hoisting_applies_to_backward_bodies() {
    // The backward body of a scan with a non-sequence reads exp(w)
    // through the body's VJP; it is computed once outside the loop.
    let x = matrix("x", F64);
    let w = vector("w", F64);
    let h0 = vector("h0", F64);
    let r = scan(|s| (s.prev(0) * s.non_seq(0).exp() + s.seq(0)).tanh())
        .sequences([&x])
        .outputs_info([&h0])
        .non_sequences([&w])
        .build()
        .unwrap();
    let loss = r.outputs[0].sum(Axis::All);
    let g = grad(&loss, &[w.clone(), h0.clone()], &GradOptions::default()).unwrap();
    let inputs = [x, w, h0];
    let on = compile(&inputs, &g, Mode::fast_run());
    let off = compile(
        &inputs,
        &g,
        Mode::fast_run().excluding(["scan_hoist_invariants"]),
    );
    assert!(
        on.compile_profile().hits("scan_hoist_invariants") >= 2,
        "forward and backward"
    );
    for s in scans(&on) {
        let names: Vec<String> = toposort(&s.body.outputs)
            .iter()
            .filter_map(|n| n.op().map(|op| op.name()))
            .collect();
        assert!(
            !names.iter().any(|n| n.contains("exp")),
            "{}: {names:?}",
            s.spec.name
        );
    }
    let args = [
        Tensor::randn(F64, &[5, 3], 31),
        Tensor::randn(F64, &[3], 32),
        Tensor::randn(F64, &[3], 33),
    ];
    agree(&on, &off, &args, 1e-12);
}

#[test]
fn products_of_carries_stay_in_the_loop() {
    // h_t = h_{t-1}·U: nothing is sequence-only; the rule does not fire.
    let u = matrix("u", F64);
    let h0 = matrix("h0", F64);
    let r = scan(|s| s.prev(0).dot(s.non_seq(0)))
        .outputs_info([OutputInfo::initial(&h0)])
        .non_sequences([&u])
        .n_steps(3)
        .build()
        .unwrap();
    let f = compile(&[u, h0], &[r.outputs[0].clone()], Mode::fast_run());
    assert_eq!(f.compile_profile().hits("scan_push_out_sequences"), 0);
    assert_eq!(scans(&f).len(), 1);
}

#[test]
fn scans_over_the_same_sequence_are_merged() {
    // A cumulative sum and a cumulative product of the same sequence (one
    // of them going backwards), and a scan with the same n_steps.
    let x = matrix("x", F64);
    let (a0, p0) = (vector("a0", F64), vector("p0", F64));
    let sum = scan(|s| s.prev(0) + s.seq(0))
        .sequences([&x])
        .outputs_info([&a0])
        .build()
        .unwrap();
    let prod = scan(|s| s.prev(0) * s.seq(0).tanh())
        .sequences([&x])
        .outputs_info([&p0])
        .go_backwards(true)
        .build()
        .unwrap();
    let inputs = [x.clone(), a0.clone(), p0.clone()];
    let outs = [sum.outputs[0].clone(), prod.outputs[0].clone()];
    let on = compile(&inputs, &outs, Mode::fast_run());
    let off = compile(&inputs, &outs, Mode::fast_run().excluding(["scan_merge"]));
    assert!(on.compile_profile().hits("scan_merge") >= 1);
    assert_eq!(scans(&on).len(), 1, "{}", on.debugprint());
    assert_eq!(scans(&on)[0].spec.reads.len(), 2, "each direction reads x");
    assert_eq!(scans(&off).len(), 2);
    let args = [
        Tensor::randn(F64, &[6, 3], 61),
        Tensor::randn(F64, &[3], 62),
        Tensor::randn(F64, &[3], 63),
    ];
    let got = agree(&on, &off, &args, 1e-12);
    let xs = args[0].to_f64_vec();
    let (mut a, mut p) = (args[1].to_f64_vec(), args[2].to_f64_vec());
    let (mut want_a, mut want_p) = (Vec::new(), Vec::new());
    for t in 0..6 {
        a = (0..3).map(|j| a[j] + xs[t * 3 + j]).collect();
        p = (0..3).map(|j| p[j] * xs[(5 - t) * 3 + j].tanh()).collect();
        want_a.extend(&a);
        want_p.extend(&p);
    }
    assert_close(&got[0], &want_a, 1e-12);
    assert_close(&got[1], &want_p, 1e-12);
    // A scan that reads another's result is not merged with it.
    let chained = scan(|s| s.prev(0) - s.seq(0))
        .sequences([&sum.outputs[0]])
        .outputs_info([&p0])
        .build()
        .unwrap();
    let f = compile(&inputs, &[chained.outputs[0].clone()], Mode::fast_run());
    assert_eq!(scans(&f).len(), 2);
    assert_eq!(f.compile_profile().hits("scan_merge"), 0);
}

#[test]
fn merged_scans_that_share_placeholders_stay_apart() {
    // The R-op and the gradient of one scan both read the forward body's
    // placeholders (one forwards, one backwards): merged, each must keep
    // its own inputs.
    let x = matrix("x", F64);
    let (u, h0, v) = (vector("u", F64), vector("h0", F64), vector("v", F64));
    let uu = u.clone();
    let r = scan(move |s| (s.prev(0) * &uu + s.seq(0)).tanh())
        .sequences([&x])
        .outputs_info([&h0])
        .build()
        .unwrap();
    let cost = r.outputs[0].sqr().sum(Axis::All);
    let opts = GradOptions::default();
    let g = grad(&cost, std::slice::from_ref(&u), &opts)
        .unwrap()
        .remove(0);
    let wrt = std::slice::from_ref(&u);
    let t = rop(
        std::slice::from_ref(&r.outputs[0]),
        wrt,
        std::slice::from_ref(&v),
    )
    .unwrap()
    .remove(0);
    let inputs = [x, u, h0, v];
    let outs = [g, t];
    let on = compile(&inputs, &outs, Mode::fast_run());
    let off = compile(&inputs, &outs, Mode::fast_run().excluding(["scan_merge"]));
    assert_eq!(on.compile_profile().hits("scan_merge"), 1);
    assert_eq!(scans(&on).len() + 1, scans(&off).len());
    let args = [
        Tensor::randn(F64, &[4, 3], 22),
        Tensor::rand_uniform(F64, &[3], -0.8, 0.8, 23),
        Tensor::randn(F64, &[3], 24),
        Tensor::randn(F64, &[3], 25),
    ];
    agree(&on, &off, &args, 1e-12);
}
