//! `scan_checkpoints`: the states it keeps, gradients equal to `scan`'s,
//! fewer stored states, and its argument errors.

use super::assert_close;
use theon::graph::toposort;
use theon::ops::control::scan::{scan_checkpoints, Scan};
use theon::ops::control::{scan, OutputInfo};
use theon::prelude::*;

/// `h_t = tanh(x_t·W + h_{t-1}·U + b)`.
fn rnn_step(s: &theon::ops::control::StepArgs, w: &Var, u: &Var, b: &Var) -> Var {
    (s.seq(0).dot(w) + s.prev(0).dot(u) + b).tanh()
}

struct Rnn {
    inputs: Vec<Var>,
    args: Vec<Tensor>,
}

fn rnn(t: usize) -> Rnn {
    let (batch, n_in, n_h) = (2, 3, 4);
    Rnn {
        inputs: vec![
            tensor3("x", F64),
            matrix("w", F64),
            matrix("u", F64),
            vector("b", F64),
            matrix("h0", F64),
        ],
        args: vec![
            Tensor::randn(F64, &[t, batch, n_in], 51),
            Tensor::rand_uniform(F64, &[n_in, n_h], -0.6, 0.6, 52),
            Tensor::rand_uniform(F64, &[n_h, n_h], -0.6, 0.6, 53),
            Tensor::randn(F64, &[n_h], 54),
            Tensor::randn(F64, &[batch, n_h], 55),
        ],
    }
}

#[test]
fn keeps_every_nth_state_and_matches_scan() {
    let net = rnn(7);
    let [x, w, u, b, h0] = <[Var; 5]>::try_from(net.inputs.clone()).unwrap();
    let (w1, u1, b1) = (w.clone(), u.clone(), b.clone());
    let ck = scan_checkpoints(move |s| rnn_step(s, &w1, &u1, &b1))
        .sequences([&x])
        .outputs_info([&h0])
        .save_every_n(3)
        .name("ck")
        .build()
        .unwrap();
    let (w2, u2, b2) = (w.clone(), u.clone(), b.clone());
    let plain = scan(move |s| rnn_step(s, &w2, &u2, &b2))
        .sequences([&x])
        .outputs_info([&h0])
        .build()
        .unwrap();
    let f = function(
        &net.inputs,
        &[
            ck.outputs[0].clone(),
            ck.last[0].clone().unwrap(),
            ck.steps.clone(),
            plain.outputs[0].clone(),
        ],
    )
    .unwrap();
    let out = f.call(&net.args).unwrap();
    // States after steps 3, 6 and 7 (rows 2, 5, 6 of the full history).
    assert_eq!(out[0].shape(), &[3, 2, 4]);
    let all = out[3].to_f64_vec();
    let want: Vec<f64> = [2, 5, 6]
        .iter()
        .flat_map(|&r| all[r * 8..(r + 1) * 8].to_vec())
        .collect();
    assert_close(&out[0].to_f64_vec(), &want, 1e-12);
    assert_close(&out[1].to_f64_vec(), &all[48..], 1e-12);
    assert_eq!(out[2].item().as_i64(), 7);
}

#[test]
fn gradients_equal_scans_with_fewer_stored_states() {
    for (t, every) in [(7, 3), (8, 4), (5, 1), (4, 9)] {
        let net = rnn(t);
        let [x, w, u, b, h0] = <[Var; 5]>::try_from(net.inputs.clone()).unwrap();
        let (w1, u1, b1) = (w.clone(), u.clone(), b.clone());
        let ck = scan_checkpoints(move |s| rnn_step(s, &w1, &u1, &b1))
            .sequences([&x])
            .outputs_info([&h0])
            .save_every_n(every)
            .name("ck")
            .build()
            .unwrap();
        let (w2, u2, b2) = (w.clone(), u.clone(), b.clone());
        let plain = scan(move |s| rnn_step(s, &w2, &u2, &b2))
            .sequences([&x])
            .outputs_info([&h0])
            .build()
            .unwrap();
        let loss = |h: &Var| (h.sqr().sum(Axis::All) + h.sum(Axis::All)).named("loss");
        let wrt = [x.clone(), w.clone(), u.clone(), b.clone(), h0.clone()];
        let opts = GradOptions::default();
        let g_ck = grad(&loss(&ck.last[0].clone().unwrap()), &wrt, &opts).unwrap();
        let g_plain = grad(&loss(&plain.last[0].clone().unwrap()), &wrt, &opts).unwrap();
        let f_ck = function(&net.inputs, &g_ck).unwrap();
        let f_plain = function(&net.inputs, &g_plain).unwrap();
        let (a, p) = (
            f_ck.call(&net.args).unwrap(),
            f_plain.call(&net.args).unwrap(),
        );
        for (ga, gp) in a.iter().zip(&p) {
            assert_eq!(ga.shape(), gp.shape());
            assert_close(&ga.to_f64_vec(), &gp.to_f64_vec(), 1e-10);
        }
        // Outside any loop body, only the block loops (forward and
        // backward) run: the per-step states live inside their bodies.
        let names: Vec<String> = toposort(f_ck.optimized_outputs())
            .iter()
            .filter_map(|n| n.op().and_then(|op| op.as_any().downcast_ref::<Scan>()))
            .map(|s| s.spec.name.clone())
            .collect();
        assert!(names.iter().all(|n| n.contains("ck_outer")), "{names:?}");
        // The forward block loop stores ceil(T / N) states.
        let stored = function(&net.inputs, &[ck.outputs[0].clone()]).unwrap();
        let rows = stored.call(&net.args).unwrap()[0].shape()[0];
        assert_eq!(rows, t.div_ceil(every));
    }
}

#[test]
fn unsupported_arguments_are_refused() {
    let x = vector("x", F64);
    let h0 = scalar("h0", F64);
    let msg = scan_checkpoints(|s| s.prev(0) + s.seq(0))
        .sequences([&x])
        .outputs_info([&h0])
        .save_every_n(0)
        .build()
        .err()
        .expect("save_every_n 0")
        .to_string();
    assert!(msg.contains("save_every_n must be at least 1"), "{msg}");
    let x0 = vector("x0", F64);
    let msg = scan_checkpoints(|s| s.output_taps(0)[0].clone())
        .outputs_info([OutputInfo::taps(&x0, &[-2, -1])])
        .n_steps(4)
        .build()
        .err()
        .expect("taps")
        .to_string();
    assert!(msg.contains("taps [-1]"), "{msg}");
    let msg = scan_checkpoints(|s| s.prev(0) * 2.0)
        .outputs_info([&h0])
        .build()
        .err()
        .expect("no steps")
        .to_string();
    assert!(msg.contains("needs sequences or n_steps"), "{msg}");
}
