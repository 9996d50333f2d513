//! The `cpu.cumulative`, `cpu.sort` and `cpu.repeat` kernels, the gather's
//! last-axis take, and the column max/min and
//! row argmax/argmin paths of `cpu.reduce`, against the reference
//! `perform`: odd sizes (0, 1, 7, 1023, 300001), every axis form, keepdims,
//! transposed and stepped inputs, float32 and float64, ties (argsort must
//! be stable), NaN/inf/-0.0 as NumPy, inputs large enough to run threaded,
//! and the kernel's error on an input of the wrong rank.

use crate::backend::cpu::testing::{assert_close, reference, run_selected, Tol, SIZES};
use crate::dtype::DType;
use crate::graph::{Op, TensorType};
use crate::ops::extra::{Sort, SortKind};
use crate::ops::indexing::{AdvancedSubtensor, Item, SliceSpec};
use crate::ops::reduce::{ArgKind, ArgReduce, CumKind, CumOp, Reduce, ReduceKind};
use crate::ops::shape::Repeat;
use crate::prelude::{function, matrix};
use crate::tensor::Tensor;
use std::sync::Arc;

const FLOATS: [DType; 2] = [DType::F32, DType::F64];

/// The kernels combine in the reference's order and precision: identical.
const EXACT: Tol = Tol {
    f32: (0.0, 0.0),
    f64: (0.0, 0.0),
};

/// Runs `op` on the selected kernel (named `prefix...`) and the reference;
/// both fail alike or agree exactly.
#[track_caller]
fn agree(op: &Arc<dyn Op>, x: &Tensor, prefix: &str) {
    let types = [TensorType::unknown(x.dtype(), x.ndim())];
    let want = reference(op, std::slice::from_ref(x), &types);
    let (name, got) = run_selected(op, vec![x.clone()], &types, &[false]);
    assert!(name.starts_with(prefix), "{}: ran {name}", op.name());
    let what = format!("{} ({name}) on {:?}", op.name(), x.shape());
    match (got, want) {
        (Ok(g), Ok(w)) => assert_close(&what, &g, &w, EXACT),
        (Err(g), Err(w)) => assert_eq!(
            std::mem::discriminant(&g.kind),
            std::mem::discriminant(&w.kind),
            "{what}: {g} vs {w}"
        ),
        (g, w) => panic!("{what}: kernel {g:?} vs reference {w:?}"),
    }
}

/// cumsum and cumprod along `axis`.
fn cumulative(axis: Option<usize>) -> [Arc<dyn Op>; 2] {
    [CumKind::Sum, CumKind::Prod].map(|kind| Arc::new(CumOp { kind, axis }) as Arc<dyn Op>)
}

/// sort and argsort along `axis`.
fn sorts(axis: Option<usize>) -> [Arc<dyn Op>; 2] {
    [SortKind::Values, SortKind::Indices].map(|kind| Arc::new(Sort { kind, axis }) as Arc<dyn Op>)
}

/// Values near ±1 (long products neither overflow nor underflow).
fn near_one(d: DType, shape: &[usize], seed: u64) -> Tensor {
    let n: usize = shape.iter().product();
    let m = Tensor::rand_uniform(DType::F64, &[n], 0.99, 1.01, seed).to_f64_vec();
    let s = Tensor::rand_uniform(DType::F64, &[n], -1.0, 1.0, seed + 1).to_f64_vec();
    let v: Vec<f64> = m.iter().zip(&s).map(|(m, s)| m.copysign(*s)).collect();
    Tensor::from_f64s(d, shape, &v).unwrap()
}

/// Small integers as floats: many ties, so argsort's stability shows.
fn with_ties(d: DType, shape: &[usize], seed: u64) -> Tensor {
    Tensor::rand_int(DType::I64, shape, -5, 5, seed).cast(d)
}

/// The layouts every matrix test runs on: C order, transposed, stepped.
fn layouts(make: impl Fn(&[usize], u64) -> Tensor, shape: [usize; 2]) -> Vec<Tensor> {
    let stepped = make(&[shape[0], 2 * shape[1]], 5)
        .slice_axis(1, None, None, 2)
        .unwrap();
    vec![make(&shape, 3), make(&[shape[1], shape[0]], 4).t(), stepped]
}

