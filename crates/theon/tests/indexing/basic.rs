//! Basic indexing: integers, slices (negative steps, clamped bounds,
//! symbolic bounds), `None`, `...`; results are views.

use super::{at, check, int, norm, run};
use theon::ops::indexing::{IndexItem, Subtensor};
use theon::prelude::*;

#[test]
fn ints_and_slices_match_loops() {
    let x = tensor("x", F64, &[Some(4), Some(5), Some(6)]);
    let y = x.at(&s![1, 1..4, ..;-2]);
    assert_eq!(y.ty().shape, vec![Some(3), Some(3)]);
    assert!(y.op_as::<Subtensor>().is_some());
    let xv = Tensor::randn(F64, &[4, 5, 6], 1);
    let mut expect = vec![];
    for j in 0..3 {
        for k in [5, 3, 1] {
            expect.push(at(&xv, &[1, 1 + j, k]));
        }
    }
    check(&run(&[x], &y, &[xv]), &[3, 3], &expect);
}

#[test]
fn negative_ints_and_steps_clamp_like_numpy() {
    let x = matrix("x", F32);
    let xv = Tensor::randn(F32, &[3, 8], 2);
    // x[-1, 10:-100:-3] -> row 2, columns 7, 4, 1
    let y = x.at(&s![-1, 10..-100;-3]);
    let expect: Vec<f64> = [7, 4, 1].iter().map(|&j| at(&xv, &[2, j])).collect();
    check(&run(&[x.clone()], &y, &[xv.clone()]), &[3], &expect);
    // x[-2:, -3::-2] -> rows 1, 2; columns 5, 3, 1
    let y = x.at(&s![-2.., IndexItem::stepped(-3.., -2)]);
    let mut expect = vec![];
    for i in [1, 2] {
        for j in [5, 3, 1] {
            expect.push(at(&xv, &[i, j]));
        }
    }
    check(&run(&[x.clone()], &y, &[xv.clone()]), &[2, 3], &expect);
    // x[-100:100, 6:-100:-4] -> all rows, columns 6, 2
    let y = x.at(&s![-100..100, 6..-100;-4]);
    let mut expect = vec![];
    for i in 0..3 {
        for j in [6, 2] {
            expect.push(at(&xv, &[i, j]));
        }
    }
    check(&run(&[x], &y, &[xv]), &[3, 2], &expect);
}

#[test]
fn newaxis_and_ellipsis_place_axes() {
    let x = tensor("x", I32, &[Some(2), Some(3), Some(4)]);
    let xv = Tensor::rand_int(I32, &[2, 3, 4], -50, 50, 3);
    let a = x.at(&s![NEWAXIS, ELLIPSIS, 1]);
    assert_eq!(a.ty().shape, vec![Some(1), Some(2), Some(3)]);
    let mut expect = vec![];
    for i in 0..2 {
        for j in 0..3 {
            expect.push(at(&xv, &[i, j, 1]));
        }
    }
    check(&run(&[x.clone()], &a, &[xv.clone()]), &[1, 2, 3], &expect);

    let b = x.at(&s![0, ELLIPSIS, NEWAXIS, -1]);
    assert_eq!(b.ty().shape, vec![Some(3), Some(1)]);
    let expect: Vec<f64> = (0..3).map(|j| at(&xv, &[0, j, 3])).collect();
    check(&run(&[x.clone()], &b, &[xv.clone()]), &[3, 1], &expect);

    let c = x.at(&s![ELLIPSIS, NEWAXIS]);
    assert_eq!(c.ty().shape, vec![Some(2), Some(3), Some(4), Some(1)]);
    check(
        &run(&[x.clone()], &c, &[xv.clone()]),
        &[2, 3, 4, 1],
        &xv.to_f64_vec(),
    );

    // An integer on every axis gives a rank-0 result.
    let d = x.at(&s![1, -1, 2]);
    assert_eq!(d.ndim(), 0);
    check(&run(&[x], &d, &[xv.clone()]), &[], &[at(&xv, &[1, 2, 2])]);
}

#[test]
fn empty_slices_and_size_zero_inputs() {
    let x = matrix("x", F64);
    let xv = Tensor::randn(F64, &[4, 5], 4);
    check(
        &run(&[x.clone()], &x.at(&s![3..1]), &[xv.clone()]),
        &[0, 5],
        &[],
    );
    check(
        &run(&[x.clone()], &x.at(&s![.., 5..]), &[xv.clone()]),
        &[4, 0],
        &[],
    );
    check(&run(&[x.clone()], &x.at(&s![1..3;-1]), &[xv]), &[0, 5], &[]);
    let empty = Tensor::randn(F64, &[0, 4], 5);
    check(
        &run(&[x.clone()], &x.at(&s![.., 1..3]), &[empty.clone()]),
        &[0, 2],
        &[],
    );
    check(
        &run(&[x.clone()], &x.at(&s![..;-1, 1]), &[empty]),
        &[0],
        &[],
    );
    let static_empty = tensor("e", F64, &[Some(3), Some(4)]);
    assert_eq!(
        static_empty.at(&s![2..2]).ty().shape,
        vec![Some(0), Some(4)]
    );
}

