//! `tensordot`, `batched_dot`, `batched_tensordot` and `einsum` against
//! plain-loop expectations on random inputs, with non-contiguous and
//! size-0 inputs and the error paths. Tolerances: float64 rtol 1e-12;
//! integer results are exact.

use theon::ops::products::{
    batched_dot, batched_tensordot, einsum, tensordot, try_batched_dot, try_batched_tensordot,
    try_einsum, try_tensordot,
};
use theon::prelude::*;

fn run(inputs: &[&Var], values: &[&Tensor], out: &Var) -> theon::Result<Tensor> {
    let vars: Vec<Var> = inputs.iter().map(|&v| v.clone()).collect();
    let f = function(&vars, std::slice::from_ref(out))?;
    let args: Vec<Tensor> = values.iter().map(|&t| t.clone()).collect();
    Ok(f.call(&args)?.remove(0))
}

fn input_like(name: &str, t: &Tensor) -> Var {
    tensor(name, t.dtype(), &vec![None; t.ndim()])
}

fn assert_close(got: &Tensor, shape: &[usize], want: &[f64], rtol: f64) {
    assert_eq!(got.shape(), shape, "shape");
    assert_eq!(got.size(), want.len(), "size");
    for (i, (g, w)) in got.to_f64_vec().iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= rtol * (1.0 + w.abs()),
            "element {i}: got {g}, want {w}"
        );
    }
}

fn at(t: &Tensor, index: &[usize]) -> f64 {
    t.get(index).as_f64()
}

#[test]
fn tensordot_with_a_count_sums_trailing_and_leading_axes() {
    let a = Tensor::randn(F64, &[3, 4, 5], 1);
    let b = Tensor::randn(F64, &[4, 5, 2], 2);
    let (x, y) = (input_like("a", &a), input_like("b", &b));
    let got = run(&[&x, &y], &[&a, &b], &tensordot(&x, &y, 2)).unwrap();
    let mut want = Vec::new();
    for i in 0..3 {
        for l in 0..2 {
            let mut acc = 0.0;
            for j in 0..4 {
                for k in 0..5 {
                    acc += at(&a, &[i, j, k]) * at(&b, &[j, k, l]);
                }
            }
            want.push(acc);
        }
    }
    assert_close(&got, &[3, 2], &want, 1e-12);

    // axes = 0 is the outer product.
    let (p, q) = (Tensor::randn(F64, &[2], 3), Tensor::randn(F64, &[3], 4));
    let (u, v) = (input_like("p", &p), input_like("q", &q));
    let got = run(&[&u, &v], &[&p, &q], &tensordot(&u, &v, 0)).unwrap();
    let want: Vec<f64> = (0..2)
        .flat_map(|i| (0..3).map(move |j| (i, j)))
        .map(|(i, j)| at(&p, &[i]) * at(&q, &[j]))
        .collect();
    assert_close(&got, &[2, 3], &want, 1e-12);
}

#[test]
fn tensordot_with_pairs_and_negative_axes_on_views() {
    let a = Tensor::rand_int(I64, &[5, 3, 4], -6, 6, 5)
        .permute(&[1, 0, 2])
        .unwrap(); // (3, 5, 4)
    let b = Tensor::rand_int(I64, &[4, 2, 5], -6, 6, 6);
    let (x, y) = (input_like("a", &a), input_like("b", &b));
    let z = tensordot(&x, &y, ([1, -1], [-1, 0]));
    assert_eq!(z.dtype(), I64);
    let got = run(&[&x, &y], &[&a, &b], &z).unwrap();
    let mut want = Vec::new();
    for i in 0..3 {
        for l in 0..2 {
            let mut acc = 0.0;
            for j in 0..5 {
                for k in 0..4 {
                    acc += at(&a, &[i, j, k]) * at(&b, &[k, l, j]);
                }
            }
            want.push(acc);
        }
    }
    assert_close(&got, &[3, 2], &want, 0.0);
    let e = Tensor::rand_int(I64, &[3, 0, 4], -6, 6, 7);
    let f = Tensor::rand_int(I64, &[4, 2, 0], -6, 6, 8);
    let got = run(&[&x, &y], &[&e, &f], &z).unwrap();
    assert_close(&got, &[3, 2], &[0.0; 6], 0.0);
}

