//! `tensor.nnet` against plain-loop expectations on random inputs:
//! softmax/log-softmax (stability at logits of 1000, every axis, views,
//! size-0), the activations, and the cross-entropies with their errors.
//! Tolerances: float64 rtol 1e-12, float32 rtol 1e-6 (atol 1e-6).

use theon::ops::nnet::*;
use theon::prelude::*;
use theon::ErrorKind;

fn run(inputs: &[&Var], values: &[&Tensor], out: &Var) -> theon::Result<Tensor> {
    let vars: Vec<Var> = inputs.iter().map(|&v| v.clone()).collect();
    let f = function(&vars, std::slice::from_ref(out))?;
    let args: Vec<Tensor> = values.iter().map(|&t| t.clone()).collect();
    Ok(f.call(&args)?.remove(0))
}

fn input_like(name: &str, t: &Tensor) -> Var {
    tensor(name, t.dtype(), &vec![None; t.ndim()])
}

fn tol(dtype: DType) -> f64 {
    if dtype == F32 {
        1e-6
    } else {
        1e-12
    }
}

fn assert_close(got: &Tensor, shape: &[usize], want: &[f64], tol: f64) {
    assert_eq!(got.shape(), shape, "shape");
    assert_eq!(got.size(), want.len(), "size");
    for (i, (g, w)) in got.to_f64_vec().iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * (1.0 + w.abs()),
            "element {i}: got {g}, want {w}"
        );
    }
}

/// Softmax (or log-softmax) along `axis` of a 2-D tensor by the textbook
/// formula, written out per lane.
fn expected_softmax_2d(x: &Tensor, axis: usize, log: bool) -> Vec<f64> {
    let (r, c) = (x.shape()[0], x.shape()[1]);
    let mut out = vec![0.0; r * c];
    for i in 0..r {
        for j in 0..c {
            let lane: Vec<f64> = if axis == 1 {
                (0..c).map(|k| x.get(&[i, k]).as_f64()).collect()
            } else {
                (0..r).map(|k| x.get(&[k, j]).as_f64()).collect()
            };
            let m = lane.iter().cloned().fold(f64::MIN, f64::max);
            let z: f64 = lane.iter().map(|v| (v - m).exp()).sum();
            let v = x.get(&[i, j]).as_f64();
            out[i * c + j] = if log {
                v - m - z.ln()
            } else {
                (v - m).exp() / z
            };
        }
    }
    out
}

#[test]
fn softmax_and_log_softmax_match_the_formula_on_every_axis() {
    for dtype in [F64, F32] {
        let a = Tensor::randn(dtype, &[4, 5], 1);
        let views = [a.clone(), a.t(), a.slice_axis(1, None, None, -2).unwrap()];
        for x in &views {
            let v = input_like("x", x);
            for (axis, lane_axis) in [(-1i64, 1usize), (1, 1), (0, 0), (-2, 0)] {
                let s = run(&[&v], &[x], &softmax(&v, axis)).unwrap();
                assert_eq!(s.dtype(), dtype);
                assert_close(
                    &s,
                    x.shape(),
                    &expected_softmax_2d(x, lane_axis, false),
                    tol(dtype),
                );
                let l = run(&[&v], &[x], &log_softmax(&v, axis)).unwrap();
                assert_close(
                    &l,
                    x.shape(),
                    &expected_softmax_2d(x, lane_axis, true),
                    tol(dtype),
                );
            }
        }
    }
}

#[test]
fn softmax_of_a_3d_tensor_along_the_middle_axis() {
    let x = Tensor::randn(F64, &[2, 3, 4], 2);
    let v = input_like("x", &x);
    let s = run(&[&v], &[&x], &softmax(&v, 1)).unwrap();
    for i in 0..2 {
        for k in 0..4 {
            let z: f64 = (0..3).map(|j| x.get(&[i, j, k]).as_f64().exp()).sum();
            for j in 0..3 {
                let want = x.get(&[i, j, k]).as_f64().exp() / z;
                assert!((s.get(&[i, j, k]).as_f64() - want).abs() < 1e-12);
            }
        }
    }
}

