//! `broadcast_to`, `concatenate`/`join` and `stack`.

use super::*;
use crate::dtype::DType::*;
use crate::ops::constructors::tensor;
use crate::ops::shape::{
    broadcast_to, concatenate, join, stack, try_broadcast_to, try_concatenate, try_stack, Join,
};

#[test]
fn broadcast_to_constant_and_symbolic_shapes() {
    let x = unknown("x", F64, 1);
    let y = x.broadcast_to(&[4, 3]);
    assert_eq!(y.ty().shape, vec![Some(4), Some(3)]);
    assert_eq!(y.op().unwrap().view_map(), vec![(0, 0)]);
    let value = Tensor::randn(F64, &[3], 40);
    let out = run(&[x.clone()], &[y.clone()], std::slice::from_ref(&value));
    assert_values(&out[0], &[4, 3], &expect(&[4, 3], |i| at(&value, &[i[1]])));
    let one = Tensor::randn(F64, &[1], 41);
    let out = run(&[x.clone()], &[y], std::slice::from_ref(&one));
    assert_values(&out[0], &[4, 3], &[at(&one, &[0]); 12]);
    let m = tensor("m", F64, &[None, Some(1)]);
    let target = tensor("t", F64, &[None, None]);
    let w = broadcast_to(&m, target.shape());
    let mv = strided(&[2, 1], 42);
    let out = run(
        &[m, target],
        &[w],
        &[mv.clone(), Tensor::randn(F64, &[2, 5], 43)],
    );
    assert_values(&out[0], &[2, 5], &expect(&[2, 5], |i| at(&mv, &[i[0], 0])));
}

#[test]
fn broadcast_to_errors_statically_and_at_run_time() {
    let known = tensor("k", F64, &[Some(2)]);
    let err = try_broadcast_to(&known, [4, 3]).unwrap_err().to_string();
    assert_msg(&err, &["broadcast_to", "(2)", "(4, 3)"], file!());
    let err = try_broadcast_to(&unknown("m", F64, 3), [4, 3])
        .unwrap_err()
        .to_string();
    assert_msg(&err, &["broadcast_to", "(?, ?, ?)"], file!());
    let err = try_broadcast_to(&known, [-1]).unwrap_err().to_string();
    assert_msg(&err, &["broadcast_to", "negative"], file!());
    let x = unknown("x", F64, 1);
    let y = x.broadcast_to(&[0, 3]);
    let out = run(&[x.clone()], &[y.clone()], &[Tensor::randn(F64, &[3], 1)]);
    assert_eq!(out[0].shape(), &[0, 3]);
    let msg = run_err(&[x], &[y], &[Tensor::randn(F64, &[2], 1)]);
    assert_msg(&msg, &["broadcast_to", "[2]", "[0, 3]"], file!());
}

#[test]
fn concatenate_along_each_axis_with_promotion_and_strides() {
    let a = unknown("a", F32, 2);
    let b = unknown("b", F64, 2);
    let c = unknown("c", F64, 2);
    let av = Tensor::randn(F32, &[2, 3], 50);
    let bv = strided(&[2, 3], 51);
    for axis in [0i64, -1] {
        let ax = axis.rem_euclid(2) as usize;
        let mut cshape = [2usize, 3];
        cshape[ax] = 0;
        let cv = Tensor::randn(F64, &cshape, 52);
        let y = concatenate(&[a.clone(), b.clone(), c.clone()], axis);
        assert_eq!(y.dtype(), F64);
        assert_eq!(y.op_as::<Join>(), Some(&Join { axis: ax }));
        let split = av.shape()[ax];
        let mut shape = [2usize, 3];
        shape[ax] = split + bv.shape()[ax];
        let want = expect(&shape, |i| {
            let mut j = i.to_vec();
            if i[ax] < split {
                at(&av, &j)
            } else {
                j[ax] -= split;
                at(&bv, &j)
            }
        });
        let args = [av.clone(), bv.clone(), cv];
        let out = run(&[a.clone(), b.clone(), c.clone()], &[y], &args);
        assert_values(&out[0], &shape, &want);
    }
}

#[test]
fn join_static_shape_and_theano_alias() {
    let a = tensor("a", I32, &[Some(2), None]);
    let b = tensor("b", I64, &[Some(3), Some(4)]);
    let y = join(0, &[a.clone(), b.clone()]);
    assert_eq!(y.ty(), &TensorType::known(I64, &[5, 4]));
    assert_eq!(y.op().unwrap().name(), "join{axis=0}");
    let av = Tensor::rand_int(I32, &[2, 4], -50, 50, 53);
    let bv = Tensor::rand_int(I64, &[3, 4], -50, 50, 54);
    let out = run(&[a, b], &[y], &[av.clone(), bv.clone()]);
    let mut want = av.to_f64_vec();
    want.extend(bv.to_f64_vec());
    assert_values(&out[0], &[5, 4], &want);
}

#[test]
fn join_errors_name_the_input_and_shapes() {
    let a = tensor("a", F64, &[Some(2), Some(3)]);
    let b = tensor("b", F64, &[Some(2), Some(4)]);
    let err = try_concatenate(&[a.clone(), b.clone()], 0)
        .unwrap_err()
        .to_string();
    assert_msg(
        &err,
        &["join{axis=0}", "input 1", "(2, 4)", "(2, 3)"],
        file!(),
    );
    let v = unknown("v", F64, 1);
    let err = try_concatenate(&[a.clone(), v], 0).unwrap_err().to_string();
    assert_msg(&err, &["join", "input 1", "rank 1"], file!());
    let err = try_concatenate(&[a.clone()], 2).unwrap_err().to_string();
    assert_msg(&err, &["join", "axis 2"], file!());
    let err = try_concatenate(&[], 0).unwrap_err().to_string();
    assert_msg(&err, &["join", "at least one"], file!());
    let x = unknown("x", F64, 2);
    let y = unknown("y", F64, 2);
    let z = concatenate(&[x.clone(), y.clone()], 1);
    let args = [
        Tensor::randn(F64, &[2, 3], 1),
        Tensor::randn(F64, &[3, 3], 2),
    ];
    let msg = run_err(&[x, y], &[z], &args);
    assert_msg(
        &msg,
        &["join{axis=1}", "input 1", "[3, 3]", "[2, 3]"],
        file!(),
    );
}

#[test]
fn stack_adds_a_new_axis() {
    let x = unknown("x", F64, 2);
    let y = unknown("y", F64, 2);
    let xv = strided(&[2, 3], 55);
    let yv = Tensor::randn(F64, &[2, 3], 56);
    for (axis, shape) in [(0i64, [2usize, 2, 3]), (-1, [2, 3, 2]), (1, [2, 2, 3])] {
        let z = stack(&[x.clone(), y.clone()], axis);
        let ax = axis.rem_euclid(3) as usize;
        let want = expect(&shape, |i| {
            let mut j = i.to_vec();
            let which = j.remove(ax);
            at(if which == 0 { &xv } else { &yv }, &j)
        });
        let out = run(&[x.clone(), y.clone()], &[z], &[xv.clone(), yv.clone()]);
        assert_values(&out[0], &shape, &want);
    }
    let a = tensor("a", F64, &[Some(2)]);
    let b = tensor("b", F64, &[Some(3)]);
    let err = try_stack(&[a.clone(), b], 0).unwrap_err().to_string();
    assert_msg(&err, &["stack", "input 1", "one shape"], file!());
    let err = try_stack(&[a], 2).unwrap_err().to_string();
    assert_msg(&err, &["stack", "axis 2"], file!());
}