const MATRICES: [[usize; 2]; 6] = [[7, 1023], [1023, 7], [0, 5], [3, 0], [1, 1], [40, 37]];

#[test]
fn cumulative_vectors_of_odd_sizes() {
    for d in FLOATS {
        for n in SIZES {
            let x = near_one(d, &[n], n as u64);
            for axis in [Some(0), None] {
                for op in cumulative(axis) {
                    agree(&op, &x, "cpu.cumulative.");
                }
            }
        }
    }
}

#[test]
fn cumulative_matrices_along_each_axis_and_layout() {
    for d in FLOATS {
        for shape in MATRICES {
            for x in layouts(|s, seed| near_one(d, s, seed), shape) {
                for axis in [Some(0), Some(1), None] {
                    for op in cumulative(axis) {
                        agree(&op, &x, "cpu.cumulative.");
                    }
                }
            }
        }
        let x = near_one(d, &[3, 5, 7], 9);
        for axis in [Some(0), Some(1), Some(2)] {
            for op in cumulative(axis) {
                agree(&op, &x, "cpu.cumulative.");
            }
        }
    }
    // Over PAR_MIN elements: rows and slabs run threaded.
    let big = near_one(DType::F32, &[1100, 1000], 11);
    for axis in [Some(1), Some(0)] {
        agree(&cumulative(axis)[0], &big, "cpu.cumulative.");
    }
    let slabs = near_one(DType::F64, &[1030, 2, 512], 12);
    agree(&cumulative(Some(1))[1], &slabs, "cpu.cumulative.");
}

#[test]
fn sort_vectors_of_odd_sizes_with_ties() {
    for d in FLOATS {
        for n in SIZES.into_iter().chain([1024, 5000]) {
            for x in [Tensor::randn(d, &[n], n as u64), with_ties(d, &[n], 2)] {
                for axis in [Some(0), None] {
                    for op in sorts(axis) {
                        agree(&op, &x, "cpu.sort.");
                    }
                }
            }
        }
    }
}

#[test]
fn sort_matrices_along_each_axis_and_layout() {
    for d in FLOATS {
        for shape in MATRICES.into_iter().chain([[3, 2000]]) {
            for x in layouts(|s, seed| with_ties(d, s, seed), shape) {
                for axis in [Some(0), Some(1), None] {
                    for op in sorts(axis) {
                        agree(&op, &x, "cpu.sort.");
                    }
                }
            }
        }
        let x = Tensor::randn(d, &[3, 5, 7], 9);
        for axis in [Some(0), Some(1), Some(2)] {
            for op in sorts(axis) {
                agree(&op, &x, "cpu.sort.");
            }
        }
    }
    // Over PAR_MIN / 4 elements: rows sorted in parallel (radix lanes).
    let big = with_ties(DType::F32, &[150, 2001], 13);
    for op in sorts(Some(1)).into_iter().chain(sorts(Some(0))) {
        agree(&op, &big, "cpu.sort.");
    }
}

/// A lane mixing NaN, ±inf, ±0.0 and ties, long enough (`reps` copies)
/// for the radix path when `reps` is large.
fn specials(d: DType, reps: usize) -> Tensor {
    let (nan, inf) = (f64::NAN, f64::INFINITY);
    let base = [
        1.5, nan, -0.0, inf, 0.0, -inf, -2.0, nan, 0.0, -0.0, 1.5, -inf,
    ];
    let v: Vec<f64> = (0..reps).flat_map(|_| base).collect();
    Tensor::from_f64s(d, &[v.len()], &v).unwrap()
}

#[test]
fn sort_and_cumulative_handle_nan_inf_and_signed_zeros_as_numpy() {
    for d in FLOATS {
        for reps in [1, 200] {
            let x = specials(d, reps);
            for op in sorts(Some(0)) {
                agree(&op, &x, "cpu.sort.");
            }
            for op in cumulative(Some(0)) {
                agree(&op, &x, "cpu.cumulative.");
            }
        }
        // NaNs last; argsort keeps -0.0/0.0 and NaN ties in input order.
        let x = specials(d, 1);
        let (_, got) = run_selected(
            &sorts(Some(0))[1],
            vec![x],
            &[TensorType::unknown(d, 1)],
            &[false],
        );
        let order = got.unwrap()[0].to_f64_vec();
        assert_eq!(order, [5., 11., 6., 2., 4., 8., 9., 0., 10., 3., 1., 7.]);
    }
}

