//! Buffer reuse between calls (`tensor::pool`) is invisible: results and
//! old shared values a caller holds are never overwritten by later calls
//! (products, fused elementwise, intermediates, inplace rewrites, updates),
//! also with two functions called from two threads. Each call's inputs are
//! new random values, and every held result is checked at the end against
//! plain loops in f64.

use std::thread;
use theon::prelude::*;

/// `a (m×k) · b (k×n)`, row-major, in f64.
fn matmul(a: &[f64], b: &[f64], m: usize, k: usize, n: usize) -> Vec<f64> {
    let mut c = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            c[i * n + j] = (0..k).map(|l| a[i * k + l] * b[l * n + j]).sum();
        }
    }
    c
}

fn assert_close(got: &Tensor, want: &[f64], tol: f64, what: &str) {
    let got = got.to_f64_vec();
    assert_eq!(got.len(), want.len(), "{what}: size");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * (1.0 + w.abs()),
            "{what}: element {i} is {g}, expected {w}"
        );
    }
}

/// Calls `dot(a, b)` (64×80 · 80×96, f64: 48 KiB results, pooled) with
/// fresh random inputs `calls` times; keeps every other result and checks
/// each kept one against its own inputs at the end.
fn gemm_results_survive(dtype: DType, calls: u64, seed0: u64, tol: f64) {
    let (m, k, n) = (64, 80, 96);
    let (a, b) = (matrix("a", dtype), matrix("b", dtype));
    let f = function(&[a.clone(), b.clone()], &[a.dot(&b)]).unwrap();
    let mut kept = Vec::new();
    for call in 0..calls {
        let av = Tensor::randn(dtype, &[m, k], seed0 + 2 * call);
        let bv = Tensor::randn(dtype, &[k, n], seed0 + 2 * call + 1);
        let out = f.call(&[av.clone(), bv.clone()]).unwrap().remove(0);
        if call % 2 == 0 {
            kept.push((av, bv, out));
        } // else: dropped here, so its buffer goes back to the pool
    }
    for (call, (av, bv, out)) in kept.iter().enumerate() {
        let want = matmul(&av.to_f64_vec(), &bv.to_f64_vec(), m, k, n);
        assert_close(
            out,
            &want,
            tol,
            &format!("{dtype} product of call {}", 2 * call),
        );
    }
}

#[test]
fn held_products_are_never_overwritten_by_later_calls() {
    gemm_results_survive(F64, 40, 100, 1e-12);
    gemm_results_survive(F32, 40, 300, 1e-4);
}

#[test]
fn held_outputs_and_intermediates_of_a_layer_survive() {
    // h = tanh(x·w + b) is an output and the input of y = h·v: the add and
    // tanh run inplace on the product's buffer, and h's buffer must not be
    // recycled into y (or into the next call) while the caller holds it.
    let (bsz, d, hid, k) = (32, 40, 300, 24);
    let (x, w, b, v) = (
        matrix("x", F64),
        matrix("w", F64),
        vector("b", F64),
        matrix("v", F64),
    );
    let h = (x.dot(&w) + &b).tanh();
    let y = h.dot(&v) * 2.0 - 1.0;
    let f = function(&[x, w, b, v], &[h.clone(), y]).unwrap();
    let wv = Tensor::randn(F64, &[d, hid], 1);
    let bv = Tensor::randn(F64, &[hid], 2);
    let vv = Tensor::randn(F64, &[hid, k], 3);
    let mut kept = Vec::new();
    for call in 0..25 {
        let xv = Tensor::rand_uniform(F64, &[bsz, d], -0.5, 0.5, 10 + call);
        let mut out = f
            .call(&[xv.clone(), wv.clone(), bv.clone(), vv.clone()])
            .unwrap();
        match call % 3 {
            0 => kept.push((xv, Some(out.remove(0)), Some(out.remove(0)))),
            1 => kept.push((xv, None, Some(out.remove(1)))),
            _ => kept.push((xv, Some(out.remove(0)), None)),
        }
    }
    let (ws, bs, vs) = (wv.to_f64_vec(), bv.to_f64_vec(), vv.to_f64_vec());
    for (call, (xv, h, y)) in kept.iter().enumerate() {
        let mut hw = matmul(&xv.to_f64_vec(), &ws, bsz, d, hid);
        for (i, e) in hw.iter_mut().enumerate() {
            *e = (*e + bs[i % hid]).tanh();
        }
        let yw: Vec<f64> = matmul(&hw, &vs, bsz, hid, k)
            .iter()
            .map(|e| e * 2.0 - 1.0)
            .collect();
        if let Some(h) = h {
            assert_close(h, &hw, 1e-12, &format!("h of call {call}"));
        }
        if let Some(y) = y {
            assert_close(y, &yw, 1e-12, &format!("y of call {call}"));
        }
    }
}

