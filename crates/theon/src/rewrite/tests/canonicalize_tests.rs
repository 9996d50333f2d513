//! Canonicalize rules, merge and constant folding: each fires where it
//! should, and outputs agree with the rule on and off.

use super::{check_rule, compile, no_fusion, ops};
use crate::graph::Var;
use crate::ops::elemwise::{Elemwise, ScalarOp};
use crate::prelude::*;

fn m(seed: u64) -> Tensor {
    Tensor::randn(F64, &[3, 4], seed)
}

#[test]
fn identities_with_neutral_constants() {
    let x = matrix("x", F64);
    let args = [m(1)];
    let cases: Vec<(&str, Var, f64)> = vec![
        ("mul_one", (&x * 1.0).sin(), 0.0),
        ("add_zero", (0.0f64 + &x).sin(), 0.0),
        ("sub_zero", (&x - 0.0).sin(), 0.0),
        ("div_one", (&x / 1.0).sin(), 0.0),
        ("pow_one", x.pow(1.0).sin(), 0.0),
        ("neg_neg", (-(-&x)).sin(), 0.0),
        ("log_exp", x.exp().log().sin(), 1e-14),
    ];
    for (rule, y, rtol) in cases {
        let f = check_rule(rule, &[x.clone()], &[y], &args, rtol);
        assert_eq!(ops(&f), vec!["sin"], "{rule}");
    }
}

#[test]
fn neutral_constant_that_broadcasts_is_kept() {
    // x + zeros(3, 4) with x a row (1, ?) broadcasts: the add must stay.
    let x = row("x", F64);
    let y = &x + &constant(Tensor::zeros(F64, &[3, 4]));
    let f = compile(&[x.clone()], &[y], no_fusion());
    assert_eq!(f.compile_profile().hits("add_zero"), 0);
    assert!(f.compile_profile().failures.is_empty());
    let out = f.call(&[Tensor::randn(F64, &[1, 4], 2)]).unwrap();
    assert_eq!(out[0].shape(), &[3, 4]);
}

#[test]
fn x_minus_x_and_x_over_x_keep_the_broadcast_shape() {
    let x = matrix("x", F64);
    let c = col("c", F64);
    let z = (&x - &x) + &c;
    let f = check_rule(
        "sub_self",
        &[x.clone(), c.clone()],
        &[z],
        &[m(3), Tensor::randn(F64, &[3, 1], 4)],
        1e-15,
    );
    assert!(!ops(&f).contains(&"sub".to_string()));
    let out = f.call(&[m(3), Tensor::randn(F64, &[3, 1], 4)]).unwrap();
    assert_eq!(out[0].shape(), &[3, 4]);
    let f = check_rule("div_self", &[x.clone()], &[&x / &x], &[m(5)], 0.0);
    let out = f.call(&[m(5)]).unwrap();
    assert_eq!(out[0].shape(), &[3, 4]);
    assert!(out[0].to_f64_vec().iter().all(|&v| v == 1.0));
    // Integer x - x stays integer.
    let i = vector("i", I32);
    let f = check_rule(
        "sub_self",
        &[i.clone()],
        &[&i - &i],
        &[Tensor::rand_int(I32, &[6], -50, 50, 6)],
        0.0,
    );
    assert_eq!(
        f.call(&[Tensor::rand_int(I32, &[6], -50, 50, 6)]).unwrap()[0].dtype(),
        I32
    );
}

#[test]
fn casts_that_change_nothing_are_removed() {
    let x = vector("x", F32);
    let same = Var::apply1(Elemwise::new(ScalarOp::Cast(F32)), &[x.clone()]).unwrap();
    let xv = Tensor::randn(F32, &[7], 7);
    let f = check_rule(
        "useless_cast",
        &[x.clone()],
        &[same.exp()],
        &[xv.clone()],
        0.0,
    );
    assert_eq!(ops(&f), vec!["exp"]);
    let round_trip = x.cast(F64).cast(F32).exp();
    let f = check_rule("cast_cast", &[x.clone()], &[round_trip], &[xv.clone()], 0.0);
    assert_eq!(ops(&f), vec!["exp"]);
    // f64 -> f32 -> f64 loses precision: it must stay.
    let d = vector("d", F64);
    let lossy = d.cast(F32).cast(F64);
    let f = compile(&[d.clone()], &[lossy], no_fusion());
    assert_eq!(f.compile_profile().hits("cast_cast"), 0);
    assert_eq!(ops(&f), vec!["cast{float32}", "cast{float64}"]);
}