#[test]
fn tensordot_errors() {
    let x = tensor("x", F64, &[Some(3), Some(4)]);
    let y = tensor("y", F64, &[Some(5), Some(3)]);
    let msg = try_tensordot(&x, &y, ([1], [0])).unwrap_err().to_string();
    assert!(
        msg.contains("tensordot") && msg.contains("(3, 4)") && msg.contains("(5, 3)"),
        "{msg}"
    );
    assert!(msg.contains("products_contract.rs"), "{msg}");
    assert!(try_tensordot(&x, &y, ([0, 0], [1, 0]))
        .unwrap_err()
        .to_string()
        .contains("repeat"));
    assert!(try_tensordot(&x, &y, ([0], [1, 0]))
        .unwrap_err()
        .to_string()
        .contains("same length"));
    assert!(try_tensordot(&x, &y, ([2], [0]))
        .unwrap_err()
        .to_string()
        .contains("out of range"));
    assert!(try_tensordot(&x, &y, 3).is_err());
    assert!(try_tensordot(&x, &y, -1).is_err());
    // At run time.
    let (a, b) = (matrix("a", F64), matrix("b", F64));
    let z = tensordot(&a, &b, 1);
    let err = run(
        &[&a, &b],
        &[
            &Tensor::randn(F64, &[2, 3], 1),
            &Tensor::randn(F64, &[4, 2], 2),
        ],
        &z,
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("tensordot") && msg.contains("(2, 3)") && msg.contains("(4, 2)"),
        "{msg}"
    );
}

#[test]
fn batched_dot_is_dot_per_batch_element() {
    let cases: [(&[usize], &[usize]); 5] = [
        (&[4, 2, 3], &[4, 3, 5]),
        (&[4, 3], &[4, 3]),
        (&[4, 2, 3], &[4, 3]),
        (&[4], &[4, 3]),
        (&[4, 3], &[4, 3, 2]),
    ];
    for (seed, (sa, sb)) in cases.iter().enumerate() {
        let a = Tensor::randn(F64, sa, 20 + seed as u64);
        let b = Tensor::randn(F64, sb, 40 + seed as u64);
        let (x, y) = (input_like("a", &a), input_like("b", &b));
        let got = run(&[&x, &y], &[&a, &b], &batched_dot(&x, &y)).unwrap();
        assert_eq!(got.shape()[0], 4);
        // Compare each batch element with `dot` of the slices (checked against loops elsewhere).
        for i in 0..4 {
            let (ai, bi) = (a.index_axis(0, i), b.index_axis(0, i));
            let (u, v) = (input_like("u", &ai), input_like("v", &bi));
            let want = run(&[&u, &v], &[&ai, &bi], &u.dot(&v)).unwrap();
            let gi = got.index_axis(0, i);
            assert_close(&gi, want.shape(), &want.to_f64_vec(), 1e-12);
        }
    }
    // A (B, n) · (B, n) batch of inner products by hand, on a transposed view.
    let a = Tensor::randn(F64, &[3, 5], 1).t();
    let b = Tensor::randn(F64, &[5, 3], 2);
    let (x, y) = (input_like("a", &a), input_like("b", &b));
    let got = run(&[&x, &y], &[&a, &b], &batched_dot(&x, &y)).unwrap();
    let want: Vec<f64> = (0..5)
        .map(|i| (0..3).map(|k| at(&a, &[i, k]) * at(&b, &[i, k])).sum())
        .collect();
    assert_close(&got, &[5], &want, 1e-12);
}

#[test]
fn batched_dot_errors() {
    let s = scalar("s", F64);
    let msg = try_batched_dot(&s, &matrix("m", F64))
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("batched_dot") && msg.contains("batch axis"),
        "{msg}"
    );
    let (a, b) = (tensor3("a", F64), tensor3("b", F64));
    let z = batched_dot(&a, &b);
    let err = run(
        &[&a, &b],
        &[
            &Tensor::randn(F64, &[2, 3, 4], 1),
            &Tensor::randn(F64, &[3, 4, 5], 2),
        ],
        &z,
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("batched_dot") && msg.contains("(2, 3, 4)") && msg.contains("(3, 4, 5)"),
        "{msg}"
    );
}