#[test]
fn column_extrema_and_row_arg_extrema_with_nan_and_ties() {
    let nan = f64::NAN;
    for d in FLOATS {
        // 37 columns: two full 16-wide strips and a tail of 5.
        let mut v = Tensor::randn(DType::F64, &[9, 37], 1).to_f64_vec();
        for (r, c) in [(0, 0), (4, 16), (8, 36), (3, 33), (8, 20)] {
            v[r * 37 + c] = nan;
        }
        v[2 * 37 + 5] = f64::INFINITY;
        v[6 * 37 + 7] = f64::NEG_INFINITY;
        let x = Tensor::from_f64s(d, &[9, 37], &v).unwrap();
        for kind in [ReduceKind::Max, ReduceKind::Min] {
            for (axes, keepdims) in [(vec![0], false), (vec![0], true)] {
                let op: Arc<dyn Op> = Arc::new(Reduce {
                    kind,
                    axes,
                    keepdims,
                });
                agree(&op, &x, "cpu.reduce.");
            }
        }
        // 5000-wide rows: ties and NaNs on both sides of chunk edges.
        let mut v = Tensor::randn(DType::F64, &[4, 5000], 2).to_f64_vec();
        for r in 0..4 {
            v[r * 5000 + 100] = -9.0;
            v[r * 5000 + 3000] = -9.0;
            v[r * 5000 + 2047 + r] = 9.0;
            v[r * 5000 + 4095] = 9.0;
        }
        v[2 * 5000 + 4500] = nan;
        v[3 * 5000 + 2048] = nan;
        v[3 * 5000 + 10] = nan;
        let x = Tensor::from_f64s(d, &[4, 5000], &v).unwrap();
        for kind in [ArgKind::Max, ArgKind::Min] {
            for keepdims in [false, true] {
                let op: Arc<dyn Op> = Arc::new(ArgReduce {
                    kind,
                    axis: Some(1),
                    keepdims,
                });
                agree(&op, &x, "cpu.reduce.");
            }
        }
    }
}

#[test]
fn negative_axes_select_the_kernels() {
    let x = matrix("x", DType::F32);
    let outs = [
        x.cumsum(-1),
        x.cumprod(-2),
        crate::ops::extra::sort(&x, -1),
        crate::ops::extra::argsort(&x, -2),
    ];
    let f = function(std::slice::from_ref(&x), &outs).unwrap();
    let kernels: Vec<String> = f
        .program()
        .kernel_names()
        .into_iter()
        .map(|(_, k)| k)
        .collect();
    for want in [
        "cpu.cumulative.cumsum_float32",
        "cpu.cumulative.cumprod_float32",
        "cpu.sort.sort_float32",
        "cpu.sort.argsort_float32",
    ] {
        assert!(
            kernels.iter().any(|k| k == want),
            "{want} not in {kernels:?}"
        );
    }
    let value = Tensor::randn(DType::F32, &[5, 6], 3);
    let got = f.call(std::slice::from_ref(&value)).unwrap();
    let v = value.to_f64_vec();
    // Plain loops: row 2's running sum, column 4's order.
    let mut total = 0.0f64;
    for c in 0..6 {
        total += v[2 * 6 + c];
        assert_eq!(got[0].to_f64_vec()[2 * 6 + c], total as f32 as f64);
    }
    let mut col: Vec<(f64, usize)> = (0..5).map(|r| (v[r * 6 + 4], r)).collect();
    col.sort_by(|a, b| a.0.total_cmp(&b.0));
    let order = got[3].to_f64_vec();
    for (r, (_, i)) in col.iter().enumerate() {
        assert_eq!(order[r * 6 + 4], *i as f64);
    }
}

