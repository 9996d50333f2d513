//! The engine: drivers, budgets and stop reasons, rules that panic or
//! return wrong types, tag/name queries.

use crate::ops::elemwise::{Elemwise, ScalarOp, UnaryOp};
use crate::prelude::*;
use crate::rewrite::{
    identity, run_phases, standard_db, Budget, FunctionGraph, Phase, PhaseKind, Query, Rule,
    StopReason, Tracks,
};
use std::time::Duration;

const NEG: ScalarOp = ScalarOp::Unary(UnaryOp::Neg);

fn phase(kind: PhaseKind) -> Vec<Phase> {
    vec![Phase {
        name: "test".into(),
        kind,
    }]
}

/// neg(x) -> neg(neg(neg(x))): never converges.
fn growing_rule() -> Rule {
    Rule::new("grow", &["test"], Tracks::Scalar(NEG), |fg, node| {
        let x = fg.node_inputs(node)[0];
        let a = fg.apply1(Elemwise::new(NEG), &[x]).ok()?;
        let b = fg.apply1(Elemwise::new(NEG), &[a]).ok()?;
        Some(vec![fg.apply1(Elemwise::new(NEG), &[b]).ok()?])
    })
}

fn neg_graph() -> FunctionGraph {
    let x = vector("x", F64);
    FunctionGraph::from_vars(&[x.clone()], &[(-&x).exp()]).unwrap()
}

#[test]
fn equilibrium_budgets_stop_with_a_reason() {
    let long = Duration::from_secs(60);
    let mut fg = neg_graph();
    let budget = Budget {
        passes: 50,
        growth: 1000.0,
        time: long,
    };
    let p = run_phases(
        &mut fg,
        &phase(PhaseKind::Equilibrium(vec![growing_rule()])),
        budget,
    );
    assert_eq!(p.phases[0].stop, StopReason::PassBudget);
    let mut fg = neg_graph();
    let budget = Budget {
        passes: 1_000_000,
        growth: 1.0,
        time: long,
    };
    let p = run_phases(
        &mut fg,
        &phase(PhaseKind::Equilibrium(vec![growing_rule()])),
        budget,
    );
    assert_eq!(p.phases[0].stop, StopReason::NodeGrowth);
    assert!(p.phases[0].nodes_after > 1000);
    let mut fg = neg_graph();
    let budget = Budget {
        passes: 1_000_000,
        growth: 1e9,
        time: Duration::ZERO,
    };
    let p = run_phases(
        &mut fg,
        &phase(PhaseKind::Equilibrium(vec![growing_rule()])),
        budget,
    );
    assert_eq!(p.phases[0].stop, StopReason::TimeBudget);
    // The sweep offers each original node once, so it ends.
    let mut fg = neg_graph();
    let p = run_phases(
        &mut fg,
        &phase(PhaseKind::Sweep(vec![growing_rule()])),
        Budget::default(),
    );
    assert_eq!(p.phases[0].stop, StopReason::Swept);
    assert_eq!(p.hits("grow"), 1);
    assert_eq!(fg.op_names(), vec!["neg", "neg", "neg", "exp"]);
}

#[test]
fn equilibrium_converges_and_revisits_changed_neighbourhoods() {
    let x = vector("x", F64);
    let y = (-(-(-(-&x)))).exp();
    let mut fg = FunctionGraph::from_vars(&[x.clone()], &[y]).unwrap();
    let rules = vec![identity("neg_neg", &["test"], "neg(neg($x))", "$x")];
    let p = run_phases(
        &mut fg,
        &phase(PhaseKind::Equilibrium(rules)),
        Budget::default(),
    );
    assert_eq!(p.phases[0].stop, StopReason::Converged);
    assert_eq!(fg.op_names(), vec!["exp"]);
    assert_eq!(p.hits("neg_neg"), 2);
    assert!(p.rules["neg_neg"].calls >= 3);
}

