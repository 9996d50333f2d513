//! Shape inference and the shape rules: `y.shape()` compiles to arithmetic
//! on the inputs' dims (the op computing `y` is not run), and the inferred
//! dims equal the dims of the computed value on random inputs.

use super::{check_rule, compile, no_fusion, ops};
use crate::graph::Var;
use crate::ops::indexing::{IndexItem, IntArg};
use crate::prelude::*;
use crate::rewrite::FunctionGraph;

/// Compiles `y.shape()` (FAST_RUN) and `y` (no optimization), checks that
/// the optimized shape graph runs none of the ops named in `avoid`, and
/// that the inferred shape equals the shape of the computed `y`.
fn check_inferred(inputs: &[Var], y: &Var, args: &[Tensor], avoid: &[&str]) {
    let f = compile(inputs, &[y.shape()], Mode::fast_run());
    let names = ops(&f);
    for a in avoid {
        assert!(
            !names.iter().any(|n| n.starts_with(a)),
            "shape of {} still runs {a}: {names:?}",
            y.label()
        );
    }
    let value = compile(inputs, &[y.clone()], Mode::no_optimization())
        .call(args)
        .unwrap();
    let want: Vec<i64> = value[0].shape().iter().map(|&d| d as i64).collect();
    let got = f.call(args).unwrap()[0].to_vec::<i64>();
    assert_eq!(got, want, "shape of {}", y.label());
}

#[test]
fn the_shape_of_exp_does_not_run_exp() {
    let x = matrix("x", F64);
    let f = compile(&[x.clone()], &[x.exp().shape()], Mode::fast_run());
    assert!(!ops(&f).contains(&"exp".to_string()), "{:?}", ops(&f));
    assert_eq!(ops(&f), vec!["shape_i{0}", "shape_i{1}", "make_vector"]);
    let out = f.call(&[Tensor::randn(F64, &[3, 4], 1)]).unwrap();
    assert_eq!(out[0].to_vec::<i64>(), vec![3, 4]);
    // shape_i of a computed value reads the input's dim.
    let f = compile(&[x.clone()], &[x.exp().sin().shape_i(1)], Mode::fast_run());
    assert_eq!(ops(&f), vec!["shape_i{1}"]);
    // Static dims fold to a constant: nothing runs at all.
    let s = tensor("s", F64, &[Some(2), Some(5)]);
    let f = compile(&[s.clone()], &[s.exp().t().shape()], Mode::fast_run());
    assert!(ops(&f).is_empty(), "{:?}", ops(&f));
    let out = f.call(&[Tensor::randn(F64, &[2, 5], 2)]).unwrap();
    assert_eq!(out[0].to_vec::<i64>(), vec![5, 2]);
}

#[test]
fn shape_rules_fire_and_agree() {
    let x = matrix("x", F64);
    let xv = Tensor::randn(F64, &[3, 4], 3);
    check_rule(
        "shape_to_dims",
        &[x.clone()],
        &[x.exp().shape()],
        &[xv.clone()],
        0.0,
    );
    check_rule(
        "shape_i_to_dim",
        &[x.clone()],
        &[x.exp().shape_i(0)],
        &[xv],
        0.0,
    );
}

#[test]
fn inferred_shapes_match_computed_ones() {
    let x = matrix("x", F64);
    let r = tensor("r", F64, &[Some(1), None]);
    let v = vector("v", F64);
    let t = tensor3("t", F64);
    let y = vector("y", I64);
    let xv = Tensor::randn(F64, &[3, 4], 4);
    let rv = Tensor::randn(F64, &[1, 4], 5);
    let vv = Tensor::randn(F64, &[4], 6);
    let tv = Tensor::randn(F64, &[2, 3, 4], 7);
    let yv = Tensor::rand_int(I64, &[3], 0, 4, 8);
    let ins = [x.clone(), r.clone(), v.clone(), t.clone(), y.clone()];
    let args = [xv, rv, vv, tv, yv];
    let cases: Vec<(Var, Vec<&str>)> = vec![
        ((&r + &x).exp(), vec!["exp", "add"]),
        (x.sum_keepdims(1), vec!["sum"]),
        (t.sum(vec![0i64, 2]), vec!["sum"]),
        (t.mean(1), vec!["mean"]),
        (x.argmax(0), vec!["argmax"]),
        (t.cumsum(Axis::All), vec!["cumsum"]),
        (
            t.dimshuffle(&[Some(2), None, Some(0), Some(1)]),
            vec!["dimshuffle"],
        ),
        (t.reshape(&[-1, 4]), vec!["reshape"]),
        (x.exp().reshape_var(&x.t().shape()), vec!["reshape", "exp"]),
        (t.flatten(2), vec!["flatten"]),
        (concatenate(&[x.clone(), x.exp()], 0), vec!["join", "exp"]),
        (
            alloc(&v, vec![Dim::from(x.shape_i(0)), Dim::Const(4)]),
            vec!["alloc"],
        ),
        (
            x.exp().broadcast_to(&[2, 3, 4]),
            vec!["broadcast_to", "exp"],
        ),
        (dot(&x, &x.t()), vec!["dot"]),
        (dot(&x, &v), vec!["dot"]),
        (matmul(&t, &x.t()), vec!["matmul"]),
        (nnet::softmax(&x, -1), vec!["softmax"]),
        (nnet::log_softmax(&t, 1), vec!["log_softmax"]),
        (
            nnet::categorical_crossentropy(&nnet::softmax(&x, -1), &y),
            vec!["crossentropy"],
        ),
        (x.exp().at(&s![1.., ..;-2]), vec!["subtensor", "exp"]),
        (t.at(&s![1, NEWAXIS, 1..-1]), vec!["subtensor"]),
        (x.inc_at(&s![0], 1.0), vec!["inc_subtensor"]),
        (second(&x, &v), vec!["second"]),
        (t.flip(vec![1i64]), vec!["flip"]),
    ];
    for (y, avoid) in &cases {
        check_inferred(&ins, y, &args, avoid);
    }
}