#[test]
fn kernels_reject_an_input_of_too_low_rank() {
    let types = [TensorType::unknown(DType::F64, 2)];
    let x = Tensor::randn(DType::F64, &[4], 1);
    for op in cumulative(Some(1)).into_iter().chain(sorts(Some(1))) {
        let (name, got) = run_selected(&op, vec![x.clone()], &types, &[false]);
        assert!(name.starts_with("cpu."), "{name}");
        let err = got.expect_err("axis 1 of a vector");
        assert!(err.to_string().contains("axis"), "{err}");
    }
}

/// Runs a repeat node on the `cpu.repeat` kernel and the reference.
#[track_caller]
fn agree_repeat(axis: Option<usize>, x: &Tensor, reps: &Tensor) {
    let op: Arc<dyn Op> = Arc::new(Repeat { axis, known: None });
    let inputs = [x.clone(), reps.clone()];
    let types = [
        TensorType::unknown(x.dtype(), x.ndim()),
        TensorType::unknown(reps.dtype(), reps.ndim()),
    ];
    let want = reference(&op, &inputs, &types);
    let (name, got) = run_selected(&op, inputs.to_vec(), &types, &[false, false]);
    assert_eq!(name, "cpu.repeat");
    let what = format!(
        "{} on {:?} by {:?}",
        op.name(),
        x.shape(),
        reps.to_f64_vec()
    );
    match (got, want) {
        (Ok(g), Ok(w)) => {
            assert_eq!(g[0].shape(), w[0].shape(), "{what}");
            assert_eq!(g[0].dtype(), w[0].dtype(), "{what}");
            assert_eq!(g[0].to_scalars(), w[0].to_scalars(), "{what}");
        }
        (Err(g), Err(w)) => assert_eq!(g.to_string(), w.to_string(), "{what}"),
        (g, w) => panic!("{what}: kernel {g:?} vs reference {w:?}"),
    }
}

#[test]
fn repeat_matches_the_reference_on_every_axis_and_dtype() {
    for d in [DType::F32, DType::F64, DType::I64, DType::Bool] {
        for n in SIZES {
            let x = Tensor::randn(DType::F64, &[n], n as u64).cast(d);
            for count in [0i64, 1, 3] {
                agree_repeat(Some(0), &x, &Tensor::scalar(count));
            }
            let each = Tensor::rand_int(DType::I64, &[n], 0, 4, 7);
            agree_repeat(Some(0), &x, &each);
            agree_repeat(None, &x, &each);
        }
        for shape in MATRICES {
            for x in layouts(|s, seed| Tensor::randn(DType::F64, s, seed).cast(d), shape) {
                for (axis, len) in [(Some(0), x.shape()[0]), (Some(1), x.shape()[1])] {
                    agree_repeat(axis, &x, &Tensor::scalar(2i64));
                    let each = Tensor::rand_int(DType::I32, &[len], 0, 3, 8);
                    agree_repeat(axis, &x, &each);
                }
                agree_repeat(None, &x, &Tensor::scalar(2i64));
            }
        }
    }
    let x = Tensor::randn(DType::F32, &[3, 5, 7], 9);
    for axis in [Some(0), Some(1), Some(2)] {
        let len = x.shape()[axis.unwrap()];
        agree_repeat(axis, &x, &Tensor::rand_int(DType::I64, &[len], 0, 3, 10));
    }
}

#[test]
fn repeat_rejects_negative_and_mismatched_counts_like_the_reference() {
    let x = Tensor::randn(DType::F32, &[4, 3], 1);
    agree_repeat(Some(0), &x, &Tensor::scalar(-1i64));
    agree_repeat(
        Some(1),
        &x,
        &Tensor::from_vec(vec![1i64, -2, 0], &[3]).unwrap(),
    );
    agree_repeat(Some(0), &x, &Tensor::from_vec(vec![1i64, 2], &[2]).unwrap());
    let op: Arc<dyn Op> = Arc::new(Repeat {
        axis: Some(0),
        known: None,
    });
    let (_, got) = run_selected(
        &op,
        vec![x, Tensor::scalar(-1i64)],
        &[
            TensorType::unknown(DType::F32, 2),
            TensorType::unknown(DType::I64, 0),
        ],
        &[false, false],
    );
    let err = got.expect_err("a negative count");
    assert!(
        err.to_string().contains("repeat{axis=0}") && err.to_string().contains("-1"),
        "{err}"
    );
}

