//! Theano's scan examples, checked against plain Rust loops on random data.

use super::{assert_close, eval};
use theon::ops::control::{foldl, foldr, map, reduce, scan, OutputInfo, Seq, StepOutputs};
use theon::prelude::*;

#[test]
fn polynomial_evaluation() {
    // components[i] = c[i] * x**i, summed.
    let c = vector("c", F64);
    let x = scalar("x", F64);
    let n = c.shape_i(0);
    let powers = arange(0i64, &n, 1i64, I64);
    let r = scan(|s| s.seq(0) * s.non_seq(0).pow(s.seq(1)))
        .sequences([&c, &powers])
        .non_sequences([&x])
        .build()
        .unwrap();
    let poly = r.outputs[0].sum(Axis::All);
    let cv = Tensor::randn(F64, &[7], 1);
    let xv = 0.8f64;
    let out = eval(&[c, x], &[poly], &[cv.clone(), Tensor::scalar(xv)]);
    let want: f64 = cv
        .to_vec::<f64>()
        .iter()
        .enumerate()
        .map(|(i, ci)| ci * xv.powi(i as i32))
        .sum();
    assert_close(&out[0].to_vec::<f64>(), &[want], 1e-12);
}

#[test]
fn power_by_repeated_multiplication() {
    let a = vector("a", F64);
    let k = scalar("k", I64);
    let r = scan(|s| s.prev(0) * s.non_seq(0))
        .outputs_info([OutputInfo::initial(&a.ones_like())])
        .non_sequences([&a])
        .n_steps(&k)
        .build()
        .unwrap();
    let final_value = r.last[0].clone().unwrap();
    let av = Tensor::rand_uniform(F64, &[5], 0.5, 1.5, 2);
    let out = eval(
        &[a, k],
        &[r.outputs[0].clone(), final_value],
        &[av.clone(), Tensor::scalar(4i64)],
    );
    let base = av.to_vec::<f64>();
    let mut want_all = Vec::new();
    for step in 1..=4 {
        want_all.extend(base.iter().map(|v| v.powi(step)));
    }
    assert_eq!(out[0].shape(), &[4, 5]);
    assert_close(&out[0].to_vec::<f64>(), &want_all, 1e-12);
    assert_close(&out[1].to_vec::<f64>(), &want_all[15..], 1e-12);
}

/// `h_t = tanh(x_t · W + h_{t-1} · U + b)` by plain loops.
fn rnn_reference(v: &[Vec<f64>], (t, n_in, n_h): (usize, usize, usize)) -> Vec<f64> {
    let (x, w, u, b, h0) = (&v[0], &v[1], &v[2], &v[3], &v[4]);
    let mut h = h0.to_vec();
    let mut all = Vec::new();
    for step in 0..t {
        let mut next = vec![0.0; n_h];
        for (j, nj) in next.iter_mut().enumerate() {
            let mut acc = b[j];
            for i in 0..n_in {
                acc += x[step * n_in + i] * w[i * n_h + j];
            }
            for i in 0..n_h {
                acc += h[i] * u[i * n_h + j];
            }
            *nj = acc.tanh();
        }
        all.extend_from_slice(&next);
        h = next;
    }
    all
}

#[test]
fn tanh_rnn_matches_a_plain_loop() {
    let (t, n_in, n_h) = (6, 3, 4);
    let x = matrix("x", F64);
    let w = matrix("w", F64);
    let u = matrix("u", F64);
    let b = vector("b", F64);
    let h0 = vector("h0", F64);
    // W, U and b are read from the enclosing scope: they become implicit
    // non-sequences, as in Theano.
    let r = scan(|s| (s.seq(0).dot(&w) + s.prev(0).dot(&u) + &b).tanh())
        .sequences([&x])
        .outputs_info([&h0])
        .build()
        .unwrap();
    let vals = [
        Tensor::randn(F64, &[t, n_in], 3),
        Tensor::randn(F64, &[n_in, n_h], 4),
        Tensor::randn(F64, &[n_h, n_h], 5),
        Tensor::randn(F64, &[n_h], 6),
        Tensor::randn(F64, &[n_h], 7),
    ];
    let out = eval(&[x, w, u, b, h0], &[r.outputs[0].clone()], &vals);
    let v: Vec<Vec<f64>> = vals.iter().map(|t| t.to_vec::<f64>()).collect();
    let want = rnn_reference(&v, (t, n_in, n_h));
    assert_eq!(out[0].shape(), &[t, n_h]);
    assert_close(&out[0].to_vec::<f64>(), &want, 1e-12);
}

