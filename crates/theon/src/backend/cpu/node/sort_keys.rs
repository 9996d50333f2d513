//! Sorting float lanes through integer keys: each f32/f64 maps to a u64
//! whose unsigned order is NumPy's sort order (numbers ascending, every
//! NaN last), and keys are sorted by a stable LSD radix sort (11-bit digits,
//! one counting pass for all digits; digits shared by every key skipped) or,
//! for short lanes, by the standard library. Argsort sorts (key, index)
//! pairs, so ties keep their input order as the reference's stable sort.

use crate::backend::cpu::Real;

/// Bits per radix digit, and the buckets of one digit.
const DIGIT: u32 = 11;
const BUCKETS: usize = 1 << DIGIT;
/// Below this many elements a comparison sort is faster than radix passes.
const RADIX_MIN: usize = 1024;

/// A float with an order-preserving integer key.
pub trait SortKey: Real {
    /// Significant bits of a key.
    const BITS: u32;
    /// The key of `self`; `merge_zeros` gives -0.0 the key of +0.0 (they
    /// compare equal, so a stable argsort must keep their input order).
    fn key(self, merge_zeros: bool) -> u64;
    /// The value with key `k` (a NaN for the largest key, `2^BITS - 1`).
    fn from_key(k: u64) -> Self;
}

macro_rules! sort_key {
    ($t:ty, $bits:ty, $n:expr) => {
        impl SortKey for $t {
            const BITS: u32 = $n;
            #[inline(always)]
            fn key(self, merge_zeros: bool) -> u64 {
                if self.is_nan() {
                    return <$bits>::MAX as u64; // after +inf and every number
                }
                let v = if merge_zeros && self == 0.0 {
                    0.0
                } else {
                    self
                };
                let b = v.to_bits();
                let sign: $bits = 1 << ($n - 1);
                // Positive: set the sign bit; negative: flip all bits.
                (if b & sign == 0 { b | sign } else { !b }) as u64
            }
            #[inline(always)]
            fn from_key(k: u64) -> $t {
                let k = k as $bits;
                if k == <$bits>::MAX {
                    return <$t>::NAN;
                }
                let sign: $bits = 1 << ($n - 1);
                <$t>::from_bits(if k & sign != 0 { k ^ sign } else { !k })
            }
        }
    };
}
sort_key!(f32, u32, 32);
sort_key!(f64, u64, 64);

/// Sorts `lane` in place: numbers ascending, NaNs last.
pub fn sort_values<T: SortKey>(lane: &mut [T]) {
    let mut keys: Vec<u64> = lane.iter().map(|v| v.key(false)).collect();
    if keys.len() < RADIX_MIN {
        keys.sort_unstable();
    } else {
        radix(&mut keys, None, T::BITS);
    }
    for (v, &k) in lane.iter_mut().zip(&keys) {
        *v = T::from_key(k);
    }
}

/// The stable sorting permutation of `lane` (NaNs last) written to `order`.
pub fn argsort_values<T: SortKey>(lane: &[T], order: &mut [usize]) {
    let mut keys: Vec<u64> = lane.iter().map(|v| v.key(true)).collect();
    if keys.len() < RADIX_MIN {
        // Unique (key, index) pairs: an unstable sort gives the stable order.
        let mut pairs: Vec<(u64, usize)> = keys.into_iter().zip(0..).collect();
        pairs.sort_unstable();
        for (o, (_, i)) in order.iter_mut().zip(pairs) {
            *o = i;
        }
    } else {
        order.iter_mut().enumerate().for_each(|(i, o)| *o = i);
        radix(&mut keys, Some(order), T::BITS);
    }
}

/// Stable LSD radix sort of `keys` (each below `2^bits`), moving `items`
/// alongside; a pass whose digit is the same for every key is skipped.
fn radix(keys: &mut [u64], items: Option<&mut [usize]>, bits: u32) {
    let n = keys.len();
    let counts = histograms(keys, bits.div_ceil(DIGIT));
    let mut key_buf = vec![0u64; n];
    let mut item_buf = vec![0usize; if items.is_some() { n } else { 0 }];
    let (mut ks, mut kd): (&mut [u64], &mut [u64]) = (keys, &mut key_buf);
    let mut is: &mut [usize] = items.unwrap_or(&mut []);
    let mut id: &mut [usize] = &mut item_buf;
    let mut moved = 0;
    for (p, count) in counts.iter().enumerate() {
        if count.contains(&n) {
            continue; // every key has the same digit here
        }
        let shift = p as u32 * DIGIT;
        let mut next = [0usize; BUCKETS];
        let mut sum = 0;
        for (slot, &c) in next.iter_mut().zip(count.iter()) {
            *slot = sum;
            sum += c;
        }
        for (i, &k) in ks.iter().enumerate() {
            let d = ((k >> shift) as usize) & (BUCKETS - 1);
            kd[next[d]] = k;
            if !is.is_empty() {
                id[next[d]] = is[i];
            }
            next[d] += 1;
        }
        std::mem::swap(&mut ks, &mut kd);
        std::mem::swap(&mut is, &mut id);
        moved += 1;
    }
    if moved % 2 == 1 {
        // The sorted data sits in the buffers: copy it home.
        kd.copy_from_slice(ks);
        id.copy_from_slice(is);
    }
}

/// Counts of every digit position in one pass over the keys.
fn histograms(keys: &[u64], passes: u32) -> Vec<[usize; BUCKETS]> {
    let mut counts = vec![[0usize; BUCKETS]; passes as usize];
    for &k in keys {
        for (p, count) in counts.iter_mut().enumerate() {
            count[((k >> (p as u32 * DIGIT)) as usize) & (BUCKETS - 1)] += 1;
        }
    }
    counts
}
