//! `Buffer`: a 64-byte aligned (below `SMALL_MAX` bytes: aligned for any
//! element type), initialised block of bytes that tensors share through
//! `Arc`. Aligned so SIMD kernels stream whole cache lines.
//! A borrowed buffer instead views memory another owner keeps alive (a
//! NumPy array): it is aligned only for its element type and read-only.
//!
//! Owned buffers of at least `pool::POOL_MIN` bytes go back to the buffer
//! pool (`super::pool`) when their last holder drops them, and new buffers
//! of the same size come from there: a buffer is recycled only once no
//! `Tensor` (and no NumPy array over one) can reach it, so a recycled
//! buffer never aliases a live value.

use super::pool;
use std::alloc::{alloc_zeroed, dealloc, Layout};
use std::any::Any;
use std::ptr::NonNull;

pub const ALIGN: usize = 64;

/// Buffers below this size are aligned only as far as their size allows
/// (at most 16 bytes, which still fits every element type): the allocator
/// then takes its fast path instead of an aligned allocation, which
/// matters for the many tiny values of scalar-heavy graphs.
pub const SMALL_MAX: usize = 512;

/// The alignment of an owned buffer of `len > 0` bytes.
fn align_for(len: usize) -> usize {
    if len >= SMALL_MAX {
        ALIGN
    } else {
        // The largest power of two <= min(len, 16): a multiple of any item
        // size dividing `len`.
        1 << len.min(16).ilog2()
    }
}

pub struct Buffer {
    /// The bytes (for an owned buffer, also how to free them).
    raw: RawBuffer,
    /// Set for borrowed memory: what keeps it alive. Such a buffer is never
    /// written and never freed here.
    owner: Option<Box<dyn Any + Send + Sync>>,
}

/// An owned allocation of initialised bytes, and the mapping they live in
/// if any. Moves between buffers and the pool; freed only by
/// [`RawBuffer::free`].
pub(super) struct RawBuffer {
    ptr: NonNull<u8>,
    len: usize,
    /// Set when the bytes live in their own anonymous mapping (large
    /// buffers on Linux): the mapping to unmap when freed.
    mapping: Option<Mapping>,
}

/// An anonymous memory mapping: its start and length.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
struct Mapping {
    base: NonNull<u8>,
    len: usize,
}

/// Buffers from this size on get their own mapping, advised to use
/// transparent huge pages: no zeroing pass at allocation (fresh pages are
/// zero) and ~512× fewer page faults when first written (what NumPy does
/// for large arrays too). Smaller buffers come from the allocator.
pub const MAPPED_MIN: usize = 4 << 20;

// SAFETY: a RawBuffer is the only handle on its allocation (the pool holds
// one only while no Buffer does).
unsafe impl Send for RawBuffer {}

// SAFETY: a Buffer owns its allocation exclusively (or, borrowed, only
// reads it); shared access hands out only `&[u8]`, and mutable access
// requires `&mut Buffer` of an owned buffer.
unsafe impl Send for Buffer {}
unsafe impl Sync for Buffer {}

impl RawBuffer {
    /// No bytes, nothing to free.
    fn empty() -> RawBuffer {
        RawBuffer {
            ptr: NonNull::<u64>::dangling().cast(),
            len: 0,
            mapping: None,
        }
    }

    /// A fresh zero-filled allocation of `len` bytes.
    pub(super) fn zeroed(len: usize) -> RawBuffer {
        if len == 0 {
            return RawBuffer::empty();
        }
        #[cfg(target_os = "linux")]
        if len >= MAPPED_MIN {
            if let Some(raw) = RawBuffer::mapped(len) {
                return raw;
            }
        }
        let layout = Layout::from_size_align(len, align_for(len)).expect("buffer size overflows");
        // SAFETY: layout has non-zero size.
        let raw = unsafe { alloc_zeroed(layout) };
        let ptr = NonNull::new(raw).unwrap_or_else(|| std::alloc::handle_alloc_error(layout));
        RawBuffer {
            ptr,
            len,
            mapping: None,
        }
    }

    /// A zero-filled anonymous mapping of at least `len` bytes whose start
    /// is 2 MiB aligned and advised to use huge pages; `None` if mmap fails.
    #[cfg(target_os = "linux")]
    fn mapped(len: usize) -> Option<RawBuffer> {
        const HUGE: usize = 2 << 20;
        let map_len = len.checked_add(HUGE)?;
        // SAFETY: a private anonymous mapping (no file, no fixed address);
        // the result is checked for failure before use.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                map_len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return None;
        }
        let start = (base as usize).next_multiple_of(HUGE);
        // SAFETY: `start - base < HUGE`, so `[start, start + len)` lies in
        // the mapping. The advice only affects how pages are backed; if the
        // kernel refuses it, ordinary pages serve the same bytes.
        unsafe { libc::madvise(start as *mut libc::c_void, len, libc::MADV_HUGEPAGE) };
        Some(RawBuffer {
            ptr: NonNull::new(start as *mut u8)?,
            len,
            mapping: Some(Mapping {
                base: NonNull::new(base as *mut u8)?,
                len: map_len,
            }),
        })
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    #[cfg(test)]
    pub(super) fn as_ptr(&self) -> *const u8 {
        self.ptr.as_ptr()
    }

