//! Tests of `RandomVariable`: each element equals the generator's draw at
//! its position (computed here with plain loops over `ElementStream`),
//! statistics of large samples, reproducibility through a shared state with
//! a default update, parameter broadcasting, size-0 samples and errors.

use super::generator::ElementStream;
use super::*;
use crate::compile::function;
use crate::graph::SharedVar;

fn int_vector(values: &[i64]) -> Var {
    Var::constant(Tensor::from_vec(values.to_vec(), &[values.len()]).unwrap())
}

fn float(value: f64) -> Var {
    Var::constant(Tensor::scalar(value))
}

/// Draws once from `state` (a tensor) and returns `(new_state, sample)`.
fn draw(
    dist: Distribution,
    state: Tensor,
    size: &[i64],
    a: &Var,
    b: &Var,
    dtype: DType,
) -> (Tensor, Tensor) {
    let s = Var::input("state", TensorType::unknown(DType::U64, 1));
    let (next, sample) = try_random(dist, &s, &int_vector(size), a, b, dtype).unwrap();
    let f = function(&[s], &[next, sample]).unwrap();
    let mut out = f.call(&[state]).unwrap();
    let sample = out.pop().unwrap();
    (out.pop().unwrap(), sample)
}

#[test]
fn uniform_elements_are_the_generator_draws_at_their_positions() {
    let state = state_tensor(42);
    let [key, counter] = seed_state(42);
    let low = Tensor::randn(DType::F64, &[3], 1);
    let (next, sample) = draw(
        Distribution::Uniform,
        state,
        &[2, 3],
        &Var::constant(low.clone()),
        &float(5.0),
        DType::F64,
    );
    assert_eq!(sample.shape(), &[2, 3]);
    assert_eq!(
        next.to_scalars()
            .iter()
            .map(|s| s.as_u64())
            .collect::<Vec<_>>(),
        vec![key, 6]
    );
    let lows = low.to_f64_vec();
    let got = sample.to_f64_vec();
    for i in 0..6 {
        let u = (ElementStream::new(key, counter, i as u64).next_u64() >> 11) as f64
            / (1u64 << 53) as f64;
        let want = lows[i % 3] + (5.0 - lows[i % 3]) * u;
        assert!(
            (got[i] - want).abs() <= 1e-12 * want.abs().max(1.0),
            "{i}: {} vs {want}",
            got[i]
        );
    }
}

#[test]
fn normal_float32_sample_has_the_requested_moments() {
    let (_, sample) = draw(
        Distribution::Normal,
        state_tensor(7),
        &[20000],
        &float(2.0),
        &float(3.0),
        DType::F32,
    );
    assert_eq!(sample.dtype(), DType::F32);
    let v = sample.to_f64_vec();
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let std = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
    // Five standard errors: fails by chance with probability < 1e-6.
    assert!((mean - 2.0).abs() < 5.0 * 3.0 / n.sqrt(), "mean {mean}");
    assert!(
        (std - 3.0).abs() < 5.0 * 3.0 / (2.0 * n).sqrt(),
        "std {std}"
    );
}

#[test]
fn binomial_counts_successes_with_mean_n_p() {
    let n = Var::constant(Tensor::scalar(4i64));
    let (_, sample) = draw(
        Distribution::Binomial,
        state_tensor(3),
        &[5000],
        &n,
        &float(0.25),
        DType::I64,
    );
    let v = sample.to_f64_vec();
    assert!(v
        .iter()
        .all(|&k| (0.0..=4.0).contains(&k) && k.fract() == 0.0));
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    let se = (4.0 * 0.25 * 0.75 / v.len() as f64).sqrt();
    assert!((mean - 1.0).abs() < 5.0 * se, "mean {mean}");
}

