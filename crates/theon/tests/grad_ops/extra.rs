//! The extra ops under gradient checks: sort (through its permutation),
//! diff, diagonals (diagonal, diag, trace, fill_diagonal), triangles,
//! ptp, max_and_argmax and choose, in both modes, on several shapes,
//! axes and non-contiguous points, with second derivatives; integer
//! outputs (argsort, argmax, choose's selector) are disconnected.

use super::{assert_close, check, grad1, randn, run, strided};
use theon::ops::extra::{
    argsort, choose, diag, diagonal, max_and_argmax, ptp, sort, trace, tril, triu, try_choose,
    try_diagonal, try_diff, try_fill_diagonal, try_ptp, try_sort, try_trace, ChooseMode, SortKind,
};
use theon::prelude::*;

#[test]
fn sort_gradients_follow_the_permutation() {
    for axis in [Some(-1i64), Some(0), None] {
        for p in [randn(&[3, 4], 300), strided(&[3, 4], 301)] {
            let fun = |v: &[Var]| try_sort(&v[0], SortKind::Values, axis);
            check(&format!("sort axis={axis:?}"), fun, &[p]);
        }
    }
    let p3 = strided(&[2, 3, 4], 302);
    check(
        "sort 3-d axis 1",
        |v| try_sort(&v[0], SortKind::Values, Some(1)),
        &[p3.clone()],
    );
    check(
        "sort 3-d flat",
        |v| try_sort(&v[0], SortKind::Values, None),
        &[p3],
    );
    check(
        "sort size-0",
        |v| try_sort(&v[0], SortKind::Values, Some(0)),
        &[randn(&[0, 3], 303)],
    );
}

#[test]
fn sort_gradient_lands_where_each_value_came_from() {
    // cost = Σ_i w_i · sort(x)_i, so x_j gets the weight of its rank.
    let x = vector("x", F64);
    let w = constant(Tensor::from_vec(vec![1.0f64, 10.0, 100.0], &[3]).unwrap());
    let order_cost = argsort(&x, -1).cast(F64).sum(Axis::All);
    let g = grad1(&((sort(&x, -1) * &w).sum(Axis::All) + order_cost), &x);
    let xv = Tensor::from_vec(vec![0.5f64, -2.0, 3.0], &[3]).unwrap();
    let out = run(&[x], &[g], &[xv]);
    assert_close("d sort", &out[0], &[10.0, 1.0, 100.0], 0.0);
}

#[test]
fn second_derivatives_of_sort_and_diff() {
    let w = constant(randn(&[3, 4], 304));
    let of_sort = |v: &[Var]| Ok(grad1(&(sort(&v[0], 1) * &w).sum(Axis::All).sin(), &v[0]));
    check("d2 sort", of_sort, &[randn(&[3, 4], 305)]);
    let w2 = constant(randn(&[3, 2], 306));
    let of_diff = |v: &[Var]| {
        let d = try_diff(&(&v[0] * &v[0]), 2, -1)?;
        Ok(grad1(&(d * &w2).sum(Axis::All), &v[0]))
    };
    check("d2 diff", of_diff, &[randn(&[3, 4], 307)]);
}

#[test]
fn diff_gradients_for_orders_and_axes() {
    for (n, axis) in [(1usize, -1i64), (2, 0), (3, 1), (6, -1)] {
        for p in [randn(&[4, 5], 310), strided(&[4, 5], 311)] {
            let fun = |v: &[Var]| try_diff(&v[0], n, axis);
            check(&format!("diff n={n} axis={axis}"), fun, &[p]);
        }
    }
    check("diff 1-d", |v| try_diff(&v[0], 1, 0), &[randn(&[6], 312)]);
}

#[test]
fn diagonal_gradients_for_offsets_and_axes() {
    for offset in [-2i64, -1, 0, 1, 3] {
        for p in [randn(&[4, 5], 320), strided(&[4, 5], 321)] {
            let fun = |v: &[Var]| try_diagonal(&v[0], offset, 0, 1);
            check(&format!("diagonal offset={offset}"), fun, &[p]);
        }
    }
    let p3 = strided(&[3, 4, 5], 322);
    for (offset, a1, a2) in [(0i64, 0i64, 2i64), (1, 2, 1), (-1, 1, 2), (0, -1, 0)] {
        let fun = |v: &[Var]| try_diagonal(&v[0], offset, a1, a2);
        check(
            &format!("diagonal 3-d offset={offset} axes=({a1}, {a2})"),
            fun,
            &[p3.clone()],
        );
    }
}

#[test]
fn diag_and_trace_gradients() {
    for k in [-1i64, 0, 2] {
        check(
            &format!("diag of a vector k={k}"),
            |v| Ok(diag(&v[0], k)),
            &[randn(&[3], 330)],
        );
        check(
            &format!("diag of a matrix k={k}"),
            |v| Ok(diag(&v[0], k)),
            &[strided(&[4, 4], 331)],
        );
        check(
            &format!("trace k={k}"),
            |v| try_trace(&v[0], k, 0, 1),
            &[randn(&[3, 5], 332)],
        );
    }
    check(
        "trace 3-d",
        |v| try_trace(&v[0], 0, -2, -1),
        &[strided(&[2, 3, 3], 333)],
    );
    // d trace(x) / dx = I.
    let x = matrix("x", F64);
    let g = grad1(&trace(&x, 0, 0, 1), &x);
    let out = run(&[x], &[g], &[randn(&[2, 3], 334)]);
    assert_close("d trace", &out[0], &[1.0, 0.0, 0.0, 0.0, 1.0, 0.0], 0.0);
    let w = constant(randn(&[3], 335));
    let second = |v: &[Var]| {
        let cost = (diagonal(&v[0], 0, 0, 1) * &w).sum(Axis::All).sin();
        Ok(grad1(&cost, &v[0]))
    };
    check("d2 diagonal", second, &[randn(&[3, 4], 336)]);
}

