//! The control-flow rules: each fires where it should, and outputs agree
//! with the rule on and off.

use super::assert_close;
use theon::graph::toposort;
use theon::ops::control::scan::Scan;
use theon::ops::control::{ifelse, scan, IfElse, OpFromGraph, OutputInfo};
use theon::prelude::*;

fn count<T: theon::graph::Op>(f: &Function) -> usize {
    toposort(f.optimized_outputs())
        .iter()
        .filter(|n| n.op().is_some_and(|op| op.as_any().is::<T>()))
        .count()
}

fn compile(inputs: &[Var], outputs: &[Var], mode: Mode) -> Function {
    Function::builder(inputs, outputs)
        .mode(mode)
        .build()
        .unwrap()
}

#[test]
fn ifelse_with_a_constant_condition_becomes_its_branch() {
    let x = vector("x", F64);
    for (cond, want_exp) in [(true, true), (false, false)] {
        let c = constant(Tensor::scalar(cond));
        let y = ifelse(&c, &x.exp(), &x.sin());
        let on = compile(
            std::slice::from_ref(&x),
            std::slice::from_ref(&y),
            Mode::fast_run(),
        );
        let off = compile(
            std::slice::from_ref(&x),
            &[y],
            Mode::fast_run().excluding(["ifelse_constant_cond"]),
        );
        assert_eq!(count::<IfElse>(&on), 0);
        assert_eq!(count::<IfElse>(&off), 1);
        let xv = Tensor::randn(F64, &[5], 1);
        let a = on.call(std::slice::from_ref(&xv)).unwrap()[0].to_vec::<f64>();
        let b = off.call(std::slice::from_ref(&xv)).unwrap()[0].to_vec::<f64>();
        assert_close(&a, &b, 1e-12);
        let f: fn(f64) -> f64 = if want_exp { f64::exp } else { f64::sin };
        assert_close(
            &a,
            &xv.to_vec::<f64>().iter().map(|v| f(*v)).collect::<Vec<_>>(),
            1e-12,
        );
    }
}

#[test]
fn inline_op_from_graph_is_replaced_by_its_subgraph() {
    let x = vector("x", F64);
    let sub = (&x * 2.0).tanh();
    let kept = OpFromGraph::new(std::slice::from_ref(&x), std::slice::from_ref(&sub)).unwrap();
    let inlined = OpFromGraph::new(std::slice::from_ref(&x), &[sub])
        .unwrap()
        .inline(true);
    let a = vector("a", F64);
    let f_kept = compile(
        std::slice::from_ref(&a),
        &kept.call(&[a.exp()]),
        Mode::fast_run(),
    );
    let f_inl = compile(
        std::slice::from_ref(&a),
        &inlined.call(&[a.exp()]),
        Mode::fast_run(),
    );
    let f_off = compile(
        std::slice::from_ref(&a),
        &inlined.call(&[a.exp()]),
        Mode::fast_run().excluding(["inline_op_from_graph"]),
    );
    assert_eq!(count::<OpFromGraph>(&f_kept), 1);
    assert_eq!(count::<OpFromGraph>(&f_inl), 0);
    assert_eq!(count::<OpFromGraph>(&f_off), 1);
    let av = Tensor::randn(F64, &[4], 2);
    let want: Vec<f64> = av
        .to_vec::<f64>()
        .iter()
        .map(|v| (2.0 * v.exp()).tanh())
        .collect();
    for f in [&f_kept, &f_inl, &f_off] {
        assert_close(
            &f.call(std::slice::from_ref(&av)).unwrap()[0].to_vec::<f64>(),
            &want,
            1e-12,
        );
    }
}