#[test]
fn old_shared_values_survive_updates_and_sgd_stays_exact() {
    // w ← w - 0.1·xᵀ(x·w - t): each call frees the previous value's buffer
    // (unless the caller holds it), so the pool feeds it to the next one.
    let (n, d, k) = (50, 60, 70);
    let w0 = Tensor::randn(F64, &[d, k], 7);
    let w = shared(w0.clone(), "w");
    let (x, t) = (matrix("x", F64), matrix("t", F64));
    let r = x.dot(&w.var()) - &t;
    let g = x.t().dot(&r);
    let f = Function::builder(&[x, t], &[r.sqr().sum(Axis::All)])
        .updates([(w.clone(), w.var() - g * 0.1)])
        .build()
        .unwrap();
    let mut expect = w0.to_f64_vec();
    let mut held = vec![(w.get_value(), expect.clone())];
    for call in 0..20 {
        let xv = Tensor::rand_uniform(F64, &[n, d], -0.1, 0.1, 20 + call);
        let tv = Tensor::randn(F64, &[n, k], 60 + call);
        f.call(&[xv.clone(), tv.clone()]).unwrap();
        let (xs, ts) = (xv.to_f64_vec(), tv.to_f64_vec());
        let mut res = matmul(&xs, &expect, n, d, k);
        res.iter_mut().zip(&ts).for_each(|(r, t)| *r -= t);
        let mut xt = vec![0.0; d * n];
        for i in 0..n {
            for j in 0..d {
                xt[j * n + i] = xs[i * d + j];
            }
        }
        let grad = matmul(&xt, &res, d, n, k);
        expect
            .iter_mut()
            .zip(&grad)
            .for_each(|(e, g)| *e -= 0.1 * g);
        if call % 4 == 0 {
            held.push((w.get_value(), expect.clone()));
        }
    }
    assert_close(&w.get_value(), &expect, 1e-10, "final w");
    for (i, (value, want)) in held.iter().enumerate() {
        assert_close(value, want, 1e-10, &format!("held value {i} of w"));
    }
}

#[test]
fn two_functions_on_two_threads_keep_their_results() {
    let worker = |seed0: u64| {
        move || {
            let (x, y) = (matrix("x", F32), matrix("y", F32));
            let f = function(&[x.clone(), y.clone()], &[(x.exp() * &y + 0.5).dot(&y.t())]).unwrap();
            let mut kept = Vec::new();
            for call in 0..30u64 {
                let xv = Tensor::randn(F32, &[96, 100], seed0 + 2 * call);
                let yv = Tensor::randn(F32, &[96, 100], seed0 + 2 * call + 1);
                let out = f.call(&[xv.clone(), yv.clone()]).unwrap().remove(0);
                if call % 3 != 1 {
                    kept.push((xv, yv, out));
                }
            }
            for (i, (xv, yv, out)) in kept.iter().enumerate() {
                let (xs, ys) = (xv.to_f64_vec(), yv.to_f64_vec());
                let e: Vec<f64> = xs.iter().zip(&ys).map(|(a, b)| a.exp() * b + 0.5).collect();
                let mut yt = vec![0.0; 100 * 96];
                for r in 0..96 {
                    for c in 0..100 {
                        yt[c * 96 + r] = ys[r * 100 + c];
                    }
                }
                let want = matmul(&e, &yt, 96, 100, 96);
                assert_close(out, &want, 1e-4, &format!("thread {seed0}, result {i}"));
            }
        }
    };
    let a = thread::spawn(worker(1000));
    let b = thread::spawn(worker(5000));
    a.join().expect("thread a");
    b.join().expect("thread b");
}
