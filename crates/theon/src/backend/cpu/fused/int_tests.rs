//! The typed fused kernel (`cpu.fused_typed`): integer arithmetic that
//! overflows, unsigned values below zero, division and modulo by zero,
//! float → int casts of NaN, ±inf and out-of-range values, bool results
//! and int/float mixes — bit for bit against the reference `perform` and
//! against plain loops, on odd sizes, strided and broadcast operands,
//! several outputs, the inplace variant and each integer dtype.

use crate::backend::cpu::testing::{reference, run_selected, SIZES};
use crate::dtype::DType::{self, *};
use crate::graph::{Op, TensorType};
use crate::ops::elemwise::{
    BinaryOp, Composite, CompositeNode, Elemwise, ElemwiseInplace, ElemwiseKernel, ScalarOp,
    UnaryOp,
};
use crate::tensor::{Scalar, Tensor};
use std::sync::Arc;

const TYPED: &str = "cpu.fused_typed";
const INTS: [DType; 8] = [I8, I16, I32, I64, U8, U16, U32, U64];

fn un(u: UnaryOp) -> ScalarOp {
    ScalarOp::Unary(u)
}
fn bin(b: BinaryOp) -> ScalarOp {
    ScalarOp::Binary(b)
}
fn unknown(d: DType, ndim: usize) -> TensorType {
    TensorType::unknown(d, ndim)
}

/// Builds a composite, each node's dtype taken from its op's rule.
fn composite(inputs: &[DType], nodes: &[(ScalarOp, &[usize])], outputs: Vec<usize>) -> Composite {
    let mut dtypes = inputs.to_vec();
    let body: Vec<CompositeNode> = nodes
        .iter()
        .map(|&(op, args)| {
            let ins: Vec<DType> = args.iter().map(|&a| dtypes[a]).collect();
            let dtype = op.signature(&ins).expect("valid test body").1;
            dtypes.push(dtype);
            CompositeNode {
                op,
                args: args.to_vec(),
                dtype,
            }
        })
        .collect();
    Composite::new(inputs.to_vec(), body, outputs).unwrap()
}

/// Same value bit for bit (NaN equal to NaN; -0.0 differs from 0.0).
fn same(a: Scalar, b: Scalar) -> bool {
    match (a, b) {
        (Scalar::Float(x), Scalar::Float(y)) => {
            x.to_bits() == y.to_bits() || x.is_nan() && y.is_nan()
        }
        _ => a == b,
    }
}

/// Asserts that `got` equals `want` exactly, dtypes and shapes included.
#[track_caller]
fn assert_same(what: &str, got: &[Tensor], want: &[Tensor]) {
    assert_eq!(got.len(), want.len(), "{what}: output count");
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(g.dtype(), w.dtype(), "{what}: output {k} dtype");
        assert_eq!(g.shape(), w.shape(), "{what}: output {k} shape");
        for (i, (a, b)) in g.to_scalars().into_iter().zip(w.to_scalars()).enumerate() {
            assert!(
                same(a, b),
                "{what}: output {k} element {i}: got {a:?}, want {b:?}"
            );
        }
    }
}

/// Runs the selected kernel, asserts it is `kernel` and agrees exactly
/// with the reference; returns its outputs.
#[track_caller]
fn check_exact(op: impl Op, ins: &[Tensor], types: &[TensorType], kernel: &str) -> Vec<Tensor> {
    let op: Arc<dyn Op> = Arc::new(op);
    let want = reference(&op, ins, types).expect("reference succeeds");
    let (name, got) = run_selected(&op, ins.to_vec(), types, &vec![false; ins.len()]);
    assert_eq!(name, kernel, "{}", op.name());
    let got = got.unwrap_or_else(|e| panic!("{name} failed: {e}"));
    assert_same(&op.name(), &got, &want);
    got
}