#[test]
fn results_are_views_of_the_input() {
    let x = matrix("x", F64);
    let y = x.at(&s![1.., ..;-1]);
    assert_eq!(y.op().unwrap().view_map(), vec![(0, 0)]);
    let xv = Tensor::randn(F64, &[3, 4], 6);
    // A borrowed output may alias the input (a plain output is the
    // caller's own copy).
    let f = Function::builder(&[x], &[Out::new(&y).borrow(true)])
        .build()
        .unwrap();
    let out = f.call(std::slice::from_ref(&xv)).unwrap().remove(0);
    assert!(out.shares_buffer(&xv));
    assert!(!out.is_contiguous());
}

#[test]
fn non_contiguous_inputs() {
    let x = matrix("x", F64);
    let base = Tensor::randn(F64, &[5, 6], 7);
    let xt = base.t(); // shape (6, 5), strides (1, 6)
    let xs = base.slice_axis(1, Some(5), None, -2).unwrap(); // shape (5, 3)
    let y = x.at(&s![1..;2, -1]);
    let expect: Vec<f64> = [1, 3, 5].iter().map(|&i| at(&xt, &[i, 4])).collect();
    check(&run(&[x.clone()], &y, &[xt]), &[3], &expect);
    let y = x.at(&s![-1, ..;-1]);
    let expect: Vec<f64> = [2, 1, 0].iter().map(|&j| at(&xs, &[4, j])).collect();
    check(&run(&[x], &y, &[xs]), &[3], &expect);
}

#[test]
fn symbolic_slice_bounds() {
    let x = vector("x", F64);
    let i = scalar("i", I64);
    let y = x.at(&[IndexItem::from(i.clone()..(&i + 3))]);
    assert_eq!(y.ty().shape, vec![None]);
    let xv = Tensor::randn(F64, &[6], 8);
    let f = function(&[x.clone(), i.clone()], &[y]).unwrap();
    let cases: [(i64, &[usize]); 4] = [(2, &[2, 3, 4]), (-4, &[2, 3, 4]), (4, &[4, 5]), (8, &[])];
    for (start, want) in cases {
        let out = f.call(&[xv.clone(), int(start)]).unwrap().remove(0);
        let expect: Vec<f64> = want.iter().map(|&j| at(&xv, &[j])).collect();
        check(&out, &[want.len()], &expect);
    }
    // A symbolic step (negative at run time) and a symbolic stop.
    let k = scalar("k", I32);
    let y = x.at(&[IndexItem::slice(None, Some((&i).into()), Some((&k).into()))]);
    let f = function(&[x, i, k], &[y]).unwrap();
    let out = f
        .call(&[xv.clone(), int(1), Tensor::scalar(-2i32)])
        .unwrap()
        .remove(0);
    let expect: Vec<f64> = [5, 3].iter().map(|&j| at(&xv, &[j])).collect();
    check(&out, &[2], &expect);
}

#[test]
fn symbolic_integer_indices() {
    let x = tensor3("x", F64);
    let i = scalar("i", I64);
    let j = scalar("j", U8);
    let y = x.at(&s![&i, .., &j]);
    let xv = Tensor::randn(F64, &[3, 4, 5], 9);
    let f = function(&[x, i, j], &[y]).unwrap();
    for (iv, jv) in [(-1i64, 4u8), (0, 0), (2, 3)] {
        let out = f
            .call(&[xv.clone(), int(iv), Tensor::scalar(jv)])
            .unwrap()
            .remove(0);
        let expect: Vec<f64> = (0..4)
            .map(|m| at(&xv, &[norm(iv, 3), m, jv as usize]))
            .collect();
        check(&out, &[4], &expect);
    }
}

#[test]
fn constant_scalar_variables_fold_into_static_shapes() {
    let x = tensor("x", F64, &[Some(7)]);
    let two = constant(Tensor::scalar(2i64));
    let y = x.at(&[IndexItem::from(two.clone()..constant(Tensor::scalar(6i64)))]);
    assert_eq!(y.ty().shape, vec![Some(4)]);
    assert_eq!(y.inputs().len(), 1, "constants fold into the op");
    let xv = Tensor::randn(F64, &[7], 10);
    let expect: Vec<f64> = (2..6).map(|j| at(&xv, &[j])).collect();
    check(&run(&[x], &y, &[xv]), &[4], &expect);
}

#[test]
fn static_shapes_stay_unknown_when_dims_are() {
    let x = tensor("x", F64, &[None, Some(5)]);
    let y = x.at(&s![1..3, 1..3, NEWAXIS]);
    assert_eq!(y.ty().shape, vec![None, Some(2), Some(1)]);
    let z = x.at(&s![..;-1, ..]);
    assert_eq!(z.ty().shape, vec![None, Some(5)]);
}

#[test]
fn printing_shows_the_index() {
    let x = matrix("x", F64);
    let i = scalar("i", I64);
    let y = x.at(&s![1, i.clone()..;-1]);
    assert_eq!(y.op().unwrap().name(), "subtensor[1, $0::-1]");
}
