//! Fused kernels with more inputs than fit the small per-call tables
//! (`FEW_INPUTS`), against the reference `perform` and a plain loop.

use super::FEW_INPUTS;
use crate::backend::cpu::testing::{check, ULPS};
use crate::dtype::DType;
use crate::graph::TensorType;
use crate::ops::elemwise::{BinaryOp, Composite, CompositeNode, ScalarOp};
use crate::tensor::Tensor;

/// `x0 + x1 + ... + x{n-1}` as a composite body over `n` inputs.
fn sum_of(d: DType, n: usize) -> Composite {
    let add = |a: usize, b: usize| CompositeNode {
        op: ScalarOp::Binary(BinaryOp::Add),
        args: vec![a, b],
        dtype: d,
    };
    let mut body = vec![add(0, 1)];
    for i in 2..n {
        body.push(add(n + i - 2, i));
    }
    Composite::new(vec![d; n], body, vec![2 * n - 2]).unwrap()
}

#[test]
fn many_strided_and_broadcast_inputs() {
    let n = FEW_INPUTS + 3;
    for d in [DType::F32, DType::F64] {
        // (5, 7) outputs from: dense, transposed, reversed, a broadcast row,
        // a broadcast column and a scalar, in turn.
        let inputs: Vec<Tensor> = (0..n as u64)
            .map(|k| match k % 6 {
                0 => Tensor::randn(d, &[5, 7], k),
                1 => Tensor::randn(d, &[7, 5], k).t(),
                2 => Tensor::randn(d, &[5, 7], k)
                    .slice_axis(1, None, None, -1)
                    .unwrap(),
                3 => Tensor::randn(d, &[1, 7], k),
                4 => Tensor::randn(d, &[5, 1], k),
                _ => Tensor::randn(d, &[], k),
            })
            .collect();
        let types: Vec<TensorType> = (0..n)
            .map(|k| match k % 6 {
                3 => TensorType::new(d, vec![Some(1), None]),
                4 => TensorType::new(d, vec![None, Some(1)]),
                5 => TensorType::unknown(d, 0),
                _ => TensorType::unknown(d, 2),
            })
            .collect();
        let out = check(sum_of(d, n), &inputs, &types, "cpu.fused", ULPS);
        let got = out[0].to_f64_vec();
        for i in 0..5 {
            for j in 0..7 {
                let want: f64 = inputs
                    .iter()
                    .map(|t| {
                        let at = |a: usize, size: usize| if size == 1 { 0 } else { a };
                        match t.ndim() {
                            0 => t.item().as_f64(),
                            _ => t.get(&[at(i, t.shape()[0]), at(j, t.shape()[1])]).as_f64(),
                        }
                    })
                    .sum();
                let tol = if d == DType::F32 { 1e-4 } else { 1e-12 };
                assert!(
                    (got[i * 7 + j] - want).abs() <= tol * (1.0 + want.abs()),
                    "{d} [{i}, {j}]"
                );
            }
        }
    }
}
