//! Accuracy sweep: every function on every compiled variant, over a dense
//! sample of its domain (a stride through all bit patterns — so subnormals,
//! huge values and both signs — a uniform sample of the central interval,
//! and the IEEE edge values), measured in ulp against an f64 / libm
//! reference. The asserted bounds are the ones documented in docs/kernels.md.

use super::*;
use crate::backend::cpu::Isa;
use crate::ops::elemwise::special;

const VARIANTS: [Isa; 2] = [Isa::Baseline, Isa::Avx2Fma];

fn edges32() -> Vec<f32> {
    vec![
        0.0,
        -0.0,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
        f32::MIN_POSITIVE,
        -f32::MIN_POSITIVE,
        f32::from_bits(1),
        -f32::from_bits(1),
        f32::MAX,
        f32::MIN,
        1.0,
        -1.0,
        0.5,
    ]
}

/// Edge values, every `step`-th bit pattern, and `n` uniform values in [-a, a].
fn sample32(step: u32, a: f32, n: usize) -> Vec<f32> {
    let mut v = edges32();
    let mut bits = 0u32;
    while let Some(next) = bits.checked_add(step) {
        v.push(f32::from_bits(bits));
        bits = next;
    }
    v.extend((0..n).map(|i| -a + 2.0 * a * (i as f32 + 0.37) / n as f32));
    v
}

fn sample64(step: u64, a: f64, n: usize) -> Vec<f64> {
    let mut v: Vec<f64> = edges32().into_iter().map(f64::from).collect();
    v.extend([
        f64::MIN_POSITIVE,
        f64::from_bits(1),
        -f64::from_bits(3),
        f64::MAX,
        f64::MIN,
    ]);
    let mut bits = 0u64;
    while let Some(next) = bits.checked_add(step) {
        v.push(f64::from_bits(bits));
        bits = next;
    }
    v.extend((0..n).map(|i| -a + 2.0 * a * (i as f64 + 0.37) / n as f64));
    v
}

fn ulp32(r: f64) -> f64 {
    let r = r.abs();
    if r < f32::MIN_POSITIVE as f64 {
        return 2f64.powi(-149);
    }
    2f64.powi(r.log2().floor() as i32 - 23)
}

fn ulp64(r: f64) -> f64 {
    // The gap to the next float away from zero (to the previous one at MAX).
    let r = r.abs();
    if r == f64::MAX {
        return r - f64::from_bits(r.to_bits() - 1);
    }
    f64::from_bits(r.to_bits() + 1) - r
}

/// Error in ulp of `got` against the exact-ish `reference`; infinite for a
/// wrong NaN/inf.
fn err32(got: f32, reference: f64) -> f64 {
    let want = reference as f32;
    if reference.is_nan() || got.is_nan() {
        return if reference.is_nan() && got.is_nan() {
            0.0
        } else {
            f64::INFINITY
        };
    }
    if want.is_infinite() || got.is_infinite() {
        return if want == got { 0.0 } else { f64::INFINITY };
    }
    if reference == 0.0 && got == 0.0 && reference.is_sign_negative() != got.is_sign_negative() {
        return f64::INFINITY;
    }
    (got as f64 - reference).abs() / ulp32(reference)
}

fn err64(got: f64, reference: f64) -> f64 {
    if reference.is_nan() || got.is_nan() {
        return if reference.is_nan() && got.is_nan() {
            0.0
        } else {
            f64::INFINITY
        };
    }
    if reference.is_infinite() || got.is_infinite() {
        return if reference == got { 0.0 } else { f64::INFINITY };
    }
    if reference == 0.0 && got == 0.0 && reference.is_sign_negative() != got.is_sign_negative() {
        return f64::INFINITY;
    }
    (got - reference).abs() / ulp64(reference)
}

type Kernel32 = fn(Isa, &[f32], &mut [f32]);
type Kernel64 = fn(Isa, &[f64], &mut [f64]);

/// Largest error over `xs`, with the worst input.
fn worst32(k: Kernel32, isa: Isa, reference: fn(f64) -> f64, xs: &[f32]) -> (f64, f32) {
    let mut out = vec![0.0; xs.len()];
    k(isa, xs, &mut out);
    let mut worst = (0.0, 0.0);
    for (&x, &y) in xs.iter().zip(&out) {
        let e = err32(y, reference(x as f64));
        if e > worst.0 {
            worst = (e, x);
        }
    }
    worst
}

fn worst64(k: Kernel64, isa: Isa, reference: fn(f64) -> f64, xs: &[f64]) -> (f64, f64) {
    let mut out = vec![0.0; xs.len()];
    k(isa, xs, &mut out);
    let mut worst = (0.0, 0.0);
    for (&x, &y) in xs.iter().zip(&out) {
        let e = err64(y, reference(x));
        if e > worst.0 {
            worst = (e, x);
        }
    }
    worst
}

fn sigmoid_ref(x: f64) -> f64 {
    special::sigmoid(x)
}

fn softplus_ref(x: f64) -> f64 {
    special::softplus(x)
}

/// (name, f32 kernel, f64 kernel, reference, central interval, f32 bound, f64 bound)
type Case = (
    &'static str,
    Kernel32,
    Kernel64,
    fn(f64) -> f64,
    f64,
    f64,
    f64,
);

