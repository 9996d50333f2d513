//! Reduction, product and softmax kernels against the reference `perform`
//! on odd sizes, transposed and sliced inputs, float32 and float64.

use crate::backend::cpu::testing::{check, reference, run_selected, Tol, SIZES};
use crate::dtype::DType;
use crate::graph::{Op, TensorType, Var};
use crate::ops::nnet::{LogSoftmax, Softmax, SoftmaxCrossentropy, Targets};
use crate::ops::products::{Dot, Einsum, Gemm, Gemv, Ger, MatMul, Outer};
use crate::ops::reduce::{ArgKind, ArgReduce, LogSumExp, Mean, Reduce, ReduceKind};
use crate::tensor::Tensor;
use std::sync::Arc;

const FLOATS: [DType; 2] = [DType::F32, DType::F64];

/// Sums of up to 300k terms: f32 pairwise error against an f64 reference.
const SUMS: Tol = Tol {
    f32: (1e-4, 1e-4),
    f64: (1e-11, 1e-11),
};

fn unknown(d: DType, ndim: usize) -> TensorType {
    TensorType::unknown(d, ndim)
}

/// Every reduction node kind over `axes` of `x` (typed with unknown dims).
fn reductions(axes: &[usize], keepdims: bool) -> Vec<Arc<dyn Op>> {
    let axes = axes.to_vec();
    let mut ops: Vec<Arc<dyn Op>> = [ReduceKind::Sum, ReduceKind::Max, ReduceKind::Min]
        .into_iter()
        .map(|kind| {
            Arc::new(Reduce {
                kind,
                axes: axes.clone(),
                keepdims,
            }) as Arc<dyn Op>
        })
        .collect();
    ops.push(Arc::new(Mean {
        axes: axes.clone(),
        keepdims,
    }));
    ops.push(Arc::new(LogSumExp { axes, keepdims }));
    ops
}

/// Runs `op` both ways on `x`; both must fail alike or agree.
#[track_caller]
fn agree(op: &Arc<dyn Op>, x: &Tensor, types: &[TensorType], tol: Tol) {
    let want = reference(op, std::slice::from_ref(x), types);
    let (name, got) = run_selected(op, vec![x.clone()], types, &[false]);
    match (got, want) {
        (Ok(g), Ok(w)) => crate::backend::cpu::testing::assert_close(
            &format!("{} ({name})", op.name()),
            &g,
            &w,
            tol,
        ),
        (Err(g), Err(w)) => assert_eq!(
            std::mem::discriminant(&g.kind),
            std::mem::discriminant(&w.kind),
            "{}: {g} vs {w}",
            op.name()
        ),
        (g, w) => panic!("{} ({name}): kernel {g:?} vs reference {w:?}", op.name()),
    }
}

#[test]
fn reductions_of_vectors_on_odd_sizes() {
    for d in FLOATS {
        for n in SIZES {
            let x = Tensor::randn(d, &[n], n as u64);
            let types = [unknown(d, 1)];
            for op in reductions(&[0], false) {
                let (name, _) = run_selected(&op, vec![x.clone()], &types, &[false]);
                assert!(name.starts_with("cpu.reduce"), "{name}");
                agree(&op, &x, &types, SUMS);
            }
            let arg: Arc<dyn Op> = Arc::new(ArgReduce {
                kind: ArgKind::Max,
                axis: None,
                keepdims: false,
            });
            agree(&arg, &x, &types, SUMS);
        }
    }
}

#[test]
fn reductions_of_matrices_along_each_axis_and_layout() {
    for d in FLOATS {
        for shape in [[7usize, 1023], [1023, 7], [0, 5], [3, 0], [1, 1]] {
            let base = Tensor::randn(d, &shape, 3);
            let transposed = Tensor::randn(d, &[shape[1], shape[0]], 4).t();
            for x in [base, transposed] {
                let types = [unknown(d, 2)];
                for (axes, keep) in [(vec![0], false), (vec![1], true), (vec![0, 1], false)] {
                    for op in reductions(&axes, keep) {
                        agree(&op, &x, &types, SUMS);
                    }
                }
                for axis in [Some(0), Some(1), None] {
                    for keepdims in [false, true] {
                        let op: Arc<dyn Op> = Arc::new(ArgReduce {
                            kind: ArgKind::Max,
                            axis,
                            keepdims,
                        });
                        agree(&op, &x, &types, SUMS);
                    }
                }
            }
        }
    }
}