/// Random values over (most of) the whole range of `d`.
fn wide_ints(d: DType, shape: &[usize], seed: u64) -> Tensor {
    let (lo, hi) = match d {
        I8 => (-128, 128),
        U8 => (0, 256),
        I16 => (-32768, 32768),
        U16 => (0, 65536),
        I32 => (i32::MIN as i64, i32::MAX as i64 + 1),
        U32 => (0, u32::MAX as i64 + 1),
        // Wraps to values near 0 and near 2^64.
        U64 => (-(1 << 62), 1 << 62),
        _ => (i64::MIN, i64::MAX),
    };
    Tensor::rand_int(d, shape, lo, hi, seed)
}

fn ints_of(t: &Tensor) -> Vec<i128> {
    t.to_scalars()
        .into_iter()
        .map(|s| match s {
            Scalar::Int(v) => v as i128,
            Scalar::UInt(v) => v as i128,
            Scalar::Bool(b) => b as i128,
            Scalar::Float(f) => panic!("float {f} where an integer was expected"),
        })
        .collect()
}

/// `v` wrapped to integer dtype `d` (independently of `Scalar::cast`).
fn wrapped(v: i128, d: DType) -> i128 {
    let bits = d.size() as u32 * 8;
    let m = v.rem_euclid(1i128 << bits);
    if d.kind() == crate::dtype::Kind::Int && m >= 1i128 << (bits - 1) {
        m - (1i128 << bits)
    } else {
        m
    }
}

/// Inputs (a, b of dtype d; c of dtype d with small values incl. 0):
/// arithmetic, division, comparisons, where/min/max/abs/neg/sign, bits.
fn int_body(d: DType) -> Composite {
    use BinaryOp::*;
    composite(
        &[d, d, d],
        &[
            (bin(Mul), &[0, 1]),              // 3
            (bin(Sub), &[0, 1]),              // 4
            (bin(Add), &[3, 4]),              // 5
            (bin(FloorDiv), &[0, 2]),         // 6
            (bin(Mod), &[0, 2]),              // 7
            (un(UnaryOp::Neg), &[0]),         // 8
            (un(UnaryOp::Abs), &[1]),         // 9
            (un(UnaryOp::Sign), &[4]),        // 10
            (bin(Maximum), &[0, 1]),          // 11
            (bin(Minimum), &[3, 2]),          // 12
            (bin(Lt), &[0, 1]),               // 13
            (ScalarOp::Switch, &[13, 3, 12]), // 14
            (bin(BitXor), &[0, 1]),           // 15
            (un(UnaryOp::Invert), &[15]),     // 16
            (un(UnaryOp::Sqr), &[1]),         // 17
            (bin(Pow), &[0, 2]),              // 18
            (bin(Eq), &[6, 7]),               // 19
            (ScalarOp::Clip, &[0, 2, 1]),     // 20
        ],
        (3..21).collect(),
    )
}

#[test]
fn integer_arithmetic_wraps_at_every_dtype_on_odd_sizes() {
    for (k, &d) in INTS.iter().enumerate() {
        for (s, &n) in SIZES.iter().enumerate() {
            let seed = 100 * k as u64 + 10 * s as u64;
            let ins = [
                wide_ints(d, &[n], seed),
                wide_ints(d, &[n], seed + 1),
                Tensor::rand_int(d, &[n], -3, 4, seed + 2),
            ];
            let types = [unknown(d, 1), unknown(d, 1), unknown(d, 1)];
            let out = check_exact(int_body(d), &ins, &types, TYPED);
            // Independently: the product and difference wrap at `d`.
            let (a, b) = (ints_of(&ins[0]), ints_of(&ins[1]));
            let (prod, diff) = (ints_of(&out[0]), ints_of(&out[1]));
            for e in 0..n.min(5000) {
                let p = a[e].wrapping_mul(b[e]);
                assert_eq!(prod[e], wrapped(p, d), "{d} product at {e}");
                assert_eq!(diff[e], wrapped(a[e] - b[e], d), "{d} difference at {e}");
            }
        }
    }
}

