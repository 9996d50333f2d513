//! The `cpu.reduce` kernels for argmin, var/std (any ddof) and prod against
//! the reference `perform`: odd sizes (0, 1, 7, 1023, 300001: the last is
//! threaded), each axis form the kernel claims, keepdims, transposed and
//! stepped inputs, float32 and float64, and NaN/inf propagation as NumPy.

use crate::backend::cpu::testing::{assert_close, reference, run_selected, Tol, SIZES};
use crate::dtype::DType;
use crate::graph::{Op, TensorType};
use crate::ops::reduce::{ArgKind, ArgReduce, Dispersion, Reduce, ReduceKind, Variance};
use crate::tensor::Tensor;
use std::sync::Arc;

const FLOATS: [DType; 2] = [DType::F32, DType::F64];

/// Both sides accumulate in f64: f32 results are the same f64 value
/// rounded once (up to 1 ulp apart), f64 ones differ in summation order.
const F64_ACCUMULATED: Tol = Tol {
    f32: (2e-7, 1e-6),
    f64: (1e-11, 1e-11),
};

/// The variance and product kernels under test, over `axes`.
fn statistics(axes: &[usize], keepdims: bool) -> Vec<Arc<dyn Op>> {
    let mut ops: Vec<Arc<dyn Op>> = Vec::new();
    for kind in [Dispersion::Var, Dispersion::Std] {
        for ddof in [0, 1] {
            ops.push(Arc::new(Variance {
                kind,
                axes: axes.to_vec(),
                ddof,
                keepdims,
            }));
        }
    }
    ops.push(Arc::new(Reduce {
        kind: ReduceKind::Prod,
        axes: axes.to_vec(),
        keepdims,
    }));
    ops
}

fn argmin(axis: Option<usize>, keepdims: bool) -> Arc<dyn Op> {
    Arc::new(ArgReduce {
        kind: ArgKind::Min,
        axis,
        keepdims,
    })
}

/// Runs `op` on the fast kernel (which must be selected) and the reference;
/// both fail alike or agree (integer results exactly).
#[track_caller]
fn agree(op: &Arc<dyn Op>, x: &Tensor) {
    let types = [TensorType::unknown(x.dtype(), x.ndim())];
    let want = reference(op, std::slice::from_ref(x), &types);
    let (name, got) = run_selected(op, vec![x.clone()], &types, &[false]);
    assert!(name.starts_with("cpu.reduce."), "{}: ran {name}", op.name());
    let what = format!("{} ({name}) on {:?}", op.name(), x.shape());
    match (got, want) {
        (Ok(g), Ok(w)) => assert_close(&what, &g, &w, F64_ACCUMULATED),
        (Err(g), Err(w)) => assert_eq!(
            std::mem::discriminant(&g.kind),
            std::mem::discriminant(&w.kind),
            "{what}: {g} vs {w}"
        ),
        (g, w) => panic!("{what}: kernel {g:?} vs reference {w:?}"),
    }
}

/// Values near 1 (so long products neither overflow nor underflow) with
/// random signs.
fn near_one(d: DType, shape: &[usize], seed: u64) -> Tensor {
    let n: usize = shape.iter().product();
    let magnitudes = Tensor::rand_uniform(DType::F64, &[n], 0.995, 1.005, seed).to_f64_vec();
    let signs = Tensor::rand_uniform(DType::F64, &[n], -1.0, 1.0, seed + 1).to_f64_vec();
    let values: Vec<f64> = (magnitudes.iter().zip(&signs))
        .map(|(m, s)| if *s < 0.0 { -m } else { *m })
        .collect();
    Tensor::from_f64s(d, shape, &values).unwrap()
}

#[test]
fn vectors_of_odd_sizes() {
    for d in FLOATS {
        for n in SIZES {
            // An offset mean: the two-pass variance must not cancel.
            let x = Tensor::rand_uniform(d, &[n], 99.0, 101.0, n as u64);
            let ops = statistics(&[0], false);
            let (spreads, prod) = ops.split_at(4);
            for op in spreads {
                agree(op, &x);
            }
            agree(&prod[0], &near_one(d, &[n], 7));
            for keepdims in [false, true] {
                agree(&argmin(None, keepdims), &x);
                agree(&argmin(Some(0), keepdims), &x);
            }
        }
    }
}

#[test]
fn matrices_along_each_axis_and_layout() {
    for d in FLOATS {
        for shape in [
            [7usize, 1023],
            [1023, 7],
            [0, 5],
            [3, 0],
            [1, 1],
            [600, 600],
        ] {
            let base = near_one(d, &shape, 3);
            let transposed = near_one(d, &[shape[1], shape[0]], 4).t();
            let stepped = near_one(d, &[shape[0], 2 * shape[1]], 5)
                .slice_axis(1, None, None, 2)
                .unwrap();
            for x in [base, transposed, stepped] {
                for (axes, keep) in [(vec![0], false), (vec![1], true), (vec![0, 1], false)] {
                    for op in statistics(&axes, keep) {
                        agree(&op, &x);
                    }
                }
                for axis in [Some(0), Some(1), None] {
                    for keepdims in [false, true] {
                        agree(&argmin(axis, keepdims), &x);
                    }
                }
            }
        }
    }
}

#[test]
fn middle_axes_of_a_3d_tensor() {
    for d in FLOATS {
        let x = near_one(d, &[3, 5, 7], 9);
        for axes in [vec![1], vec![0, 1], vec![1, 2]] {
            for op in statistics(&axes, false) {
                agree(&op, &x);
            }
        }
        agree(&argmin(Some(2), false), &x);
        agree(&argmin(Some(0), true), &x);
    }
}

#[test]
fn nan_and_inf_propagate_as_numpy() {
    let nan = f64::NAN;
    let inf = f64::INFINITY;
    for d in FLOATS {
        let rows = [
            [1.0, nan, -3.0, nan],  // argmin: the first NaN
            [2.0, -inf, 5.0, -inf], // var: inf - inf is NaN
            [0.0, inf, 4.0, 1.0],   // prod: 0·inf is NaN
            [-2.0, 7.0, -2.0, 0.5], // ties: the first minimum
        ];
        let flat: Vec<f64> = rows.iter().flatten().copied().collect();
        let x = Tensor::from_f64s(d, &[4, 4], &flat).unwrap();
        for axes in [vec![1], vec![0]] {
            for op in statistics(&axes, false) {
                agree(&op, &x);
            }
        }
        for axis in [Some(0), Some(1), None] {
            agree(&argmin(axis, false), &x);
        }
        let expect = Tensor::from_vec(vec![1i64, 1, 0, 0], &[4]).unwrap();
        let (_, got) = run_selected(
            &argmin(Some(1), false),
            vec![x],
            &[TensorType::unknown(d, 2)],
            &[false],
        );
        assert_eq!(got.unwrap()[0].to_f64_vec(), expect.to_f64_vec());
    }
}

#[test]
fn empty_reductions_error_or_give_the_identity() {
    for d in FLOATS {
        let x = Tensor::randn(d, &[0, 4], 1);
        // argmin over the empty axis errors; along the other it is empty.
        agree(&argmin(Some(0), false), &x);
        agree(&argmin(Some(1), false), &x);
        agree(&argmin(None, false), &x);
        // var of no values is NaN, prod is 1.
        for op in statistics(&[0], false) {
            agree(&op, &x);
        }
    }
}