#[test]
fn a_transposed_output_is_copied_in_c_order() {
    for d in FLOATS {
        let x = matrix("x", d);
        let f = function(std::slice::from_ref(&x), &[x.t(), x.t() * 1.0]).unwrap();
        let value = Tensor::randn(d, &[37, 53], 4);
        let v = value.to_f64_vec();
        for got in f.call(std::slice::from_ref(&value)).unwrap() {
            assert_eq!(got.shape(), [53, 37]);
            assert!(got.is_contiguous());
            let g = got.to_f64_vec();
            for (i, j) in (0..53).flat_map(|i| (0..37).map(move |j| (i, j))) {
                assert_eq!(g[i * 37 + j], v[j * 53 + i]);
            }
        }
    }
}

/// `x[:, ..., idx]` on the gather kernel and the reference: same result or
/// the same error.
#[track_caller]
fn agree_take_last(x: &Tensor, idx: &Tensor) {
    let mut items = vec![Item::Slice(SliceSpec::default()); x.ndim() - 1];
    items.push(Item::Array(0));
    let fast = super::take::take_last_axis("take", &items, x, std::slice::from_ref(idx));
    assert!(fast.is_some(), "the last-axis path must apply");
    let op: Arc<dyn Op> = Arc::new(AdvancedSubtensor { items });
    let inputs = [x.clone(), idx.clone()];
    let types: Vec<TensorType> = inputs
        .iter()
        .map(|t| TensorType::unknown(t.dtype(), t.ndim()))
        .collect();
    let want = reference(&op, &inputs, &types);
    let (name, got) = run_selected(&op, inputs.to_vec(), &types, &[false, false]);
    assert!(name.starts_with("cpu.index.gather"), "{name}");
    let what = format!("{} on {:?} by {:?}", op.name(), x.shape(), idx.shape());
    match (got, want) {
        (Ok(g), Ok(w)) => {
            assert_eq!(g[0].shape(), w[0].shape(), "{what}");
            assert_eq!(g[0].to_scalars(), w[0].to_scalars(), "{what}");
        }
        (Err(g), Err(w)) => assert_eq!(g.to_string(), w.to_string(), "{what}"),
        (g, w) => panic!("{what}: kernel {g:?} vs reference {w:?}"),
    }
}

#[test]
fn take_along_the_last_axis_matches_the_reference() {
    for d in [DType::F32, DType::F64, DType::I64, DType::Bool] {
        for shape in MATRICES.into_iter().chain([[1100, 1000]]) {
            let n = shape[1] as i64;
            for x in layouts(|s, seed| Tensor::randn(DType::F64, s, seed).cast(d), shape) {
                let n = x.shape()[1] as i64;
                for (k, it) in [DType::I64, DType::I32].into_iter().enumerate() {
                    let idx = Tensor::rand_int(it, &[9], -n, n.max(1), k as u64);
                    agree_take_last(
                        &x,
                        &if n == 0 {
                            idx.slice_axis(0, None, Some(0), 1).unwrap()
                        } else {
                            idx
                        },
                    );
                }
            }
            if n > 0 {
                let x = Tensor::randn(DType::F64, &shape, 1).cast(d);
                agree_take_last(&x, &Tensor::rand_int(DType::I64, &[3, 4], -n, n, 2));
            }
        }
        let v = Tensor::randn(DType::F64, &[300_001], 3).cast(d);
        agree_take_last(
            &v,
            &Tensor::rand_int(DType::I64, &[1000], -300_001, 300_001, 4),
        );
        let x3 = Tensor::randn(DType::F64, &[3, 5, 7], 5).cast(d);
        agree_take_last(&x3, &Tensor::rand_int(DType::I64, &[11], -7, 7, 6));
    }
    // Out of range on either side, and any index into an empty axis.
    let x = Tensor::randn(DType::F32, &[4, 6], 1);
    agree_take_last(&x, &Tensor::from_vec(vec![0i64, 6], &[2]).unwrap());
    agree_take_last(&x, &Tensor::from_vec(vec![-7i64], &[1]).unwrap());
    agree_take_last(
        &Tensor::randn(DType::F32, &[4, 0], 1),
        &Tensor::from_vec(vec![0i64], &[1]).unwrap(),
    );
}
