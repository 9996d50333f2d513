//! Tests of the buffer pool: the bookkeeping on private `Pool`s (so the
//! capacity can be varied without touching the process-wide pool other
//! tests use), then recycling through `Buffer` and `Tensor`.

use super::*;
use crate::dtype::DType;
use crate::tensor::{Buffer, Tensor};

const KIB: usize = 1 << 10;

fn raw(len: usize) -> RawBuffer {
    RawBuffer::zeroed(len)
}

/// Frees what a pool call handed back and returns how many there were.
fn freed(buffers: Vec<RawBuffer>) -> usize {
    let n = buffers.len();
    free_all(buffers);
    n
}

#[test]
fn takes_back_the_most_recently_freed_buffer_of_the_exact_size() {
    let mut pool = Pool::default();
    let (a, b, c) = (raw(64 * KIB), raw(64 * KIB), raw(96 * KIB));
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    assert_eq!(freed(pool.put(a, 1 << 20)), 0);
    assert_eq!(freed(pool.put(b, 1 << 20)), 0);
    assert_eq!(freed(pool.put(c, 1 << 20)), 0);
    assert_eq!(pool.stats(1 << 20).bytes, 224 * KIB);
    assert_eq!(pool.stats(1 << 20).buffers, 3);
    assert!(pool.take(80 * KIB).is_none(), "no buffer of that size");
    let first = pool.take(64 * KIB).expect("two of that size");
    assert_eq!(first.as_ptr(), pb, "last in, first out");
    let second = pool.take(64 * KIB).expect("one left");
    assert_eq!(second.as_ptr(), pa);
    assert!(pool.take(64 * KIB).is_none());
    let stats = pool.stats(1 << 20);
    assert_eq!((stats.hits, stats.misses), (2, 2));
    assert_eq!((stats.bytes, stats.buffers), (96 * KIB, 1));
    free_all(vec![first, second]);
    assert_eq!(freed(pool.shrink_to(0)), 1);
}

#[test]
fn never_holds_more_than_its_capacity_and_evicts_the_oldest() {
    let cap = 300 * KIB;
    let mut pool = Pool::default();
    // Sizes cycle through four values; stamps say which buffer is oldest.
    let sizes = [64 * KIB, 100 * KIB, 40 * KIB, 128 * KIB];
    let mut kept: Vec<(usize, *const u8)> = Vec::new();
    for i in 0..40 {
        let len = sizes[i % sizes.len()];
        let r = raw(len);
        kept.push((len, r.as_ptr()));
        let evicted = pool.put(r, cap);
        for e in &evicted {
            // What is evicted is always the oldest buffer still held.
            let pos = kept.iter().position(|&(_, p)| p == e.as_ptr()).unwrap();
            assert_eq!(pos, 0, "evicted buffer {i} was not the oldest held");
            kept.remove(0);
        }
        free_all(evicted);
        let stats = pool.stats(cap);
        assert!(stats.bytes <= cap, "{} > {cap} after put {i}", stats.bytes);
        assert_eq!(stats.bytes, kept.iter().map(|&(l, _)| l).sum::<usize>());
        assert_eq!(stats.buffers, kept.len());
    }
    assert_eq!(freed(pool.shrink_to(0)), kept.len());
    assert_eq!(pool.stats(cap).bytes, 0);
}

#[test]
fn a_buffer_larger_than_the_capacity_is_handed_back_to_be_freed() {
    let mut pool = Pool::default();
    let big = raw(512 * KIB);
    let p = big.as_ptr();
    let back = pool.put(big, 256 * KIB);
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].as_ptr(), p);
    free_all(back);
    assert_eq!(pool.stats(256 * KIB).buffers, 0);
    // Capacity 0 keeps nothing.
    assert_eq!(freed(pool.put(raw(64 * KIB), 0)), 1);
}

/// A size no other test allocates, so the process-wide pool's list for it
/// is this test's alone.
const ODD: usize = 1_234_560;

#[test]
fn a_dropped_buffer_is_reused_and_zeroed_only_when_asked() {
    if capacity() < ODD {
        return; // the pool was configured off for this process
    }
    let mut a = Buffer::recycled(ODD);
    a.as_bytes_mut().fill(0xAB);
    let pa = a.as_ptr();
    drop(a);
    let b = Buffer::recycled(ODD);
    assert_eq!(b.as_ptr(), pa, "the freed buffer was not reused");
    // Debug builds poison recycled bytes; release builds leave them.
    let left = if cfg!(debug_assertions) { 0xFF } else { 0xAB };
    assert!(b.as_bytes().iter().all(|&x| x == left), "contents");
    drop(b);
    let c = Buffer::zeroed(ODD);
    assert_eq!(c.as_ptr(), pa);
    assert!(c.as_bytes().iter().all(|&x| x == 0), "zeroed means zeroed");
}

#[test]
fn a_live_tensor_is_never_handed_out_again() {
    let shape = [321, 499]; // 641,316 bytes of f32: this test's own size
    let mut held = Vec::new();
    for round in 0..6 {
        let mut t = Tensor::empty(DType::F32, &shape);
        for (i, v) in t.data_mut::<f32>().iter_mut().enumerate() {
            *v = (round * 1_000_000 + i) as f32;
        }
        // Keep every other tensor alive (and a view of one), drop the rest.
        if round % 2 == 0 {
            held.push((round, t.t()));
        }
    }
    for (k, (round, view)) in held.iter().enumerate() {
        let t = view.t();
        let want: Vec<f32> = (0..t.size())
            .map(|i| (round * 1_000_000 + i) as f32)
            .collect();
        assert_eq!(t.to_vec::<f32>(), want, "held tensor {k} was overwritten");
    }
    let ids: std::collections::HashSet<usize> = held.iter().map(|(_, v)| v.buffer_id()).collect();
    assert_eq!(ids.len(), held.len(), "two live tensors share a buffer");
}

#[test]
fn bool_tensors_from_recycled_memory_are_zero() {
    let len = 77_777; // bytes, and bool elements
    let mut junk = Tensor::empty(DType::U8, &[len]);
    junk.data_mut::<u8>().fill(7);
    drop(junk);
    let b = Tensor::empty(DType::Bool, &[len]);
    assert!(b.to_vec::<bool>().iter().all(|&x| !x));
}
