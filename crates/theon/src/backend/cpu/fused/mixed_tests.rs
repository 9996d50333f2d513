//! Fused bodies that mix dtypes — float32 with float64, integer inputs in
//! arithmetic, boolean masks — against the reference `perform` (exactly,
//! where a body has no transcendental function) and plain loops; and the
//! mixes that still keep the reference kernel.

use crate::backend::cpu::testing::{check, run_selected, Tol, SIZES, ULPS};
use crate::dtype::DType::{self, *};
use crate::graph::{Op, TensorType};
use crate::ops::elemwise::{
    BinaryOp, Composite, CompositeNode, ElemwiseInplace, ElemwiseKernel, ScalarOp, UnaryOp,
};
use crate::tensor::Tensor;
use std::sync::Arc;

/// Bit-for-bit agreement.
const EXACT: Tol = Tol {
    f32: (0.0, 0.0),
    f64: (0.0, 0.0),
};

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
fn unknown(d: DType, ndim: usize) -> TensorType {
    TensorType::unknown(d, ndim)
}

/// Inputs (x f32, y f64, c f32 scalar): f32 math and arithmetic feeding
/// f64 expressions and back through a cast. Outputs f64, f32, f32.
fn f32_f64_body() -> Composite {
    use BinaryOp::*;
    let body = vec![
        node(un(UnaryOp::Tanh), &[0], F32),   // 3 = tanh(x)            f32
        node(bin(Mul), &[0, 2], F32),         // 4 = x * c              f32
        node(bin(Add), &[4, 1], F64),         // 5 = f64(x * c) + y     f64
        node(un(UnaryOp::Exp), &[5], F64),    // 6 = exp(5)             f64
        node(ScalarOp::Cast(F32), &[6], F32), // 7 = f32(exp(5))        f32
        node(bin(Sub), &[7, 3], F32),         // 8 = 7 - tanh(x)        f32
        node(bin(Mul), &[8, 1], F64),         // 9 = f64(8) * y         f64
    ];
    Composite::new(vec![F32, F64, F32], body, vec![9, 8, 3]).unwrap()
}

#[test]
fn f32_and_f64_values_mix_on_odd_sizes() {
    for (k, &n) in SIZES.iter().enumerate() {
        let seed = 7 * k as u64;
        let ins = [
            Tensor::randn(F32, &[n], seed),
            Tensor::randn(F64, &[n], seed + 1),
            Tensor::randn(F32, &[], seed + 2),
        ];
        let types = [unknown(F32, 1), unknown(F64, 1), unknown(F32, 0)];
        let out = check(f32_f64_body(), &ins, &types, "cpu.fused_float64", ULPS);
        assert_eq!(out[1].dtype(), F32);
    }
}

#[test]
fn f32_and_f64_mix_with_strides_and_broadcast() {
    // x: transposed f32 (13 × 1023); y: a reversed stepped f64 row
    // broadcast down; c: an f32 column broadcast across.
    let x = Tensor::randn(F32, &[1023, 13], 1).t();
    let y = Tensor::randn(F64, &[1, 3 * 1023], 2)
        .slice_axis(1, None, None, -3)
        .unwrap();
    let c = Tensor::randn(F32, &[13, 1], 3);
    let types = [
        unknown(F32, 2),
        TensorType::new(F64, vec![Some(1), None]),
        TensorType::new(F32, vec![None, Some(1)]),
    ];
    check(
        f32_f64_body(),
        &[x, y, c],
        &types,
        "cpu.fused_float64",
        ULPS,
    );
}

