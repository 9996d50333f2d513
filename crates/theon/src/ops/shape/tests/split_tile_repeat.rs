//! `split`, `tile`, `repeat`.

use super::*;
use crate::dtype::DType::*;
use crate::graph::Op;
use crate::ops::constructors::{scalar, tensor};
use crate::ops::shape::{repeat, repeat_each, split, tile, try_repeat, try_split, try_tile, Split};

#[test]
fn split_into_views_with_constant_sizes() {
    let x = tensor("x", F64, &[Some(4), None]);
    let parts = x.split(&[2, 3, 0, 1], -1);
    assert_eq!(parts.len(), 4);
    assert_eq!(parts[1].ty().shape, vec![Some(4), Some(3)]);
    assert_eq!(parts[2].ty().shape, vec![Some(4), Some(0)]);
    let op = parts[0].op_as::<Split>().unwrap();
    assert_eq!(op.view_map(), vec![(0, 0), (1, 0), (2, 0), (3, 0)]);
    assert_eq!(parts[0].op().unwrap().name(), "split{axis=1, n=4}");
    let value = strided(&[4, 6], 60);
    let out = run(&[x], &parts, std::slice::from_ref(&value));
    let starts = [0usize, 2, 5, 5];
    let sizes = [2usize, 3, 0, 1];
    for k in 0..4 {
        let want = expect(&[4, sizes[k]], |i| at(&value, &[i[0], starts[k] + i[1]]));
        assert_values(&out[k], &[4, sizes[k]], &want);
    }
}

#[test]
fn split_with_symbolic_sizes_checks_the_sum_at_run_time() {
    let x = unknown("x", F64, 1);
    let s = tensor("s", I32, &[Some(2)]);
    let parts = split(&x, &s, 0);
    assert_eq!(parts[0].ty().shape, vec![None]);
    let value = Tensor::randn(F64, &[5], 61);
    let sizes = Tensor::from_vec(vec![4i32, 1], &[2]).unwrap();
    let out = run(&[x.clone(), s.clone()], &parts, &[value.clone(), sizes]);
    let flat = value.to_f64_vec();
    assert_values(&out[0], &[4], &flat[..4]);
    assert_values(&out[1], &[1], &flat[4..]);
    let bad = Tensor::from_vec(vec![4i32, 2], &[2]).unwrap();
    let msg = run_err(&[x.clone(), s.clone()], &parts, &[value.clone(), bad]);
    assert_msg(&msg, &["split", "[4, 2]", "add up to 6", "[5]"], file!());
    let neg = Tensor::from_vec(vec![6i32, -1], &[2]).unwrap();
    let msg = run_err(&[x, s], &parts, &[value, neg]);
    assert_msg(&msg, &["split", "negative"], file!());
}

#[test]
fn split_static_errors() {
    let x = tensor("x", F64, &[Some(5)]);
    let err = try_split(&x, [2, 2], 0).unwrap_err().to_string();
    assert_msg(&err, &["split", "[2, 2]", "add up to 4", "(5,)"], file!());
    let err = try_split(&x, [6, -1], 0).unwrap_err().to_string();
    assert_msg(&err, &["split", "negative"], file!());
    let err = try_split(&x, [5], 1).unwrap_err().to_string();
    assert_msg(&err, &["split", "axis 1"], file!());
}

#[test]
fn tile_follows_numpy_padding_rules() {
    let x = unknown("x", F64, 2);
    let value = strided(&[2, 3], 62);
    let cases: [(Vec<i64>, Vec<usize>); 4] = [
        (vec![2, 3], vec![4, 9]),
        (vec![3], vec![2, 9]),
        (vec![2, 1, 2], vec![2, 2, 6]),
        (vec![0, 2], vec![0, 6]),
    ];
    for (reps, shape) in cases {
        let y = x.tile(&reps);
        let want = expect(&shape, |i| {
            let k = i.len();
            at(&value, &[i[k - 2] % 2, i[k - 1] % 3])
        });
        let out = run(&[x.clone()], &[y], std::slice::from_ref(&value));
        assert_values(&out[0], &shape, &want);
    }
}

