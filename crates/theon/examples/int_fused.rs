//! Integer and float → int fused bodies, before/after the typed kernel:
//! `cast(x * 100, int32)` of a float32 1000×1000 matrix and `iv * 3 + 1`
//! of an int64 vector of 1M elements, compiled with the reference kernels
//! only (what ran before `cpu.fused_typed`) and with the standard
//! registry, timed interleaved in one run.
//!
//! `cargo run --release -p theon --example int_fused`

use std::time::Instant;
use theon::compile::KernelRegistry;
use theon::prelude::*;

fn time_once(f: &Function, args: &[Tensor]) -> f64 {
    let t0 = Instant::now();
    std::hint::black_box(f.call(args).unwrap());
    t0.elapsed().as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// Median ms of `runs` interleaved calls of each function (after 2 warm-ups).
fn ab(fs: &[&Function], args: &[Tensor], runs: usize) -> Vec<f64> {
    let mut times = vec![Vec::new(); fs.len()];
    for r in 0..runs + 2 {
        for (k, f) in fs.iter().enumerate() {
            let t = time_once(f, args);
            if r >= 2 {
                times[k].push(t * 1e3);
            }
        }
    }
    times.into_iter().map(median).collect()
}

fn both(inputs: &[Var], out: &Var) -> (Function, Function) {
    let outs = std::slice::from_ref(out);
    let reference = Function::builder(inputs, outs)
        .kernels(KernelRegistry::reference_only())
        .build()
        .unwrap();
    let fast = function(inputs, outs).unwrap();
    (reference, fast)
}

fn main() {
    println!("{} threads", rayon::current_num_threads());
    let x = matrix("x", F32);
    let (slow, fast) = both(std::slice::from_ref(&x), &(&x * 100.0).cast(I32));
    println!(
        "cast(x*100, int32) kernels: {:?}",
        fast.program().kernel_names()
    );
    let args = [Tensor::randn(F32, &[1000, 1000], 1)];
    let (a, b) = (slow.call(&args).unwrap(), fast.call(&args).unwrap());
    assert_eq!(a[0].to_vec::<i32>(), b[0].to_vec::<i32>());
    let t = ab(&[&slow, &fast], &args, 9);
    let alone = ab(&[&fast], &args, 21)[0];
    println!(
        "  reference {:.2} ms, typed {:.3} ms ({:.0}x); typed alone {alone:.3} ms",
        t[0],
        t[1],
        t[0] / t[1]
    );

    let iv = vector("iv", I64);
    let (slow, fast) = both(std::slice::from_ref(&iv), &(&iv * 3 + 1));
    println!("iv*3+1 kernels: {:?}", fast.program().kernel_names());
    let args = [Tensor::rand_int(I64, &[1_000_000], i64::MIN, i64::MAX, 2)];
    let (a, b) = (slow.call(&args).unwrap(), fast.call(&args).unwrap());
    assert_eq!(a[0].to_vec::<i64>(), b[0].to_vec::<i64>());
    let t = ab(&[&slow, &fast], &args, 9);
    let alone = ab(&[&fast], &args, 21)[0];
    println!(
        "  reference {:.2} ms, typed {:.3} ms ({:.0}x); typed alone {alone:.3} ms",
        t[0],
        t[1],
        t[0] / t[1]
    );

    // For scale: the float64 lane on the same shape, `y * 3 + 1`.
    let y = vector("y", F64);
    let lane = function(std::slice::from_ref(&y), &[&y * 3.0 + 1.0]).unwrap();
    let args = [Tensor::randn(F64, &[1_000_000], 3)];
    let t = ab(&[&lane], &args, 21);
    println!("y*3+1 float64 (cpu.fused_float64): {:.3} ms", t[0]);
}