#[test]
fn overflow_actually_happens_and_wraps_like_numpy() {
    // int8 100 * 3 = 44; uint8 3 - 5 = 254; int32 2^31 - 1 + 1 = -2^31.
    let cases: [(DType, BinaryOp, i64, i64, i128); 4] = [
        (I8, BinaryOp::Mul, 100, 3, 44),
        (U8, BinaryOp::Sub, 3, 5, 254),
        (I32, BinaryOp::Add, i32::MAX as i64, 1, i32::MIN as i128),
        (I16, BinaryOp::Mul, 300, 300, wrapped(90_000, I16)),
    ];
    for (d, op, x, y, want) in cases {
        let ins = [
            Tensor::from_scalars(d, &[3], &[Scalar::Int(x); 3]).unwrap(),
            Tensor::from_scalars(d, &[3], &[Scalar::Int(y); 3]).unwrap(),
        ];
        let out = check_exact(
            Elemwise::new(bin(op)),
            &ins,
            &[unknown(d, 1), unknown(d, 1)],
            TYPED,
        );
        assert_eq!(ints_of(&out[0]), vec![want; 3], "{d} {}", op.name());
    }
}

#[test]
fn floor_division_and_modulo_follow_python_and_zero_divisors_give_zero() {
    use BinaryOp::*;
    let c = composite(
        &[I64, I64],
        &[(bin(FloorDiv), &[0, 1]), (bin(Mod), &[0, 1])],
        vec![2, 3],
    );
    let a: Vec<i64> = vec![-7, 7, -7, 7, 5, i64::MIN, i64::MIN, -1];
    let b: Vec<i64> = vec![2, -2, -2, 2, 0, -1, 3, 0];
    let ins = [
        Tensor::from_vec(a.clone(), &[8]).unwrap(),
        Tensor::from_vec(b.clone(), &[8]).unwrap(),
    ];
    let out = check_exact(c, &ins, &[unknown(I64, 1), unknown(I64, 1)], TYPED);
    let q = vec![
        -4,
        -4,
        3,
        3,
        0,
        i64::MIN as i128,
        (i64::MIN as i128).div_euclid(3),
        0,
    ];
    assert_eq!(ints_of(&out[0]), q);
    assert_eq!(ints_of(&out[1]), vec![1, -1, -1, 1, 0, 0, 1, 0]);
}

/// Float values that exercise every corner of a float → int cast.
fn cast_sources(n: usize, seed: u64) -> Tensor {
    let special = [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        -0.5,
        -0.0,
        -1.5,
        255.9,
        256.5,
        -129.7,
        3e9,
        -3e9,
        1e19,
        2e19,
        -1e19,
        1e300,
    ];
    let r = Tensor::randn(F64, &[n], seed).to_f64_vec();
    let v: Vec<f64> = (0..n)
        .map(|i| match i % 4 {
            0 => special[(i / 4) % special.len()],
            1 => r[i] * 1e3,
            2 => r[i] * 1e10,
            _ => r[i] * 1e20,
        })
        .collect();
    Tensor::from_vec(v, &[n]).unwrap()
}

#[test]
fn float_to_int_casts_truncate_saturate_and_wrap_as_the_reference() {
    for &n in &SIZES {
        let x = cast_sources(n, 3);
        for d in INTS.into_iter().chain([Bool]) {
            let c = composite(&[F64], &[(ScalarOp::Cast(d), &[0])], vec![1]);
            // A cast to bool stays on the float lane (exact there too).
            let kernel = if d == Bool {
                "cpu.fused_float64"
            } else {
                TYPED
            };
            let out = check_exact(c, std::slice::from_ref(&x), &[unknown(F64, 1)], kernel);
            // Independently for int32: truncate to i64 (saturating), wrap.
            if d == I32 {
                let (v, got) = (x.to_f64_vec(), ints_of(&out[0]));
                for e in 0..n {
                    assert_eq!(got[e], (v[e] as i64) as i32 as i128, "{} at {e}", v[e]);
                }
            }
        }
        // float32 through f32 arithmetic first (the figure in the issue).
        let x32 = x.cast(F32);
        let c = composite(
            &[F32, F32],
            &[(bin(BinaryOp::Mul), &[0, 1]), (ScalarOp::Cast(I32), &[2])],
            vec![3],
        );
        let k = Tensor::from_vec(vec![100f32], &[]).unwrap();
        let out = check_exact(
            c,
            &[x32.clone(), k],
            &[unknown(F32, 1), unknown(F32, 0)],
            TYPED,
        );
        let (v, got) = (x32.to_f64_vec(), ints_of(&out[0]));
        for e in 0..n {
            let p = (v[e] as f32) * 100.0;
            assert_eq!(got[e], (p as f64 as i64) as i32 as i128, "{} at {e}", v[e]);
        }
    }
}

