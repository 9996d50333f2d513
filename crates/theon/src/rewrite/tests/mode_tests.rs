//! Modes: FAST_RUN, FAST_COMPILE, custom including/excluding, config flags.

use super::{compile, ops};
use crate::config::Config;
use crate::prelude::*;

#[test]
fn fast_compile_folds_and_merges_but_does_not_fuse_or_stabilize() {
    let x = vector("x", F64);
    let c = constant(Tensor::randn(F64, &[3], 1));
    let y = ((&x * 1.0).exp() + c.exp() + x.exp()).log1p().exp();
    let f = compile(&[x.clone()], &[y.clone()], Mode::fast_compile());
    let p = f.compile_profile();
    assert!(
        p.hits("mul_one") == 1 && p.hits("constant_folding") >= 1,
        "{p}"
    );
    assert_eq!(p.hits("fusion"), 0);
    assert_eq!(p.hits("softplus_log1p"), 0);
    assert_eq!(ops(&f), vec!["exp", "add", "add", "log1p", "exp"]);
    let fast = compile(&[x.clone()], &[y], Mode::fast_run());
    assert_eq!(ops(&fast).len(), 1, "{}", fast.debugprint());
    let xv = Tensor::randn(F64, &[3], 2);
    assert!(f.call(&[xv.clone()]).unwrap()[0].allclose(&fast.call(&[xv]).unwrap()[0], 1e-13, 0.0));
}

#[test]
fn modes_by_name_and_custom_modes() {
    assert_eq!(Mode::named("FAST_RUN").unwrap(), Mode::fast_run());
    assert_eq!(Mode::named("FAST_COMPILE").unwrap(), Mode::fast_compile());
    let err = Mode::named("FASTEST").unwrap_err().to_string();
    assert!(err.contains("FASTEST") && err.contains("FAST_RUN"), "{err}");
    let x = vector("x", F64);
    let y = (1.0f64 + x.exp()).log();
    let only_stabilize = Mode::no_optimization().including(["stabilize"]);
    let f = compile(&[x.clone()], &[y.clone()], only_stabilize);
    assert_eq!(ops(&f), vec!["softplus"]);
    let none = compile(&[x.clone()], &[y], Mode::no_optimization());
    assert_eq!(ops(&none), vec!["exp", "add", "log"]);
}

#[test]
fn config_flags_exclude_rules_from_every_mode() {
    let cfg =
        Config::from_flags("optimizer_excluding=fusion:log1p,optimizer_including=merge").unwrap();
    let q = Mode::fast_compile().query_with(&cfg);
    assert!(q.exclude.contains(&"fusion".to_string()) && q.exclude.contains(&"log1p".to_string()));
    assert!(q.selects("merge", &[]));
    assert!(!q.selects("fusion", &["fusion".into(), "fast_compile".into()]));
    assert!(!Mode::fast_run()
        .query_with(&cfg)
        .selects("log1p", &["stabilize".into(), "fast_run".into()]));
    assert!(Mode::fast_run()
        .query_with(&Config::default())
        .selects("log1p", &["stabilize".into(), "fast_run".into()]));
}

#[test]
fn the_default_mode_comes_from_the_config() {
    let x = vector("x", F64);
    let y = (&x * 1.0).exp().sin();
    let f = function(&[x.clone()], &[y]).unwrap();
    let expected = Mode::from_config().unwrap();
    let fused = f.compile_profile().hits("fusion") == 1;
    assert_eq!(
        fused,
        expected == Mode::fast_run(),
        "{}",
        f.compile_profile()
    );
}

#[test]
fn updates_and_shared_variables_survive_optimization() {
    let x = vector("x", F64);
    let start = Tensor::randn(F64, &[3], 1);
    let s = shared(start.clone(), "s");
    let sv = s.var();
    let new = (&sv * 1.0) + (&x - &x) + x.exp();
    let f = Function::builder(&[x.clone()], &[&sv + 0.0])
        .updates([(s.clone(), new)])
        .mode(Mode::fast_run())
        .build()
        .unwrap();
    assert_eq!(f.optimized_outputs().len(), 2);
    assert_eq!(f.optimized_outputs()[0], sv, "s + 0 is s itself");
    let xv = Tensor::randn(F64, &[3], 2);
    let out = f.call(&[xv.clone()]).unwrap();
    assert!(out[0].allclose(&start, 0.0, 0.0));
    let (s0, xs) = (start.to_f64_vec(), xv.to_f64_vec());
    let after = s.get_value().to_f64_vec();
    for i in 0..3 {
        assert!((after[i] - (s0[i] + xs[i].exp())).abs() < 1e-14);
    }
}