#[test]
fn tile_static_shape_and_errors() {
    let x = tensor("x", F64, &[Some(2), None]);
    let y = tile(&x, [3, 1]);
    assert_eq!(y.ty().shape, vec![Some(6), None]);
    assert_eq!(y.op().unwrap().name(), "tile{2}");
    assert_eq!(tile(&x, [1, 0]).ty().shape, vec![Some(2), Some(0)]);
    let err = try_tile(&x, [2, -1]).unwrap_err().to_string();
    assert_msg(&err, &["tile", "negative"], file!());
    let r = tensor("r", I64, &[Some(2)]);
    let z = tile(&x, &r);
    let msg = run_err(
        &[x, r],
        &[z],
        &[
            Tensor::randn(F64, &[2, 2], 1),
            Tensor::from_vec(vec![1i64, -2], &[2]).unwrap(),
        ],
    );
    assert_msg(&msg, &["tile", "negative"], file!());
}

#[test]
fn repeat_by_scalar_along_axes_and_flattened() {
    let x = unknown("x", F64, 2);
    let value = strided(&[2, 3], 63);
    let y0 = x.repeat(2, Some(0));
    let y1 = x.repeat(3, Some(-1));
    let yn = x.repeat(2, None);
    assert_eq!(yn.ty().shape, vec![None]);
    let out = run(&[x], &[y0, y1, yn], std::slice::from_ref(&value));
    assert_values(
        &out[0],
        &[4, 3],
        &expect(&[4, 3], |i| at(&value, &[i[0] / 2, i[1]])),
    );
    assert_values(
        &out[1],
        &[2, 9],
        &expect(&[2, 9], |i| at(&value, &[i[0], i[1] / 3])),
    );
    let flat = value.to_f64_vec();
    assert_values(&out[2], &[12], &expect(&[12], |i| flat[i[0] / 2]));
}

#[test]
fn repeat_per_element_counts() {
    let x = tensor("x", I64, &[Some(3), None]);
    let y = repeat_each(&x, &[2, 0, 1], Some(0));
    assert_eq!(y.ty().shape, vec![Some(3), None]);
    assert_eq!(y.op().unwrap().name(), "repeat{axis=0}");
    let value = Tensor::rand_int(I64, &[3, 2], -9, 9, 64);
    let out = run(&[x.clone()], &[y], std::slice::from_ref(&value));
    let rows = [0usize, 0, 2];
    assert_values(
        &out[0],
        &[3, 2],
        &expect(&[3, 2], |i| at(&value, &[rows[i[0]], i[1]])),
    );
    let counts = unknown("c", I32, 1);
    let z = repeat(&x, &counts, Some(1));
    let args = [
        value.clone(),
        Tensor::from_vec(vec![1i32, 3], &[2]).unwrap(),
    ];
    let out = run(&[x.clone(), counts.clone()], &[z.clone()], &args);
    let cols = [0usize, 1, 1, 1];
    assert_values(
        &out[0],
        &[3, 4],
        &expect(&[3, 4], |i| at(&value, &[i[0], cols[i[1]]])),
    );
    let bad = [value, Tensor::from_vec(vec![1i32, 3, 1], &[3]).unwrap()];
    let msg = run_err(&[x, counts], &[z], &bad);
    assert_msg(&msg, &["repeat{axis=1}", "3 elements", "size 2"], file!());
}

#[test]
fn repeat_static_shapes_and_errors() {
    let x = tensor("x", F64, &[Some(2), Some(3)]);
    assert_eq!(x.repeat(4, Some(1)).ty().shape, vec![Some(2), Some(12)]);
    assert_eq!(x.repeat(2, None).ty().shape, vec![Some(12)]);
    assert_eq!(
        repeat_each(&x, &[1, 5], Some(0)).ty().shape,
        vec![Some(6), Some(3)]
    );
    let err = try_repeat(&x, -1, Some(0)).unwrap_err().to_string();
    assert_msg(&err, &["repeat", "negative"], file!());
    let counts = Var::constant(Tensor::from_vec(vec![1i64, 2, 3], &[3]).unwrap());
    let err = try_repeat(&x, counts, Some(0)).unwrap_err().to_string();
    assert_msg(&err, &["repeat{axis=0}", "3 elements", "size 2"], file!());
    let err = try_repeat(&x, 1.5, Some(0)).unwrap_err().to_string();
    assert_msg(&err, &["repeat", "integers"], file!());
    let err = try_repeat(&x, 2, Some(-3)).unwrap_err().to_string();
    assert_msg(&err, &["repeat", "axis -3"], file!());
    let k = scalar("k", F64);
    let err = try_repeat(&x, &k, Some(0)).unwrap_err().to_string();
    assert_msg(&err, &["repeat", "integer scalar or vector"], file!());
    let empty = unknown("e", F64, 1);
    let out = run(
        &[empty.clone()],
        &[empty.repeat(3, Some(0))],
        &[Tensor::randn(F64, &[0], 1)],
    );
    assert_eq!(out[0].shape(), &[0]);
}
