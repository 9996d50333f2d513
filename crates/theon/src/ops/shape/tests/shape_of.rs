//! `shape`, `shape_i`, `specify_shape`.

use super::*;
use crate::dtype::DType::*;
use crate::ops::shape::{
    shape, shape_i, try_shape_i, try_specify_shape, Shape, ShapeI, SpecifyShape,
};

#[test]
fn shape_reads_runtime_dims_including_zero_and_strided() {
    let x = unknown("x", F32, 3);
    let s = shape(&x);
    assert_eq!(s.ty(), &TensorType::known(I64, &[3]));
    assert_eq!(s.op().unwrap().name(), "shape");
    for dims in [[2usize, 0, 5], [4, 1, 3]] {
        let value = Tensor::randn(F32, &[dims[2], dims[1], dims[0]], 3).t();
        let out = run(&[x.clone()], &[s.clone()], &[value]);
        assert_eq!(
            out[0].to_vec::<i64>(),
            dims.iter().map(|&d| d as i64).collect::<Vec<_>>()
        );
    }
}

#[test]
fn shape_i_is_a_constant_when_static_and_an_op_otherwise() {
    let x = Var::input("x", TensorType::new(F64, vec![None, Some(4)]));
    let known = shape_i(&x, -1);
    assert_eq!(known.constant_value().unwrap().item().as_i64(), 4);
    let dynamic = x.shape_i(-2);
    assert_eq!(dynamic.op_as::<ShapeI>(), Some(&ShapeI { axis: 0 }));
    assert_eq!(dynamic.op().unwrap().name(), "shape_i{0}");
    let out = run(&[x.clone()], &[dynamic], &[Tensor::randn(F64, &[7, 4], 1)]);
    assert_eq!(out[0].item().as_i64(), 7);
    let err = try_shape_i(&x, 2).unwrap_err().to_string();
    assert_msg(&err, &["shape_i", "axis 2", "rank 2"], file!());
}

#[test]
fn specify_shape_refines_type_and_checks_at_run_time() {
    let x = unknown("x", F64, 2);
    let y = x.specify_shape(&[None, Some(3)]);
    assert_eq!(y.ty().shape, vec![None, Some(3)]);
    assert!(y.op_as::<SpecifyShape>().is_some());
    assert_eq!(y.op().unwrap().name(), "specify_shape{(?, 3)}");
    assert_eq!(y.op().unwrap().view_map(), vec![(0, 0)]);
    let value = strided(&[5, 3], 4);
    let out = run(&[x.clone()], &[y.clone()], std::slice::from_ref(&value));
    assert!(out[0].bit_eq(&value));
    let msg = run_err(&[x.clone()], &[y], &[Tensor::randn(F64, &[5, 2], 5)]);
    assert_msg(&msg, &["specify_shape", "[5, 2]", "(?, 3)"], file!());
}

#[test]
fn specify_shape_rejects_static_conflicts_and_wrong_rank() {
    let x = Var::input("x", TensorType::new(F64, vec![Some(2), None]));
    let err = try_specify_shape(&x, &[Some(3), None])
        .unwrap_err()
        .to_string();
    assert_msg(
        &err,
        &["specify_shape", "axis 0", "statically 2, not 3"],
        file!(),
    );
    let err = try_specify_shape(&x, &[None]).unwrap_err().to_string();
    assert_msg(&err, &["specify_shape", "rank 2", "rank 1"], file!());
    let ok = try_specify_shape(&x, &[Some(2), Some(0)]).unwrap();
    assert_eq!(ok.ty().shape, vec![Some(2), Some(0)]);
}

#[test]
fn shape_ops_merge_by_equality() {
    use crate::graph::OpEq;
    assert!(Shape.op_eq(&Shape));
    assert!(!ShapeI { axis: 0 }.op_eq(&ShapeI { axis: 1 }));
}
