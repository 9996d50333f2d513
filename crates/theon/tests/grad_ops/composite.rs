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
