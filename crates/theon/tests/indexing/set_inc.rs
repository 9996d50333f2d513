//! `set_subtensor` / `inc_subtensor` for basic and advanced indices:
//! broadcasting of the value, repeated indices (inc accumulates every
//! occurrence, set keeps the last), masks, Theano's call form.

use super::{at, check, int, norm, run};
use theon::ops::indexing::{IncMode, IncSubtensor};
use theon::prelude::*;

/// The input's values in C order, as a mutable expectation to edit.
fn values(t: &Tensor) -> Vec<f64> {
    t.to_f64_vec()
}

#[test]
fn set_basic_slice_with_matching_value() {
    let x = matrix("x", F64);
    let y = matrix("y", F64);
    let z = x.set_at(&s![1..3, ..;2], &y);
    let xv = Tensor::randn(F64, &[4, 5], 40);
    let yv = Tensor::randn(F64, &[2, 3], 41);
    let mut expect = values(&xv);
    for a in 0..2 {
        for b in 0..3 {
            expect[(1 + a) * 5 + 2 * b] = at(&yv, &[a, b]);
        }
    }
    let out = run(&[x, y], &z, &[xv.clone(), yv]);
    check(&out, &[4, 5], &expect);
    assert_eq!(xv.to_f64_vec(), values(&xv), "the input is not modified");
}

#[test]
fn set_and_inc_broadcast_a_literal_and_a_row() {
    let x = matrix("x", F32);
    let xv = Tensor::randn(F32, &[3, 4], 42);
    let z = x.set_at(&s![-1, 1..], 7.5);
    let mut expect = values(&xv);
    for j in 1..4 {
        expect[8 + j] = 7.5;
    }
    check(&run(&[x.clone()], &z, &[xv.clone()]), &[3, 4], &expect);
    // A (1, 4) row broadcasts over the two selected rows (static 1 dim).
    let r = row("r", F32);
    let z = x.inc_at(&s![..;-2], &r);
    let rv = Tensor::randn(F32, &[1, 4], 43);
    let mut expect = values(&xv);
    for i in [2, 0] {
        for j in 0..4 {
            expect[i * 4 + j] = (at(&xv, &[i, j]) as f32 + at(&rv, &[0, j]) as f32) as f64;
        }
    }
    check(&run(&[x, r], &z, &[xv, rv]), &[3, 4], &expect);
}

#[test]
fn repeated_indices_inc_accumulates_and_set_keeps_last() {
    let x = vector("x", F64);
    let idx = vector("idx", I64);
    let y = vector("y", F64);
    let xv = Tensor::randn(F64, &[5], 44);
    let iv = Tensor::from_vec(vec![1i64, 3, -4, 1, 0], &[5]).unwrap();
    let yv = Tensor::randn(F64, &[5], 45);
    let inc = x.inc_at(&s![&idx], &y);
    let set = x.set_at(&s![&idx], &y);
    let mut expect_inc = values(&xv);
    let mut expect_set = values(&xv);
    for (a, &i) in iv.to_vec::<i64>().iter().enumerate() {
        expect_inc[norm(i, 5)] += at(&yv, &[a]);
        expect_set[norm(i, 5)] = at(&yv, &[a]);
    }
    let args = [xv, iv, yv.clone()];
    let ins = [x, idx, y];
    check(&run(&ins, &inc, &args), &[5], &expect_inc);
    let out = run(&ins, &set, &args);
    check(&out, &[5], &expect_set);
    assert_eq!(
        out.to_f64_vec()[1],
        at(&yv, &[3]),
        "the last write to x[1] wins"
    );
}

#[test]
fn float32_accumulation_rounds_after_each_add() {
    let x = vector("x", F32);
    let idx = vector("idx", I32);
    let xv = Tensor::randn(F32, &[3], 46);
    let iv = Tensor::rand_int(I32, &[40], 0, 3, 47);
    let yv = Tensor::randn(F32, &[40], 48);
    let y = vector("y", F32);
    let z = x.inc_at(&s![&idx], &y);
    let mut acc: Vec<f32> = xv.to_vec::<f32>();
    for (a, &i) in iv.to_vec::<i32>().iter().enumerate() {
        acc[i as usize] += yv.to_vec::<f32>()[a];
    }
    let expect: Vec<f64> = acc.iter().map(|&v| v as f64).collect();
    check(&run(&[x, idx, y], &z, &[xv, iv, yv]), &[3], &expect);
}

#[test]
fn inc_with_two_index_arrays_and_a_broadcast_value() {
    let x = tensor3("x", I32);
    let i = matrix("i", I64);
    let j = vector("j", I64);
    let v = vector("v", I32); // broadcasts over the (3, 2) block
    let z = x.inc_at(&s![&i, &j], &v);
    let xv = Tensor::rand_int(I32, &[4, 5, 6], -100, 100, 49);
    let iv = Tensor::rand_int(I64, &[3, 1], -4, 4, 50);
    let jv = Tensor::rand_int(I64, &[2], 0, 5, 51);
    let vv = Tensor::rand_int(I32, &[6], -100, 100, 52);
    let mut expect = values(&xv);
    for a in 0..3 {
        for b in 0..2 {
            let (ia, jb) = (
                norm(iv.get(&[a, 0]).as_i64(), 4),
                norm(jv.get(&[b]).as_i64(), 5),
            );
            for k in 0..6 {
                expect[ia * 30 + jb * 6 + k] += at(&vv, &[k]);
            }
        }
    }
    check(
        &run(&[x, i, j, v], &z, &[xv, iv, jv, vv]),
        &[4, 5, 6],
        &expect,
    );
}