#[test]
fn softmax_is_stable_for_huge_logits() {
    for dtype in [F64, F32] {
        let x = Tensor::from_f64s(
            dtype,
            &[2, 3],
            &[1000.0, 1000.0, 999.0, -1000.0, 0.0, 1000.0],
        )
        .unwrap();
        let v = input_like("x", &x);
        let s = run(&[&v], &[&x], &softmax(&v, -1)).unwrap();
        let e1 = (-1f64).exp();
        let want = [
            1.0 / (2.0 + e1),
            1.0 / (2.0 + e1),
            e1 / (2.0 + e1),
            0.0,
            (-1000f64).exp(),
            1.0,
        ];
        assert_close(&s, &[2, 3], &want, tol(dtype));
        let l = run(&[&v], &[&x], &log_softmax(&v, -1)).unwrap();
        let lz = (2.0 + e1).ln();
        let want = [-lz, -lz, -1.0 - lz, -2000.0, -1000.0, 0.0];
        assert_close(&l, &[2, 3], &want, tol(dtype));
        assert!(l.to_f64_vec().iter().all(|v| v.is_finite()));
    }
}

#[test]
fn softmax_size_zero_integer_input_and_errors() {
    let m = matrix("m", F64);
    for shape in [[0usize, 5], [3, 0]] {
        let x = Tensor::randn(F64, &shape, 1);
        assert_eq!(run(&[&m], &[&x], &softmax(&m, 1)).unwrap().shape(), &shape);
        assert_eq!(
            run(&[&m], &[&x], &log_softmax(&m, 0)).unwrap().shape(),
            &shape
        );
    }
    // Integers give NumPy's float for them (int32 -> float64), as `exp` does.
    let i = Tensor::rand_int(I32, &[2, 3], -3, 3, 4);
    let v = input_like("i", &i);
    let s = run(&[&v], &[&i], &softmax(&v, 1)).unwrap();
    assert_eq!(s.dtype(), F64);
    assert_close(&s, &[2, 3], &expected_softmax_2d(&i, 1, false), 1e-12);

    let msg = try_softmax(&m, 2).unwrap_err().to_string();
    assert!(
        msg.contains("softmax") && msg.contains("axis 2") && msg.contains("nnet.rs"),
        "{msg}"
    );
    let msg = try_log_softmax(&matrix("b", Bool), -1)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("log_softmax") && msg.contains("bool"), "{msg}");
}

/// Runs an activation on random data and compares with `f` elementwise.
fn check_activation(build: impl Fn(&Var) -> Var, f: impl Fn(f64) -> f64) {
    for dtype in [F64, F32] {
        let x = Tensor::rand_uniform(dtype, &[6, 7], -4.0, 4.0, 9).t();
        let v = input_like("x", &x);
        let got = run(&[&v], &[&x], &build(&v)).unwrap();
        assert_eq!(got.dtype(), dtype, "activations keep the float dtype");
        let want: Vec<f64> = x.to_f64_vec().into_iter().map(&f).collect();
        assert_close(&got, &[7, 6], &want, tol(dtype));
    }
}

#[test]
fn activations_match_their_definitions() {
    let sig = |x: f64| 1.0 / (1.0 + (-x).exp());
    check_activation(|v| relu(v, 0.0), |x| if x > 0.0 { x } else { 0.0 });
    check_activation(|v| relu(v, 0.1), |x| if x > 0.0 { x } else { 0.1 * x });
    check_activation(|v| elu(v, 1.0), |x| if x > 0.0 { x } else { x.exp_m1() });
    check_activation(
        |v| elu(v, 0.5),
        |x| if x > 0.0 { x } else { 0.5 * x.exp_m1() },
    );
    check_activation(selu, |x| {
        SELU_SCALE * if x > 0.0 { x } else { SELU_ALPHA * x.exp_m1() }
    });
    check_activation(hard_sigmoid, |x| (0.2 * x + 0.5).clamp(0.0, 1.0));
    check_activation(softsign, |x| x / (1.0 + x.abs()));
    check_activation(ultra_fast_sigmoid, sig);
    check_activation(|v| sigmoid(v), sig);
}

