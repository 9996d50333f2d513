//! Product specializations (`sum(x*y)` -> dot, dot + scale + add -> gemm,
//! gemv, ger) and the shape-only rules (constant switch, sum of a
//! broadcast, mean -> sum): each fires, has the expected structure, and
//! agrees with the graph compiled without it on random inputs.

use super::{check_rule, compile, no_fusion, ops};
use crate::prelude::*;

#[test]
fn sum_of_a_vector_product_is_a_dot() {
    let (x, y) = (vector("x", F64), vector("y", F64));
    let args = [Tensor::randn(F64, &[7], 1), Tensor::randn(F64, &[7], 2)];
    let f = check_rule(
        "sum_mul_to_dot",
        &[x.clone(), y.clone()],
        &[(&x * &y).sum(0)],
        &args,
        1e-12,
    );
    assert_eq!(ops(&f), vec!["dot"]);
    // A matrix product summed over one axis is not a vector dot.
    let m = matrix("m", F64);
    let f = compile(&[m.clone()], &[(&m * &m).sum(0)], no_fusion());
    assert_eq!(f.compile_profile().hits("sum_mul_to_dot"), 0);
}

#[test]
fn scaled_dot_plus_accumulator_becomes_gemm() {
    let (z, x, y) = (matrix("z", F64), matrix("x", F64), matrix("y", F64));
    let lr = scalar("lr", F64);
    let args = [
        Tensor::randn(F64, &[3, 4], 3),
        Tensor::randn(F64, &[5, 3], 4).t(),
        Tensor::randn(F64, &[5, 4], 5),
        Tensor::full(F64, &[], 0.1),
    ];
    let ins = [z.clone(), x.clone(), y.clone(), lr.clone()];
    let cases = [
        ("gemm_sub", &z - &(&lr * &dot(&x, &y))),
        ("gemm", &z + &dot(&x, &y)),
        ("gemm", &(&z * 2.0) + &(dot(&x, &y) * 0.5)),
        ("gemm_sub", &dot(&x, &y) - &z),
        ("gemm", -dot(&x, &y) + &z),
    ];
    for (rule, out) in cases {
        let f = check_rule(rule, &ins, &[out], &args, 1e-12);
        assert!(
            ops(&f).contains(&"gemm".to_string()),
            "{rule}: {:?}",
            ops(&f)
        );
        assert!(
            !ops(&f).contains(&"dot".to_string()),
            "{rule}: {:?}",
            ops(&f)
        );
    }
    // A broadcast bias is not an accumulator.
    let b = vector("b", F64);
    let f = compile(
        &[x.clone(), y.clone(), b.clone()],
        &[&dot(&x, &y) + &b],
        no_fusion(),
    );
    assert_eq!(ops(&f), vec!["dot", "add"]);
}

#[test]
fn einsum_matrix_products_become_gemm() {
    // Every layout of a two-matrix product: x is (m, k) = (3, 5) as given
    // or transposed, y (k, n) = (5, 4) likewise, the output (m, n) or
    // (n, m). z matches the output; w - 0.1·product, as SGD writes it.
    let (p, q) = (matrix("p", F64), matrix("q", F64));
    let x = Tensor::randn(F64, &[3, 5], 12);
    let y = Tensor::randn(F64, &[5, 4], 13);
    let (xs, ys) = (x.to_f64_vec(), y.to_f64_vec());
    let prod = |i: usize, j: usize| (0..5).map(|l| xs[i * 5 + l] * ys[l * 4 + j]).sum::<f64>();
    for (subscripts, xt, yt, out_t) in [
        ("ik,kj->ij", false, false, false),
        ("ki,kj->ij", true, false, false),
        ("ik,jk->ij", false, true, false),
        ("ki,jk->ji", true, true, true),
        ("ad,ab->bd", true, false, true), // xᵀ·g as grad writes it
    ] {
        let pv = if xt { x.t().contiguous() } else { x.clone() };
        let qv = if yt { y.t().contiguous() } else { y.clone() };
        let (rows, cols) = if out_t { (4, 3) } else { (3, 4) };
        let z = matrix("z", F64);
        let zv = Tensor::randn(F64, &[rows, cols], 14);
        let out = &z - &(einsum(subscripts, &[&p, &q]) * 0.1);
        let args = [zv.clone(), pv, qv];
        let f = check_rule("gemm_sub", &[z, p.clone(), q.clone()], &[out], &args, 1e-12);
        assert!(
            ops(&f).contains(&"gemm".to_string()),
            "{subscripts}: {:?}",
            ops(&f)
        );
        assert!(
            !ops(&f).iter().any(|o| o.starts_with("einsum")),
            "{subscripts}"
        );
        let got = f.call(&args).unwrap().remove(0).to_f64_vec();
        let zs = zv.to_f64_vec();
        for r in 0..rows {
            for c in 0..cols {
                let (i, j) = if out_t { (c, r) } else { (r, c) };
                let want = zs[r * cols + c] - 0.1 * prod(i, j);
                let g = got[r * cols + c];
                assert!(
                    (g - want).abs() <= 1e-12 * (1.0 + want.abs()),
                    "{subscripts}"
                );
            }
        }
    }
    // A batched or elementwise einsum is not a matrix product.
    let z = matrix("z", F64);
    let f = compile(
        &[z.clone(), p.clone(), q.clone()],
        &[&z - &einsum("ij,ij->ij", &[&p, &q])],
        no_fusion(),
    );
    assert_eq!(f.compile_profile().hits("gemm_sub"), 0);
}