#[test]
fn rounding_to_f32_after_each_op_matches_the_reference_exactly() {
    use BinaryOp::*;
    // ((x * y) / z + x) in f32, then promoted with an f64 w; without the
    // per-op rounding the f32 chain would keep f64 bits and differ.
    let body = vec![
        node(bin(Mul), &[0, 1], F32),         // 4
        node(bin(TrueDiv), &[4, 2], F32),     // 5
        node(bin(Add), &[5, 0], F32),         // 6
        node(un(UnaryOp::Sqr), &[6], F32),    // 7
        node(bin(Sub), &[7, 3], F64),         // 8
        node(ScalarOp::Cast(F32), &[3], F32), // 9 = f32(w)
        node(bin(Maximum), &[9, 6], F32),     // 10
    ];
    let c = Composite::new(vec![F32, F32, F32, F64], body, vec![8, 10, 7]).unwrap();
    for n in [1usize, 7, 1023, 300_001] {
        let ins = [
            Tensor::randn(F32, &[n], 1),
            Tensor::randn(F32, &[n], 2),
            Tensor::rand_uniform(F32, &[n], 0.5, 3.0, 3),
            Tensor::randn(F64, &[n], 4),
        ];
        let types = [
            unknown(F32, 1),
            unknown(F32, 1),
            unknown(F32, 1),
            unknown(F64, 1),
        ];
        let out = check(c.clone(), &ins, &types, "cpu.fused_float64", EXACT);
        // Independently: the same chain in f32 arithmetic.
        let v: Vec<Vec<f64>> = ins.iter().map(Tensor::to_f64_vec).collect();
        let got = out[0].to_f64_vec();
        for i in 0..n.min(2000) {
            let (x, y, z, w) = (v[0][i] as f32, v[1][i] as f32, v[2][i] as f32, v[3][i]);
            let s = (x * y) / z + x;
            assert_eq!(got[i], (s * s) as f64 - w, "element {i}");
        }
    }
}

#[test]
fn integer_inputs_in_arithmetic_and_casts() {
    use BinaryOp::*;
    // x f32, i i32, j i16, k i64, m bool:
    //   x * i -> f64 (NumPy: float32 with int32 gives float64),
    //   x * j -> f32, k + x -> f64, f32(k), x * m -> f32, i < x -> bool.
    let body = vec![
        node(bin(Mul), &[0, 1], F64),             // 5
        node(bin(Mul), &[0, 2], F32),             // 6
        node(bin(Add), &[3, 0], F64),             // 7
        node(ScalarOp::Cast(F32), &[3], F32),     // 8
        node(bin(Mul), &[0, 4], F32),             // 9
        node(bin(Lt), &[1, 0], Bool),             // 10
        node(ScalarOp::Switch, &[10, 6, 8], F32), // 11
    ];
    let c = Composite::new(
        vec![F32, I32, I16, I64, Bool],
        body,
        vec![5, 6, 7, 8, 9, 10, 11],
    )
    .unwrap();
    for n in [0usize, 1, 7, 1023, 300_001] {
        let x = Tensor::randn(F32, &[n], 1);
        let i = Tensor::rand_int(I32, &[n], -3, 4, 2);
        let j = Tensor::rand_int(I16, &[n], -30_000, 30_000, 3);
        // Past 2^53: i64 → f64 rounds, and i64 → f32 rounds twice, as the
        // reference's scalar cast does.
        let k = Tensor::rand_int(I64, &[n], (1 << 60) - 1000, (1 << 60) + 1000, 4);
        let m = Tensor::rand_int(I8, &[n], 0, 2, 5).cast(Bool);
        let types = [
            unknown(F32, 1),
            unknown(I32, 1),
            unknown(I16, 1),
            unknown(I64, 1),
            unknown(Bool, 1),
        ];
        let ins = [x, i, j, k, m];
        let out = check(c.clone(), &ins, &types, "cpu.fused_float64", EXACT);
        // Independently, with plain loops.
        let v: Vec<Vec<f64>> = ins.iter().map(Tensor::to_f64_vec).collect();
        let k64: Vec<i64> = ins[3].view::<i64>().iter().copied().collect();
        let (xi, kx, k32) = (
            out[0].to_f64_vec(),
            out[2].to_f64_vec(),
            out[3].to_f64_vec(),
        );
        for e in 0..n.min(3000) {
            assert_eq!(xi[e], v[0][e] * v[1][e], "x * i at {e}");
            assert_eq!(kx[e], k64[e] as f64 + v[0][e], "k + x at {e}");
            assert_eq!(k32[e], k64[e] as f64 as f32 as f64, "f32(k) at {e}");
        }
        assert_eq!(out[0].dtype(), F64);
        assert_eq!(out[1].dtype(), F32);
        assert_eq!(out[5].dtype(), Bool);
    }
}