#[test]
fn a_panicking_rule_is_reported_by_name_and_skipped() {
    let x = vector("x", F64);
    let y = (-(-&x)).exp();
    let mut fg = FunctionGraph::from_vars(&[x.clone()], &[y]).unwrap();
    let boom = Rule::new("boom", &["test"], Tracks::Any, |fg, node| {
        let _ = fg.apply1(
            Elemwise::new(ScalarOp::Unary(UnaryOp::Sin)),
            &[fg.node_inputs(node)[0]],
        );
        panic!("rule bug");
    });
    let rules = vec![boom, identity("neg_neg", &["test"], "neg(neg($x))", "$x")];
    let p = run_phases(
        &mut fg,
        &phase(PhaseKind::Equilibrium(rules)),
        Budget::default(),
    );
    assert_eq!(p.failures.len(), 1, "reported once, then skipped");
    assert_eq!(p.failures[0].rule, "boom");
    assert!(p.failures[0].message.contains("rule bug"));
    assert_eq!(
        fg.op_names(),
        vec!["exp"],
        "the other rule still ran; the panicking rule's nodes were pruned"
    );
}

#[test]
fn a_rule_returning_a_wrong_type_is_rejected_by_name() {
    let x = vector("x", F64);
    let mut fg = FunctionGraph::from_vars(&[x.clone()], &[x.exp()]).unwrap();
    let bad = Rule::new("to_f32", &["test"], Tracks::Any, |fg, node| {
        let x = fg.node_inputs(node)[0];
        Some(vec![fg
            .apply1(Elemwise::new(ScalarOp::Cast(F32)), &[x])
            .ok()?])
    });
    let p = run_phases(
        &mut fg,
        &phase(PhaseKind::Equilibrium(vec![bad])),
        Budget::default(),
    );
    assert_eq!(p.failures[0].rule, "to_f32");
    assert!(
        p.failures[0].message.contains("float32"),
        "{}",
        p.failures[0].message
    );
    assert_eq!(fg.op_names(), vec!["exp"]);
    assert_eq!(fg.node_count(), 2, "the cast it built was pruned");
}

#[test]
fn queries_select_by_tag_and_name() {
    let q = Query {
        include: vec!["stabilize".into()],
        exclude: vec!["log1p".into()],
    };
    let phases = standard_db().query(&q);
    assert_eq!(phases.len(), 1);
    let PhaseKind::Equilibrium(rules) = &phases[0].kind else {
        panic!("stabilize is an equilibrium phase")
    };
    assert!(rules.iter().any(|r| r.name == "softplus"));
    assert!(!rules.iter().any(|r| r.name == "log1p"));
    let by_name = Query {
        include: vec!["fusion".into(), "neg_neg".into()],
        exclude: vec![],
    };
    let names: Vec<String> = standard_db()
        .query(&by_name)
        .iter()
        .map(|p| p.name.clone())
        .collect();
    assert_eq!(
        names,
        vec!["canonicalize", "stabilize", "fusion", "fused_reduce"],
        "neg_neg runs in two phases; the fusion tag selects both fusion passes"
    );
    let names = standard_db().names();
    for expected in [
        "merge",
        "merge_node",
        "constant_folding",
        "add_chain",
        "softplus",
        "pow_int",
        "fusion",
        "dead_code",
    ] {
        assert!(names.iter().any(|n| n == expected), "{expected}");
    }
}

#[test]
fn the_profile_records_phases_and_rule_times() {
    let x = vector("x", F64);
    let f = super::compile(&[x.clone()], &[(&x * 1.0).exp().sin()], Mode::fast_run());
    let p = f.compile_profile();
    let names: Vec<&str> = p.phases.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "merge",
            "canonicalize",
            "stabilize",
            "specialize",
            "fusion",
            "fused_reduce",
            "row_blocked",
            "final_merge",
            "inplace",
            "dead_code"
        ]
    );
    assert_eq!(p.hits("mul_one"), 1);
    assert_eq!(p.hits("fusion"), 1);
    assert!(p.rules["mul_one"].calls >= 1);
    let text = p.to_string();
    assert!(
        text.contains("mul_one") && text.contains("canonicalize"),
        "{text}"
    );
}