#[test]
fn float_to_int_casts_of_blocks_within_i32_and_at_its_edges() {
    // Whole blocks of finite values within i32 take the vector path;
    // one block holds the edges of i32 and a NaN.
    let n = 300_001;
    let mut v = Tensor::randn(F64, &[n], 11).to_f64_vec();
    v.iter_mut().for_each(|x| *x *= 1e5);
    let edges = [
        -2147483648.9,
        2147483647.9,
        2147483648.0,
        -2147483649.0,
        f64::NAN,
        -0.9,
    ];
    v[150_000..150_006].copy_from_slice(&edges);
    v[3000] = -2147483648.9;
    v[5000] = 2147483647.9;
    let x = Tensor::from_vec(v.clone(), &[n]).unwrap();
    for d in [I8, I16, I32, U8, U16, U32, I64, U64] {
        let c = composite(&[F64], &[(ScalarOp::Cast(d), &[0])], vec![1]);
        let out = check_exact(c, std::slice::from_ref(&x), &[unknown(F64, 1)], TYPED);
        let got = ints_of(&out[0]);
        for e in (0..n)
            .step_by(97)
            .chain(150_000..150_006)
            .chain([3000, 5000])
        {
            let f = v[e];
            let want = match d {
                U64 if f < 0.0 => f as i64 as u64 as i128,
                U64 => f as u64 as i128,
                _ if d.kind() == crate::dtype::Kind::UInt && f < 0.0 => {
                    wrapped(f as i64 as u64 as i128, d)
                }
                _ if d.kind() == crate::dtype::Kind::UInt => wrapped(f as u64 as i128, d),
                _ => wrapped(f as i64 as i128, d),
            };
            assert_eq!(got[e], want, "{d} of {f} at {e}");
        }
    }
}

/// Inputs (x f32, i i32, u u8, m bool): int and float values mixed.
fn mixed_body() -> Composite {
    use BinaryOp::*;
    composite(
        &[F32, I32, U8, Bool],
        &[
            (bin(Mul), &[1, 2]),              // 4  i32 * u8 -> i32
            (bin(Add), &[4, 0]),              // 5  i32 + f32 -> f64
            (un(UnaryOp::Floor), &[0]),       // 6  f32
            (ScalarOp::Cast(I16), &[6]),      // 7  i16
            (bin(Sub), &[2, 3]),              // 8  u8 - bool -> u8
            (un(UnaryOp::Exp), &[1]),         // 9  exp(i32) -> f64
            (bin(Gt), &[0, 1]),               // 10 f32 > i32 -> bool
            (ScalarOp::Switch, &[10, 7, 2]),  // 11 i16 / u8 -> i16
            (bin(TrueDiv), &[4, 2]),          // 12 -> f64
            (bin(Maximum), &[8, 3]),          // 13 u8
            (un(UnaryOp::LogicalNot), &[11]), // 14 bool
            (bin(And), &[14, 3]),             // 15 bool
            (ScalarOp::Cast(U64), &[5]),      // 16 u64
            (bin(Sub), &[16, 2]),             // 17 u64 - u8 -> u64
            (bin(Mod), &[0, 1]),              // 18 f32 % i32 -> f64
        ],
        vec![4, 5, 7, 8, 9, 11, 12, 13, 15, 17, 18],
    )
}

fn mixed_inputs(shape: &[usize], seed: u64) -> [Tensor; 4] {
    [
        Tensor::randn(F32, shape, seed).scale_for_test(300.0),
        Tensor::rand_int(I32, shape, -300, 300, seed + 1),
        wide_ints(U8, shape, seed + 2),
        Tensor::rand_int(I8, shape, 0, 2, seed + 3).cast(Bool),
    ]
}