    /// Returns the memory to the system.
    pub(super) fn free(self) {
        #[cfg(target_os = "linux")]
        if let Some(m) = &self.mapping {
            // SAFETY: `m` is the whole mapping made in `mapped`, unmapped
            // once (`self` is consumed).
            unsafe { libc::munmap(m.base.as_ptr() as *mut libc::c_void, m.len) };
            return;
        }
        if self.len > 0 {
            let layout = Layout::from_size_align(self.len, align_for(self.len))
                .expect("layout was valid at allocation");
            // SAFETY: allocated in `zeroed` with this exact layout, freed
            // once (`self` is consumed).
            unsafe { dealloc(self.ptr.as_ptr(), layout) }
        }
    }
}

impl Buffer {
    fn owned(raw: RawBuffer) -> Buffer {
        Buffer { raw, owner: None }
    }

    /// A zeroed buffer of `len` bytes (a recycled one is cleared first).
    pub fn zeroed(len: usize) -> Buffer {
        match pool::take(len) {
            Some(raw) => {
                // SAFETY: `raw` is an allocation of `len` writable bytes
                // that nothing else references.
                unsafe { std::ptr::write_bytes(raw.ptr.as_ptr(), 0, len) };
                Buffer::owned(raw)
            }
            None => Buffer::owned(RawBuffer::zeroed(len)),
        }
    }

    /// A buffer of `len` bytes whose contents are unspecified: those a
    /// recycled buffer was left with (initialised bytes of some earlier
    /// value), or zeros. For writers that fill every byte before anything
    /// reads it; the bytes may not form valid `bool`s.
    ///
    /// Debug builds fill the bytes with `0xFF` (NaN for floats, -1 for
    /// integers), so a writer that leaves elements unwritten fails tests
    /// instead of passing on zeros.
    pub fn recycled(len: usize) -> Buffer {
        let raw = pool::take(len).unwrap_or_else(|| RawBuffer::zeroed(len));
        if cfg!(debug_assertions) {
            // SAFETY: `raw` is an allocation of `len` writable bytes that
            // nothing else references.
            unsafe { std::ptr::write_bytes(raw.ptr.as_ptr(), 0xFF, len) };
        }
        Buffer::owned(raw)
    }

    /// A read-only view of `len` bytes at `ptr` that `owner` keeps alive
    /// (dropped with the buffer).
    ///
    /// # Safety
    ///
    /// The bytes must stay readable, and unwritten, while `owner` lives.
    pub unsafe fn borrowed(
        ptr: NonNull<u8>,
        len: usize,
        owner: Box<dyn Any + Send + Sync>,
    ) -> Buffer {
        Buffer {
            raw: RawBuffer {
                ptr,
                len,
                mapping: None,
            },
            owner: Some(owner),
        }
    }

    /// True for memory another owner keeps alive (see [`Buffer::borrowed`]).
    pub fn is_borrowed(&self) -> bool {
        self.owner.is_some()
    }

    pub fn len(&self) -> usize {
        self.raw.len
    }

    pub fn is_empty(&self) -> bool {
        self.raw.len == 0
    }

    pub fn as_bytes(&self) -> &[u8] {
        // SAFETY: ptr is valid for len initialised bytes (zeroed at
        // creation, or written since).
        unsafe { std::slice::from_raw_parts(self.raw.ptr.as_ptr(), self.raw.len) }
    }

    /// The bytes, writable. Panics on a borrowed buffer (an engine bug:
    /// writers check `Tensor::can_write_in_place` or copy first).
    pub fn as_bytes_mut(&mut self) -> &mut [u8] {
        assert!(!self.is_borrowed(), "a borrowed buffer is read-only");
        // SAFETY: as above, and &mut self guarantees exclusive access.
        unsafe { std::slice::from_raw_parts_mut(self.raw.ptr.as_ptr(), self.raw.len) }
    }

    pub fn as_ptr(&self) -> *const u8 {
        self.raw.ptr.as_ptr()
    }
}

impl Drop for Buffer {
    fn drop(&mut self) {
        if self.owner.is_some() {
            return; // the owner, dropped with this field, frees the memory
        }
        // The last holder let go: nothing can reach these bytes any more,
        // so the pool may hand them to a new buffer.
        pool::recycle(std::mem::replace(&mut self.raw, RawBuffer::empty()));
    }
}