#[test]
fn reductions_over_middle_axes_of_a_3d_tensor() {
    for d in FLOATS {
        let x = Tensor::randn(d, &[3, 5, 7], 9);
        let types = [unknown(d, 3)];
        for axes in [vec![1], vec![0, 1], vec![1, 2]] {
            for op in reductions(&axes, false) {
                agree(&op, &x, &types, SUMS);
            }
        }
    }
}

#[test]
fn reductions_propagate_nan_and_decline_integers() {
    for d in FLOATS {
        let x =
            Tensor::from_f64s(d, &[2, 3], &[1.0, f64::NAN, 3.0, -1.0, f64::INFINITY, 2.0]).unwrap();
        let types = [unknown(d, 2)];
        for op in reductions(&[1], false) {
            agree(&op, &x, &types, SUMS);
        }
    }
    let op: Arc<dyn Op> = Arc::new(Reduce {
        kind: ReduceKind::Sum,
        axes: vec![0],
        keepdims: false,
    });
    let x = Tensor::rand_int(DType::I32, &[4], 0, 9, 1);
    let (name, _) = run_selected(&op, vec![x], &[unknown(DType::I32, 1)], &[false]);
    assert_eq!(name, "perform");
}

/// GEMM results: f32 accumulation order differs from the f64 reference.
const GEMM: Tol = Tol {
    f32: (1e-4, 1e-4),
    f64: (1e-11, 1e-11),
};

#[test]
fn dot_of_matrices_and_vectors_any_layout() {
    for d in FLOATS {
        for (m, k, n) in [(7, 1023, 5), (1, 1, 1), (0, 3, 4), (3, 0, 4), (64, 33, 129)] {
            let a = Tensor::randn(d, &[m, k], 1);
            let b = Tensor::randn(d, &[k, n], 2);
            let at = Tensor::randn(d, &[k, m], 3).t();
            let bt = Tensor::randn(d, &[n, k], 4).t();
            let types = [unknown(d, 2), unknown(d, 2)];
            for (x, y) in [(&a, &b), (&at, &b), (&a, &bt), (&at, &bt)] {
                check(Dot, &[x.clone(), y.clone()], &types, "cpu.blas.dot", GEMM);
            }
            let v = Tensor::randn(d, &[k], 5);
            let w = Tensor::randn(d, &[2 * m], 6)
                .slice_axis(0, None, None, 2)
                .unwrap();
            check(
                Dot,
                &[a.clone(), v.clone()],
                &[unknown(d, 2), unknown(d, 1)],
                "cpu.blas.dot",
                GEMM,
            );
            check(
                Dot,
                &[w, a.clone()],
                &[unknown(d, 1), unknown(d, 2)],
                "cpu.blas.dot",
                GEMM,
            );
            check(
                Dot,
                &[v.clone(), v],
                &[unknown(d, 1), unknown(d, 1)],
                "cpu.blas.dot",
                GEMM,
            );
        }
    }
}

#[test]
fn batched_and_broadcast_matmul() {
    for d in FLOATS {
        let a = Tensor::randn(d, &[4, 7, 5], 1);
        let b = Tensor::randn(d, &[4, 5, 3], 2);
        check(
            MatMul,
            &[a.clone(), b.clone()],
            &[unknown(d, 3), unknown(d, 3)],
            "cpu.blas.matmul",
            GEMM,
        );
        let one = Tensor::randn(d, &[1, 7, 5], 3);
        let types = [TensorType::new(d, vec![Some(1), None, None]), unknown(d, 3)];
        check(MatMul, &[one, b.clone()], &types, "cpu.blas.matmul", GEMM);
        let v = Tensor::randn(d, &[5], 4);
        check(
            MatMul,
            &[a, v.clone()],
            &[unknown(d, 3), unknown(d, 1)],
            "cpu.blas.matmul",
            GEMM,
        );
        check(
            MatMul,
            &[v, b],
            &[unknown(d, 1), unknown(d, 3)],
            "cpu.blas.matmul",
            GEMM,
        );
    }
}

fn scalar(d: DType, v: f64) -> Tensor {
    Tensor::from_f64s(d, &[], &[v]).unwrap()
}

