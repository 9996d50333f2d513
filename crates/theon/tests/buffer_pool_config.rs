//! The buffer pool's capacity flag and `Function::free`, in a test binary
//! of its own: it changes the process-wide pool, which other tests would
//! otherwise see (and disturb) in parallel.

use theon::config::update_config;
use theon::prelude::*;
use theon::tensor::pool::{self, DEFAULT_CAPACITY};

#[test]
fn capacity_bounds_the_pool_and_free_empties_it() {
    let x = matrix("x", F64);
    // Three outputs of 48–64 KiB each, plus intermediates.
    let f = function(
        std::slice::from_ref(&x),
        &[x.exp(), x.dot(&x.t()), (&x * 2.0).sum(1)],
    )
    .unwrap();
    let xv = Tensor::rand_uniform(F64, &[90, 90], -1.0, 1.0, 1);
    for cap in [DEFAULT_CAPACITY, 100 << 10, 0] {
        update_config(|c| c.buffer_pool_bytes = cap);
        assert_eq!(pool::capacity(), cap);
        for _ in 0..10 {
            let out = f.call(std::slice::from_ref(&xv)).unwrap();
            drop(out);
            let stats = pool::stats();
            assert!(
                stats.bytes <= cap,
                "{} bytes pooled over a cap of {cap}",
                stats.bytes
            );
        }
        let stats = pool::stats();
        if cap == DEFAULT_CAPACITY {
            assert!(stats.buffers > 0, "dropped results were not pooled");
        }
        if cap == 0 {
            assert_eq!(stats.buffers, 0);
        }
        f.free();
        assert_eq!(pool::stats().bytes, 0, "free() leaves the pool empty");
    }
    // With the pool on, a steady call reuses its buffers: hits grow.
    update_config(|c| c.buffer_pool_bytes = DEFAULT_CAPACITY);
    drop(f.call(std::slice::from_ref(&xv)).unwrap());
    let before = pool::stats().hits;
    drop(f.call(std::slice::from_ref(&xv)).unwrap());
    assert!(
        pool::stats().hits > before,
        "the second call reused nothing"
    );
    let want = xv.to_f64_vec();
    let e = f.call(std::slice::from_ref(&xv)).unwrap().remove(0);
    for (g, w) in e.to_f64_vec().iter().zip(&want) {
        assert!((g - w.exp()).abs() <= 1e-12 * w.exp());
    }
}
