//! Gather and scatter kernels against the reference `perform`: every index
//! form (arrays on leading, middle and trailing axes, pairs of arrays,
//! integers, masks, stepped slices), negative and repeated indices, odd
//! sizes, transposed inputs, several dtypes, threaded gathers, inplace
//! writes, and the errors for out-of-range indices.

use crate::backend::cpu::testing::{check, reference, run_selected, Tol};
use crate::dtype::DType;
use crate::graph::{Op, TensorType};
use crate::ops::indexing::{
    AdvancedSubtensor, IncMode, IncSubtensor, IncSubtensorInplace, Item, Scal, SliceSpec,
};
use crate::tensor::Tensor;
use std::sync::Arc;

/// Gathers and sets copy values, so they must match exactly.
const EXACT: Tol = Tol {
    f32: (0.0, 0.0),
    f64: (0.0, 0.0),
};

/// Repeated-index sums run in the same order as the reference.
const SUMS: Tol = EXACT;

const DTYPES: [DType; 5] = [DType::F32, DType::F64, DType::I32, DType::I64, DType::Bool];

fn value(d: DType, shape: &[usize], seed: u64) -> Tensor {
    match d {
        DType::F32 | DType::F64 => Tensor::randn(d, shape, seed),
        _ => Tensor::rand_int(d, shape, -50, 50, seed),
    }
}

fn types(inputs: &[Tensor]) -> Vec<TensorType> {
    inputs
        .iter()
        .map(|t| TensorType::unknown(t.dtype(), t.ndim()))
        .collect()
}

fn step(step: i64) -> Item {
    Item::Slice(SliceSpec {
        start: None,
        stop: None,
        step: Some(Scal::Const(step)),
    })
}

fn full() -> Item {
    Item::Slice(SliceSpec::default())
}

/// Index forms over a rank-3 input, with the index arrays each one takes
/// (indices in `[-size, size)` of their axis, repeats included).
fn forms(shape: &[usize], seed: u64) -> Vec<(Vec<Item>, Vec<Tensor>)> {
    let idx = |axis: usize, len: usize, s: u64| {
        let n = shape[axis] as i64;
        Tensor::rand_int(DType::I64, &[len], -n, n.max(1), seed + s)
    };
    let mask = Tensor::rand_int(DType::I64, &shape[1..], 0, 2, seed).cast(DType::Bool);
    vec![
        (vec![Item::Array(0)], vec![idx(0, 9, 1)]),
        (vec![full(), Item::Array(0)], vec![idx(1, 4, 2)]),
        (vec![Item::Array(0), step(2)], vec![idx(0, 5, 3)]),
        (vec![step(2), Item::Array(0), full()], vec![idx(1, 4, 8)]),
        (
            vec![Item::NewAxis, step(-1), Item::Array(0)],
            vec![idx(1, 3, 9)],
        ),
        (vec![Item::Array(0), full(), step(-1)], vec![idx(0, 3, 4)]),
        (
            vec![Item::Array(0), Item::Array(1)],
            vec![idx(0, 6, 5), idx(1, 6, 6)],
        ),
        (
            vec![Item::Int(Scal::Const(-1)), full(), Item::Array(0)],
            vec![idx(2, 7, 7)],
        ),
        (vec![full(), Item::Mask { input: 0, ndim: 2 }], vec![mask]),
    ]
}

#[test]
fn gathers_match_the_reference_for_every_form_and_dtype() {
    for d in DTYPES {
        for rows in [1, 7, 33] {
            let x = value(d, &[rows, 5, 3], rows as u64);
            for (items, index) in forms(x.shape(), 10 + rows as u64) {
                let mut inputs = vec![x.clone()];
                inputs.extend(index);
                let op = AdvancedSubtensor { items };
                check(op, &inputs, &types(&inputs), "cpu.index.gather", EXACT);
            }
        }
    }
}

#[test]
fn gathers_read_transposed_and_sliced_inputs() {
    let x = Tensor::randn(DType::F64, &[6, 11], 3);
    let stepped = x.slice_axis(1, Some(1), Some(10), 2).unwrap();
    let every_other = Tensor::rand_int(DType::I64, &[26], -11, 11, 4)
        .slice_axis(0, None, None, 2)
        .unwrap();
    for view in [x.t(), stepped.t(), stepped] {
        let n = view.shape()[0] as i64;
        let i = Tensor::rand_int(DType::I64, &[13], -n, n, 4);
        for index in [i, every_other.clone()] {
            if index.to_vec::<i64>().iter().any(|&k| k < -n || k >= n) {
                continue;
            }
            let inputs = vec![view.clone(), index];
            let op = AdvancedSubtensor {
                items: vec![Item::Array(0)],
            };
            check(op, &inputs, &types(&inputs), "cpu.index.gather", EXACT);
        }
    }
}

#[test]
fn large_gathers_split_over_threads_and_stay_exact() {
    // 3000 rows of 301 floats: 3.6 MB, above the threaded size.
    let x = Tensor::randn(DType::F32, &[4001, 301], 5);
    let i = Tensor::rand_int(DType::I64, &[3000], -4001, 4001, 6);
    let inputs = vec![x, i];
    let op = AdvancedSubtensor {
        items: vec![Item::Array(0)],
    };
    check(op, &inputs, &types(&inputs), "cpu.index.gather", EXACT);
}