#[test]
fn random_integers_cover_the_closed_range() {
    let low = Var::constant(Tensor::scalar(-2i64));
    let high = Var::constant(Tensor::scalar(3i64));
    let (_, sample) = draw(
        Distribution::Integers,
        state_tensor(11),
        &[4, 100],
        &low,
        &high,
        DType::I32,
    );
    assert_eq!(sample.dtype(), DType::I32);
    let v = sample.to_f64_vec();
    for k in -2..=3 {
        assert!(v.contains(&(k as f64)), "{k} never drawn");
    }
    assert!(v.iter().all(|&x| (-2.0..=3.0).contains(&x)));
}

#[test]
fn non_contiguous_parameters_broadcast_to_the_size() {
    // low is the transpose of a (3, 2) matrix: a (2, 3) strided view.
    let low = Tensor::randn(DType::F64, &[3, 2], 5).t();
    let (_, sample) = draw(
        Distribution::Uniform,
        state_tensor(1),
        &[2, 3],
        &Var::constant(low.clone()),
        &float(100.0),
        DType::F64,
    );
    let lows = low.to_f64_vec();
    for (x, l) in sample.to_f64_vec().iter().zip(&lows) {
        assert!(*x >= *l && *x < 100.0);
    }
}

#[test]
fn size_zero_sample_is_empty_and_leaves_the_counter() {
    let (next, sample) = draw(
        Distribution::Normal,
        state_tensor(9),
        &[0, 4],
        &float(0.0),
        &float(1.0),
        DType::F64,
    );
    assert_eq!(sample.shape(), &[0, 4]);
    assert_eq!(next.to_scalars()[1].as_u64(), 0);
}

#[test]
fn a_default_update_advances_the_shared_state_and_a_reset_replays() {
    let state = SharedVar::new(state_tensor(2024), "rng");
    let (next, sample) = try_random(
        Distribution::Uniform,
        &state.var(),
        &int_vector(&[4]),
        &float(0.0),
        &float(1.0),
        DType::F64,
    )
    .unwrap();
    state.set_default_update(Some(next)).unwrap();
    let f = function(&[], &[sample]).unwrap();
    let first = f.call(&[]).unwrap().remove(0).to_f64_vec();
    let second = f.call(&[]).unwrap().remove(0).to_f64_vec();
    assert_ne!(first, second);
    assert_eq!(state.get_value().to_scalars()[1].as_u64(), 8);
    state.set_value(state_tensor(2024)).unwrap();
    assert_eq!(f.call(&[]).unwrap().remove(0).to_f64_vec(), first);
}

#[test]
fn static_dims_come_from_a_constant_size() {
    let s = Var::input("state", TensorType::unknown(DType::U64, 1));
    let (_, sample) = try_random(
        Distribution::Uniform,
        &s,
        &int_vector(&[1, 5]),
        &float(0.0),
        &float(1.0),
        DType::F32,
    )
    .unwrap();
    assert_eq!(sample.ty().shape, vec![Some(1), Some(5)]);
    assert_eq!(sample.ty().broadcastable(), vec![true, false]);
}

fn build_err(
    dist: Distribution,
    state_dtype: DType,
    size: &Var,
    a: &Var,
    b: &Var,
    dtype: DType,
) -> String {
    let s = Var::input("state", TensorType::unknown(state_dtype, 1));
    try_random(dist, &s, size, a, b, dtype)
        .unwrap_err()
        .to_string()
}

#[test]
fn bad_graphs_are_refused_naming_the_input() {
    let (zero, one) = (float(0.0), float(1.0));
    let e = build_err(
        Distribution::Uniform,
        DType::I64,
        &int_vector(&[2]),
        &zero,
        &one,
        DType::F64,
    );
    assert!(
        e.contains("RandomVariable{uniform, float64}") && e.contains("input 0"),
        "{e}"
    );
    let e = build_err(
        Distribution::Uniform,
        DType::U64,
        &int_vector(&[2]),
        &zero,
        &one,
        DType::I32,
    );
    assert!(e.contains("float dtype"), "{e}");
    let e = build_err(
        Distribution::Integers,
        DType::U64,
        &int_vector(&[2]),
        &zero,
        &one,
        DType::I32,
    );
    assert!(e.contains("input 2") && e.contains("integer low"), "{e}");
    let wide = Var::constant(Tensor::randn(DType::F64, &[2, 2], 1));
    let e = build_err(
        Distribution::Normal,
        DType::U64,
        &int_vector(&[3]),
        &wide,
        &one,
        DType::F64,
    );
    assert!(e.contains("avg (input 2) has rank 2"), "{e}");
    let unknown = Var::input("n", TensorType::unknown(DType::I64, 1));
    let e = build_err(
        Distribution::Normal,
        DType::U64,
        &unknown,
        &zero,
        &one,
        DType::F64,
    );
    assert!(e.contains("known length") && e.contains("tests.rs"), "{e}");
}