#[test]
fn matrix_vector_and_outer_products_become_gemv_and_ger() {
    let (z, a) = (vector("z", F32), matrix("a", F32));
    let v = vector("v", F32);
    let args = [
        Tensor::randn(F32, &[3], 6),
        Tensor::randn(F32, &[3, 4], 7),
        Tensor::randn(F32, &[4], 8),
    ];
    let f = check_rule(
        "gemm",
        &[z.clone(), a.clone(), v.clone()],
        &[&z + &(dot(&a, &v) * 3.0)],
        &args,
        1e-5,
    );
    assert_eq!(ops(&f), vec!["gemv"]);
    let m = matrix("m", F32);
    let args = [
        Tensor::randn(F32, &[3, 4], 9),
        args[0].clone(),
        args[2].clone(),
    ];
    let f = check_rule(
        "gemm",
        &[m.clone(), z.clone(), v.clone()],
        &[&m + &outer(&z, &v)],
        &args,
        1e-5,
    );
    assert_eq!(ops(&f), vec!["ger"]);
}

#[test]
fn switch_on_a_constant_keeps_the_broadcast_shape() {
    let (a, b) = (vector("a", F64), matrix("b", F64));
    let args = [
        Tensor::randn(F64, &[4], 10),
        Tensor::randn(F64, &[3, 4], 11),
    ];
    let yes = Var::constant(Tensor::scalar(true));
    let no = Var::constant(Tensor::full(DType::Bool, &[3, 1], false));
    for (cond, rule_keeps) in [(yes, "a"), (no, "b")] {
        let y = switch(&cond, &a, &b).exp();
        let f = check_rule(
            "switch_constant_condition",
            &[a.clone(), b.clone()],
            &[y],
            &args,
            0.0,
        );
        let out = f.call(&args).unwrap();
        assert_eq!(
            out[0].shape(),
            &[3, 4],
            "keeps {rule_keeps} broadcast to (3, 4)"
        );
        assert!(!ops(&f).contains(&"switch".to_string()), "{:?}", ops(&f));
    }
}

#[test]
fn sum_of_a_broadcast_scalar_is_a_product() {
    let x = matrix("x", F64);
    let s = scalar("s", F64);
    let args = [Tensor::randn(F64, &[3, 5], 12), Tensor::full(F64, &[], 1.5)];
    for y in [
        fill(&x, &s).sum(Axis::All),
        fill(&x, &s).sum(1),
        alloc(&s, x.shape()).sum_keepdims(0),
    ] {
        let f = check_rule(
            "sum_of_broadcast",
            &[x.clone(), s.clone()],
            &[y],
            &args,
            1e-12,
        );
        assert!(
            !ops(&f).iter().any(|n| n.starts_with("sum")),
            "{:?}",
            ops(&f)
        );
    }
}

#[test]
fn mean_is_a_scaled_sum() {
    let x = matrix("x", F64);
    let k = tensor("k", F64, &[Some(3), Some(4)]);
    let xv = Tensor::randn(F64, &[3, 4], 13);
    let f = check_rule(
        "mean_to_sum",
        &[k.clone()],
        &[k.mean(1)],
        &[xv.clone()],
        1e-12,
    );
    assert_eq!(ops(&f), vec!["sum{axis=(1)}", "mul"]);
    let f = check_rule(
        "mean_to_sum",
        &[x.clone()],
        &[x.mean(Axis::All)],
        &[xv],
        1e-12,
    );
    assert!(ops(&f).contains(&"true_div".to_string()), "{:?}", ops(&f));
    let empty = f.call(&[Tensor::zeros(F64, &[0, 4])]).unwrap();
    assert!(
        empty[0].item().as_f64().is_nan(),
        "the mean of nothing is NaN"
    );
}
