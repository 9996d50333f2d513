//! Every elementwise op against an independent expectation on random
//! inputs: unary ops against `f64`/libm formulas written here, binary ops
//! against Python/NumPy semantics written out by hand, with broadcasting,
//! non-contiguous and empty inputs, in float32 (rel 1e-6) and float64
//! (rel 1e-12). Plus property tests of promotion and broadcasting.

use proptest::prelude::*;
use theon::dtype::{promote, ALL_DTYPES};
use theon::ops::elemwise::{try_elemwise, BinaryOp, ScalarOp, UnaryOp, ALL_BINARY, ALL_UNARY};
use theon::prelude::*;
use theon::tensor::broadcast_shapes;

fn eval(outputs: &[Var], inputs: &[Var], values: &[Tensor]) -> Vec<Tensor> {
    let f = Function::builder(inputs, outputs)
        .on_unused_input(UnusedInput::Ignore)
        .build()
        .unwrap();
    f.call(values).unwrap()
}

/// The expected value of a float unary op, written independently of theon.
fn unary_expect(op: UnaryOp, x: f64) -> f64 {
    use UnaryOp::*;
    match op {
        Neg => -x,
        Abs => x.abs(),
        Sign => {
            if x > 0.0 {
                1.0
            } else if x < 0.0 {
                -1.0
            } else {
                0.0
            }
        }
        Exp => x.exp(),
        Exp2 => 2f64.powf(x),
        Expm1 => x.exp_m1(),
        Log => x.ln(),
        Log2 => x.ln() / 2f64.ln(),
        Log10 => x.ln() / 10f64.ln(),
        Log1p => x.ln_1p(),
        Sqrt => x.sqrt(),
        Sqr => x * x,
        Reciprocal => 1.0 / x,
        Sin => x.sin(),
        Cos => x.cos(),
        Tan => x.tan(),
        Arcsin => x.asin(),
        Arccos => x.acos(),
        Arctan => x.atan(),
        Sinh => x.sinh(),
        Cosh => x.cosh(),
        Tanh => x.tanh(),
        Arcsinh => x.asinh(),
        Arccosh => x.acosh(),
        Arctanh => x.atanh(),
        Sigmoid => 1.0 / (1.0 + (-x).exp()),
        Softplus => (1.0 + x.exp()).ln(),
        Erf => libm::erf(x),
        Erfc => 1.0 - libm::erf(x),
        Erfinv => erfinv_by_bisection(x),
        Gamma => libm::tgamma(x),
        Gammaln => libm::lgamma(x),
        Psi => (libm::lgamma(x + 1e-5) - libm::lgamma(x - 1e-5)) / 2e-5,
        Floor => x.floor(),
        Ceil => x.ceil(),
        Round => {
            let r = x.round();
            if (x - x.trunc()).abs() == 0.5 {
                2.0 * (x / 2.0).round()
            } else {
                r
            }
        }
        Trunc => x.trunc(),
        IsNan | IsInf | LogicalNot | Invert => unreachable!("checked separately"),
    }
}

fn erfinv_by_bisection(y: f64) -> f64 {
    let (mut lo, mut hi) = (-6.0, 6.0);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if libm::erf(mid) < y {
            lo = mid
        } else {
            hi = mid
        }
    }
    0.5 * (lo + hi)
}

/// An input domain where the op is defined and well-conditioned.
fn domain(op: UnaryOp) -> (f64, f64) {
    use UnaryOp::*;
    match op {
        Log | Log2 | Log10 | Sqrt | Reciprocal | Gamma | Gammaln | Psi => (0.2, 4.0),
        Log1p => (-0.5, 3.0),
        Arcsin | Arccos | Arctanh | Erfinv => (-0.9, 0.9),
        Arccosh => (1.1, 4.0),
        _ => (-3.0, 3.0),
    }
}

fn close(got: f64, want: f64, rtol: f64) -> bool {
    (got.is_nan() && want.is_nan()) || (got - want).abs() <= rtol * (1.0 + want.abs())
}