trait ScaleForTest {
    fn scale_for_test(&self, k: f64) -> Tensor;
}

impl ScaleForTest for Tensor {
    /// The elements times `k`, in the same dtype.
    fn scale_for_test(&self, k: f64) -> Tensor {
        let v: Vec<Scalar> = self
            .to_f64_vec()
            .iter()
            .map(|&x| Scalar::Float(x * k))
            .collect();
        Tensor::from_scalars(self.dtype(), self.shape(), &v).unwrap()
    }
}

#[test]
fn int_and_float_values_mix_in_one_body_with_several_outputs() {
    for (s, &n) in SIZES.iter().enumerate() {
        let ins = mixed_inputs(&[n], 40 + s as u64);
        let types = [
            unknown(F32, 1),
            unknown(I32, 1),
            unknown(U8, 1),
            unknown(Bool, 1),
        ];
        let out = check_exact(mixed_body(), &ins, &types, TYPED);
        let dtypes: Vec<DType> = out.iter().map(Tensor::dtype).collect();
        assert_eq!(
            dtypes,
            vec![I32, F64, I16, U8, F64, I16, F64, U8, Bool, U64, F64]
        );
    }
}

#[test]
fn strided_transposed_and_broadcast_operands() {
    // x: a transposed f32 matrix; i: a stepped i32 row broadcast down;
    // u: a u8 column broadcast across; m: a bool scalar.
    for rows in [0usize, 1, 7, 1023, 3001] {
        let x = Tensor::randn(F32, &[37, rows], 1).scale_for_test(300.0).t();
        let i = Tensor::rand_int(I32, &[1, 3 * 37], -300, 300, 2)
            .slice_axis(1, None, None, -3)
            .unwrap();
        let u = wide_ints(U8, &[rows, 1], 3);
        let m = Tensor::from_scalars(Bool, &[], &[Scalar::Bool(true)]).unwrap();
        let types = [
            unknown(F32, 2),
            TensorType::new(I32, vec![Some(1), None]),
            TensorType::new(U8, vec![None, Some(1)]),
            unknown(Bool, 0),
        ];
        let out = check_exact(mixed_body(), &[x, i, u, m], &types, TYPED);
        assert_eq!(out[0].shape(), &[rows, 37]);
    }
    // Short rows packed several to a block, and a size-0 middle dim.
    let ins = mixed_inputs(&[301, 3, 5], 9).map(|t| t.slice_axis(2, None, None, 2).unwrap());
    let types = [
        unknown(F32, 3),
        unknown(I32, 3),
        unknown(U8, 3),
        unknown(Bool, 3),
    ];
    check_exact(mixed_body(), &ins, &types, TYPED);
    let empty = mixed_inputs(&[4, 0, 3], 10);
    check_exact(mixed_body(), &empty, &types, TYPED);
}

#[test]
fn int64_and_float64_inputs_read_in_place_and_gathered_agree() {
    use BinaryOp::*;
    // i*3+1 on int64 (the figure in the issue), plus an f64 input: the
    // contiguous case reads in place, the stepped case gathers.
    let c = composite(
        &[I64, I64, I64, F64],
        &[
            (bin(Mul), &[0, 1]),
            (bin(Add), &[4, 2]),
            (bin(Mul), &[5, 3]),
            (ScalarOp::Cast(I64), &[6]),
        ],
        vec![5, 7],
    );
    let k3 = Tensor::from_vec(vec![3i64], &[]).unwrap();
    let k1 = Tensor::from_vec(vec![1i64], &[]).unwrap();
    let types = [
        unknown(I64, 1),
        unknown(I64, 0),
        unknown(I64, 0),
        unknown(F64, 1),
    ];
    for &n in &SIZES {
        let iv = wide_ints(I64, &[2 * n], 5);
        let y = Tensor::randn(F64, &[2 * n], 6);
        for step in [1, 2] {
            let pick = |t: &Tensor| t.slice_axis(0, None, Some(n as i64 * step), step).unwrap();
            let ins = [pick(&iv), k3.clone(), k1.clone(), pick(&y)];
            let out = check_exact(c.clone(), &ins, &types, TYPED);
            let (a, got) = (ints_of(&ins[0]), ints_of(&out[0]));
            for e in 0..n {
                assert_eq!(got[e], wrapped(a[e] * 3 + 1, I64), "i*3+1 at {e}");
            }
        }
    }
}