fn cases() -> Vec<Case> {
    vec![
        ("exp", exp_f32_on, exp_f64_on, libm::exp, 100.0, 1.0, 1.0),
        (
            "expm1",
            expm1_f32_on,
            expm1_f64_on,
            libm::expm1,
            30.0,
            1.5,
            2.0,
        ),
        ("log", log_f32_on, log_f64_on, libm::log, 10.0, 1.0, 1.0),
        (
            "log1p",
            log1p_f32_on,
            log1p_f64_on,
            libm::log1p,
            2.0,
            1.5,
            1.5,
        ),
        ("log2", log2_f32_on, log2_f64_on, libm::log2, 10.0, 0.6, 1.0),
        ("tanh", tanh_f32_on, tanh_f64_on, libm::tanh, 10.0, 2.0, 2.0),
        (
            "sigmoid",
            sigmoid_f32_on,
            sigmoid_f64_on,
            sigmoid_ref,
            50.0,
            2.0,
            3.0,
        ),
        (
            "softplus",
            softplus_f32_on,
            softplus_f64_on,
            softplus_ref,
            50.0,
            2.0,
            3.0,
        ),
        ("sin", sin_f32_on, sin_f64_on, libm::sin, 100.0, 0.6, 1.0),
        ("cos", cos_f32_on, cos_f64_on, libm::cos, 100.0, 0.6, 1.0),
        ("erf", erf_f32_on, erf_f64_on, libm::erf, 7.0, 0.6, 2.0),
        ("sqrt", sqrt_f32_on, sqrt_f64_on, f64::sqrt, 10.0, 0.5, 0.0),
        (
            "reciprocal",
            reciprocal_f32_on,
            reciprocal_f64_on,
            |x| 1.0 / x,
            10.0,
            0.5,
            0.0,
        ),
    ]
}

#[test]
fn unary_functions_meet_their_ulp_bounds() {
    let xs32 = sample32(40_009, 1.0, 20_000);
    let xs64 = sample64(170_000_000_000_029, 1.0, 20_000);
    let mut failures = Vec::new();
    for (name, k32, k64, reference, a, bound32, bound64) in cases() {
        let mut c32 = xs32.clone();
        c32.extend((0..20_000).map(|i| (-a + 2.0 * a * (i as f64 + 0.37) / 20_000.0) as f32));
        let mut c64 = xs64.clone();
        c64.extend((0..20_000).map(|i| -a + 2.0 * a * (i as f64 + 0.37) / 20_000.0));
        for isa in VARIANTS {
            let (e32, x32) = worst32(k32, isa, reference, &c32);
            let (e64, x64) = worst64(k64, isa, reference, &c64);
            eprintln!(
                "{name:>10} {isa:?}: f32 {e32:.3} ulp at {x32:e}, f64 {e64:.3} ulp at {x64:e}"
            );
            if e32 > bound32 {
                failures.push(format!(
                    "{name} f32 {isa:?}: {e32} ulp at {x32:e} > {bound32}"
                ));
            }
            if e64 > bound64 {
                failures.push(format!(
                    "{name} f64 {isa:?}: {e64} ulp at {x64:e} > {bound64}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn pow_meets_its_ulp_bound_and_c99_special_cases() {
    let mut xs = sample64(910_000_000_000_017, 1.0, 0);
    xs.extend((0..400).map(|i| -4.0 + 8.0 * (i as f64 + 0.5) / 400.0));
    let ys: Vec<f64> = [
        0.0,
        -0.0,
        1.0,
        -1.0,
        2.0,
        3.0,
        -3.0,
        0.5,
        -0.5,
        1.5,
        7.0,
        10.0,
        -11.0,
        1e-3,
        33.3,
        -60.7,
        100.0,
        1e10,
        2f64.powi(53),
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
    ]
    .into();
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for &a in &xs {
        for &b in &ys {
            x.push(a);
            y.push(b);
        }
    }
    for isa in VARIANTS {
        let mut out = vec![0.0; x.len()];
        pow_f64_on(isa, &x, &y, &mut out);
        let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
        let y32: Vec<f32> = y.iter().map(|&v| v as f32).collect();
        let mut out32 = vec![0.0; x.len()];
        pow_f32_on(isa, &x32, &y32, &mut out32);
        let (mut w64, mut w32) = (0.0f64, 0.0f64);
        for i in 0..x.len() {
            let e = err64(out[i], libm::pow(x[i], y[i]));
            assert!(
                e <= 4.0,
                "pow({:e}, {:e}) = {:e} ({e} ulp) on {isa:?}",
                x[i],
                y[i],
                out[i]
            );
            w64 = w64.max(e);
            let e = err32(out32[i], libm::pow(x32[i] as f64, y32[i] as f64));
            assert!(
                e <= 0.6,
                "pow({:e}, {:e}) = {:e} ({e} ulp) f32 on {isa:?}",
                x32[i],
                y32[i],
                out32[i]
            );
            w32 = w32.max(e);
        }
        eprintln!("pow {isa:?}: f32 {w32:.3} ulp, f64 {w64:.3} ulp");
    }
}

#[test]
fn kernels_handle_odd_lengths_and_empty_slices() {
    for n in [0usize, 1, 7, 9, 17, 1023] {
        let x: Vec<f32> = (0..n).map(|i| (i as f32 * 0.731).sin() * 3.0).collect();
        let mut out = vec![f32::NAN; n];
        tanh_f32(&x, &mut out);
        for (&a, &b) in x.iter().zip(&out) {
            assert!(err32(b, libm::tanh(a as f64)) <= 2.0);
        }
        let x64: Vec<f64> = x.iter().map(|&v| v as f64).collect();
        let mut out64 = vec![f64::NAN; n];
        exp_f64(&x64, &mut out64);
        for (&a, &b) in x64.iter().zip(&out64) {
            assert!(err64(b, libm::exp(a)) <= 1.0);
        }
    }
}

#[test]
#[should_panic(expected = "lengths differ")]
fn mismatched_lengths_panic() {
    exp_f32(&[1.0, 2.0], &mut [0.0]);
}
