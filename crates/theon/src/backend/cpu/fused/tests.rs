//! Fused kernels against the reference `perform`: odd sizes, strides,
//! broadcasts, every float op, bools, the inplace variant.

use crate::backend::cpu::testing::{check, run_selected, Tol, SIZES, ULPS};
use crate::dtype::DType;
use crate::graph::{Op, TensorType};
use crate::ops::elemwise::{
    BinaryOp, Composite, CompositeNode, Elemwise, ElemwiseInplace, ElemwiseKernel, ScalarOp,
    UnaryOp, ALL_BINARY, ALL_UNARY,
};
use crate::tensor::Tensor;
use std::sync::Arc;

const FLOATS: [DType; 2] = [DType::F32, DType::F64];

fn un(u: UnaryOp) -> ScalarOp {
    ScalarOp::Unary(u)
}
fn bin(b: BinaryOp) -> ScalarOp {
    ScalarOp::Binary(b)
}
fn node(op: ScalarOp, args: &[usize], dtype: DType) -> CompositeNode {
    CompositeNode {
        op,
        args: args.to_vec(),
        dtype,
    }
}

/// W1's body: `exp(x)*y + tanh(z) - c*x*x` over inputs (x, y, z, c).
fn w1(d: DType) -> Composite {
    use BinaryOp::*;
    let body = vec![
        node(un(UnaryOp::Exp), &[0], d),  // 4
        node(bin(Mul), &[4, 1], d),       // 5
        node(un(UnaryOp::Tanh), &[2], d), // 6
        node(bin(Add), &[5, 6], d),       // 7
        node(bin(Mul), &[3, 0], d),       // 8
        node(bin(Mul), &[8, 0], d),       // 9
        node(bin(Sub), &[7, 9], d),       // 10
    ];
    Composite::new(vec![d; 4], body, vec![10, 6]).unwrap()
}

fn unknown(d: DType, ndim: usize) -> TensorType {
    TensorType::unknown(d, ndim)
}

#[test]
fn w1_body_matches_reference_on_odd_sizes() {
    for d in FLOATS {
        for (k, &n) in SIZES.iter().enumerate() {
            let seed = 10 * k as u64;
            let ins = vec![
                Tensor::randn(d, &[n], seed),
                Tensor::randn(d, &[n], seed + 1),
                Tensor::randn(d, &[n], seed + 2),
                Tensor::randn(d, &[], seed + 3),
            ];
            let types = [unknown(d, 1), unknown(d, 1), unknown(d, 1), unknown(d, 0)];
            check(w1(d), &ins, &types, "cpu.fused", ULPS);
        }
    }
}

#[test]
fn strided_and_broadcast_inputs() {
    for d in FLOATS {
        // x: a transposed (13, 1023) view; y: a reversed, stepped slice of
        // a row broadcast down the rows; z: a column broadcast across.
        let x = Tensor::randn(d, &[1023, 13], 1).t();
        let y = Tensor::randn(d, &[1, 1023 * 3], 2)
            .slice_axis(1, None, None, -3)
            .unwrap();
        assert_eq!(y.shape(), &[1, 1023]);
        assert!(y.strides()[1] < 0);
        let z = Tensor::randn(d, &[13, 1], 3);
        let c = Tensor::randn(d, &[], 4);
        let types = [
            unknown(d, 2),
            TensorType::new(d, vec![Some(1), None]),
            TensorType::new(d, vec![None, Some(1)]),
            unknown(d, 0),
        ];
        let out = check(w1(d), &[x, y, z, c], &types, "cpu.fused", ULPS);
        assert_eq!(out[0].shape(), &[13, 1023]);
    }
}

#[test]
fn three_dim_broadcast_with_size_one_and_zero_dims() {
    for d in FLOATS {
        for shape in [[0usize, 3, 2], [2, 3, 1], [5, 3, 7]] {
            let a = Tensor::randn(d, &shape, 5);
            let b = Tensor::randn(d, &[3, 1], 6);
            let types = [
                TensorType::new(d, shape.iter().map(|&s| (s == 1).then_some(1)).collect()),
                TensorType::new(d, vec![None, Some(1)]),
            ];
            let op = Elemwise::new(bin(BinaryOp::Mul));
            check(op, &[a, b], &types, "cpu.fused", ULPS);
        }
        let a = Tensor::randn(d, &[4, 1, 5], 7);
        let b = Tensor::randn(d, &[3, 1], 8);
        let types = [
            TensorType::new(d, vec![None, Some(1), None]),
            TensorType::new(d, vec![None, Some(1)]),
        ];
        let out = check(
            Elemwise::new(bin(BinaryOp::Sub)),
            &[a, b],
            &types,
            "cpu.fused",
            ULPS,
        );
        assert_eq!(out[0].shape(), &[4, 3, 5]);
    }
}