#[test]
fn batched_tensordot_counts_axes_on_full_operands() {
    let a = Tensor::randn(F64, &[2, 3, 4], 1);
    let b = Tensor::randn(F64, &[2, 4, 3, 5], 2);
    let (x, y) = (input_like("a", &a), input_like("b", &b));
    let got = run(
        &[&x, &y],
        &[&a, &b],
        &batched_tensordot(&x, &y, ([1, 2], [2, 1])),
    )
    .unwrap();
    let mut want = Vec::new();
    for n in 0..2 {
        for l in 0..5 {
            let mut acc = 0.0;
            for i in 0..3 {
                for j in 0..4 {
                    acc += at(&a, &[n, i, j]) * at(&b, &[n, j, i, l]);
                }
            }
            want.push(acc);
        }
    }
    assert_close(&got, &[2, 5], &want, 1e-12);
    // An integer count pairs the last n axes of a with axes 1..=n of b.
    let c = Tensor::randn(F64, &[2, 4, 6], 3);
    let z = input_like("c", &c);
    let got = run(&[&x, &z], &[&a, &c], &batched_tensordot(&x, &z, 1)).unwrap();
    let mut want = Vec::new();
    for n in 0..2 {
        for i in 0..3 {
            for l in 0..6 {
                want.push(
                    (0..4)
                        .map(|j| at(&a, &[n, i, j]) * at(&c, &[n, j, l]))
                        .sum(),
                );
            }
        }
    }
    assert_close(&got, &[2, 3, 6], &want, 1e-12);
    let msg = try_batched_tensordot(&x, &y, ([0], [0]))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("batch axis"), "{msg}");
}

#[test]
fn einsum_matches_loops() {
    let a = Tensor::randn(F64, &[3, 4], 1);
    let b = Tensor::randn(F64, &[4, 5], 2);
    let sq = Tensor::randn(F64, &[4, 4], 3).t();
    let (x, y, s) = (
        input_like("a", &a),
        input_like("b", &b),
        input_like("s", &sq),
    );
    let mm: Vec<f64> = (0..3)
        .flat_map(|i| (0..5).map(move |j| (i, j)))
        .map(|(i, j)| (0..4).map(|k| at(&a, &[i, k]) * at(&b, &[k, j])).sum())
        .collect();
    for subscripts in ["ij,jk->ik", "ij,jk", " i j , j k -> i k "] {
        let got = run(&[&x, &y], &[&a, &b], &einsum(subscripts, &[&x, &y])).unwrap();
        assert_close(&got, &[3, 5], &mm, 1e-12);
    }
    let mm_t: Vec<f64> = (0..5)
        .flat_map(|j| (0..3).map(move |i| (i, j)))
        .map(|(i, j)| (0..4).map(|k| at(&a, &[i, k]) * at(&b, &[k, j])).sum())
        .collect();
    let got = run(&[&x, &y], &[&a, &b], &einsum("ij,jk->ki", &[&x, &y])).unwrap();
    assert_close(&got, &[5, 3], &mm_t, 1e-12);
    // Implicit output is in ASCII order: "kj,ji" gives "ik"... here "ba,ac" -> "bc".
    let got = run(&[&x, &y], &[&a, &b], &einsum("ba,ac", &[&x, &y])).unwrap();
    assert_close(&got, &[3, 5], &mm, 1e-12);
    let trace: f64 = (0..4).map(|i| at(&sq, &[i, i])).sum();
    let got = run(&[&s], &[&sq], &einsum("ii", &[&s])).unwrap();
    assert_close(&got, &[], &[trace], 1e-12);
    let diag: Vec<f64> = (0..4).map(|i| at(&sq, &[i, i])).collect();
    let got = run(&[&s], &[&sq], &einsum("ii->i", &[&s])).unwrap();
    assert_close(&got, &[4], &diag, 1e-12);
    let got = run(&[&x], &[&a], &einsum("ij->", &[&x])).unwrap();
    assert_close(&got, &[], &[a.to_f64_vec().iter().sum()], 1e-12);
    let got = run(&[&x], &[&a], &einsum("ij->ji", &[&x])).unwrap();
    assert_close(&got, &[4, 3], &a.t().to_f64_vec(), 0.0);
    // Three operands: the sum of x[i,j] * y[j,k] * s[j,j].
    let want: Vec<f64> = (0..3)
        .flat_map(|i| (0..5).map(move |k| (i, k)))
        .map(|(i, k)| {
            (0..4)
                .map(|j| at(&a, &[i, j]) * at(&b, &[j, k]) * at(&sq, &[j, j]))
                .sum()
        })
        .collect();
    let got = run(
        &[&x, &y, &s],
        &[&a, &b, &sq],
        &einsum("ij,jk,jj->ik", &[&x, &y, &s]),
    )
    .unwrap();
    assert_close(&got, &[3, 5], &want, 1e-12);
}

