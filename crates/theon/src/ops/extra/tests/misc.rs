//! isclose/allclose, ptp, max_and_argmax, nonzero_tuple and choose.

use super::*;
use crate::dtype::DType::*;
use crate::ops::extra::*;
use crate::ops::reduce::Axis;

#[test]
fn isclose_follows_numpys_formula_infinities_and_nans() {
    let a = Tensor::randn(F64, &[4, 5], 1);
    let noise = Tensor::randn(F64, &[4, 5], 2);
    let mut bv: Vec<f64> = a
        .to_vec::<f64>()
        .iter()
        .zip(noise.to_vec::<f64>())
        .map(|(x, n)| x + n * 1e-5)
        .collect();
    bv[0] = f64::NAN;
    bv[1] = f64::INFINITY;
    let mut av = a.to_vec::<f64>();
    av[0] = f64::NAN;
    av[1] = f64::INFINITY;
    av[2] = f64::NEG_INFINITY;
    let (a, b) = (
        Tensor::from_vec(av.clone(), &[4, 5]).unwrap(),
        Tensor::from_vec(bv.clone(), &[4, 5]).unwrap(),
    );
    let (x, y) = (input_for("a", &a), input_for("b", &b));
    for (rtol, atol, equal_nan) in [(1e-5, 1e-8, false), (1e-4, 0.0, true), (0.0, 2e-5, false)] {
        let got = run(
            &[x.clone(), y.clone()],
            &[a.clone(), b.clone()],
            &[isclose(&x, &y, rtol, atol, equal_nan)],
        );
        for i in 0..20 {
            let (p, q) = (av[i], bv[i]);
            let want = if p.is_nan() || q.is_nan() {
                equal_nan && p.is_nan() && q.is_nan()
            } else if p.is_infinite() || q.is_infinite() {
                p == q
            } else {
                (p - q).abs() <= atol + rtol * q.abs()
            };
            assert_eq!(got[0].to_vec::<bool>()[i], want, "element {i}");
        }
    }
    let all = run(
        &[x.clone(), y.clone()],
        &[a.clone(), a.clone()],
        &[allclose(&x, &y, 0.0, 0.0, true)],
    );
    assert_eq!(all[0].to_vec::<bool>(), vec![true]);
    let all = run(
        &[x.clone(), y.clone()],
        &[a, b],
        &[allclose(&x, &y, 1e-3, 1e-3, false)],
    );
    assert_eq!(all[0].to_vec::<bool>(), vec![false]);
    assert!(try_isclose(&x, &y, -1.0, 0.0, false).is_err());
}

#[test]
fn ptp_is_max_minus_min_along_axes() {
    let x = Tensor::randn(F64, &[3, 4], 5);
    let got = eval1(&x, |v| ptp(v, -1i64, false));
    for i in 0..3 {
        let row: Vec<f64> = (0..4).map(|j| x.get(&[i, j]).as_f64()).collect();
        let want = row.iter().cloned().fold(f64::MIN, f64::max)
            - row.iter().cloned().fold(f64::MAX, f64::min);
        assert!((got.get(&[i]).as_f64() - want).abs() < 1e-15);
    }
    let all = eval1(&transposed(2), |v| ptp(v, Axis::All, true));
    assert_eq!(all.shape(), &[1, 1]);
    let b = crate::ops::constructors::vector("b", Bool);
    assert!(try_ptp(&b, 0i64, false).is_err());
}

