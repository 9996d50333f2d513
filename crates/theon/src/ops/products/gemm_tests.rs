//! Gemm/Gemv/Ger against plain loops on random (and strided, and empty)
//! inputs in both float dtypes, and their errors.

use super::*;
use crate::prelude::*;

fn run(inputs: &[Var], y: &Var, args: &[Tensor]) -> Result<Tensor> {
    let f = Function::builder(inputs, std::slice::from_ref(y))
        .mode(Mode::no_optimization())
        .build()?;
    Ok(f.call(args)?.remove(0))
}

fn at(t: &Tensor, i: &[usize]) -> f64 {
    t.get(i).as_f64()
}

fn scalar_of(dtype: DType, v: f64) -> Tensor {
    Tensor::full(dtype, &[], v)
}

#[test]
fn gemm_gemv_ger_match_loops() {
    for (dtype, tol) in [(F64, 1e-12), (F32, 1e-4)] {
        let (z, x, y) = (matrix("z", dtype), matrix("x", dtype), matrix("y", dtype));
        let (a, b) = (scalar("a", dtype), scalar("b", dtype));
        let (v, w) = (vector("v", dtype), vector("w", dtype));
        for (m, k, n) in [(3, 4, 5), (2, 0, 3), (0, 2, 2)] {
            let zv = Tensor::randn(dtype, &[m, n], 1);
            let xv = Tensor::randn(dtype, &[k, m], 2).t(); // strided
            let yv = Tensor::randn(dtype, &[k, n], 3);
            let (av, bv) = (scalar_of(dtype, -0.7), scalar_of(dtype, 1.3));
            let out = run(
                &[z.clone(), a.clone(), x.clone(), y.clone(), b.clone()],
                &try_gemm(&z, &a, &x, &y, &b).unwrap(),
                &[zv.clone(), av.clone(), xv.clone(), yv.clone(), bv.clone()],
            )
            .unwrap();
            let want: Vec<f64> = (0..m * n)
                .map(|f| {
                    let (i, j) = (f / n, f % n);
                    let d: f64 = (0..k).map(|l| at(&xv, &[i, l]) * at(&yv, &[l, j])).sum();
                    1.3 * at(&zv, &[i, j]) - 0.7 * d
                })
                .collect();
            assert_eq!(out.dtype(), dtype);
            let want = Tensor::from_f64s(dtype, &[m, n], &want).unwrap();
            assert!(out.allclose(&want, tol, tol), "gemm {m}x{k}x{n}");

            let zv1 = Tensor::randn(dtype, &[m], 4);
            let xv1 = Tensor::randn(dtype, &[k], 5);
            let out = run(
                &[v.clone(), a.clone(), x.clone(), w.clone(), b.clone()],
                &try_gemv(&v, &a, &x, &w, &b).unwrap(),
                &[zv1.clone(), av.clone(), xv.clone(), xv1.clone(), bv.clone()],
            )
            .unwrap();
            let want: Vec<f64> = (0..m)
                .map(|i| {
                    let d: f64 = (0..k).map(|l| at(&xv, &[i, l]) * at(&xv1, &[l])).sum();
                    1.3 * at(&zv1, &[i]) - 0.7 * d
                })
                .collect();
            assert!(out.allclose(&Tensor::from_f64s(dtype, &[m], &want).unwrap(), tol, tol));

            let yv1 = Tensor::randn(dtype, &[n], 6);
            let out = run(
                &[z.clone(), a.clone(), v.clone(), w.clone()],
                &try_ger(&z, &a, &v, &w).unwrap(),
                &[zv.clone(), av.clone(), zv1.clone(), yv1.clone()],
            )
            .unwrap();
            let want: Vec<f64> = (0..m * n)
                .map(|f| {
                    let (i, j) = (f / n, f % n);
                    at(&zv, &[i, j]) - 0.7 * at(&zv1, &[i]) * at(&yv1, &[j])
                })
                .collect();
            assert!(out.allclose(&Tensor::from_f64s(dtype, &[m, n], &want).unwrap(), tol, tol));
        }
    }
}

#[test]
fn bad_operands_are_errors_naming_the_input() {
    let z = matrix("z", F64);
    let (a, b) = (scalar("a", F64), scalar("b", F64));
    let x32 = matrix("x", F32);
    let err = try_gemm(&z, &a, &x32, &z, &b).unwrap_err().to_string();
    assert!(
        err.contains("gemm") && err.contains("input 2") && err.contains("float32"),
        "{err}"
    );
    let err = try_gemm(&z, &z, &z, &z, &b).unwrap_err().to_string();
    assert!(
        err.contains("input 1 (alpha)") && err.contains("rank 0"),
        "{err}"
    );
    let p = tensor("p", F64, &[Some(2), Some(3)]);
    let q = tensor("q", F64, &[Some(4), Some(2)]);
    let err = try_gemm(&z, &a, &p, &q, &b).unwrap_err().to_string();
    assert!(
        err.contains("do not align") && err.contains("(x)") && err.contains("(y)"),
        "{err}"
    );
    let i = matrix("i", I64);
    let err = try_ger(&i, &scalar("c", I64), &vector("u", I64), &vector("v", I64))
        .unwrap_err()
        .to_string();
    assert!(err.contains("ger") && err.contains("floats"), "{err}");
    // Run-time mismatch of unknown dims.
    let v = vector("v", F64);
    let err = run(
        &[v.clone(), a.clone(), z.clone(), b.clone()],
        &try_gemv(&v, &a, &z, &v, &b).unwrap(),
        &[
            Tensor::randn(F64, &[3], 1),
            scalar_of(F64, 1.0),
            Tensor::randn(F64, &[2, 3], 2),
            scalar_of(F64, 1.0),
        ],
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("gemv") && err.contains("[3]") && err.contains("[2, 3]"),
        "{err}"
    );
}