#[test]
fn fill_diagonal_gradients_reach_the_matrix_and_the_value() {
    for offset in [-1i64, 0, 2] {
        let fun = |v: &[Var]| try_fill_diagonal(&v[0], &v[1], offset);
        let points = [strided(&[4, 5], 340), randn(&[], 341)];
        check(&format!("fill_diagonal offset={offset}"), fun, &points);
    }
    let cube = |v: &[Var]| try_fill_diagonal(&v[0], &v[1], 0);
    check(
        "fill_diagonal 3-d",
        cube,
        &[randn(&[3, 3, 3], 342), randn(&[], 343)],
    );
    // The value gets the sum of the diagonal's gradient: 1 per element.
    let (a, value) = (matrix("a", F64), scalar("v", F64));
    let filled = try_fill_diagonal(&a, &value, 0).unwrap();
    let g = grad1(&(filled * 3.0).sum(Axis::All), &value);
    let out = run(&[a, value], &[g], &[randn(&[3, 4], 344), randn(&[], 345)]);
    assert_close("d value", &out[0], &[9.0], 0.0);
}

#[test]
fn tril_and_triu_gradients() {
    for k in [-1i64, 0, 2] {
        for p in [randn(&[4, 5], 350), strided(&[2, 4, 3], 351)] {
            check(&format!("tril k={k}"), |v| Ok(tril(&v[0], k)), &[p.clone()]);
            check(&format!("triu k={k}"), |v| Ok(triu(&v[0], k)), &[p]);
        }
    }
}

#[test]
fn ptp_and_max_and_argmax_gradients() {
    for axis in [Axis::from(0), Axis::from(-1), Axis::All] {
        for keepdims in [false, true] {
            let fun = |v: &[Var]| try_ptp(&v[0], axis.clone(), keepdims);
            check(
                &format!("ptp {axis} keepdims={keepdims}"),
                fun,
                &[strided(&[3, 4], 360)],
            );
        }
    }
    for axis in [Some(0i64), Some(-1), None] {
        let fun = |v: &[Var]| Ok(max_and_argmax(&v[0], axis).0);
        check(
            &format!("max_and_argmax axis={axis:?}"),
            fun,
            &[randn(&[3, 4], 361)],
        );
    }
    // The argmax part is disconnected: its integer values add no gradient.
    let x = matrix("x", F64);
    let (max, arg) = max_and_argmax(&x, Some(1));
    let g = grad1(&(max.sum(Axis::All) + arg.cast(F64).sum(Axis::All)), &x);
    let xv = Tensor::from_vec(vec![1.0f64, 5.0, 2.0, 7.0, 0.0, 3.0], &[2, 3]).unwrap();
    let out = run(&[x.clone()], &[g], &[xv.clone()]);
    assert_close("d max", &out[0], &[0.0, 1.0, 0.0, 1.0, 0.0, 0.0], 0.0);
    let g_ptp = grad1(&ptp(&x, 1, false).sum(Axis::All), &x);
    let out = run(&[x], &[g_ptp], &[xv]);
    assert_close("d ptp", &out[0], &[-1.0, 1.0, 0.0, 1.0, -1.0, 0.0], 0.0);
}

#[test]
fn choose_gradients_reach_the_picked_choices() {
    let selector = Tensor::from_vec(vec![0i64, 1, 2, 1, 0, 2, 2, 1, 0, 1, 0, 2], &[3, 4]).unwrap();
    let wild = Tensor::from_vec(vec![-1i64, 4, 2, 1, 0, -5, 3, 1, 0, 7, 0, 2], &[3, 4]).unwrap();
    for (mode, sel) in [
        (ChooseMode::Raise, &selector),
        (ChooseMode::Wrap, &wild),
        (ChooseMode::Clip, &wild),
    ] {
        let k = constant(sel.clone());
        let fun = |v: &[Var]| try_choose(&k, v, mode);
        let points = [
            randn(&[3, 4], 370),
            randn(&[3, 1], 371),
            strided(&[1, 4], 372),
        ];
        check(&format!("choose {mode:?}"), fun, &points);
    }
    // Each element's gradient goes to the choice it came from; a
    // broadcast choice sums over its copies.
    let (a, b) = (matrix("a", F64), row("b", F64));
    let k = constant(Tensor::from_vec(vec![0i64, 1, 1, 1], &[2, 2]).unwrap());
    let cost = choose(&k, &[a.clone(), b.clone()], ChooseMode::Raise).sum(Axis::All);
    let g = grad(&cost, &[a.clone(), b.clone()], &GradOptions::default()).unwrap();
    let out = run(&[a, b], &g, &[randn(&[2, 2], 373), randn(&[1, 2], 374)]);
    assert_close("d a", &out[0], &[1.0, 0.0, 0.0, 0.0], 0.0);
    assert_close("d b", &out[1], &[1.0, 2.0], 0.0);
}