#[test]
fn fibonacci_like_recurrence_with_two_taps() {
    // x_t = a * x_{t-2} + x_{t-1}, from two random initial states.
    let x0 = vector("x0", F64);
    let a = scalar("a", F64);
    let r = scan(|s| {
        let taps = s.output_taps(0);
        &taps[0] * s.non_seq(0) + &taps[1]
    })
    .outputs_info([OutputInfo::taps(&x0, &[-2, -1])])
    .non_sequences([&a])
    .n_steps(8)
    .build()
    .unwrap();
    let init = Tensor::randn(F64, &[2], 8).to_vec::<f64>();
    let out = eval(
        &[x0, a],
        &[r.outputs[0].clone()],
        &[
            Tensor::from_vec(init.clone(), &[2]).unwrap(),
            Tensor::scalar(0.7f64),
        ],
    );
    let mut seq = init.clone();
    for t in 2..10 {
        seq.push(0.7 * seq[t - 2] + seq[t - 1]);
    }
    assert_close(&out[0].to_vec::<f64>(), &seq[2..], 1e-12);
}

#[test]
fn jacobian_by_scan() {
    // J[i] = d y_i / d x for y = tanh(x) * sum(x^2). Row i is the gradient
    // of sum(y * onehot_i) (elementwise, so no indexing gradient is needed).
    let x = vector("x", F64);
    let y = x.tanh() * x.sqr().sum(Axis::All);
    let n = y.shape_i(0);
    let idx = arange(0i64, &n, 1i64, I64);
    let positions = arange(0i64, &n, 1i64, I64);
    let r = scan(|s| {
        let onehot = eq(&positions, s.seq(0)).cast(F64);
        let g = grad(
            &(&y * &onehot).sum(Axis::All),
            std::slice::from_ref(&x),
            &GradOptions::default(),
        )?;
        Ok::<_, theon::Error>(g[0].clone())
    })
    .sequences([&idx])
    .build()
    .unwrap();
    let xv = Tensor::randn(F64, &[4], 9).to_vec::<f64>();
    let out = eval(
        &[x],
        &[r.outputs[0].clone()],
        &[Tensor::from_vec(xv.clone(), &[4]).unwrap()],
    );
    let s2: f64 = xv.iter().map(|v| v * v).sum();
    let mut want = Vec::new();
    for i in 0..4 {
        for j in 0..4 {
            let diag = if i == j {
                (1.0 - xv[i].tanh().powi(2)) * s2
            } else {
                0.0
            };
            want.push(diag + xv[i].tanh() * 2.0 * xv[j]);
        }
    }
    assert_eq!(out[0].shape(), &[4, 4]);
    assert_close(&out[0].to_vec::<f64>(), &want, 1e-12);
}

#[test]
fn accumulating_into_a_shared_variable_with_updates() {
    let acc = shared(Tensor::randn(F64, &[3], 10), "acc");
    let start = acc.get_value().to_vec::<f64>();
    let x = matrix("x", F64);
    let r = scan(|s| {
        let new = acc.var() + s.seq(0);
        StepOutputs::new([new.sum(Axis::All)]).update(&acc, new)
    })
    .sequences([&x])
    .build()
    .unwrap();
    assert_eq!(r.updates.len(), 1);
    let f = Function::builder(&[x], &[r.outputs[0].clone()])
        .updates(r.updates.clone())
        .build()
        .unwrap();
    let xv = Tensor::randn(F64, &[5, 3], 11);
    let out = f.call(std::slice::from_ref(&xv)).unwrap();
    let rows = xv.to_vec::<f64>();
    let mut state = start.clone();
    let mut sums = Vec::new();
    for t in 0..5 {
        for j in 0..3 {
            state[j] += rows[t * 3 + j];
        }
        sums.push(state.iter().sum());
    }
    assert_close(&out[0].to_vec::<f64>(), &sums, 1e-12);
    assert_close(&acc.get_value().to_vec::<f64>(), &state, 1e-12);
    // A second call starts from the updated value.
    f.call(&[xv]).unwrap();
    let twice: Vec<f64> = state
        .iter()
        .zip(&start)
        .map(|(s, s0)| 2.0 * s - s0)
        .collect();
    assert_close(&acc.get_value().to_vec::<f64>(), &twice, 1e-12);
}