/// Slice lengths follow NumPy's clamping for every sign of start, stop
/// and step, on an axis whose length is only known at run time.
#[test]
fn slice_lengths_are_inferred_like_numpy() {
    let x = vector("x", F64);
    let c = |v: i64| Some(IntArg::Const(v));
    let mut items = vec![];
    for step in [None, c(1), c(2), c(-1), c(-3)] {
        for start in [None, c(0), c(2), c(-2), c(9), c(-9)] {
            for stop in [None, c(1), c(-1), c(4), c(10), c(-10)] {
                items.push(IndexItem::slice(start.clone(), stop.clone(), step.clone()));
            }
        }
    }
    let outputs: Vec<Var> = items
        .iter()
        .map(|i| x.at(std::slice::from_ref(i)).shape_i(0))
        .collect();
    let f = compile(&[x.clone()], &outputs, Mode::fast_run());
    assert!(
        !ops(&f).iter().any(|n| n.starts_with("subtensor")),
        "{:?}",
        ops(&f)
    );
    let reference = compile(&[x.clone()], &outputs, Mode::no_optimization());
    for n in [0usize, 1, 3, 7] {
        let xv = Tensor::randn(F64, &[n], n as u64);
        let got = f.call(&[xv.clone()]).unwrap();
        let want = reference.call(&[xv]).unwrap();
        for ((g, w), item) in got.iter().zip(&want).zip(&items) {
            assert_eq!(g.to_vec::<i64>(), w.to_vec::<i64>(), "n={n}, {item:?}");
        }
    }
}

#[test]
fn shape_of_reuses_its_memo_and_survives_pruning() {
    let x = matrix("x", F64);
    let y = x.exp().sin();
    let mut fg = FunctionGraph::from_vars(&[x.clone()], &[y]).unwrap();
    let out = fg.outputs()[0];
    let dims = fg.shape_of(out);
    assert_eq!(dims.len(), 2);
    let names: Vec<String> = dims.iter().map(|d| fg.op(d.node).unwrap().name()).collect();
    assert_eq!(names, vec!["shape_i{0}", "shape_i{1}"]);
    assert_eq!(fg.shape_of(out), dims, "memoized");
    // Nothing uses the dims: dead-code removal prunes them, and the next
    // query builds them again instead of returning dead ids.
    fg.remove_dead_nodes();
    assert!(!fg.is_alive(dims[0].node));
    let again = fg.shape_of(out);
    assert!(again.iter().all(|d| fg.is_alive(d.node)));
}

#[test]
fn useless_reshapes_allocs_and_broadcasts_are_removed() {
    let x = matrix("x", F64);
    let xv = Tensor::randn(F64, &[3, 4], 9);
    let cases = [
        ("useless_reshape", x.reshape_var(&x.shape())),
        ("useless_alloc", alloc(&x, x.shape())),
        (
            "useless_broadcast_to",
            broadcast_to(&x, vec![Dim::from(x.shape_i(0)), Dim::from(x.shape_i(1))]),
        ),
    ];
    for (rule, y) in cases {
        let y = y.exp();
        let f = check_rule(rule, &[x.clone()], &[y], &[xv.clone()], 0.0);
        assert_eq!(ops(&f), vec!["exp"], "{rule}");
    }
    // A reshape that changes the shape stays.
    let f = compile(&[x.clone()], &[x.reshape(&[4, 3])], no_fusion());
    assert_eq!(ops(&f), vec!["reshape{2}"]);
}

#[test]
fn reshape_chains_collapse() {
    let t = tensor3("t", F64);
    let tv = Tensor::randn(F64, &[2, 3, 4], 10);
    let y = t.reshape(&[-1, 4]).reshape(&[4, -1]).reshape(&[-1]);
    let f = check_rule("reshape_reshape", &[t.clone()], &[y], &[tv.clone()], 0.0);
    assert_eq!(ops(&f), vec!["reshape{1}"]);
    let y = t.reshape(&[-1, 4]).flatten(1);
    let f = check_rule("flatten_reshape", &[t.clone()], &[y], &[tv], 0.0);
    assert_eq!(ops(&f), vec!["flatten{outdim=1}"]);
}
