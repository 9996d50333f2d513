//! Stabilize and specialize rules: each fires, agrees with the unrewritten
//! graph on moderate inputs, and stays finite where the original overflows.

use super::{check_rule, check_rule_with, compile, no_fusion, ops};
use crate::graph::Var;
use crate::prelude::*;

fn moderate(seed: u64) -> Tensor {
    Tensor::rand_uniform(F64, &[4, 5], -3.0, 3.0, seed)
}

/// Compiles in FAST_RUN (fusion included) and evaluates at `x`.
fn fast_run_at(x: &Var, y: &Var, value: f64) -> f64 {
    let f = compile(&[x.clone()], &[y.clone()], Mode::fast_run());
    f.call(&[Tensor::full(F64, &[1], value)]).unwrap()[0].to_f64_vec()[0]
}

#[test]
fn stabilizing_rules_fire_and_agree() {
    let x = matrix("x", F64);
    let cases: Vec<(&str, Var, &str)> = vec![
        ("softplus", (1.0f64 + x.exp()).log(), "softplus"),
        ("softplus_log1p", x.exp().log1p(), "softplus"),
        ("log_sigmoid", x.sigmoid().log(), "softplus"),
        ("log1p", (x.sqr() + 1.0).log(), "log1p"),
        ("expm1", x.exp() - 1.0, "expm1"),
        ("one_minus_sigmoid", 1.0 - x.sigmoid(), "sigmoid"),
    ];
    for (rule, y, produced) in cases {
        let f = check_rule(rule, &[x.clone()], &[y], &[moderate(1)], 1e-12);
        let names = ops(&f);
        assert!(names.contains(&produced.to_string()), "{rule}: {names:?}");
        assert!(!names.contains(&"log".to_string()), "{rule}: {names:?}");
    }
    // With one_minus_sigmoid on, 1 - sigmoid(x) is rewritten first and
    // log_sigmoid finishes the job; both routes end in -softplus(x).
    let y = (1.0f64 - x.sigmoid()).log();
    let f = compile(&[x.clone()], &[y.clone()], no_fusion());
    assert_eq!(ops(&f), vec!["softplus", "neg"]);
    let base = no_fusion().excluding(["one_minus_sigmoid"]);
    let f = check_rule_with(
        base,
        "log_one_minus_sigmoid",
        &[x.clone()],
        &[y],
        &[moderate(1)],
        1e-12,
    );
    assert_eq!(ops(&f), vec!["softplus", "neg"]);
}

#[test]
fn stabilized_expressions_are_finite_at_extremes() {
    let x = vector("x", F64);
    let v = fast_run_at(&x, &(1.0f64 + x.exp()).log(), 1000.0);
    assert_eq!(v, 1000.0);
    let v = fast_run_at(&x, &x.sigmoid().log(), -1000.0);
    assert_eq!(v, -1000.0);
    let v = fast_run_at(&x, &(1.0f64 - x.sigmoid()).log(), 1000.0);
    assert_eq!(v, -1000.0);
    let v = fast_run_at(&x, &(1.0f64 + &x).log(), 1e-20);
    assert_eq!(v, 1e-20, "log1p keeps tiny values");
    let v = fast_run_at(&x, &(x.exp() - 1.0), 1e-20);
    assert_eq!(v, 1e-20, "expm1 keeps tiny values");
    // Unoptimized, the same graph overflows (so the test can fail).
    let f = compile(
        &[x.clone()],
        &[(1.0f64 + x.exp()).log()],
        Mode::no_optimization(),
    );
    assert!(f.call(&[Tensor::full(F64, &[1], 1000.0)]).unwrap()[0].to_f64_vec()[0].is_infinite());
}

#[test]
fn integer_inputs_are_not_stabilized() {
    let i = vector("i", I8);
    let y = (&i + 1).log();
    let f = compile(&[i.clone()], &[y], super::no_fusion());
    assert_eq!(f.compile_profile().hits("log1p"), 0);
    let out = f
        .call(&[Tensor::from_vec(vec![127i8, 3], &[2]).unwrap()])
        .unwrap();
    assert!(
        out[0].to_f64_vec()[0].is_nan(),
        "1 + 127 wraps to -128 in int8"
    );
}

#[test]
fn powers_are_specialized() {
    let x = matrix("x", F64);
    let pos = Tensor::rand_uniform(F64, &[4, 5], 0.5, 2.0, 2);
    let cases: Vec<(&str, Var, Vec<&str>)> = vec![
        ("pow_two", x.pow(2.0), vec!["sqr"]),
        ("pow_half", x.pow(0.5), vec!["sqrt"]),
        ("pow_minus_one", x.pow(-1.0), vec!["reciprocal"]),
        ("mul_self", &x * &x, vec!["sqr"]),
        ("pow_int", x.pow(3.0), vec!["sqr", "mul"]),
        ("pow_int", x.pow(4.0), vec!["sqr", "sqr"]),
        (
            "pow_int",
            x.pow(-5.0),
            vec!["sqr", "sqr", "mul", "reciprocal"],
        ),
        ("pow_int", x.pow(16.0), vec!["sqr", "sqr", "sqr", "sqr"]),
    ];
    for (rule, y, want) in cases {
        let f = check_rule(rule, &[x.clone()], &[y], &[pos.clone()], 1e-13);
        assert_eq!(ops(&f), want, "{rule}");
    }
    // Large or fractional exponents stay a pow.
    let f = compile(&[x.clone()], &[x.pow(17.0), x.pow(2.5)], super::no_fusion());
    assert_eq!(ops(&f), vec!["pow", "pow"]);
    // Integer powers of integers stay exact.
    let i = vector("i", I64);
    let iv = Tensor::rand_int(I64, &[6], -9, 9, 3);
    let f = check_rule("pow_int", &[i.clone()], &[i.pow(3)], &[iv.clone()], 0.0);
    let out = f.call(&[iv.clone()]).unwrap()[0].to_vec::<i64>();
    for (o, v) in out.iter().zip(iv.to_vec::<i64>()) {
        assert_eq!(*o, v * v * v);
    }
}
