//! The fused sum kernel against `ReduceOfElemwise`'s reference and against
//! plain loops: odd sizes, broadcast and strided inputs, every axis form,
//! the threaded splits (over slabs and over the reduced range), f32/f64.

use crate::backend::cpu::testing::{check, run_selected, Tol};
use crate::dtype::DType;
use crate::graph::{Op, TensorType};
use crate::ops::elemwise::{BinaryOp, Composite, CompositeNode, ScalarOp, UnaryOp};
use crate::ops::reduce::{Reduce, ReduceKind, ReduceOfElemwise};
use crate::tensor::Tensor;
use std::sync::Arc;

/// Sums of up to 300k terms against the f64 pairwise reference.
const SUMS: Tol = Tol {
    f32: (1e-4, 1e-4),
    f64: (1e-11, 1e-11),
};

/// `exp(i0 - i1)`: the shifted exponentials of a softmax denominator.
fn exp_diff(d: DType) -> Composite {
    let node = |op, args: Vec<usize>| CompositeNode { op, args, dtype: d };
    let body = vec![
        node(ScalarOp::Binary(BinaryOp::Sub), vec![0, 1]),
        node(ScalarOp::Unary(UnaryOp::Exp), vec![2]),
    ];
    Composite::new(vec![d, d], body, vec![3]).unwrap()
}

/// `i0 * i1`.
fn product(d: DType) -> Composite {
    let node = CompositeNode {
        op: ScalarOp::Binary(BinaryOp::Mul),
        args: vec![0, 1],
        dtype: d,
    };
    Composite::new(vec![d, d], vec![node], vec![2]).unwrap()
}

fn sum_of(body: Composite, axes: &[usize], keepdims: bool) -> ReduceOfElemwise {
    let reduce = Reduce {
        kind: ReduceKind::Sum,
        axes: axes.to_vec(),
        keepdims,
    };
    ReduceOfElemwise::new(body, reduce).unwrap()
}

/// Types with unknown dims, except a static 1 where a test broadcasts.
fn types(ts: &[&Tensor]) -> Vec<TensorType> {
    ts.iter()
        .map(|t| {
            let dims = t.shape().iter().map(|&d| (d == 1).then_some(1)).collect();
            TensorType::new(t.dtype(), dims)
        })
        .collect()
}

#[test]
fn row_sums_of_shifted_exponentials_match_loops() {
    for d in [DType::F32, DType::F64] {
        for (rows, cols) in [(0, 5), (3, 0), (1, 1), (7, 13), (1023, 3), (3, 300_001)] {
            let x = Tensor::randn(d, &[rows, cols], (rows + cols) as u64);
            let m = Tensor::randn(d, &[rows, 1], 7);
            let op = sum_of(exp_diff(d), &[1], false);
            let out = check(
                op,
                &[x.clone(), m.clone()],
                &types(&[&x, &m]),
                "cpu.fused_sum",
                SUMS,
            );
            let (xv, mv) = (x.to_f64_vec(), m.to_f64_vec());
            let tol = if d == DType::F32 { 1e-4 } else { 1e-11 };
            for i in 0..rows {
                let want: f64 = (0..cols).map(|j| (xv[i * cols + j] - mv[i]).exp()).sum();
                let got = out[0].to_f64_vec()[i];
                assert!(
                    (got - want).abs() <= tol * (1.0 + want.abs()),
                    "{got} vs {want}"
                );
            }
        }
    }
}

#[test]
fn every_axis_form_and_layout_agrees_with_the_reference() {
    for d in [DType::F32, DType::F64] {
        let cases: Vec<(Tensor, Tensor)> = vec![
            // Contiguous 3-D, equal shapes.
            (
                Tensor::randn(d, &[5, 7, 9], 1),
                Tensor::randn(d, &[5, 7, 9], 2),
            ),
            // Transposed and stepped views.
            (
                Tensor::randn(d, &[9, 7, 5], 3).t(),
                Tensor::randn(d, &[5, 7, 18], 4)
                    .slice_axis(2, None, None, -2)
                    .unwrap(),
            ),
            // A broadcast row and a size-0 dim.
            (
                Tensor::randn(d, &[1, 7, 9], 5),
                Tensor::randn(d, &[5, 7, 9], 6),
            ),
            (
                Tensor::randn(d, &[5, 0, 9], 7),
                Tensor::randn(d, &[5, 0, 9], 8),
            ),
        ];
        for (a, b) in &cases {
            for axes in [&[0][..], &[1], &[2], &[0, 1], &[1, 2], &[0, 1, 2]] {
                for keepdims in [false, true] {
                    let op = sum_of(product(d), axes, keepdims);
                    let name = op.name();
                    let out = check(
                        op,
                        &[a.clone(), b.clone()],
                        &types(&[a, b]),
                        "cpu.fused_sum",
                        SUMS,
                    );
                    assert!(
                        out[0].ndim() == if keepdims { 3 } else { 3 - axes.len() },
                        "{name}"
                    );
                }
            }
        }
    }
}

#[test]
fn threaded_splits_agree_with_the_reference() {
    // Many slabs (split over outer), one slab with a long reduced range
    // (split over r), and long slabs with inner > 1.
    for d in [DType::F32, DType::F64] {
        for (shape, axes) in [
            (vec![3000, 101], vec![1]),
            (vec![200_003, 3], vec![0]),
            (vec![4, 20_000, 5], vec![1]),
            (vec![300_001], vec![0]),
        ] {
            let a = Tensor::randn(d, &shape, 11);
            let b = Tensor::rand_uniform(d, &shape, -2.0, 2.0, 12);
            let op = sum_of(product(d), &axes, false);
            check(
                op,
                &[a.clone(), b.clone()],
                &types(&[&a, &b]),
                "cpu.fused_sum",
                SUMS,
            );
        }
    }
}

#[test]
fn bad_inputs_are_errors_naming_the_op() {
    let d = DType::F32;
    let op: Arc<dyn Op> = Arc::new(sum_of(product(d), &[1], false));
    let (a, b) = (Tensor::randn(d, &[4, 3], 1), Tensor::randn(d, &[5, 3], 2));
    let (name, got) = run_selected(
        &op,
        vec![a.clone(), b.clone()],
        &types(&[&a, &b]),
        &[false; 2],
    );
    assert!(name.starts_with("cpu.fused_sum"), "{name}");
    let err = got.unwrap_err().to_string();
    assert!(
        err.contains("sum{axis=(1)}") && err.contains('4') && err.contains('5'),
        "{err}"
    );
    let wrong = Tensor::randn(DType::F64, &[4, 3], 3);
    let tys = types(&[&a, &a]);
    let (_, got) = run_selected(&op, vec![a.clone(), wrong], &tys, &[false; 2]);
    let err = got.unwrap_err().to_string();
    assert!(err.contains("float64") && err.contains("input 1"), "{err}");
}

#[test]
fn integer_or_mixed_bodies_and_other_reductions_keep_perform() {
    let op = sum_of(product(DType::I32), &[0], false);
    let tys = vec![TensorType::unknown(DType::I32, 1); 2];
    assert!(super::select_reduce(&op, &tys).is_none());
    let mut max = sum_of(product(DType::F32), &[0], false);
    max.reduce.kind = ReduceKind::Max;
    let tys = vec![TensorType::unknown(DType::F32, 1); 2];
    assert!(super::select_reduce(&max, &tys).is_none());
    let split = sum_of(product(DType::F32), &[0, 2], false);
    let tys = vec![TensorType::unknown(DType::F32, 3); 2];
    assert!(super::select_reduce(&split, &tys).is_none());
}