#[test]
fn gemm_gemv_ger_with_scaling() {
    for d in FLOATS {
        let (m, k, n) = (33, 17, 1023);
        let z = Tensor::randn(d, &[m, n], 1);
        let x = Tensor::randn(d, &[k, m], 2).t();
        let y = Tensor::randn(d, &[k, n], 3);
        let (alpha, beta) = (scalar(d, 0.7), scalar(d, -1.3));
        let t2 = [
            unknown(d, 2),
            unknown(d, 0),
            unknown(d, 2),
            unknown(d, 2),
            unknown(d, 0),
        ];
        check(
            Gemm,
            &[z.clone(), alpha.clone(), x.clone(), y.clone(), beta.clone()],
            &t2,
            "cpu.blas.gemm",
            GEMM,
        );
        // beta = 0 with a NaN in z: 0·NaN is NaN in the reference too.
        let mut zn = z.to_f64_vec();
        zn[5] = f64::NAN;
        let zn = Tensor::from_f64s(d, &[m, n], &zn).unwrap();
        check(
            Gemm,
            &[zn, alpha.clone(), x.clone(), y, scalar(d, 0.0)],
            &t2,
            "cpu.blas.gemm",
            GEMM,
        );
        let zv = Tensor::randn(d, &[m], 4);
        let xv = Tensor::randn(d, &[2 * k], 5)
            .slice_axis(0, None, None, -2)
            .unwrap();
        let tv = [
            unknown(d, 1),
            unknown(d, 0),
            unknown(d, 2),
            unknown(d, 1),
            unknown(d, 0),
        ];
        check(
            Gemv,
            &[zv, alpha.clone(), x, xv, beta],
            &tv,
            "cpu.blas.gemv",
            GEMM,
        );
        let u = Tensor::randn(d, &[m], 6);
        let w = Tensor::randn(d, &[n], 7);
        let tr = [unknown(d, 2), unknown(d, 0), unknown(d, 1), unknown(d, 1)];
        check(Ger, &[z, alpha, u, w], &tr, "cpu.blas.ger", GEMM);
    }
}

#[test]
fn outer_of_vectors_runs_as_a_product() {
    for d in FLOATS {
        for (m, n) in [(0, 3), (1, 1), (7, 13), (130, 33)] {
            let u = Tensor::randn(d, &[m], 8);
            let w = Tensor::randn(d, &[2 * n], 9)
                .slice_axis(0, None, None, 2)
                .unwrap();
            let types = [unknown(d, 1), unknown(d, 1)];
            check(Outer, &[u, w], &types, "cpu.blas.outer", GEMM);
        }
    }
}

fn einsum_op(subscripts: &str, ranks: &[usize], d: DType) -> Einsum {
    let vars: Vec<Var> = ranks
        .iter()
        .enumerate()
        .map(|(i, &r)| Var::input(&format!("x{i}"), unknown(d, r)))
        .collect();
    let refs: Vec<&Var> = vars.iter().collect();
    let v = crate::ops::products::try_einsum(subscripts, &refs).unwrap();
    v.op_as::<Einsum>().unwrap().clone()
}

#[test]
fn matrix_shaped_einsums_run_as_gemm_and_others_decline() {
    for d in FLOATS {
        let a = Tensor::randn(d, &[9, 7], 1);
        let b = Tensor::randn(d, &[9, 5], 2);
        let c = Tensor::randn(d, &[5, 7], 3);
        let v = Tensor::randn(d, &[7], 4);
        let t3a = Tensor::randn(d, &[3, 9, 7], 5);
        let t3b = Tensor::randn(d, &[3, 7, 5], 6);
        let cases: Vec<(&str, Vec<Tensor>)> = vec![
            ("ab,ac->bc", vec![a.clone(), b.clone()]), // dot's gradient
            ("ab,ac->cb", vec![a.clone(), b.clone()]),
            ("ab,cb->ac", vec![a.clone(), c.clone()]),
            ("ab,cb->ca", vec![a.t(), b.t()]),
            ("ij,j->i", vec![a.clone(), v.clone()]),
            ("j,ij->i", vec![v.clone(), a.clone()]),
            ("bij,bjk->bik", vec![t3a.clone(), t3b.clone()]),
            ("ab,ab->", vec![a.clone(), a.clone()]),
        ];
        for (subs, ins) in cases {
            let ranks: Vec<usize> = ins.iter().map(|t| t.ndim()).collect();
            let types: Vec<TensorType> = ranks.iter().map(|&r| unknown(d, r)).collect();
            let op = einsum_op(subs, &ranks, d);
            if subs == "ab,ab->" {
                // Two contracted labels: not one GEMM; keeps perform.
                let (name, _) =
                    run_selected(&(Arc::new(op) as Arc<dyn Op>), ins, &types, &[false, false]);
                assert_eq!(name, "perform");
                continue;
            }
            check(op, &ins, &types, "cpu.blas.einsum", GEMM);
        }
        let trace = einsum_op("ii->", &[2], d);
        let sq = Tensor::randn(d, &[4, 4], 7);
        let (name, _) = run_selected(
            &(Arc::new(trace) as Arc<dyn Op>),
            vec![sq],
            &[unknown(d, 2)],
            &[false],
        );
        assert_eq!(name, "perform");
    }
}