/// Inputs on which every float op is defined somewhere and NaN elsewhere.
fn domain(d: DType, n: usize, seed: u64) -> Tensor {
    Tensor::rand_uniform(d, &[n], -3.0, 3.0, seed)
}

#[test]
fn every_unary_float_op() {
    let mut selected = 0;
    for d in FLOATS {
        for u in ALL_UNARY {
            let Ok((_, out)) = u.signature(d) else {
                continue;
            };
            if out != d && out != DType::Bool {
                continue;
            }
            let op: Arc<dyn Op> = Arc::new(Elemwise::new(un(u)));
            let x = domain(d, 1023, u as u64);
            let types = [unknown(d, 1)];
            let (name, _) = run_selected(&op, vec![x.clone()], &types, &[false]);
            assert!(name.starts_with("cpu.fused"), "{} on {d}: {name}", u.name());
            selected += 1;
            let tol = Tol {
                f32: (2e-6, 1e-7),
                f64: (1e-13, 1e-15),
            };
            check(Elemwise::new(un(u)), &[x], &types, "cpu.fused", tol);
        }
    }
    assert!(selected > 60, "{selected}");
}

#[test]
fn every_binary_float_op() {
    for d in FLOATS {
        for b in ALL_BINARY {
            let Ok((cast, out)) = b.signature(d, d) else {
                continue;
            };
            if ![d, DType::Bool].contains(&out) || ![d, DType::Bool].contains(&cast) {
                continue;
            }
            let x = domain(d, 300, 1);
            let mut y = domain(d, 300, 2);
            if matches!(
                b,
                BinaryOp::Eq | BinaryOp::Neq | BinaryOp::Le | BinaryOp::Ge
            ) {
                y = x.clone(); // exercise equality
            }
            let types = [unknown(d, 1), unknown(d, 1)];
            check(Elemwise::new(bin(b)), &[x, y], &types, "cpu.fused", ULPS);
        }
    }
}

#[test]
fn switch_clip_casts_and_bools() {
    use BinaryOp::*;
    for d in FLOATS {
        // i0 real, i1 real, i2 bool: out0 = switch(i0 > i1 and i2, clip(i0, -1, 1), i1),
        // out1 = (i0 < 0) as stored bool, out2 = cast(not i2) to d.
        let body = vec![
            node(bin(Gt), &[0, 1], DType::Bool),                  // 3
            node(bin(And), &[3, 2], DType::Bool),                 // 4
            node(un(UnaryOp::Neg), &[0], d),                      // 5 = -i0
            node(ScalarOp::Clip, &[0, 5, 1], d),                  // 6
            node(ScalarOp::Switch, &[4, 6, 1], d),                // 7
            node(ScalarOp::Cast(DType::Bool), &[5], DType::Bool), // 8
            node(un(UnaryOp::LogicalNot), &[2], DType::Bool),     // 9
            node(ScalarOp::Cast(d), &[9], d),                     // 10
            node(bin(Add), &[10, 0], d),                          // 11
        ];
        let c = Composite::new(vec![d, d, DType::Bool], body, vec![7, 8, 11]).unwrap();
        for n in SIZES {
            let x = Tensor::randn(d, &[n], 1);
            let y = Tensor::randn(d, &[n], 2);
            let flags = Tensor::rand_int(DType::I8, &[n], 0, 2, 4).cast(DType::Bool);
            let types = [unknown(d, 1), unknown(d, 1), unknown(DType::Bool, 1)];
            check(c.clone(), &[x, y, flags], &types, "cpu.fused", ULPS);
        }
    }
}

