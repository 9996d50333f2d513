//! Advanced indexing: index arrays (broadcast together, mixed with slices,
//! integers and `None`, NumPy's placement rule), `take`, masks, `nonzero`.

use super::{at, check, norm, run};
use theon::ops::indexing::AdvancedSubtensor;
use theon::prelude::*;

fn ints(t: &Tensor) -> Vec<i64> {
    t.to_scalars().iter().map(|s| s.as_i64()).collect()
}

#[test]
fn one_index_array_with_repeats_and_negatives() {
    let x = matrix("x", F64);
    let idx = vector("idx", I64);
    let y = x.at(&s![&idx]);
    assert!(y.op_as::<AdvancedSubtensor>().is_some());
    let xv = Tensor::randn(F64, &[5, 4], 11);
    let iv = Tensor::from_vec(vec![3i64, -1, 0, 3, -5], &[5]).unwrap();
    let mut expect = vec![];
    for &i in &ints(&iv) {
        for j in 0..4 {
            expect.push(at(&xv, &[norm(i, 5), j]));
        }
    }
    check(&run(&[x, idx], &y, &[xv, iv]), &[5, 4], &expect);
}

#[test]
fn index_arrays_broadcast_together() {
    let x = tensor3("x", F32);
    let i = matrix("i", I32);
    let j = vector("j", I64);
    let y = x.at(&s![&i, &j]);
    let xv = Tensor::randn(F32, &[4, 5, 6], 12);
    let iv = Tensor::rand_int(I32, &[3, 1], -4, 4, 13);
    let jv = Tensor::rand_int(I64, &[2], -5, 5, 14);
    let mut expect = vec![];
    for a in 0..3 {
        for b in 0..2 {
            for k in 0..6 {
                let ia = norm(ints(&iv)[a], 4);
                let jb = norm(ints(&jv)[b], 5);
                expect.push(at(&xv, &[ia, jb, k]));
            }
        }
    }
    check(&run(&[x, i, j], &y, &[xv, iv, jv]), &[3, 2, 6], &expect);
}

#[test]
fn adjacent_advanced_indices_stay_in_place() {
    let x = tensor4("x", F64);
    let i = vector("i", I64);
    let j = vector("j", I64);
    let xv = Tensor::randn(F64, &[3, 4, 5, 6], 15);
    let iv = Tensor::rand_int(I64, &[2], 0, 4, 16);
    let jv = Tensor::rand_int(I64, &[2], -5, 5, 17);
    let y = x.at(&s![.., &i, &j]);
    let mut expect = vec![];
    for a in 0..3 {
        for b in 0..2 {
            for m in 0..6 {
                let (ib, jb) = (norm(ints(&iv)[b], 4), norm(ints(&jv)[b], 5));
                expect.push(at(&xv, &[a, ib, jb, m]));
            }
        }
    }
    check(&run(&[x, i, j], &y, &[xv, iv, jv]), &[3, 2, 6], &expect);
}

#[test]
fn separated_advanced_indices_go_first() {
    let x = tensor3("x", F64);
    let i = vector("i", I64);
    let j = vector("j", I64);
    let xv = Tensor::randn(F64, &[3, 4, 5], 18);
    let iv = Tensor::rand_int(I64, &[2], -3, 3, 19);
    let jv = Tensor::rand_int(I64, &[2], 0, 5, 20);
    let y = x.at(&s![&i, .., &j]);
    let mut expect = vec![];
    for a in 0..2 {
        for k in 0..4 {
            expect.push(at(&xv, &[norm(ints(&iv)[a], 3), k, norm(ints(&jv)[a], 5)]));
        }
    }
    check(&run(&[x, i, j], &y, &[xv, iv, jv]), &[2, 4], &expect);
}

#[test]
fn separated_indices_after_a_slice_still_go_first() {
    let x = tensor4("x", F64);
    let i = vector("i", I64);
    let j = vector("j", I64);
    let xv = Tensor::randn(F64, &[2, 3, 4, 5], 35);
    let iv = Tensor::from_vec(vec![2i64, 0, -1], &[3]).unwrap();
    let jv = Tensor::from_vec(vec![-5i64], &[1]).unwrap();
    // x[:, i, :, j] -> the (3,) block goes first: (3, 2, 4)
    let y = x.at(&s![.., &i, .., &j]);
    let mut expect = vec![];
    for a in 0..3 {
        for p in 0..2 {
            for q in 0..4 {
                expect.push(at(&xv, &[p, norm(ints(&iv)[a], 3), q, 0]));
            }
        }
    }
    check(&run(&[x, i, j], &y, &[xv, iv, jv]), &[3, 2, 4], &expect);
}