#[test]
fn a_scan_whose_history_is_unused_keeps_only_its_window() {
    let x = matrix("x", F64);
    let h0 = vector("h0", F64);
    let r = scan(|s| (s.prev(0) * 0.5 + s.seq(0)).tanh())
        .sequences([&x])
        .outputs_info([&h0])
        .build()
        .unwrap();
    let last = r.last[0].clone().unwrap();
    let history = |f: &Function| -> Vec<bool> {
        toposort(f.optimized_outputs())
            .iter()
            .filter_map(|n| {
                n.op()
                    .and_then(|op| op.as_any().downcast_ref::<Scan>())
                    .map(|s| s.spec.carries[0].history)
            })
            .collect()
    };
    let on = compile(
        &[x.clone(), h0.clone()],
        std::slice::from_ref(&last),
        Mode::fast_run(),
    );
    let off = compile(
        &[x.clone(), h0.clone()],
        &[last],
        Mode::fast_run().excluding(["scan_drop_unused_history"]),
    );
    let both = compile(
        &[x.clone(), h0.clone()],
        &[r.outputs[0].clone()],
        Mode::fast_run(),
    );
    assert_eq!(history(&on), vec![false]);
    assert_eq!(history(&off), vec![true]);
    assert_eq!(history(&both), vec![true]);
    let args = [Tensor::randn(F64, &[6, 3], 3), Tensor::randn(F64, &[3], 4)];
    let a = on.call(&args).unwrap()[0].to_vec::<f64>();
    let b = off.call(&args).unwrap()[0].to_vec::<f64>();
    let all = both.call(&args).unwrap()[0].to_vec::<f64>();
    assert_close(&a, &b, 0.0);
    assert_close(&a, &all[15..], 0.0);
}

#[test]
fn per_step_outputs_nobody_reads_are_not_computed() {
    // Only the parameter's gradient is asked for: the backward loop's
    // gradient of the sequence is dropped.
    let x = matrix("x", F64);
    let w = vector("w", F64);
    let h0 = vector("h0", F64);
    let wv = w.clone();
    let r = scan(move |s| (s.prev(0) * &wv + s.seq(0)).tanh())
        .sequences([&x])
        .outputs_info([&h0])
        .build()
        .unwrap();
    let cost = r.outputs[0].sqr().sum(Axis::All);
    let gw = grad(&cost, std::slice::from_ref(&w), &GradOptions::default()).unwrap();
    let dropped = |f: &Function| -> usize {
        toposort(f.optimized_outputs())
            .iter()
            .filter_map(|n| {
                n.op()
                    .and_then(|op| op.as_any().downcast_ref::<Scan>())
                    .cloned()
            })
            .map(|s| s.spec.writes.iter().filter(|t| t.dropped.is_some()).count())
            .sum()
    };
    let inputs = [x.clone(), w.clone(), h0.clone()];
    let on = compile(&inputs, &gw, Mode::fast_run());
    let off = compile(
        &inputs,
        &gw,
        Mode::fast_run().excluding(["scan_drop_unused_writes"]),
    );
    assert!(
        dropped(&on) >= 1,
        "the sequence gradient's track is dropped"
    );
    assert_eq!(dropped(&off), 0);
    let args = [
        Tensor::randn(F64, &[6, 3], 5),
        Tensor::randn(F64, &[3], 6),
        Tensor::randn(F64, &[3], 7),
    ];
    let a = on.call(&args).unwrap()[0].to_vec::<f64>();
    let b = off.call(&args).unwrap()[0].to_vec::<f64>();
    assert_close(&a, &b, 0.0);
    // A forward scan's unused per-step output too, with a fixed-size row.
    let r = scan(|s| vec![s.prev(0) + s.seq(0), s.seq(0).exp()])
        .sequences([&x])
        .outputs_info([OutputInfo::initial(&h0), OutputInfo::none()])
        .build()
        .unwrap();
    let f = compile(
        &[x.clone(), h0.clone()],
        &[r.outputs[0].clone()],
        Mode::fast_run(),
    );
    assert_eq!(dropped(&f), 1);
    let out = f.call(&[args[0].clone(), args[2].clone()]).unwrap();
    assert_eq!(out[0].shape(), &[6, 3]);
}