#[test]
fn categorical_crossentropy_with_integer_labels() {
    let p = Tensor::rand_uniform(F64, &[5, 4], 0.05, 1.0, 1);
    let y = Tensor::rand_int(I32, &[5], 0, 4, 2);
    let (pv, yv) = (input_like("p", &p), input_like("y", &y));
    let ce = categorical_crossentropy(&pv, &yv);
    assert!(ce.op_as::<CrossentropyCategorical1Hot>().is_some());
    let got = run(&[&pv, &yv], &[&p, &y], &ce).unwrap();
    let want: Vec<f64> = (0..5)
        .map(|i| -p.get(&[i, y.get(&[i]).as_i64() as usize]).as_f64().ln())
        .collect();
    assert_close(&got, &[5], &want, 1e-12);
    // float32 probabilities on a transposed view, uint8 labels.
    let q = Tensor::rand_uniform(F32, &[3, 6], 0.05, 1.0, 3).t();
    let z = Tensor::rand_int(U8, &[6], 0, 3, 4);
    let (qv, zv) = (input_like("q", &q), input_like("z", &z));
    let got = run(&[&qv, &zv], &[&q, &z], &categorical_crossentropy(&qv, &zv)).unwrap();
    assert_eq!(got.dtype(), F32);
    let want: Vec<f64> = (0..6)
        .map(|i| -q.get(&[i, z.get(&[i]).as_i64() as usize]).as_f64().ln())
        .collect();
    assert_close(&got, &[6], &want, 1e-6);
    let empty = run(
        &[&pv, &yv],
        &[
            &Tensor::randn(F64, &[0, 4], 5),
            &Tensor::rand_int(I32, &[0], 0, 4, 6),
        ],
        &ce,
    )
    .unwrap();
    assert_eq!(empty.shape(), &[0]);
}

#[test]
fn categorical_crossentropy_label_errors() {
    let (p, y) = (matrix("p", F64), vector("y", I64));
    let ce = categorical_crossentropy(&p, &y);
    let probs = Tensor::rand_uniform(F64, &[3, 4], 0.1, 1.0, 1);
    for bad in [4i64, -1] {
        let labels = Tensor::from_vec(vec![0i64, bad, 2], &[3]).unwrap();
        let err = run(&[&p, &y], &[&probs, &labels], &ce).unwrap_err();
        assert!(
            matches!(err.kind, ErrorKind::Index { index, size: 4, .. } if index == bad),
            "{err}"
        );
        let msg = err.to_string();
        assert!(
            msg.contains("crossentropy_categorical_1hot") && msg.contains("nnet.rs"),
            "{msg}"
        );
    }
    let labels = Tensor::from_vec(vec![0i64, 1], &[2]).unwrap();
    let msg = run(&[&p, &y], &[&probs, &labels], &ce)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("(3, 4)") && msg.contains("(2,)"), "{msg}");
    // Statically known rows that differ, float labels, integer probabilities, bad ranks.
    let ps = tensor("ps", F64, &[Some(3), Some(4)]);
    let ys = tensor("ys", I64, &[Some(2)]);
    assert!(try_categorical_crossentropy(&ps, &ys)
        .unwrap_err()
        .to_string()
        .contains("(2,)"));
    assert!(try_categorical_crossentropy(&matrix("pi", I64), &y)
        .unwrap_err()
        .to_string()
        .contains("int64"));
    let msg = try_categorical_crossentropy(&p, &scalar("s", F64))
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("categorical_crossentropy") && msg.contains("nnet.rs"),
        "{msg}"
    );
}