#[test]
fn integers_join_the_advanced_block() {
    let x = tensor3("x", F64);
    let j = vector("j", I64);
    let xv = Tensor::randn(F64, &[3, 4, 5], 21);
    let jv = Tensor::from_vec(vec![4i64, -1, 0], &[3]).unwrap();
    // x[1, :, j]: the integer and j are separated by a slice -> block first.
    let y = x.at(&s![1, .., &j]);
    let mut expect = vec![];
    for a in 0..3 {
        for k in 0..4 {
            expect.push(at(&xv, &[1, k, norm(ints(&jv)[a], 5)]));
        }
    }
    check(
        &run(&[x.clone(), j.clone()], &y, &[xv.clone(), jv.clone()]),
        &[3, 4],
        &expect,
    );
    // x[:, -1, j]: adjacent -> in place.
    let y = x.at(&s![.., -1, &j]);
    let mut expect = vec![];
    for a in 0..3 {
        for b in 0..3 {
            expect.push(at(&xv, &[a, 3, norm(ints(&jv)[b], 5)]));
        }
    }
    check(&run(&[x, j], &y, &[xv, jv]), &[3, 3], &expect);
}

#[test]
fn newaxis_and_empty_ellipsis_separate_advanced_indices() {
    let x = tensor3("x", F64);
    let i = vector("i", I64);
    let j = vector("j", I64);
    let xv = Tensor::randn(F64, &[3, 4, 5], 22);
    let iv = Tensor::from_vec(vec![1i64, 3], &[2]).unwrap();
    let jv = Tensor::from_vec(vec![0i64, -2], &[2]).unwrap();
    let mut expect = vec![];
    for b in 0..2 {
        for a in 0..3 {
            let (ib, jb) = (norm(ints(&iv)[b], 4), norm(ints(&jv)[b], 5));
            expect.push(at(&xv, &[a, ib, jb]));
        }
    }
    // x[:, i, None, j] -> (2, 3, 1)
    let y = x.at(&s![.., &i, NEWAXIS, &j]);
    let args = [xv.clone(), iv.clone(), jv.clone()];
    check(
        &run(&[x.clone(), i.clone(), j.clone()], &y, &args),
        &[2, 3, 1],
        &expect,
    );
    // x[:, i, ..., j] with an Ellipsis standing for no axis -> (2, 3)
    let y = x.at(&s![.., &i, ELLIPSIS, &j]);
    check(&run(&[x, i, j], &y, &args), &[2, 3], &expect);
}

#[test]
fn static_shapes_of_advanced_results() {
    let x = tensor("x", F64, &[Some(3), Some(4), Some(5)]);
    let i = tensor("i", I64, &[Some(2), Some(1)]);
    let j = tensor("j", I64, &[None]);
    assert_eq!(x.at(&s![&i, &j]).ty().shape, vec![Some(2), None, Some(5)]);
    assert_eq!(
        x.at(&s![.., &i]).ty().shape,
        vec![Some(3), Some(2), Some(1), Some(5)]
    );
    let k = tensor("k", I64, &[Some(3)]);
    assert_eq!(
        x.at(&s![&i, .., &k]).ty().shape,
        vec![Some(2), Some(3), Some(4)]
    );
    let m = tensor("m", Bool, &[Some(3), Some(4)]);
    assert_eq!(x.at(&s![&m]).ty().shape, vec![None, Some(5)]);
}

#[test]
fn non_contiguous_data_and_index_arrays() {
    let x = matrix("x", F64);
    let idx = matrix("idx", I64);
    let xv = Tensor::randn(F64, &[6, 5], 23).t(); // (5, 6)
    let iv = Tensor::rand_int(I64, &[3, 2], -5, 5, 24).t(); // (2, 3)
    let y = x.at(&s![&idx, 1..;2]);
    let mut expect = vec![];
    for a in 0..2 {
        for b in 0..3 {
            for c in [1, 3, 5] {
                expect.push(at(&xv, &[norm(iv.get(&[a, b]).as_i64(), 5), c]));
            }
        }
    }
    check(&run(&[x, idx], &y, &[xv, iv]), &[2, 3, 3], &expect);
}

#[test]
fn empty_index_arrays_and_size_zero_dims() {
    let x = matrix("x", I64);
    let idx = vector("idx", I64);
    let xv = Tensor::rand_int(I64, &[3, 4], -9, 9, 25);
    let none = Tensor::from_vec(Vec::<i64>::new(), &[0]).unwrap();
    let y = x.at(&s![.., &idx]);
    check(
        &run(&[x.clone(), idx.clone()], &y, &[xv, none.clone()]),
        &[3, 0],
        &[],
    );
    let empty = Tensor::rand_int(I64, &[0, 4], -9, 9, 26);
    let iv = Tensor::from_vec(vec![3i64, -4], &[2]).unwrap();
    check(
        &run(&[x.clone(), idx.clone()], &y, &[empty.clone(), iv]),
        &[0, 2],
        &[],
    );
    check(&run(&[x, idx.clone()], &y, &[empty, none]), &[0, 0], &[]);
}