#[test]
fn einsum_ellipsis_broadcasts() {
    let a = Tensor::randn(F64, &[2, 3, 4], 1);
    let x = input_like("a", &a);
    let got = run(&[&x], &[&a], &einsum("...ij->...ji", &[&x])).unwrap();
    assert_close(
        &got,
        &[2, 4, 3],
        &a.permute(&[0, 2, 1]).unwrap().to_f64_vec(),
        0.0,
    );
    // Summing the broadcast axes when the output omits '...'.
    let got = run(&[&x], &[&a], &einsum("...j->j", &[&x])).unwrap();
    let want: Vec<f64> = (0..4)
        .map(|j| {
            (0..2)
                .flat_map(|n| (0..3).map(move |i| (n, i)))
                .map(|(n, i)| at(&a, &[n, i, j]))
                .sum()
        })
        .collect();
    assert_close(&got, &[4], &want, 1e-12);
    // A statically-1 axis broadcasts: (2, 1, 4) against (3, 4) under "...i,...i->...".
    let p = Tensor::randn(F64, &[2, 1, 4], 2);
    let q = Tensor::randn(F64, &[3, 4], 3);
    let u = tensor("p", F64, &[None, Some(1), None]);
    let v = input_like("q", &q);
    let got = run(&[&u, &v], &[&p, &q], &einsum("...i,...i->...", &[&u, &v])).unwrap();
    let want: Vec<f64> = (0..2)
        .flat_map(|n| (0..3).map(move |m| (n, m)))
        .map(|(n, m)| (0..4).map(|i| at(&p, &[n, 0, i]) * at(&q, &[m, i])).sum())
        .collect();
    assert_close(&got, &[2, 3], &want, 1e-12);
    // Implicit mode puts broadcast axes first.
    let got = run(&[&x], &[&a], &einsum("...ij", &[&x])).unwrap();
    assert_eq!(got.shape(), &[2, 3, 4]);
    // Integer batched product on a size-0 batch.
    let e = Tensor::rand_int(I32, &[0, 3, 4], 0, 3, 4);
    let f = Tensor::rand_int(I32, &[0, 4, 2], 0, 3, 5);
    let (m, n) = (input_like("e", &e), input_like("f", &f));
    let got = run(&[&m, &n], &[&e, &f], &einsum("bij,bjk->bik", &[&m, &n])).unwrap();
    assert_eq!((got.shape(), got.dtype()), (&[0usize, 3, 2][..], I32));
}

#[test]
fn einsum_errors_are_clear() {
    let (x, y) = (matrix("x", F64), matrix("y", F64));
    let cases: [(&str, Vec<&Var>, &str); 9] = [
        ("ij,j1->i", vec![&x, &y], "invalid character '1'"),
        ("ij->i", vec![&x, &y], "2 were given"),
        ("ijk->i", vec![&x], "rank 2"),
        ("ij->iz", vec![&x], "'z' does not appear"),
        ("ij->ii", vec![&x], "more than once"),
        ("...i...->i", vec![&x], "more than one '...'"),
        ("ij->i->j", vec![&x], "'->' more than once"),
        ("i.j->i", vec![&x], "invalid character '.'"),
        ("ij", vec![], "at least one operand"),
    ];
    for (subscripts, operands, want) in cases {
        let msg = try_einsum(subscripts, &operands).unwrap_err().to_string();
        assert!(
            msg.contains("einsum") && msg.contains(want) && msg.contains("products_contract.rs"),
            "{subscripts}: {msg}"
        );
    }
    let sq = tensor("sq", F64, &[Some(2), Some(3)]);
    let msg = try_einsum("ii", &[&sq]).unwrap_err().to_string();
    assert!(msg.contains("(2, 3)"), "{msg}");
    let z = einsum("ij,jk->ik", &[&x, &y]);
    let err = run(
        &[&x, &y],
        &[
            &Tensor::randn(F64, &[2, 3], 1),
            &Tensor::randn(F64, &[4, 2], 2),
        ],
        &z,
    )
    .unwrap_err();
    assert!(err.to_string().contains("einsum{ij,jk->ik}"), "{err}");
}
