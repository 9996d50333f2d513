//! Indexing under gradient checks: basic indexing scatters into zeros;
//! advanced indexing accumulates repeated indices; `set_subtensor` masks
//! the overwritten region of `x` and credits only the surviving write of
//! `y`; `inc_subtensor` sums `y`'s gradient over its broadcast dims.

use super::{assert_close, check, grad1, randn, run, strided};
use theon::prelude::*;

fn ints(values: &[i64]) -> Var {
    constant(Tensor::from_vec(values.to_vec(), &[values.len()]).unwrap())
}

#[test]
fn basic_indexing_gradients() {
    let p = strided(&[4, 5], 800);
    check("slice", |v| Ok(v[0].at(&s![1..3, ..;2])), &[p.clone()]);
    check(
        "int and reverse",
        |v| Ok(v[0].at(&s![-1, ..;-1])),
        &[p.clone()],
    );
    check(
        "newaxis",
        |v| Ok(v[0].at(&s![NEWAXIS, 2.., 1])),
        &[p.clone()],
    );
    check("empty slice", |v| Ok(v[0].at(&s![3..1])), &[p.clone()]);
    // A symbolic bound: the length of the other input's first axis.
    check(
        "symbolic stop",
        |v| Ok(v[0].at(&s![..v[1].shape_i(0)])),
        &[p, randn(&[2], 801)],
    );
}

#[test]
fn advanced_indexing_gradients_accumulate_repeats() {
    let p = randn(&[4, 3], 810);
    check(
        "take repeated",
        |v| Ok(v[0].take(&ints(&[0, 2, 0, -1, 0]), 0)),
        &[p.clone()],
    );
    check(
        "take axis 1",
        |v| Ok(v[0].take(&ints(&[2, 2, 1]), 1)),
        &[strided(&[4, 3], 811)],
    );
    check(
        "pairs",
        |v| Ok(v[0].at(&s![&ints(&[0, 3, 0]), &ints(&[1, 2, 1])])),
        &[p.clone()],
    );
    let mask = constant(Tensor::from_vec(vec![true, false, true, true], &[4]).unwrap());
    check("mask", |v| Ok(v[0].at(&s![&mask])), &[p.clone()]);
    let x = matrix("x", F64);
    let g = grad1(&x.take(&ints(&[1, 1, 1, 0]), 0).sum(Axis::All), &x);
    let out = run(&[x], &[g], &[p]);
    let want: Vec<f64> = (0..12).map(|i| [1.0, 3.0, 0.0, 0.0][i / 3]).collect();
    assert_close("counts of each row", &out[0], &want, 0.0);
}

#[test]
fn set_and_inc_gradients() {
    let x = randn(&[4, 3], 820);
    check(
        "set slice",
        |v| Ok(v[0].set_at(&s![1..3], &v[1])),
        &[x.clone(), randn(&[2, 3], 821)],
    );
    check(
        "inc slice",
        |v| Ok(v[0].inc_at(&s![1..3], &v[1])),
        &[strided(&[4, 3], 822), strided(&[2, 3], 823)],
    );
    // The value broadcast over the region: its gradient is summed.
    check(
        "set row broadcast",
        |v| Ok(v[0].set_at(&s![.., 1], &v[1])),
        &[x.clone(), randn(&[1], 824)],
    );
    check(
        "inc scalar",
        |v| Ok(v[0].inc_at(&s![2.., ..2], &v[1])),
        &[x.clone(), randn(&[], 825)],
    );
    check(
        "inc (1, 3)",
        |v| Ok(v[0].inc_at(&s![..2], &v[1])),
        &[x.clone(), randn(&[1, 3], 826)],
    );
    // Repeated indices: inc accumulates; set keeps the last write.
    let idx = ints(&[2, 0, 2, 1, 2]);
    check(
        "inc repeated",
        |v| Ok(v[0].inc_at(&s![&idx], &v[1])),
        &[x.clone(), randn(&[5, 3], 827)],
    );
    check(
        "set repeated",
        |v| Ok(v[0].set_at(&s![&idx], &v[1])),
        &[x.clone(), randn(&[5, 3], 828)],
    );
    check(
        "set repeated broadcast",
        |v| Ok(v[0].set_at(&s![&idx], &v[1])),
        &[x, randn(&[1, 3], 829)],
    );
}

#[test]
fn set_gradient_credits_only_the_surviving_write() {
    let x = vector("x", F64);
    let y = vector("y", F64);
    let z = x.set_at(&s![&ints(&[1, 3, 1, 1])], &y);
    let w = constant(Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0], &[5]).unwrap());
    let cost = (z * w).sum(Axis::All);
    let g = grad(&cost, &[x.clone(), y.clone()], &GradOptions::default()).unwrap();
    let out = run(&[x, y], &g, &[randn(&[5], 830), randn(&[4], 831)]);
    assert_close(
        "x: overwritten entries get zero",
        &out[0],
        &[1.0, 0.0, 3.0, 0.0, 5.0],
        0.0,
    );
    assert_close(
        "y: only the last write to 1 counts",
        &out[1],
        &[0.0, 4.0, 0.0, 2.0],
        0.0,
    );
}
