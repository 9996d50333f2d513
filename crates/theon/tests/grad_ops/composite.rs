//! The fused `Composite` op differentiates exactly like the elementwise
//! graph it was fused from (its rules expand the body and differentiate that).

use super::check;
use theon::ops::elemwise::{BinaryOp, Composite, CompositeNode, ScalarOp, UnaryOp};
use theon::prelude::*;

/// exp(i0) * i1 + tanh(i1), broadcasting a column against a matrix.
fn fused() -> Composite {
    let node = |op, args: Vec<usize>| CompositeNode {
        op,
        args,
        dtype: F64,
    };
    let body = vec![
        node(ScalarOp::Unary(UnaryOp::Exp), vec![0]),
        node(ScalarOp::Binary(BinaryOp::Mul), vec![2, 1]),
        node(ScalarOp::Unary(UnaryOp::Tanh), vec![1]),
        node(ScalarOp::Binary(BinaryOp::Add), vec![3, 4]),
    ];
    Composite::new(vec![F64, F64], body, vec![5]).unwrap()
}

#[test]
fn composite_gradients_match_finite_differences() {
    let column = Tensor::randn(F64, &[3], 11);
    let matrix = Tensor::randn(F64, &[4, 3], 12).t(); // (3, 4), not contiguous
    check(
        "composite",
        |v| Var::apply1(fused(), &[v[0].dimshuffle(&[Some(0), None]), v[1].clone()]),
        &[column, matrix],
    );
}

/// `sum(exp(i0) * i1 + tanh(i1), axis=1)`: the reduction the optimizer
/// fuses with its elementwise body differentiates like the two ops.
#[test]
fn reduce_of_elemwise_gradients_match_finite_differences() {
    use theon::ops::reduce::{Reduce, ReduceKind, ReduceOfElemwise};
    let reduce = Reduce {
        kind: ReduceKind::Sum,
        axes: vec![1],
        keepdims: false,
    };
    let op = ReduceOfElemwise::new(fused(), reduce).unwrap();
    let column = Tensor::randn(F64, &[3], 13);
    let matrix = Tensor::randn(F64, &[4, 3], 14).t(); // (3, 4), not contiguous
    check(
        "reduce_of_elemwise",
        |v| {
            Var::apply1(
                op.clone(),
                &[v[0].dimshuffle(&[Some(0), None]), v[1].clone()],
            )
        },
        &[column, matrix],
    );
}