#[test]
fn every_float_unary_op_matches_its_formula() {
    for (dtype, rtol) in [(F64, 1e-9), (F32, 2e-6)] {
        for op in ALL_UNARY {
            if matches!(
                op,
                UnaryOp::IsNan | UnaryOp::IsInf | UnaryOp::LogicalNot | UnaryOp::Invert
            ) {
                continue;
            }
            let (lo, hi) = domain(op);
            let x = matrix("x", dtype);
            let y = try_elemwise(ScalarOp::Unary(op), vec![(&x).into()]).unwrap();
            // Transposed: the kernel must walk strides, not memory order.
            let xv = Tensor::rand_uniform(dtype, &[5, 3], lo, hi, 40 + op as u64).t();
            let out = &eval(&[y], &[x], std::slice::from_ref(&xv))[0];
            assert_eq!(out.dtype(), dtype, "{op:?}");
            let tol = if op == UnaryOp::Psi { 1e-6 } else { rtol };
            for (g, x) in out.to_f64_vec().iter().zip(xv.to_f64_vec()) {
                let want = unary_expect(op, x);
                assert!(
                    close(*g, want, tol),
                    "{op:?}({x}) = {g}, want {want} ({dtype})"
                );
            }
        }
    }
}

#[test]
fn predicates_and_bit_ops_follow_numpy() {
    let x = vector("x", F64);
    let special = Tensor::from_vec(vec![1.0, f64::NAN, f64::INFINITY, -0.0, -2.5], &[5]).unwrap();
    let out = eval(
        &[x.isnan(), x.isinf(), x.logical_not()],
        std::slice::from_ref(&x),
        &[special],
    );
    assert_eq!(
        out[0].to_vec::<bool>(),
        vec![false, true, false, false, false]
    );
    assert_eq!(
        out[1].to_vec::<bool>(),
        vec![false, false, true, false, false]
    );
    assert_eq!(
        out[2].to_vec::<bool>(),
        vec![false, false, false, true, false]
    );
    let i = vector("i", I32);
    let iv = Tensor::rand_int(I32, &[7], -100, 100, 3);
    let got = eval(
        &[i.invert(), i.abs(), i.sign()],
        std::slice::from_ref(&i),
        std::slice::from_ref(&iv),
    );
    let xs = iv.to_vec::<i32>();
    assert_eq!(
        got[0].to_vec::<i32>(),
        xs.iter().map(|v| !v).collect::<Vec<_>>()
    );
    assert_eq!(
        got[1].to_vec::<i32>(),
        xs.iter().map(|v| v.abs()).collect::<Vec<_>>()
    );
    assert_eq!(
        got[2].to_vec::<i32>(),
        xs.iter().map(|v| v.signum()).collect::<Vec<_>>()
    );
}

/// NumPy's result for a float binary op.
fn binary_float(op: BinaryOp, a: f64, b: f64) -> f64 {
    use BinaryOp::*;
    match op {
        Add => a + b,
        Sub => a - b,
        Mul => a * b,
        TrueDiv => a / b,
        FloorDiv => (a / b).floor(),
        Mod => a - (a / b).floor() * b,
        Pow => a.powf(b),
        Maximum => a.max(b),
        Minimum => a.min(b),
        Arctan2 => a.atan2(b),
        Hypot => (a * a + b * b).sqrt(),
        Eq => (a == b) as u8 as f64,
        Neq => (a != b) as u8 as f64,
        Lt => (a < b) as u8 as f64,
        Le => (a <= b) as u8 as f64,
        Gt => (a > b) as u8 as f64,
        Ge => (a >= b) as u8 as f64,
        And => (a != 0.0 && b != 0.0) as u8 as f64,
        Or => (a != 0.0 || b != 0.0) as u8 as f64,
        Xor => ((a != 0.0) != (b != 0.0)) as u8 as f64,
        BitAnd | BitOr | BitXor | LeftShift | RightShift => unreachable!("integer only"),
    }
}

#[test]
fn every_float_binary_op_broadcasts_like_numpy() {
    for op in ALL_BINARY {
        if matches!(
            op,
            BinaryOp::BitAnd
                | BinaryOp::BitOr
                | BinaryOp::BitXor
                | BinaryOp::LeftShift
                | BinaryOp::RightShift
        ) {
            continue;
        }
        // A (3, 1) column against a (4,) row: a (3, 4) result.
        let a = col("a", F64);
        let b = vector("b", F64);
        let y = try_elemwise(ScalarOp::Binary(op), vec![(&a).into(), (&b).into()]).unwrap();
        let av = Tensor::rand_uniform(F64, &[3, 1], 0.5, 3.0, 7);
        let bv = Tensor::rand_uniform(F64, &[8], -2.0, 2.0, 8)
            .slice_axis(0, None, None, 2)
            .unwrap();
        let out = &eval(&[y], &[a, b], &[av.clone(), bv.clone()])[0];
        assert_eq!(out.shape(), &[3, 4], "{op:?}");
        let (xs, ys, got) = (av.to_f64_vec(), bv.to_f64_vec(), out.to_f64_vec());
        for i in 0..3 {
            for j in 0..4 {
                let want = binary_float(op, xs[i], ys[j]);
                assert!(
                    close(got[i * 4 + j], want, 1e-12),
                    "{op:?}({}, {}) = {}, want {want}",
                    xs[i],
                    ys[j],
                    got[i * 4 + j]
                );
            }
        }
    }
}