#[test]
fn product_shape_errors_name_the_op() {
    let d = DType::F64;
    let a = Tensor::randn(d, &[3, 4], 1);
    let b = Tensor::randn(d, &[5, 2], 2);
    let op: Arc<dyn Op> = Arc::new(Dot);
    let (name, got) = run_selected(
        &op,
        vec![a, b],
        &[unknown(d, 2), unknown(d, 2)],
        &[false, false],
    );
    assert!(name.starts_with("cpu.blas"));
    let err = got.unwrap_err().to_string();
    assert!(err.contains("dot"), "{err}");
}

const ROWS: Tol = Tol {
    f32: (1e-5, 1e-6),
    f64: (1e-12, 1e-14),
};

#[test]
fn softmax_and_log_softmax_over_rows() {
    for d in FLOATS {
        let shapes: [&[usize]; 7] = [
            &[3, 1023],
            &[1, 300_001],
            &[1023, 7],
            &[5, 0],
            &[0, 4],
            &[7],
            &[2, 3, 5],
        ];
        for shape in shapes {
            let x = Tensor::randn(d, shape, 11);
            let last = shape.len() - 1;
            let types = [unknown(d, shape.len())];
            check(
                Softmax { axis: last },
                std::slice::from_ref(&x),
                &types,
                "cpu.rows.softmax",
                ROWS,
            );
            check(
                LogSoftmax { axis: last },
                &[x],
                &types,
                "cpu.rows.log_softmax",
                ROWS,
            );
        }
        let xt = Tensor::randn(d, &[1023, 7], 12).t();
        check(
            Softmax { axis: 1 },
            std::slice::from_ref(&xt),
            &[unknown(d, 2)],
            "cpu.rows",
            ROWS,
        );
        let big =
            Tensor::from_f64s(d, &[2, 3], &[1000.0, -1000.0, 0.0, f64::NAN, 1.0, 2.0]).unwrap();
        check(
            Softmax { axis: 1 },
            std::slice::from_ref(&big),
            &[unknown(d, 2)],
            "cpu.rows",
            ROWS,
        );
        check(
            LogSoftmax { axis: 1 },
            &[big],
            &[unknown(d, 2)],
            "cpu.rows",
            ROWS,
        );
        // Not the last axis: the reference kernel.
        let op: Arc<dyn Op> = Arc::new(Softmax { axis: 0 });
        let (name, _) = run_selected(&op, vec![xt], &[unknown(d, 2)], &[false]);
        assert_eq!(name, "perform");
    }
}

#[test]
fn softmax_crossentropy_with_labels_and_dense_targets() {
    for d in FLOATS {
        for (n, k) in [(1usize, 1usize), (7, 10), (1023, 7), (5, 1023)] {
            let x = Tensor::randn(d, &[n, k], 1);
            let y = Tensor::rand_int(DType::I64, &[n], 0, k as i64, 2);
            let types = [unknown(d, 2), unknown(DType::I64, 1)];
            let labels = SoftmaxCrossentropy {
                targets: Targets::Labels,
            };
            check(labels.clone(), &[x.clone(), y], &types, "cpu.rows", ROWS);
            let t = Tensor::rand_uniform(d, &[k, n], 0.0, 1.0, 3).t();
            let types = [unknown(d, 2), unknown(d, 2)];
            check(
                SoftmaxCrossentropy {
                    targets: Targets::Dense,
                },
                &[x, t],
                &types,
                "cpu.rows",
                ROWS,
            );
        }
        let x = Tensor::randn(d, &[2, 3], 4);
        let bad = Tensor::from_vec(vec![0i64, 3], &[2]).unwrap();
        let op: Arc<dyn Op> = Arc::new(SoftmaxCrossentropy {
            targets: Targets::Labels,
        });
        let (_, got) = run_selected(
            &op,
            vec![x, bad],
            &[unknown(d, 2), unknown(DType::I64, 1)],
            &[false; 2],
        );
        let err = got.unwrap_err().to_string();
        assert!(
            err.contains("softmax_crossentropy") && err.contains('3'),
            "{err}"
        );
    }
}