#[test]
fn nan_and_inf_propagate_like_the_reference() {
    for d in FLOATS {
        let vals = [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.0,
            -0.0,
            1.5,
            -2.5,
            1e300,
        ];
        let x = Tensor::from_f64s(d, &[8], &vals).unwrap();
        let y = Tensor::from_f64s(
            d,
            &[8],
            &[1.0, f64::NAN, 2.0, 0.0, 3.0, f64::INFINITY, -1.0, 1.0],
        )
        .unwrap();
        let types = [unknown(d, 1), unknown(d, 1)];
        for b in [
            BinaryOp::Maximum,
            BinaryOp::Minimum,
            BinaryOp::Add,
            BinaryOp::Mul,
            BinaryOp::TrueDiv,
            BinaryOp::Mod,
            BinaryOp::FloorDiv,
        ] {
            check(
                Elemwise::new(bin(b)),
                &[x.clone(), y.clone()],
                &types,
                "cpu.fused",
                ULPS,
            );
        }
        for u in [
            UnaryOp::Exp,
            UnaryOp::Tanh,
            UnaryOp::Log,
            UnaryOp::Sign,
            UnaryOp::Sigmoid,
        ] {
            check(
                Elemwise::new(un(u)),
                std::slice::from_ref(&x),
                &types[..1],
                "cpu.fused",
                ULPS,
            );
        }
    }
}

#[test]
fn inplace_writes_into_the_dying_input_and_only_then() {
    for d in FLOATS {
        for n in [1usize, 1023, 300_001] {
            let op: Arc<dyn Op> = Arc::new(ElemwiseInplace {
                kernel: ElemwiseKernel::Fused(w1(d)),
                destroy: 1,
            });
            let ins = vec![
                Tensor::randn(d, &[n], 1),
                Tensor::randn(d, &[n], 2),
                Tensor::randn(d, &[n], 3),
                Tensor::randn(d, &[], 4),
            ];
            let types = [unknown(d, 1), unknown(d, 1), unknown(d, 1), unknown(d, 0)];
            let want = crate::backend::cpu::testing::reference(&op, &ins, &types).unwrap();
            // Dying and unshared: the result lands in input 1's buffer.
            let target_id = ins[1].buffer_id();
            let mut owned = ins.clone();
            owned[1] = ins[1].to_contiguous_copy();
            let fresh_id = owned[1].buffer_id();
            let (name, got) = run_selected(&op, owned, &types, &[false, true, false, false]);
            assert_eq!(name, format!("cpu.fused_inplace_{d}"));
            let got = got.unwrap();
            crate::backend::cpu::testing::assert_close("inplace", &got, &want, ULPS);
            assert_eq!(got[0].buffer_id(), fresh_id, "written in place");
            // Not dying: a fresh buffer, the input untouched.
            let before = ins[1].to_f64_vec();
            let (_, got) = run_selected(&op, ins.clone(), &types, &[false; 4]);
            let got = got.unwrap();
            assert_ne!(got[0].buffer_id(), target_id);
            assert_eq!(ins[1].to_f64_vec(), before);
            crate::backend::cpu::testing::assert_close("copy", &got, &want, ULPS);
        }
    }
}

#[test]
fn integer_bodies_leave_the_float_lanes() {
    // Integer arithmetic runs on the typed kernel (covered by
    // `int_tests`); mixed float bodies by `mixed_tests`.
    let types = [unknown(DType::I32, 1), unknown(DType::I32, 1)];
    let op: Arc<dyn Op> = Arc::new(Elemwise::new(bin(BinaryOp::Add)));
    let x = Tensor::rand_int(DType::I32, &[5], -9, 9, 1);
    let (name, _) = run_selected(&op, vec![x.clone(), x], &types, &[false, false]);
    assert_eq!(name, "cpu.fused_typed");
}

#[test]
fn runtime_shape_errors_name_the_op() {
    let types = [unknown(DType::F32, 1), unknown(DType::F32, 1)];
    let op: Arc<dyn Op> = Arc::new(Elemwise::new(bin(BinaryOp::Add)));
    let a = Tensor::randn(DType::F32, &[5], 1);
    let b = Tensor::randn(DType::F32, &[4], 2);
    let (name, got) = run_selected(&op, vec![a, b], &types, &[false, false]);
    assert!(name.starts_with("cpu.fused"));
    let err = got.unwrap_err().to_string();
    assert!(err.contains("add"), "{err}");
}

