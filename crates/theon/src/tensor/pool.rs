//! The buffer pool: a bounded, process-wide store of freed large buffers,
//! keyed by byte size, from which new buffers of the same size are taken
//! (what malloc's free lists do for NumPy). It spares each call of a
//! compiled function the fresh allocation of its outputs and
//! intermediates: zero-filling, and for mapped buffers the page faults of
//! first touch.
//!
//! Invariants: a buffer enters the pool only from `Buffer`'s `Drop`, that
//! is once no tensor (and no NumPy array over one) can reach it, so a
//! recycled buffer never aliases a live value; the pool never holds more
//! than its capacity (`Config::buffer_pool_bytes`, flag
//! `buffer_pool_bytes`), evicting the longest-held buffers first; buffers
//! below [`POOL_MIN`] bytes bypass it (the allocator serves them fast).

use super::buffer::RawBuffer;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, Once};

/// Buffers smaller than this are allocated and freed directly.
pub const POOL_MIN: usize = 32 << 10;

/// The default capacity: 256 MiB.
pub const DEFAULT_CAPACITY: usize = 256 << 20;

/// A snapshot of the pool's counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolStats {
    /// The most bytes the pool keeps.
    pub capacity: usize,
    /// Bytes held now.
    pub bytes: usize,
    /// Buffers held now.
    pub buffers: usize,
    /// Allocations of at least [`POOL_MIN`] bytes served from the pool.
    pub hits: u64,
    /// Allocations of at least [`POOL_MIN`] bytes that found no buffer.
    pub misses: u64,
}

/// Free buffers per size, each list oldest first, with the bookkeeping.
#[derive(Default)]
struct Pool {
    /// Per byte size: `(age stamp, buffer)`, most recently freed last.
    free: BTreeMap<usize, Vec<(u64, RawBuffer)>>,
    bytes: usize,
    buffers: usize,
    clock: u64,
    hits: u64,
    misses: u64,
}

impl Pool {
    /// The most recently freed buffer of exactly `len` bytes (still warm in
    /// cache), if any.
    fn take(&mut self, len: usize) -> Option<RawBuffer> {
        let list = match self.free.get_mut(&len) {
            Some(list) => list,
            None => {
                self.misses += 1;
                return None;
            }
        };
        let (_, raw) = list.pop().expect("empty lists are removed");
        if list.is_empty() {
            self.free.remove(&len);
        }
        self.bytes -= len;
        self.buffers -= 1;
        self.hits += 1;
        Some(raw)
    }

    /// Keeps `raw` if it fits under `capacity`, evicting the oldest
    /// buffers to make room; returns what the caller must free (outside
    /// the lock).
    fn put(&mut self, raw: RawBuffer, capacity: usize) -> Vec<RawBuffer> {
        if raw.len() > capacity {
            return vec![raw];
        }
        let evicted = self.shrink_to(capacity - raw.len());
        self.clock += 1;
        self.bytes += raw.len();
        self.buffers += 1;
        self.free
            .entry(raw.len())
            .or_default()
            .push((self.clock, raw));
        evicted
    }

    /// Evicts the oldest buffers until at most `bytes` are held; returns
    /// them.
    fn shrink_to(&mut self, bytes: usize) -> Vec<RawBuffer> {
        let mut evicted = Vec::new();
        while self.bytes > bytes {
            // The oldest buffer of each size is first in its list.
            let (&len, _) = self
                .free
                .iter()
                .min_by_key(|(_, list)| list[0].0)
                .expect("bytes > 0 means some buffer is held");
            let list = self.free.get_mut(&len).expect("size just found");
            let (_, raw) = list.remove(0);
            if list.is_empty() {
                self.free.remove(&len);
            }
            self.bytes -= len;
            self.buffers -= 1;
            evicted.push(raw);
        }
        evicted
    }

    fn stats(&self, capacity: usize) -> PoolStats {
        PoolStats {
            capacity,
            bytes: self.bytes,
            buffers: self.buffers,
            hits: self.hits,
            misses: self.misses,
        }
    }
}

static POOL: Mutex<Pool> = Mutex::new(Pool {
    free: BTreeMap::new(),
    bytes: 0,
    buffers: 0,
    clock: 0,
    hits: 0,
    misses: 0,
});

static CAPACITY: AtomicUsize = AtomicUsize::new(DEFAULT_CAPACITY);
static CAPACITY_FROM_CONFIG: Once = Once::new();

fn pool() -> MutexGuard<'static, Pool> {
    // A panic while holding the lock cannot leave the maps half-updated in
    // a way that breaks the invariants below (counts are updated after the
    // maps), so a poisoned lock is still usable.
    POOL.lock().unwrap_or_else(|p| p.into_inner())
}

fn free_all(buffers: Vec<RawBuffer>) {
    for raw in buffers {
        raw.free();
    }
}

/// The pool's capacity in bytes (`Config::buffer_pool_bytes`).
pub fn capacity() -> usize {
    CAPACITY_FROM_CONFIG.call_once(|| {
        CAPACITY.store(crate::config::config().buffer_pool_bytes, Ordering::Relaxed);
    });
    CAPACITY.load(Ordering::Relaxed)
}

/// Sets the capacity, freeing the oldest buffers beyond it (called by
/// `config::update_config`, which owns the setting).
pub(crate) fn set_capacity(bytes: usize) {
    CAPACITY_FROM_CONFIG.call_once(|| {});
    CAPACITY.store(bytes, Ordering::Relaxed);
    let evicted = pool().shrink_to(bytes);
    free_all(evicted);
}

/// Frees every buffer the pool holds (`Function::free` calls this).
pub fn trim() {
    let evicted = pool().shrink_to(0);
    free_all(evicted);
}

/// The pool's counters now.
pub fn stats() -> PoolStats {
    let capacity = capacity();
    pool().stats(capacity)
}

/// A pooled buffer of exactly `len` bytes, if one is free.
pub(super) fn take(len: usize) -> Option<RawBuffer> {
    if len < POOL_MIN {
        return None;
    }
    pool().take(len)
}

/// Takes back a buffer no one holds any more: kept for reuse, or freed.
pub(super) fn recycle(raw: RawBuffer) {
    if raw.len() < POOL_MIN {
        raw.free();
        return;
    }
    let capacity = capacity();
    if raw.len() > capacity {
        raw.free();
        return;
    }
    let evicted = pool().put(raw, capacity);
    free_all(evicted);
}

#[cfg(test)]
#[path = "pool_tests.rs"]
mod tests;