#[test]
fn empty_index_arrays_and_empty_rows_gather_nothing() {
    let rows_of_nothing = Tensor::randn(DType::F32, &[7, 0], 7);
    let some = Tensor::rand_int(DType::I64, &[4], 0, 7, 8);
    let x = Tensor::randn(DType::F32, &[7, 3], 9);
    let none = Tensor::from_vec(Vec::<i64>::new(), &[0]).unwrap();
    for (inputs, shape) in [
        (vec![rows_of_nothing, some], [4, 0]),
        (vec![x, none], [0, 3]),
    ] {
        let op = AdvancedSubtensor {
            items: vec![Item::Array(0)],
        };
        let got = check(op, &inputs, &types(&inputs), "cpu.index.gather", EXACT);
        assert_eq!(got[0].shape(), &shape);
    }
}

#[test]
fn out_of_range_indices_fail_like_the_reference() {
    let x = Tensor::randn(DType::F32, &[5, 3], 10);
    let i = Tensor::from_vec(vec![1i64, 5], &[2]).unwrap();
    let op: Arc<dyn Op> = Arc::new(AdvancedSubtensor {
        items: vec![Item::Array(0)],
    });
    let inputs = vec![x, i];
    let t = types(&inputs);
    let want = reference(&op, &inputs, &t).unwrap_err();
    let (_, got) = run_selected(&op, inputs, &t, &[false, false]);
    let got = got.unwrap_err();
    assert_eq!(got.to_string(), want.to_string());
    assert!(got.to_string().contains("index 5"), "{got}");
}

/// Set and inc of every form, with values of the indexed shape.
#[test]
fn scatters_match_the_reference_with_repeated_indices() {
    for d in [DType::F32, DType::F64, DType::I32, DType::I64] {
        for rows in [1, 7, 33] {
            let x = value(d, &[rows, 5, 3], rows as u64);
            for (items, index) in forms(x.shape(), 20 + rows as u64) {
                let probe = AdvancedSubtensor {
                    items: items.clone(),
                };
                let mut gather_in = vec![x.clone()];
                gather_in.extend(index.iter().cloned());
                let region = reference(
                    &(Arc::new(probe) as Arc<dyn Op>),
                    &gather_in,
                    &types(&gather_in),
                )
                .unwrap()[0]
                    .shape()
                    .to_vec();
                let y = value(d, &region, 99);
                for mode in [IncMode::Set, IncMode::Inc] {
                    let mut inputs = vec![x.clone(), y.clone()];
                    inputs.extend(index.iter().cloned());
                    let op = IncSubtensor {
                        items: items.clone(),
                        mode,
                    };
                    let prefix = match mode {
                        IncMode::Set => "cpu.index.scatter_set",
                        IncMode::Inc => "cpu.index.scatter_inc",
                    };
                    check(op, &inputs, &types(&inputs), prefix, SUMS);
                }
            }
        }
    }
}

#[test]
fn scatters_broadcast_and_cast_the_value() {
    let x = Tensor::randn(DType::F64, &[8, 4], 11);
    let i = Tensor::from_vec(vec![3i64, -1, 3, 0], &[4]).unwrap();
    let y = Tensor::randn(DType::F32, &[1, 4], 12);
    let inputs = vec![x, y, i];
    let mut t = types(&inputs);
    t[1] = TensorType::new(DType::F32, vec![Some(1), None]);
    for mode in [IncMode::Set, IncMode::Inc] {
        let op = IncSubtensor {
            items: vec![Item::Array(0)],
            mode,
        };
        check(op, &inputs, &t, "cpu.index.scatter", SUMS);
    }
}

#[test]
fn inplace_scatter_writes_a_dying_input_and_copies_a_shared_one() {
    let x = Tensor::randn(DType::F64, &[6, 3], 13);
    let y = Tensor::randn(DType::F64, &[2, 3], 14);
    let i = Tensor::from_vec(vec![4i64, 4], &[2]).unwrap();
    let op: Arc<dyn Op> = Arc::new(IncSubtensorInplace {
        inner: IncSubtensor {
            items: vec![Item::Array(0)],
            mode: IncMode::Inc,
        },
    });
    let t = types(&[x.clone(), y.clone(), i.clone()]);
    let want = reference(&op, &[x.clone(), y.clone(), i.clone()], &t).unwrap();
    let before = x.to_vec::<f64>();

    // The caller still holds `x`: the kernel must copy it.
    let (name, got) = run_selected(&op, vec![x.clone(), y.clone(), i.clone()], &t, &[true; 3]);
    assert!(name.starts_with("cpu.index.scatter_inc"), "{name}");
    assert_eq!(got.unwrap()[0].to_vec::<f64>(), want[0].to_vec::<f64>());
    assert_eq!(x.to_vec::<f64>(), before, "a shared input was overwritten");

    // The only holder dies here: the kernel writes into its buffer.
    let owned = x.to_contiguous_copy();
    let id = owned.buffer_id();
    let (_, got) = run_selected(&op, vec![owned, y, i], &t, &[true; 3]);
    let got = got.unwrap();
    assert_eq!(got[0].buffer_id(), id, "the dying input was not reused");
    assert_eq!(got[0].to_vec::<f64>(), want[0].to_vec::<f64>());
}

#[test]
fn bool_and_int8_inc_keep_the_reference_kernel() {
    for d in [DType::Bool, DType::I8] {
        let op: Arc<dyn Op> = Arc::new(IncSubtensor {
            items: vec![Item::Array(0)],
            mode: IncMode::Inc,
        });
        let x = value(d, &[4], 15);
        let y = value(d, &[2], 16);
        let i = Tensor::from_vec(vec![1i64, 1], &[2]).unwrap();
        let inputs = vec![x, y, i];
        let (name, _) = run_selected(&op, inputs.clone(), &types(&inputs), &[false; 3]);
        assert_eq!(name, "perform", "{d}");
    }
}