#[test]
fn integer_inputs_compared_exactly_inside_float_bodies() {
    use BinaryOp::*;
    for d in FLOATS {
        // The cross-entropy gradient's mask: switch(arange == y, -(g / p), 0).
        let body = vec![
            node(bin(Eq), &[0, 1], DType::Bool),   // 5
            node(bin(TrueDiv), &[2, 3], d),        // 6
            node(un(UnaryOp::Neg), &[6], d),       // 7
            node(ScalarOp::Switch, &[5, 7, 4], d), // 8
        ];
        let c = Composite::new(vec![DType::I64, DType::I32, d, d, d], body, vec![8]).unwrap();
        for rows in [0usize, 1, 7, 1023] {
            let classes = Tensor::from_vec((0..10i64).collect(), &[1, 10]).unwrap();
            let labels = Tensor::rand_int(DType::I32, &[rows, 1], 0, 10, 1);
            let g = Tensor::randn(d, &[], 2);
            let p = Tensor::rand_uniform(d, &[rows, 10], 0.1, 1.0, 3);
            let zero = Tensor::randn(d, &[], 4);
            let types = [
                TensorType::new(DType::I64, vec![Some(1), None]),
                TensorType::new(DType::I32, vec![None, Some(1)]),
                unknown(d, 0),
                unknown(d, 2),
                unknown(d, 0),
            ];
            check(
                c.clone(),
                &[classes, labels, g, p, zero],
                &types,
                "cpu.fused",
                ULPS,
            );
        }
        // Large values that f32 could not tell apart stay exact.
        let a = Tensor::from_vec(vec![16_777_217i64, 5, -3], &[3]).unwrap();
        let b = Tensor::from_vec(vec![16_777_216i32, 5, -4], &[3]).unwrap();
        let lt = vec![
            node(bin(Gt), &[0, 1], DType::Bool),
            node(ScalarOp::Cast(d), &[2], d),
        ];
        let c = Composite::new(vec![DType::I64, DType::I32], lt, vec![3]).unwrap();
        let out = check(
            c,
            &[a, b],
            &[unknown(DType::I64, 1), unknown(DType::I32, 1)],
            "cpu.fused",
            ULPS,
        );
        assert_eq!(out[0].to_f64_vec(), vec![1.0, 0.0, 1.0]);
    }
    // An integer used in arithmetic: converted on load.
    let f = DType::F64;
    let add = vec![node(bin(Add), &[0, 1], f)];
    let c = Composite::new(vec![DType::I64, f], add, vec![2]).unwrap();
    check(
        c,
        &[
            Tensor::rand_int(DType::I64, &[3], 0, 9, 5),
            Tensor::randn(f, &[3], 6),
        ],
        &[unknown(DType::I64, 1), unknown(f, 1)],
        "cpu.fused_float64",
        ULPS,
    );
}

#[test]
fn short_rows_packed_into_blocks_across_threads() {
    // Inner dim 10: several rows per block; 300k elements: split over
    // threads at positions inside rows.
    for d in FLOATS {
        for rows in [1usize, 7, 30_001] {
            let x = Tensor::randn(d, &[10, rows], 1).t();
            let y = Tensor::randn(d, &[1, 10], 2);
            let z = Tensor::randn(d, &[rows, 1], 3);
            let c = Tensor::randn(d, &[], 4);
            let types = [
                unknown(d, 2),
                TensorType::new(d, vec![Some(1), None]),
                TensorType::new(d, vec![None, Some(1)]),
                unknown(d, 0),
            ];
            let out = check(w1(d), &[x, y, z, c], &types, "cpu.fused", ULPS);
            assert_eq!(out[0].shape(), &[rows, 10]);
        }
    }
}

#[test]
fn thread_ranges_starting_near_a_row_end_reuse_broadcast_fills_correctly() {
    // Ranges start at multiples of 256 elements: with 300 rows of ~300,
    // several (for 2 to 16 threads) begin with a piece of a row shorter
    // than a block, then reuse their scalar fill for full blocks.
    let d = DType::F32;
    for width in [301usize, 305, 310] {
        let x = Tensor::randn(d, &[300, width], 1);
        let y = Tensor::randn(d, &[1, width], 2);
        let z = Tensor::randn(d, &[300, 1], 3);
        let c = Tensor::randn(d, &[], 4);
        let types = [
            unknown(d, 2),
            TensorType::new(d, vec![Some(1), None]),
            TensorType::new(d, vec![None, Some(1)]),
            unknown(d, 0),
        ];
        check(w1(d), &[x, y, z, c], &types, "cpu.fused", ULPS);
    }
}