#[test]
fn max_and_argmax_agree_with_a_scan() {
    let x = Tensor::rand_int(I32, &[3, 5], -4, 4, 7);
    let xv = input_for("x", &x);
    let (m, a) = max_and_argmax(&xv, Some(1));
    let (mf, af) = max_and_argmax(&xv, None);
    let got = run(&[xv], std::slice::from_ref(&x), &[m, a, mf, af]);
    for i in 0..3 {
        let row: Vec<i64> = (0..5).map(|j| x.get(&[i, j]).as_i64()).collect();
        let best = *row.iter().max().unwrap();
        assert_eq!(got[0].get(&[i]).as_i64(), best);
        assert_eq!(
            got[1].get(&[i]).as_i64(),
            row.iter().position(|&v| v == best).unwrap() as i64
        );
    }
    let flat = x.to_vec::<i32>();
    let best = *flat.iter().max().unwrap();
    assert_eq!(got[2].item().as_i64(), best as i64);
    assert_eq!(
        got[3].item().as_i64(),
        flat.iter().position(|&v| v == best).unwrap() as i64
    );
}

#[test]
fn nonzero_tuple_lists_coordinates_in_c_order() {
    let x = Tensor::rand_int(I8, &[3, 4, 2], -1, 2, 3);
    let xv = input_for("x", &x);
    let got = run(
        std::slice::from_ref(&xv),
        std::slice::from_ref(&x),
        &nonzero_tuple(&xv),
    );
    let mut expect = vec![Vec::new(); 3];
    for i in 0..3 {
        for j in 0..4 {
            for k in 0..2 {
                if x.get(&[i, j, k]).as_i64() != 0 {
                    expect[0].push(i as i64);
                    expect[1].push(j as i64);
                    expect[2].push(k as i64);
                }
            }
        }
    }
    assert!(!expect[0].is_empty() && expect[0].len() < 24);
    for d in 0..3 {
        assert_eq!(got[d].to_vec::<i64>(), expect[d]);
    }
    let t = transposed(1);
    let got = eval1(&t, |v| {
        nonzero_tuple(&crate::ops::elemwise::gt(v, 0.0)).remove(0)
    });
    let rows: Vec<i64> = (0..12)
        .filter(|&f| t.get(&[f / 3, f % 3]).as_f64() > 0.0)
        .map(|f| (f / 3) as i64)
        .collect();
    assert_eq!(got.to_vec::<i64>(), rows);
    let s = crate::ops::constructors::scalar("s", F64);
    assert!(try_nonzero_tuple(&s).is_err());
}

#[test]
fn choose_picks_from_broadcast_choices_in_every_mode() {
    let a = Tensor::rand_int(I64, &[2, 4], -2, 5, 4);
    let c0 = Tensor::randn(F32, &[2, 4], 5);
    let c1 = Tensor::rand_int(I32, &[2, 4], -100, 100, 6);
    let c2 = Tensor::randn(F64, &[1, 4], 7);
    let av = input_for("a", &a);
    let v0 = input_for("c0", &c0);
    let v1 = input_for("c1", &c1);
    let v2 = Var::input("c2", crate::TensorType::new(F64, vec![Some(1), None]));
    let inputs = [av.clone(), v0.clone(), v1.clone(), v2.clone()];
    let values = [a.clone(), c0.clone(), c1.clone(), c2.clone()];
    let choices = [v0, v1, v2];
    let got = run(
        &inputs,
        &values,
        &[
            choose(&av, &choices, ChooseMode::Wrap),
            choose(&av, &choices, ChooseMode::Clip),
        ],
    );
    assert_eq!(got[0].dtype(), F64);
    for i in 0..2 {
        for j in 0..4 {
            let k = a.get(&[i, j]).as_i64();
            let pick = |k: i64| match k {
                0 => c0.get(&[i, j]).as_f64(),
                1 => c1.get(&[i, j]).as_f64(),
                _ => c2.get(&[0, j]).as_f64(),
            };
            assert_eq!(got[0].get(&[i, j]).as_f64(), pick(k.rem_euclid(3)));
            assert_eq!(got[1].get(&[i, j]).as_f64(), pick(k.clamp(0, 2)));
        }
    }
    let raise = try_run(
        &inputs,
        &values,
        &[choose(&av, &choices, ChooseMode::Raise)],
    )
    .unwrap_err()
    .to_string();
    assert!(
        raise.contains("choose") && raise.contains("size 3"),
        "{raise}"
    );
}