#[test]
fn take_along_an_axis() {
    let x = matrix("x", F64);
    let idx = matrix("idx", I64);
    let xv = Tensor::randn(F64, &[3, 5], 27);
    let iv = Tensor::rand_int(I64, &[2, 2], -5, 5, 28);
    let y = take(&x, &idx, -1);
    let mut expect = vec![];
    for r in 0..3 {
        for a in 0..2 {
            for b in 0..2 {
                expect.push(at(&xv, &[r, norm(iv.get(&[a, b]).as_i64(), 5)]));
            }
        }
    }
    check(
        &run(&[x.clone(), idx.clone()], &y, &[xv.clone(), iv.clone()]),
        &[3, 2, 2],
        &expect,
    );
    let y = x.take(&idx, 0);
    let iv0 = Tensor::rand_int(I64, &[2, 2], -3, 3, 29);
    let mut expect = vec![];
    for a in 0..2 {
        for b in 0..2 {
            for c in 0..5 {
                expect.push(at(&xv, &[norm(iv0.get(&[a, b]).as_i64(), 3), c]));
            }
        }
    }
    check(&run(&[x, idx], &y, &[xv, iv0]), &[2, 2, 5], &expect);
}

#[test]
fn boolean_masks_select_in_c_order() {
    let x = tensor3("x", F64);
    let m = matrix("m", Bool);
    let xv = Tensor::randn(F64, &[3, 4, 2], 30);
    let mv = Tensor::rand_int(Bool, &[3, 4], 0, 2, 31);
    let y = x.at(&s![&m]);
    let mut expect = vec![];
    let mut count = 0;
    for i in 0..3 {
        for j in 0..4 {
            if mv.get(&[i, j]).as_bool() {
                count += 1;
                for k in 0..2 {
                    expect.push(at(&xv, &[i, j, k]));
                }
            }
        }
    }
    assert!(count > 0 && count < 12, "the seed gives a mixed mask");
    check(
        &run(&[x.clone(), m.clone()], &y, &[xv.clone(), mv]),
        &[count, 2],
        &expect,
    );
    // A mask on the last axis, after a slice; an all-false mask.
    let m1 = vector("m1", Bool);
    let y = x.at(&s![..;-1, 1, &m1]);
    let m1v = Tensor::from_vec(vec![false, true], &[2]).unwrap();
    let expect: Vec<f64> = [2, 1, 0].iter().map(|&i| at(&xv, &[i, 1, 1])).collect();
    check(
        &run(&[x.clone(), m1.clone()], &y, &[xv.clone(), m1v]),
        &[3, 1],
        &expect,
    );
    let none = Tensor::from_vec(vec![false, false], &[2]).unwrap();
    check(&run(&[x, m1], &y, &[xv, none]), &[3, 0], &[]);
}

#[test]
fn nonzero_lists_coordinates() {
    let x = matrix("x", I32);
    let xv = Tensor::rand_int(I32, &[4, 5], -2, 3, 32);
    let nz = x.nonzero();
    assert_eq!(nz.len(), 2);
    assert_eq!(nz[0].ty().shape, vec![None]);
    let f = function(&[x], &nz).unwrap();
    let out = f.call(&[xv.t()]).unwrap(); // non-contiguous (5, 4)
    let (mut rows, mut cols) = (vec![], vec![]);
    for i in 0..5 {
        for j in 0..4 {
            if xv.get(&[j, i]).as_i64() != 0 {
                rows.push(i as f64);
                cols.push(j as f64);
            }
        }
    }
    assert!(!rows.is_empty() && rows.len() < 20);
    check(&out[0], &[rows.len()], &rows);
    check(&out[1], &[cols.len()], &cols);
}

#[test]
fn masks_work_on_integer_and_bool_data() {
    let x = vector("x", Bool);
    let m = vector("m", Bool);
    let xv = Tensor::rand_int(Bool, &[6], 0, 2, 33);
    let mv = Tensor::rand_int(Bool, &[6], 0, 2, 34);
    let y = x.at(&s![&m]);
    let expect: Vec<f64> = (0..6)
        .filter(|&i| mv.get(&[i]).as_bool())
        .map(|i| at(&xv, &[i]))
        .collect();
    check(&run(&[x, m], &y, &[xv, mv]), &[expect.len()], &expect);
}