#[test]
fn set_through_a_mask() {
    let x = matrix("x", F64);
    let m = matrix("m", Bool);
    let z = x.set_at(&s![&m], 0.0);
    let xv = Tensor::randn(F64, &[3, 4], 53);
    let mv = Tensor::rand_int(Bool, &[3, 4], 0, 2, 54);
    let mut expect = values(&xv);
    for i in 0..3 {
        for j in 0..4 {
            if mv.get(&[i, j]).as_bool() {
                expect[i * 4 + j] = 0.0;
            }
        }
    }
    check(&run(&[x, m], &z, &[xv, mv]), &[3, 4], &expect);
}

#[test]
fn theano_call_form_reuses_the_index() {
    let x = matrix("x", F64);
    let i = scalar("i", I64);
    let y = vector("y", F64);
    let sub = x.at(&s![.., i.clone()..(&i + 2)]);
    let z = inc_subtensor(&sub, &y);
    let op = z.op_as::<IncSubtensor>().unwrap();
    assert_eq!(op.mode, IncMode::Inc);
    assert_eq!(
        Some(&op.items),
        sub.op_as::<theon::ops::indexing::Subtensor>()
            .map(|s| &s.items)
    );
    let xv = Tensor::randn(F64, &[3, 5], 55);
    let yv = Tensor::randn(F64, &[2], 56);
    let mut expect = values(&xv);
    for r in 0..3 {
        for (b, c) in [2, 3].iter().enumerate() {
            expect[r * 5 + c] += at(&yv, &[b]);
        }
    }
    let f = function(&[x.clone(), i.clone(), y.clone()], &[z]).unwrap();
    let out = f.call(&[xv.clone(), int(2), yv.clone()]).unwrap().remove(0);
    check(&out, &[3, 5], &expect);

    let idx = vector("idx", I64);
    let z = set_subtensor(&x.at(&s![&idx]), 1.5);
    assert!(z
        .op_as::<IncSubtensor>()
        .is_some_and(|op| op.mode == IncMode::Set));
    let iv = Tensor::from_vec(vec![-1i64], &[1]).unwrap();
    let mut expect = values(&xv);
    for c in 0..5 {
        expect[10 + c] = 1.5;
    }
    check(&run(&[x, idx], &z, &[xv, iv]), &[3, 5], &expect);
}

#[test]
fn non_contiguous_target_and_value() {
    let x = matrix("x", F64);
    let y = matrix("y", F64);
    let z = x.inc_at(&s![..;-1, 1..4], &y);
    let xv = Tensor::randn(F64, &[5, 3], 57).t(); // (3, 5)
    let yv = Tensor::randn(F64, &[3, 3], 58)
        .slice_axis(1, None, None, -1)
        .unwrap();
    let mut expect = values(&xv);
    for (a, i) in [2, 1, 0].iter().enumerate() {
        for b in 0..3 {
            expect[i * 5 + 1 + b] += at(&yv, &[a, b]);
        }
    }
    check(&run(&[x, y], &z, &[xv, yv]), &[3, 5], &expect);
}

#[test]
fn empty_regions_leave_the_input_unchanged() {
    let x = matrix("x", F64);
    let z = x.inc_at(&s![3..1], 5.0);
    let xv = Tensor::randn(F64, &[4, 2], 59);
    check(&run(&[x.clone()], &z, &[xv.clone()]), &[4, 2], &values(&xv));
    let idx = vector("idx", I64);
    let z = x.set_at(&s![&idx], 5.0);
    let none = Tensor::from_vec(Vec::<i64>::new(), &[0]).unwrap();
    check(
        &run(&[x, idx], &z, &[xv.clone(), none]),
        &[4, 2],
        &values(&xv),
    );
}

#[test]
fn op_level_builders_give_the_gradient_shape_of_indexing() {
    use theon::ops::indexing::{try_index_items, try_update_items, AdvancedSubtensor};
    // inc_subtensor(zeros, gz) with the items of x[idx, 1:] scatters gz back.
    let x = matrix("x", F64);
    let idx = vector("idx", I64);
    let sub = x.at(&s![&idx, 1..]);
    let op = sub.op_as::<AdvancedSubtensor>().unwrap();
    let gz = matrix("gz", F64);
    let zeros = &x * 0.0;
    let scattered =
        try_update_items(&zeros, &op.items, &sub.inputs()[1..], &gz, IncMode::Inc).unwrap();
    let again = try_index_items(&x, &op.items, &sub.inputs()[1..]).unwrap();
    let xv = Tensor::randn(F64, &[4, 3], 67);
    let iv = Tensor::from_vec(vec![2i64, -2, 0], &[3]).unwrap();
    let gv = Tensor::randn(F64, &[3, 2], 68);
    let f = function(&[x, idx, gz], &[scattered, again, sub]).unwrap();
    let out = f.call(&[xv, iv, gv.clone()]).unwrap();
    let mut expect = vec![0.0; 12];
    for (a, r) in [2, 2, 0].iter().enumerate() {
        for b in 0..2 {
            expect[r * 3 + 1 + b] += at(&gv, &[a, b]);
        }
    }
    check(&out[0], &[4, 3], &expect);
    assert!(out[1].bit_eq(&out[2]));
}
