//! Tensors over borrowed memory (`Tensor::from_borrowed`, what the Python
//! bindings make of a NumPy argument) as function arguments and kernel
//! inputs: read in place, never written, never returned as a result.

use std::sync::Arc;
use theon::compile::In;
use theon::graph::{Op, PerformCtx};
use theon::ops::elemwise::{BinaryOp, ElemwiseInplace, ElemwiseKernel, ScalarOp};
use theon::prelude::*;

/// A borrowed f64 tensor over `data` from element `start`, with element
/// strides (the owner is a clone of the `Arc`).
fn borrowed(data: &Arc<Vec<f64>>, start: usize, shape: &[usize], strides: &[isize]) -> Tensor {
    let bytes: Vec<isize> = strides.iter().map(|s| s * 8).collect();
    let ptr = data[start..].as_ptr() as *const u8;
    // SAFETY: every layout used below stays inside `data`, which the owner
    // keeps alive and nothing writes.
    unsafe { Tensor::from_borrowed(F64, shape, &bytes, ptr, Box::new(data.clone())) }.unwrap()
}

fn random(n: usize, seed: u64) -> Arc<Vec<f64>> {
    Arc::new(Tensor::randn(F64, &[n], seed).to_vec::<f64>())
}

#[test]
fn a_mutable_input_moved_in_is_still_not_written_when_borrowed() {
    let x = vector("x", F64);
    let y = &x * 2.0 + 1.0;
    let f = Function::builder(&[In::new(&x).mutable(true)], std::slice::from_ref(&y))
        .mode(Mode::fast_run())
        .build()
        .unwrap();
    let data = random(12, 7);
    let before = data.as_ref().clone();
    // Dense, reversed and strided views of the same memory.
    let cases: [(usize, isize, usize); 3] = [(0, 1, 12), (11, -1, 12), (1, 3, 4)];
    for (start, stride, n) in cases {
        let arg = borrowed(&data, start, &[n], &[stride]);
        let out = f.call_owned(vec![arg]).unwrap().remove(0);
        let want: Vec<f64> = (0..n)
            .map(|i| before[(start as isize + i as isize * stride) as usize] * 2.0 + 1.0)
            .collect();
        assert_eq!(out.to_vec::<f64>(), want);
        assert!(!out.is_borrowed() && !out.buffer_is_shared());
    }
    assert_eq!(*data, before);
}

#[test]
fn a_result_aliasing_a_borrowed_argument_is_copied() {
    let x = matrix("x", F64);
    let f = Function::builder(std::slice::from_ref(&x), &[x.clone(), x.t()])
        .build()
        .unwrap();
    let data = random(6, 8);
    let out = f
        .call_owned(vec![borrowed(&data, 0, &[2, 3], &[3, 1])])
        .unwrap();
    assert_eq!(out[0].to_vec::<f64>(), *data);
    let want_t: Vec<f64> = (0..3)
        .flat_map(|j| (0..2).map(move |i| (i, j)))
        .map(|(i, j)| data[i * 3 + j])
        .collect();
    assert_eq!(out[1].to_vec::<f64>(), want_t);
    assert!(out
        .iter()
        .all(|t| !t.is_borrowed() && !t.buffer_is_shared()));
    drop(out);
    f.free();
    assert_eq!(Arc::strong_count(&data), 1, "the owner is released");
}

/// `x + y` written into `x`'s buffer (the inplace variant of `add`).
fn add_inplace(x: Tensor, y: Tensor) -> Tensor {
    let op = ElemwiseInplace {
        kernel: ElemwiseKernel::Scalar(ScalarOp::Binary(BinaryOp::Add)),
        destroy: 0,
    };
    let types = [TensorType::unknown(F64, 1), TensorType::unknown(F64, 1)];
    let ctx = PerformCtx {
        input_types: &types,
        output_types: &types[..1],
    };
    op.perform_inplace(vec![x, y], &ctx).unwrap().remove(0)
}

#[test]
fn inplace_kernels_overwrite_owned_buffers_but_not_borrowed_ones() {
    let data = random(5, 9);
    let other = Tensor::randn(F64, &[5], 10);
    let want: Vec<f64> = data
        .iter()
        .zip(other.to_vec::<f64>())
        .map(|(a, b)| a + b)
        .collect();

    let owned = Tensor::from_slice(&data, &[5]).unwrap();
    let owned_id = owned.buffer_id();
    let out = add_inplace(owned, other.clone());
    assert_eq!(out.to_vec::<f64>(), want);
    assert_eq!(out.buffer_id(), owned_id, "an owned dying input is reused");

    let before = data.as_ref().clone();
    let arg = borrowed(&data, 0, &[5], &[1]);
    let arg_id = arg.buffer_id();
    let out = add_inplace(arg, other);
    assert_eq!(out.to_vec::<f64>(), want);
    assert_ne!(
        out.buffer_id(),
        arg_id,
        "a borrowed input is never overwritten"
    );
    assert_eq!(*data, before);
}

#[test]
fn state_kept_after_a_call_never_views_a_borrowed_argument() {
    let x = vector("x", F64);
    let s = shared(Tensor::randn(F64, &[4], 11), "s");
    let f = Function::builder::<Var, Var>(std::slice::from_ref(&x), &[])
        .updates([(s.clone(), x.clone())])
        .build()
        .unwrap();
    let reversed = Function::builder::<Var, Var>(std::slice::from_ref(&x), &[])
        .updates([(s.clone(), x.flip(0))])
        .build()
        .unwrap();
    let data = random(4, 12);
    f.call(&[borrowed(&data, 0, &[4], &[1])]).unwrap();
    assert!(!s.get_value().is_borrowed());
    assert_eq!(s.get_value().to_vec::<f64>(), *data);
    reversed.call(&[borrowed(&data, 0, &[4], &[1])]).unwrap();
    assert!(!s.get_value().is_borrowed());
    let want: Vec<f64> = data.iter().rev().copied().collect();
    assert_eq!(s.get_value().to_vec::<f64>(), want);
    assert_eq!(
        Arc::strong_count(&data),
        1,
        "no handle on the memory is kept"
    );
}