#[test]
fn inplace_variant_writes_the_dying_input() {
    let c = int_body(I16);
    let op: Arc<dyn Op> = Arc::new(ElemwiseInplace {
        kernel: ElemwiseKernel::Fused(c),
        destroy: 0,
    });
    for n in [1usize, 1023, 300_001] {
        let ins = vec![
            wide_ints(I16, &[n], 1).to_contiguous_copy(),
            wide_ints(I16, &[n], 2),
            Tensor::rand_int(I16, &[n], -3, 4, 3),
        ];
        let types = [unknown(I16, 1), unknown(I16, 1), unknown(I16, 1)];
        let want = reference(&op, &ins, &types).unwrap();
        let target = ins[0].buffer_id();
        let (name, got) = run_selected(&op, ins, &types, &[true, false, false]);
        assert_eq!(name, "cpu.fused_inplace_typed");
        let got = got.unwrap();
        assert_same("inplace", &got, &want);
        assert_eq!(got[0].buffer_id(), target, "written in place");
    }
}

#[test]
fn uint64_values_beyond_i64_compare_divide_and_convert_unsigned() {
    use BinaryOp::*;
    let c = composite(
        &[U64, U64],
        &[
            (bin(Lt), &[0, 1]),
            (bin(FloorDiv), &[0, 1]),
            (bin(Maximum), &[0, 1]),
            (ScalarOp::Cast(F64), &[0]),
            (bin(RightShift), &[0, 1]),
            (ScalarOp::Cast(I8), &[0]),
        ],
        vec![2, 3, 4, 5, 6, 7],
    );
    for &n in &SIZES {
        let ins = [
            wide_ints(U64, &[n], 7),
            Tensor::rand_int(U64, &[n], 0, 70, 8),
        ];
        check_exact(c.clone(), &ins, &[unknown(U64, 1), unknown(U64, 1)], TYPED);
    }
}

#[test]
fn bool_bodies_and_int_comparisons_run_typed() {
    use BinaryOp::*;
    let c = composite(
        &[Bool, Bool, I16, U16],
        &[
            (bin(Xor), &[0, 1]),
            (bin(Add), &[0, 1]),
            (un(UnaryOp::Invert), &[4]),
            (bin(Le), &[2, 3]),
            (bin(Or), &[7, 6]),
            (bin(Mul), &[2, 0]),
        ],
        vec![4, 5, 6, 8, 9],
    );
    let types = [
        unknown(Bool, 1),
        unknown(Bool, 1),
        unknown(I16, 1),
        unknown(U16, 1),
    ];
    for &n in &SIZES {
        let ins = [
            Tensor::rand_int(I8, &[n], 0, 2, 1).cast(Bool),
            Tensor::rand_int(I8, &[n], 0, 2, 2).cast(Bool),
            wide_ints(I16, &[n], 3),
            wide_ints(U16, &[n], 4),
        ];
        check_exact(c.clone(), &ins, &types, TYPED);
    }
}

/// The kernel the registry picks for `op` over inputs of `dtypes`.
fn kernel_name(op: impl Op, dtypes: &[DType]) -> String {
    let op: Arc<dyn Op> = Arc::new(op);
    let types: Vec<TensorType> = dtypes.iter().map(|&d| unknown(d, 1)).collect();
    let args: Vec<Tensor> = dtypes
        .iter()
        .enumerate()
        .map(|(s, &d)| Tensor::rand_int(I8, &[3], 1, 5, s as u64).cast(d))
        .collect();
    let (name, got) = run_selected(&op, args, &types, &vec![false; dtypes.len()]);
    got.unwrap();
    name
}

