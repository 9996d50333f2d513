//! Shape and layout ops under gradient checks: reshape, flatten, squeeze,
//! specify_shape, broadcast_to (static and run-time broadcasting), join,
//! stack, split, tile, repeat, flip and roll.

use super::{assert_close, check, grad1, randn, run, strided, unknown_dims};
use theon::ops::shape::{
    try_broadcast_to, try_concatenate, try_flatten, try_repeat, try_reshape, try_roll, try_split,
    try_stack, try_tile, BroadcastTo, Squeeze,
};
use theon::prelude::*;

#[test]
fn reshape_and_flatten_gradients() {
    let targets: [&[i64]; 4] = [&[4, 6], &[-1], &[2, 12], &[3, 2, 4]];
    for (k, target) in targets.iter().enumerate() {
        let fun = |v: &[Var]| try_reshape(&v[0], *target);
        check("reshape", fun, &[randn(&[2, 3, 4], 20 + k as u64)]);
        check(
            "reshape strided",
            fun,
            &[strided(&[2, 3, 4], 30 + k as u64)],
        );
    }
    // A symbolic target: the shape of another input (its gradient is zero).
    check(
        "reshape_var",
        |v| Ok(v[0].reshape_var(&v[1].shape())),
        &[randn(&[6], 24), randn(&[2, 3], 25)],
    );
    for outdim in 1..=3 {
        let fun = move |v: &[Var]| try_flatten(&v[0], outdim);
        check("flatten", fun, &[strided(&[2, 3, 4], 26)]);
    }
}

#[test]
fn squeeze_specify_shape_and_expand_dims_gradients() {
    // The Squeeze op proper: an axis of size 1 known only at run time.
    let squeeze = |v: &[Var]| Var::apply1(Squeeze { axes: vec![1] }, &[unknown_dims(&v[0])?]);
    check("squeeze", squeeze, &[randn(&[3, 1, 4], 40)]);
    check(
        "squeeze static",
        |v| Ok(v[0].squeeze()),
        &[randn(&[3, 1, 4], 41)],
    );
    check(
        "specify_shape",
        |v| Ok(unknown_dims(&v[0])?.specify_shape(&[None, Some(4)])),
        &[strided(&[3, 4], 42)],
    );
    check(
        "expand_dims",
        |v| Ok(v[0].expand_dims(1)),
        &[randn(&[3, 4], 43)],
    );
}

#[test]
fn broadcast_to_gradients_sum_the_copies() {
    let cases: [(&[usize], &[i64]); 4] = [
        (&[1, 4], &[3, 4]),
        (&[4], &[2, 3, 4]),
        (&[3, 1], &[2, 3, 5]),
        (&[], &[2, 3]),
    ];
    for (k, (shape, target)) in cases.iter().enumerate() {
        let fun = |v: &[Var]| try_broadcast_to(&v[0], *target);
        check("broadcast_to", fun, &[randn(shape, 50 + k as u64)]);
        // The same with no static size-1 dims: the sums happen at run time.
        let runtime = |v: &[Var]| {
            let op = BroadcastTo {
                target: target.iter().map(|&d| Some(d)).collect(),
            };
            let shape = Var::constant(Tensor::from_slice(target, &[target.len()]).unwrap());
            Var::apply1(op, &[unknown_dims(&v[0])?, shape])
        };
        check(
            "broadcast_to run-time",
            runtime,
            &[randn(shape, 60 + k as u64)],
        );
    }
}

#[test]
fn run_time_broadcast_gradient_has_the_input_shape() {
    let x = matrix("x", F64);
    let y = unknown_dims(&x).unwrap().broadcast_to(&[3, 4]);
    let g = grad1(&(y * 2.0).sum(Axis::All), &x);
    let out = run(&[x], &[g], &[randn(&[1, 4], 61)]);
    assert_close("sum over 3 copies", &out[0], &[6.0; 4], 1e-15);
}

#[test]
fn join_stack_and_split_gradients() {
    for axis in [0i64, 1, -1] {
        let fun = move |v: &[Var]| try_concatenate(v, axis);
        let points = [randn(&[2, 3], 70), strided(&[2, 3], 71), randn(&[2, 3], 72)];
        check("join", fun, &points);
        let fun = move |v: &[Var]| try_stack(v, axis);
        check("stack", fun, &points[..2]);
    }
    check(
        "join uneven",
        |v| try_concatenate(v, 0),
        &[randn(&[1, 3], 73), randn(&[4, 3], 74), randn(&[0, 3], 75)],
    );
    // One piece used alone (the others get zero gradients) and all mixed.
    check(
        "split middle",
        |v| Ok(try_split(&v[0], [1i64, 2, 1], 1)?.remove(1)),
        &[strided(&[3, 4], 76)],
    );
    check(
        "split mixed",
        |v| {
            let p = try_split(&v[0], [2i64, 0, 1], 0)?;
            Ok(p[0].sum(0) * 2.0 + p[2].sum(0).sin() + p[1].sum(0))
        },
        &[randn(&[3, 4], 77)],
    );
}

#[test]
fn tile_gradients() {
    let cases: [(&[usize], &[i64]); 4] = [
        (&[2, 3], &[2, 3]),
        (&[2, 3], &[2, 1, 2]),
        (&[2, 3, 2], &[2]),
        (&[3], &[0, 2]),
    ];
    for (k, (shape, reps)) in cases.iter().enumerate() {
        let fun = |v: &[Var]| try_tile(&v[0], *reps);
        check("tile", fun, &[randn(shape, 80 + k as u64)]);
    }
    check(
        "tile strided",
        |v| try_tile(&v[0], [3i64, 2]),
        &[strided(&[2, 3], 85)],
    );
}

#[test]
fn repeat_gradients() {
    check(
        "repeat scalar",
        |v| try_repeat(&v[0], 3i64, Some(0)),
        &[randn(&[2, 3], 90)],
    );
    check(
        "repeat each",
        |v| {
            Ok(v[0].repeat(
                Var::constant(Tensor::from_vec(vec![1i64, 0, 3], &[3]).unwrap()),
                Some(-1),
            ))
        },
        &[strided(&[2, 3], 91)],
    );
    check(
        "repeat flat",
        |v| try_repeat(&v[0], 2i64, None),
        &[randn(&[2, 3], 92)],
    );
    check(
        "repeat length-1 counts",
        |v| Ok(repeat_each(&v[0], &[2], Some(1))),
        &[randn(&[2, 3], 93)],
    );
}

#[test]
fn flip_and_roll_gradients() {
    for axis in [Axis::All, Axis::from(0), Axis::from([0i64, 2])] {
        let fun = |v: &[Var]| Ok(v[0].flip(axis.clone()));
        check("flip", fun, &[strided(&[2, 3, 4], 100)]);
    }
    for (shift, axis) in [(1i64, Some(0i64)), (-2, Some(-1)), (5, None), (0, Some(1))] {
        let fun = move |v: &[Var]| try_roll(&v[0], shift, axis);
        check("roll", fun, &[strided(&[3, 4], 101)]);
    }
    // A symbolic shift (an int64 input computed from the data's shape).
    check(
        "roll by shape",
        |v| Ok(v[0].roll(v[0].shape_i(1), Some(0))),
        &[randn(&[5, 2], 102)],
    );
}
