//! End-to-end checks that graphs build, compile and evaluate.

use theon::prelude::*;

#[test]
fn elementwise_reduce_and_dimshuffle_evaluate() {
    let x = matrix("x", F64);
    let b = vector("b", F64);
    let y = (&x + &b.dimshuffle(&[None, Some(0)])).exp().sum(1);
    let f = function(&[x.clone(), b.clone()], &[y]).unwrap();
    let xv = Tensor::randn(F64, &[3, 4], 1);
    let bv = Tensor::randn(F64, &[4], 2);
    let out = f.call(&[xv.clone(), bv.clone()]).unwrap();
    let xs = xv.to_vec::<f64>();
    let bs = bv.to_vec::<f64>();
    let expect: Vec<f64> = (0..3)
        .map(|i| (0..4).map(|j| (xs[i * 4 + j] + bs[j]).exp()).sum())
        .collect();
    let got = out[0].to_vec::<f64>();
    for (g, e) in got.iter().zip(&expect) {
        assert!((g - e).abs() < 1e-12 * e.abs());
    }
}

#[test]
fn wrong_dtype_names_the_input() {
    let x = vector("x", F32);
    let f = function(std::slice::from_ref(&x), &[x.exp()]).unwrap();
    let err = f.call(&[Tensor::randn(F64, &[3], 0)]).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("'x'") && msg.contains("float32") && msg.contains("smoke.rs"),
        "{msg}"
    );
}

#[test]
fn runtime_broadcast_mismatch_names_the_op_and_line() {
    let x = vector("x", F64);
    let y = vector("y", F64);
    let z = &x * &y;
    let f = function(&[x, y], &[z]).unwrap();
    let err = f
        .call(&[Tensor::randn(F64, &[3], 0), Tensor::randn(F64, &[4], 1)])
        .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("mul") && msg.contains("smoke.rs:"), "{msg}");
}