#[test]
fn categorical_crossentropy_with_a_probability_matrix() {
    let p = Tensor::rand_uniform(F64, &[4, 3], 0.05, 1.0, 1);
    let t = Tensor::rand_uniform(F64, &[4, 3], 0.0, 1.0, 2);
    let (pv, tv) = (input_like("p", &p), input_like("t", &t));
    let got = run(&[&pv, &tv], &[&p, &t], &categorical_crossentropy(&pv, &tv)).unwrap();
    let want: Vec<f64> = (0..4)
        .map(|i| {
            -(0..3)
                .map(|j| t.get(&[i, j]).as_f64() * p.get(&[i, j]).as_f64().ln())
                .sum::<f64>()
        })
        .collect();
    assert_close(&got, &[4], &want, 1e-12);
}

#[test]
fn binary_crossentropies_match_the_formula_and_stay_finite() {
    for dtype in [F64, F32] {
        let o = Tensor::rand_uniform(dtype, &[3, 4], 0.05, 0.95, 1);
        let x = Tensor::rand_uniform(dtype, &[3, 4], -6.0, 6.0, 2);
        let t = Tensor::rand_uniform(dtype, &[3, 4], 0.0, 1.0, 3);
        let (ov, xv, tv) = (
            input_like("o", &o),
            input_like("x", &x),
            input_like("t", &t),
        );
        let got = run(&[&ov, &tv], &[&o, &t], &binary_crossentropy(&ov, &tv)).unwrap();
        let want: Vec<f64> = o
            .to_f64_vec()
            .iter()
            .zip(t.to_f64_vec())
            .map(|(p, t)| -(t * p.ln() + (1.0 - t) * (1.0 - p).ln()))
            .collect();
        assert_close(&got, &[3, 4], &want, tol(dtype) * 10.0);
        let got = run(
            &[&xv, &tv],
            &[&x, &t],
            &sigmoid_binary_crossentropy(&xv, &tv),
        )
        .unwrap();
        let want: Vec<f64> = x
            .to_f64_vec()
            .iter()
            .zip(t.to_f64_vec())
            .map(|(z, t)| {
                let p = 1.0 / (1.0 + (-z).exp());
                -(t * p.ln() + (1.0 - t) * (1.0 - p).ln())
            })
            .collect();
        assert_close(&got, &[3, 4], &want, tol(dtype) * 10.0);
    }
    // Logits of ±1000: exact answers, no inf or NaN.
    let x = Tensor::from_vec(vec![1000.0f64, -1000.0, 1000.0, -1000.0], &[4]).unwrap();
    let t = Tensor::from_vec(vec![0.0f64, 1.0, 1.0, 0.0], &[4]).unwrap();
    let (xv, tv) = (input_like("x", &x), input_like("t", &t));
    let got = run(
        &[&xv, &tv],
        &[&x, &t],
        &sigmoid_binary_crossentropy(&xv, &tv),
    )
    .unwrap();
    assert_close(&got, &[4], &[1000.0, 1000.0, 0.0, 0.0], 1e-12);
}

#[test]
fn compositions_record_the_users_line() {
    let (x, t) = (matrix("x", F64), matrix("t", F64));
    let built = [
        relu(&x, 0.0),
        relu(&x, 0.1),
        elu(&x, 1.0),
        selu(&x),
        hard_sigmoid(&x),
        softsign(&x),
        binary_crossentropy(&x, &t),
        sigmoid_binary_crossentropy(&x, &t),
        categorical_crossentropy(&x, &t),
        softmax(&x, -1),
    ];
    for v in built {
        assert!(
            v.site().file.ends_with("tests/nnet.rs"),
            "{v:?} at {}",
            v.site()
        );
    }
}