#[test]
fn dimshuffles_compose_and_double_transposes_cancel() {
    let x = matrix("x", F64);
    let xv = m(8);
    let f = check_rule(
        "dimshuffle_dimshuffle",
        &[x.clone()],
        &[x.t().t().exp()],
        &[xv.clone()],
        0.0,
    );
    assert_eq!(ops(&f), vec!["exp"]);
    let y = x
        .dimshuffle(&[None, Some(0), Some(1)])
        .dimshuffle(&[Some(2), Some(0), Some(1)]);
    let f = check_rule(
        "dimshuffle_dimshuffle",
        &[x.clone()],
        &[y],
        &[xv.clone()],
        0.0,
    );
    assert_eq!(ops(&f), vec!["dimshuffle{1,x,0}"]);
    let f = check_rule(
        "dimshuffle_identity",
        &[x.clone()],
        &[x.transpose(&[0, 1]).exp()],
        &[xv],
        0.0,
    );
    assert_eq!(ops(&f), vec!["exp"]);
}

#[test]
fn add_and_mul_chains_are_sorted_with_constants_collected() {
    let x = vector("x", F64);
    let y = vector("y", F64);
    let args = [Tensor::randn(F64, &[5], 9), Tensor::randn(F64, &[5], 10)];
    let sum = (1.0f64 + &y) + (&x + 2.0);
    let f = check_rule("add_chain", &[x.clone(), y.clone()], &[sum], &args, 1e-15);
    assert_eq!(ops(&f), vec!["add", "add"]);
    let text = f.debugprint();
    assert!(text.contains("constant{3}"), "{text}");
    let prod = (&y * 2.0) * (0.5f64 * &x);
    let f = check_rule("mul_chain", &[x.clone(), y.clone()], &[prod], &args, 1e-15);
    assert_eq!(ops(&f), vec!["mul"], "2 * 0.5 = 1 is dropped");
    // The same terms in another order give the same (merged) chain.
    let a = (&x + &y) + 1.0;
    let b = (1.0f64 + &y) + &x;
    let f = compile(&[x.clone(), y.clone()], &[a, b], no_fusion());
    let outs = f.optimized_outputs();
    assert_eq!(outs[0], outs[1], "{}", f.debugprint());
}

#[test]
fn chains_keep_narrow_integer_terms_apart() {
    // (x_i32 + a_i8) + b_i8: adding a and b first would wrap in int8.
    let x = vector("x", I32);
    let a = vector("a", I8);
    let b = vector("b", I8);
    let y = (&x + &a) + &b;
    let f = compile(&[x.clone(), a.clone(), b.clone()], &[y], no_fusion());
    assert_eq!(f.compile_profile().hits("add_chain"), 0);
    let args = [
        Tensor::rand_int(I32, &[4], -5, 5, 1),
        Tensor::from_vec(vec![100i8, 120, -128, 5], &[4]).unwrap(),
        Tensor::from_vec(vec![100i8, 120, -128, 5], &[4]).unwrap(),
    ];
    let out = f.call(&args).unwrap()[0].to_f64_vec();
    let xs = args[0].to_f64_vec();
    let want = [200.0, 240.0, -256.0, 10.0];
    for i in 0..4 {
        assert_eq!(out[i], xs[i] + want[i]);
    }
}

#[test]
fn constant_folding_computes_constant_subgraphs() {
    let x = vector("x", F64);
    let c = constant(Tensor::randn(F64, &[5], 11));
    let y = &x * c.exp().sin();
    let f = check_rule(
        "constant_folding",
        &[x.clone()],
        &[y],
        &[Tensor::randn(F64, &[5], 12)],
        0.0,
    );
    assert_eq!(ops(&f), vec!["mul"]);
}

#[test]
fn merge_joins_equal_subexpressions_and_constants() {
    let x = vector("x", F64);
    let y = x.exp().sin()
        + x.exp().sin() * constant(Tensor::scalar(3.0f64))
        + constant(Tensor::scalar(3.0f64));
    let xv = Tensor::randn(F64, &[6], 13);
    let on = compile(
        &[x.clone()],
        &[y.clone()],
        Mode::no_optimization().including(["merge"]),
    );
    let off = compile(&[x.clone()], &[y], Mode::no_optimization());
    assert!(
        on.compile_profile().hits("merge") >= 3,
        "{}",
        on.compile_profile()
    );
    assert_eq!(ops(&on), vec!["exp", "sin", "mul", "add", "add"]);
    assert_eq!(ops(&off).len(), 7);
    assert!(on.call(&[xv.clone()]).unwrap()[0].allclose(&off.call(&[xv]).unwrap()[0], 0.0, 0.0));
}

#[test]
fn local_merge_catches_duplicates_exposed_by_rewrites() {
    let x = vector("x", F64);
    let y = (&x * 1.0).exp() + x.exp();
    let f = check_rule(
        "merge_node",
        &[x.clone()],
        &[y],
        &[Tensor::randn(F64, &[4], 14)],
        0.0,
    );
    assert_eq!(ops(&f), vec!["exp", "add"]);
}