#[test]
fn sequence_taps_read_neighbours() {
    // y_t = x[t-1] - 2 x[t] + x[t+1] over the positions that have both.
    let x = vector("x", F64);
    let r = scan(|s| {
        let t = s.seq_taps(0);
        &t[0] - &t[1] * 2.0 + &t[2]
    })
    .sequences([Seq::taps(&x, &[-1, 0, 1])])
    .build()
    .unwrap();
    let xv = Tensor::randn(F64, &[9], 12).to_vec::<f64>();
    let out = eval(
        &[x],
        &[r.outputs[0].clone()],
        &[Tensor::from_vec(xv.clone(), &[9]).unwrap()],
    );
    let want: Vec<f64> = (1..8)
        .map(|i| xv[i - 1] - 2.0 * xv[i] + xv[i + 1])
        .collect();
    assert_close(&out[0].to_vec::<f64>(), &want, 1e-12);
}

#[test]
fn go_backwards_iterates_from_the_end() {
    let x = vector("x", F64);
    let h0 = scalar("h0", F64);
    // h_t = 0.5 h_{t-1} + x_t, visiting x from its last element.
    let r = scan(|s| s.prev(0) * 0.5 + s.seq(0))
        .sequences([&x])
        .outputs_info([&h0])
        .go_backwards(true)
        .build()
        .unwrap();
    let xv = Tensor::randn(F64, &[6], 13).to_vec::<f64>();
    let out = eval(
        &[x, h0],
        &[r.outputs[0].clone()],
        &[
            Tensor::from_vec(xv.clone(), &[6]).unwrap(),
            Tensor::scalar(1.5f64),
        ],
    );
    let mut h = 1.5;
    let want: Vec<f64> = xv
        .iter()
        .rev()
        .map(|v| {
            h = 0.5 * h + v;
            h
        })
        .collect();
    assert_close(&out[0].to_vec::<f64>(), &want, 1e-12);
}

#[test]
fn until_stops_after_the_condition_holds() {
    // Double until above a threshold; the steps run are as many as needed.
    let start = scalar("start", F64);
    let limit = scalar("limit", F64);
    let r = scan(|s| {
        let next = s.prev(0) * 2.0;
        StepOutputs::new([next.clone()]).until(&next.gt(s.non_seq(0)))
    })
    .outputs_info([&start])
    .non_sequences([&limit])
    .n_steps(50)
    .build()
    .unwrap();
    let out = eval(
        &[start, limit],
        &[r.outputs[0].clone(), r.steps.clone()],
        &[Tensor::scalar(0.3f64), Tensor::scalar(10.0f64)],
    );
    let mut v = 0.3;
    let mut want = Vec::new();
    loop {
        v *= 2.0;
        want.push(v);
        if v > 10.0 {
            break;
        }
    }
    assert_close(&out[0].to_vec::<f64>(), &want, 1e-12);
    assert_eq!(out[1].item().as_i64(), want.len() as i64);
}

#[test]
fn symbolic_n_steps_and_sequences_longer_than_needed() {
    let x = vector("x", F64);
    let n = scalar("n", I32);
    let r = scan(|s| s.seq(0).sqr())
        .sequences([&x])
        .n_steps(&n)
        .build()
        .unwrap();
    let xv = Tensor::randn(F64, &[10], 14).to_vec::<f64>();
    let out = eval(
        &[x, n],
        &[r.outputs[0].clone()],
        &[
            Tensor::from_vec(xv.clone(), &[10]).unwrap(),
            Tensor::scalar(4i32),
        ],
    );
    let want: Vec<f64> = xv[..4].iter().map(|v| v * v).collect();
    assert_close(&out[0].to_vec::<f64>(), &want, 1e-12);
}

#[test]
fn map_reduce_foldl_foldr() {
    let x = vector("x", F64);
    let y = vector("y", F64);
    let z = scalar("z", F64);
    let m = map(
        |s| s.seq(0) * s.seq(1) + s.non_seq(0),
        &[x.clone(), y.clone()],
        std::slice::from_ref(&z),
    )
    .unwrap();
    // A non-commutative fold tells left from right: acc' = 0.5 acc + v.
    let fold = |s: &theon::ops::control::StepArgs| s.prev(0) * 0.5 + s.seq(0);
    let zero = scalar_zero();
    let r = reduce(
        fold,
        std::slice::from_ref(&x),
        &[OutputInfo::initial(&zero)],
        &[],
        false,
    )
    .unwrap();
    let l = foldl(
        fold,
        std::slice::from_ref(&x),
        &[OutputInfo::initial(&zero)],
        &[],
    )
    .unwrap();
    let rr = foldr(
        fold,
        std::slice::from_ref(&x),
        &[OutputInfo::initial(&zero)],
        &[],
    )
    .unwrap();
    let xv = Tensor::randn(F64, &[5], 15).to_vec::<f64>();
    let yv = Tensor::randn(F64, &[5], 16).to_vec::<f64>();
    let out = eval(
        &[x, y, z],
        &[
            m.outputs[0].clone(),
            r[0].clone(),
            l[0].clone(),
            rr[0].clone(),
        ],
        &[
            Tensor::from_vec(xv.clone(), &[5]).unwrap(),
            Tensor::from_vec(yv.clone(), &[5]).unwrap(),
            Tensor::scalar(0.25f64),
        ],
    );
    let want_map: Vec<f64> = xv.iter().zip(&yv).map(|(a, b)| a * b + 0.25).collect();
    assert_close(&out[0].to_vec::<f64>(), &want_map, 1e-12);
    let left = xv.iter().fold(0.0, |acc, v| 0.5 * acc + v);
    let right = xv.iter().rev().fold(0.0, |acc, v| 0.5 * acc + v);
    assert_close(&out[1].to_vec::<f64>(), &[left], 1e-12);
    assert_close(&out[2].to_vec::<f64>(), &[left], 1e-12);
    assert_close(&out[3].to_vec::<f64>(), &[right], 1e-12);
}