fn perform_err(
    dist: Distribution,
    state: Tensor,
    size: &[i64],
    a: &Var,
    b: &Var,
    dtype: DType,
) -> String {
    let s = Var::input("state", TensorType::unknown(DType::U64, 1));
    let (next, sample) = try_random(dist, &s, &int_vector(size), a, b, dtype).unwrap();
    let f = function(&[s], &[next, sample]).unwrap();
    f.call(&[state]).unwrap_err().to_string()
}

#[test]
fn bad_values_are_errors_naming_the_op_and_the_element() {
    let (zero, one) = (float(0.0), float(1.0));
    let short = Tensor::from_vec(vec![1u64, 2, 3], &[3]).unwrap();
    let e = perform_err(Distribution::Uniform, short, &[2], &zero, &one, DType::F64);
    assert!(e.contains("generator state") && e.contains("[3]"), "{e}");
    let e = perform_err(
        Distribution::Uniform,
        state_tensor(1),
        &[-1],
        &zero,
        &one,
        DType::F64,
    );
    assert!(e.contains("size (input 1) is [-1]"), "{e}");
    let low = Var::constant(Tensor::randn(DType::F64, &[4], 2));
    let e = perform_err(
        Distribution::Uniform,
        state_tensor(1),
        &[2, 3],
        &low,
        &one,
        DType::F64,
    );
    assert!(
        e.contains("low (input 2) has shape [4]") && e.contains("[2, 3]"),
        "{e}"
    );
    let n = Var::constant(Tensor::scalar(1i64));
    let e = perform_err(
        Distribution::Binomial,
        state_tensor(1),
        &[3],
        &n,
        &float(1.5),
        DType::I64,
    );
    assert!(e.contains("element 0") && e.contains("p=1.5"), "{e}");
    let (lo, hi) = (
        Var::constant(Tensor::scalar(3i64)),
        Var::constant(Tensor::scalar(1i64)),
    );
    let e = perform_err(
        Distribution::Integers,
        state_tensor(1),
        &[2],
        &lo,
        &hi,
        DType::I64,
    );
    assert!(e.contains("low <= high"), "{e}");
}

#[test]
fn gradients_flow_around_a_sample_but_not_into_it() {
    use crate::grad::{grad, GradOptions};
    let state = SharedVar::new(state_tensor(5), "rng");
    let avg = Var::input("avg", TensorType::scalar(DType::F64));
    let w = Var::input("w", TensorType::unknown(DType::F64, 1));
    let (_, sample) = try_random(
        Distribution::Normal,
        &state.var(),
        &int_vector(&[3]),
        &avg,
        &float(1.0),
        DType::F64,
    )
    .unwrap();
    let cost = (&sample * &w).sum(crate::ops::reduce::Axis::All);
    let gw = grad(&cost, std::slice::from_ref(&w), &GradOptions::default()).unwrap();
    let f = function(&[avg.clone(), w.clone()], &[sample, gw[0].clone()]).unwrap();
    let out = f
        .call(&[Tensor::scalar(0.5), Tensor::randn(DType::F64, &[3], 8)])
        .unwrap();
    assert_eq!(out[0].to_f64_vec(), out[1].to_f64_vec());
    let e = grad(&cost, &[avg], &GradOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("avg"), "{e}");
}