#[test]
fn integer_and_mask_inputs_broadcast_and_strided() {
    use BinaryOp::*;
    // out = (x * i + y) * m with x f32 (rows, 9) transposed, i an int32
    // column, y an f64 row, m a bool row: f64.
    let body = vec![
        node(bin(Mul), &[0, 1], F64), // 4
        node(bin(Add), &[4, 2], F64), // 5
        node(bin(Mul), &[5, 3], F64), // 6
    ];
    let c = Composite::new(vec![F32, I32, F64, Bool], body, vec![6]).unwrap();
    for rows in [0usize, 1, 7, 4001] {
        let x = Tensor::randn(F32, &[9, rows], 1).t();
        let i = Tensor::rand_int(I32, &[rows, 1], -1000, 1000, 2);
        let y = Tensor::randn(F64, &[1, 9], 3);
        let m = Tensor::rand_int(I8, &[1, 9], 0, 2, 4).cast(Bool);
        let types = [
            unknown(F32, 2),
            TensorType::new(I32, vec![None, Some(1)]),
            TensorType::new(F64, vec![Some(1), None]),
            TensorType::new(Bool, vec![Some(1), None]),
        ];
        check(c.clone(), &[x, i, y, m], &types, "cpu.fused_float64", EXACT);
    }
}

#[test]
fn mixed_inplace_writes_the_dying_f64_input() {
    let op: Arc<dyn Op> = Arc::new(ElemwiseInplace {
        kernel: ElemwiseKernel::Fused(f32_f64_body()),
        destroy: 1,
    });
    for n in [1usize, 1023, 300_001] {
        let ins = vec![
            Tensor::randn(F32, &[n], 1),
            Tensor::randn(F64, &[n], 2).to_contiguous_copy(),
            Tensor::randn(F32, &[], 3),
        ];
        let types = [unknown(F32, 1), unknown(F64, 1), unknown(F32, 0)];
        let want = crate::backend::cpu::testing::reference(&op, &ins, &types).unwrap();
        let target = ins[1].buffer_id();
        let (name, got) = run_selected(&op, ins, &types, &[false, true, false]);
        assert_eq!(name, "cpu.fused_inplace_float64");
        let got = got.unwrap();
        crate::backend::cpu::testing::assert_close("inplace", &got, &want, ULPS);
        assert_eq!(got[0].buffer_id(), target, "written in place");
    }
}

/// The kernel the registry picks for a composite over `inputs`.
fn kernel_for(inputs: Vec<DType>, body: Vec<CompositeNode>) -> String {
    let n_in = inputs.len();
    let out = vec![n_in + body.len() - 1];
    let c: Arc<dyn Op> = Arc::new(Composite::new(inputs.clone(), body, out).unwrap());
    let types: Vec<TensorType> = inputs.iter().map(|&d| unknown(d, 1)).collect();
    let args: Vec<Tensor> = inputs
        .iter()
        .enumerate()
        .map(|(s, &d)| Tensor::rand_int(I8, &[3], 1, 5, s as u64).cast(d))
        .collect();
    let (name, got) = run_selected(&c, args, &types, &vec![false; n_in]);
    got.unwrap();
    name
}

#[test]
fn bodies_outside_the_lanes_run_typed() {
    use BinaryOp::*;
    let typed = "cpu.fused_typed";
    // Integer arithmetic inside the body (see int_tests.rs).
    let int_add = vec![node(bin(Add), &[0, 1], I32)];
    assert_eq!(kernel_for(vec![I32, I32], int_add), typed);
    // A cast to an integer.
    let to_int = vec![
        node(bin(Mul), &[0, 0], F32),
        node(ScalarOp::Cast(I32), &[1], I32),
    ];
    assert_eq!(kernel_for(vec![F32], to_int), typed);
    // uint64 (does not load exactly into i64 as a float lane input).
    let u64_mul = vec![node(bin(Mul), &[0, 1], F64)];
    assert_eq!(kernel_for(vec![F64, U64], u64_mul), typed);
    // An integer compared with a bool (promoted to an integer).
    let int_bool = vec![
        node(bin(Lt), &[0, 1], Bool),
        node(ScalarOp::Cast(F32), &[2], F32),
    ];
    assert_eq!(kernel_for(vec![I32, Bool], int_bool), typed);
    // float16 values.
    let f16 = vec![node(bin(Mul), &[0, 1], F32)];
    assert_eq!(kernel_for(vec![F16, F32], f16), typed);
    // Lowered: f32 with f64, an int16 in f32 arithmetic.
    let mixed = vec![node(bin(Add), &[0, 1], F64)];
    assert_eq!(kernel_for(vec![F32, F64], mixed), "cpu.fused_float64");
    let int16 = vec![node(bin(Mul), &[0, 1], F32)];
    assert_eq!(kernel_for(vec![F32, I16], int16), "cpu.fused_float32");
}