fn scalar_zero() -> Var {
    constant(Tensor::scalar(0.0f64))
}

#[test]
fn outputs_without_feedback_and_matrix_states() {
    // Two outputs: a recurrent matrix state and a per-step row sum.
    let x = tensor3("x", F64);
    let h0 = matrix("h0", F64);
    let r = scan(|s| {
        let h = s.prev(0) * 0.9 + s.seq(0);
        vec![h.clone(), h.sum(Axis::from(1))]
    })
    .sequences([&x])
    .outputs_info([OutputInfo::initial(&h0), OutputInfo::none()])
    .build()
    .unwrap();
    let xv = Tensor::randn(F64, &[4, 2, 3], 17);
    let hv = Tensor::randn(F64, &[2, 3], 18);
    let out = eval(&[x, h0], &r.outputs, &[xv.clone(), hv.clone()]);
    let (xs, mut h) = (xv.to_vec::<f64>(), hv.to_vec::<f64>());
    let (mut hs, mut sums) = (Vec::new(), Vec::new());
    for t in 0..4 {
        for i in 0..6 {
            h[i] = 0.9 * h[i] + xs[t * 6 + i];
        }
        hs.extend_from_slice(&h);
        sums.push(h[0] + h[1] + h[2]);
        sums.push(h[3] + h[4] + h[5]);
    }
    assert_eq!(out[0].shape(), &[4, 2, 3]);
    assert_eq!(out[1].shape(), &[4, 2]);
    assert_close(&out[0].to_vec::<f64>(), &hs, 1e-12);
    assert_close(&out[1].to_vec::<f64>(), &sums, 1e-12);
}

#[test]
fn non_contiguous_sequences_and_float32() {
    let x = matrix("x", F32);
    let r = scan(|s| s.seq(0).exp()).sequences([&x]).build().unwrap();
    let base = Tensor::randn(F32, &[3, 5], 19);
    let xt = base.t(); // (5, 3), not contiguous
    let out = eval(&[x], &[r.outputs[0].clone()], std::slice::from_ref(&xt));
    let want: Vec<f64> = xt.to_f64_vec().iter().map(|v| v.exp()).collect();
    assert_close(&out[0].to_f64_vec(), &want, 1e-6);
}

#[test]
fn an_initial_value_longer_than_the_taps_need_gives_its_first_rows() {
    // Theano's `initial[:k]`: taps [-3, -1] read 3 states; x0 has 5 rows
    // (static and run-time lengths both).
    let run = |x0: &Var| {
        let r = scan(|s| {
            let taps = s.output_taps(0);
            &taps[0] * 0.5 + &taps[1]
        })
        .outputs_info([OutputInfo::taps(x0, &[-3, -1])])
        .n_steps(4)
        .build()
        .unwrap();
        function(std::slice::from_ref(x0), &[r.outputs[0].clone()]).unwrap()
    };
    let value = Tensor::randn(F64, &[5, 2], 41);
    let rows = value.to_f64_vec();
    let mut states: Vec<Vec<f64>> = (0..3).map(|i| rows[i * 2..i * 2 + 2].to_vec()).collect();
    let mut want = Vec::new();
    for _ in 0..4 {
        let n = states.len();
        let next: Vec<f64> = (0..2)
            .map(|j| states[n - 3][j] * 0.5 + states[n - 1][j])
            .collect();
        want.extend(&next);
        states.push(next);
    }
    for x0 in [tensor("x0", F64, &[Some(5), Some(2)]), matrix("x0", F64)] {
        let got = run(&x0).call(std::slice::from_ref(&value)).unwrap();
        assert_eq!(got[0].shape(), &[4, 2]);
        assert_close(&got[0].to_f64_vec(), &want, 1e-12);
    }
}