#[test]
fn float16_values_and_float16_compute_round_like_the_reference() {
    use BinaryOp::*;
    // exp of int8 and sqrt of uint8 compute in float16 (NumPy's rule);
    // f16 * f32 in float32; a cast of f64 to float16; f16 comparisons.
    let c = composite(
        &[I8, U8, F16, F32, F64],
        &[
            (un(UnaryOp::Exp), &[0]),    // 5  f16
            (un(UnaryOp::Sqrt), &[1]),   // 6  f16
            (bin(Mul), &[2, 3]),         // 7  f32
            (ScalarOp::Cast(F16), &[4]), // 8  f16
            (bin(Add), &[5, 8]),         // 9  f16
            (bin(Lt), &[2, 8]),          // 10 bool
            (ScalarOp::Cast(I16), &[9]), // 11 i16
            (bin(Mul), &[2, 0]),         // 12 f16 * i8 -> f16
        ],
        vec![5, 6, 7, 8, 9, 10, 11, 12],
    );
    let types = [
        unknown(I8, 1),
        unknown(U8, 1),
        unknown(F16, 1),
        unknown(F32, 1),
        unknown(F64, 1),
    ];
    for (s, &n) in SIZES.iter().enumerate() {
        let seed = 60 + 5 * s as u64;
        let ins = [
            Tensor::rand_int(I8, &[n], -12, 13, seed),
            wide_ints(U8, &[n], seed + 1),
            Tensor::randn(F64, &[n], seed + 2)
                .scale_for_test(30.0)
                .cast(F16),
            Tensor::randn(F32, &[n], seed + 3),
            Tensor::randn(F64, &[n], seed + 4).scale_for_test(1e4),
        ];
        let out = check_exact(c.clone(), &ins, &types, TYPED);
        // Independently: the cast of f64 to float16.
        let (v, got) = (ins[4].to_f64_vec(), out[3].to_f64_vec());
        for e in 0..n.min(3000) {
            let want = half::f16::from_f64(v[e]).to_f64();
            assert!(same(Scalar::Float(got[e]), Scalar::Float(want)), "at {e}");
        }
    }
}

#[test]
fn selection_prefers_the_float_lanes() {
    use BinaryOp::*;
    assert_eq!(kernel_name(Elemwise::new(bin(Add)), &[I64, I64]), TYPED);
    assert_eq!(kernel_name(Elemwise::new(bin(Lt)), &[I32, I32]), TYPED);
    assert_eq!(
        kernel_name(Elemwise::new(ScalarOp::Cast(I32)), &[F32]),
        TYPED
    );
    assert_eq!(kernel_name(Elemwise::new(bin(Mul)), &[F64, U64]), TYPED);
    assert_eq!(
        kernel_name(Elemwise::new(bin(Mul)), &[F32, I16]),
        "cpu.fused_float32"
    );
    assert_eq!(
        kernel_name(Elemwise::new(bin(Add)), &[F32, F64]),
        "cpu.fused_float64"
    );
    assert_eq!(kernel_name(Elemwise::new(bin(Mul)), &[F16, F32]), TYPED);
    assert_eq!(kernel_name(Elemwise::new(bin(Add)), &[I16, F16]), TYPED);
}

#[test]
fn bad_inputs_are_errors_naming_the_op() {
    let op: Arc<dyn Op> = Arc::new(int_body(I32));
    let types = [unknown(I32, 1), unknown(I32, 1), unknown(I32, 1)];
    // An int64 tensor where the kernel was built for int32.
    let ins = vec![
        wide_ints(I64, &[5], 1),
        wide_ints(I32, &[5], 2),
        wide_ints(I32, &[5], 3),
    ];
    let (name, got) = run_selected(&op, ins, &types, &[false; 3]);
    assert_eq!(name, TYPED);
    let err = got.unwrap_err().to_string();
    assert!(err.contains("composite") && err.contains("int64"), "{err}");
    // Shapes that do not broadcast.
    let ins = vec![
        wide_ints(I32, &[5], 1),
        wide_ints(I32, &[4], 2),
        wide_ints(I32, &[5], 3),
    ];
    let err = run_selected(&op, ins, &types, &[false; 3])
        .1
        .unwrap_err()
        .to_string();
    assert!(err.contains("composite") && err.contains('4'), "{err}");
}