#[test]
fn integer_binary_ops_follow_python_conventions() {
    let a = vector("a", I64);
    let b = vector("b", I64);
    let av = Tensor::rand_int(I64, &[50], -1000, 1000, 1);
    let bv = Tensor::rand_int(I64, &[50], 1, 9, 2);
    let ops = [
        a.floor_div(&b),
        a.modulo(&b),
        a.bitwise_and(&b),
        a.bitwise_xor(&b),
        a.left_shift(&b),
        a.right_shift(&b),
        (&a - &b) * &b,
    ];
    let out = eval(&ops, &[a, b], &[av.clone(), bv.clone()]);
    for (k, (x, y)) in av
        .to_vec::<i64>()
        .into_iter()
        .zip(bv.to_vec::<i64>())
        .enumerate()
    {
        let expect = [
            x.div_euclid(y),
            x.rem_euclid(y),
            x & y,
            x ^ y,
            x << y,
            x >> y,
            (x - y) * y,
        ];
        for (o, want) in out.iter().zip(expect) {
            assert_eq!(o.to_vec::<i64>()[k], want, "x={x} y={y}");
        }
    }
}

#[test]
fn empty_inputs_give_empty_outputs() {
    let x = matrix("x", F32);
    let out = &eval(
        &[(&x * 2.0).exp()],
        std::slice::from_ref(&x),
        &[Tensor::zeros(F32, &[0, 3])],
    )[0];
    assert_eq!(out.shape(), &[0, 3]);
    assert_eq!(out.dtype(), F32);
}

#[test]
fn bitwise_ops_refuse_floats_at_graph_construction() {
    let x = vector("x", F64);
    let err = try_elemwise(
        ScalarOp::Binary(BinaryOp::BitAnd),
        vec![(&x).into(), (&x).into()],
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("bitwise_and") && msg.contains("float64") && msg.contains("elemwise_ops.rs"),
        "{msg}"
    );
}

#[test]
fn static_broadcast_mismatch_is_caught_when_building() {
    let a = tensor("a", F64, &[Some(3)]);
    let b = tensor("b", F64, &[Some(4)]);
    let err = try_elemwise(
        ScalarOp::Binary(BinaryOp::Add),
        vec![(&a).into(), (&b).into()],
    )
    .unwrap_err();
    assert!(err.to_string().contains("cannot be broadcast"), "{err}");
}

proptest! {
    /// Promotion is symmetric and never loses a kind: the result can hold
    /// both operands' kinds (and NumPy's bool < uint/int < float order).
    #[test]
    fn promotion_is_symmetric_and_kind_preserving(i in 0..12usize, j in 0..12usize) {
        let (a, b) = (ALL_DTYPES[i], ALL_DTYPES[j]);
        let p = promote(a, b);
        prop_assert_eq!(p, promote(b, a));
        prop_assert!(p.kind() >= a.kind().min(b.kind()));
        prop_assert!(p.is_float() || !(a.is_float() || b.is_float()));
        prop_assert!(p.size() >= a.size().max(b.size()) || p.is_float());
        prop_assert_eq!(promote(p, a), p);
    }

    /// Broadcasting: the result has the longest rank, each dim is the
    /// non-1 dim of the operands, and it is symmetric.
    #[test]
    fn broadcasting_is_symmetric(a in proptest::collection::vec(1usize..4, 0..4), b in proptest::collection::vec(1usize..4, 0..4)) {
        let ab = broadcast_shapes(&[&a, &b]);
        prop_assert_eq!(ab.clone(), broadcast_shapes(&[&b, &a]));
        if let Some(shape) = ab {
            prop_assert_eq!(shape.len(), a.len().max(b.len()));
            for (k, &d) in shape.iter().rev().enumerate() {
                let da = a.iter().rev().nth(k).copied().unwrap_or(1);
                let db = b.iter().rev().nth(k).copied().unwrap_or(1);
                prop_assert!(d == da.max(db) && (da == d || da == 1) && (db == d || db == 1));
            }
        }
    }
}
