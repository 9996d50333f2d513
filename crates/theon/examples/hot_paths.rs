//! Median times of the CPU hot paths of issue 7 items 3 and 5 on float32:
//! column max, row argmin, cumsum, sort/argsort, a transposed read, repeat
//! and take along axis 1 (1000×1000 matrices, 1M-element vectors).
//!
//! `cargo run --release -p theon --example hot_paths [NAME ...]`

use std::time::Instant;
use theon::ops::extra::{argsort, sort};
use theon::prelude::*;

fn median_ms(f: &Function, args: &[Tensor]) -> f64 {
    for _ in 0..2 {
        f.call(args).unwrap();
    }
    let mut times: Vec<f64> = (0..15)
        .map(|_| {
            let t0 = Instant::now();
            f.call(args).unwrap();
            t0.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn main() {
    let wanted: Vec<String> = std::env::args().skip(1).collect();
    let x = matrix("x", F32);
    let u = vector("u", F32);
    let iv = vector("iv", I64);
    let xs = Tensor::randn(F32, &[1000, 1000], 1);
    let us = Tensor::randn(F32, &[1_000_000], 2);
    let ivs = Tensor::rand_int(I64, &[1000], 0, 1000, 3);
    let cases: Vec<(&str, Vec<Var>, Var, Vec<Tensor>)> = vec![
        ("max_axis0", vec![x.clone()], x.max(0), vec![xs.clone()]),
        (
            "argmin_axis1",
            vec![x.clone()],
            x.argmin(1),
            vec![xs.clone()],
        ),
        ("cumsum", vec![u.clone()], u.cumsum(0), vec![us.clone()]),
        ("sort", vec![u.clone()], sort(&u, -1), vec![us.clone()]),
        (
            "argsort",
            vec![u.clone()],
            argsort(&u, -1),
            vec![us.clone()],
        ),
        (
            "transpose_mul",
            vec![x.clone()],
            x.t() * 1.0,
            vec![xs.clone()],
        ),
        (
            "repeat",
            vec![u.clone()],
            u.repeat(2, Some(0)),
            vec![us.clone()],
        ),
        (
            "take_axis1",
            vec![x.clone(), iv.clone()],
            x.take(&iv, 1),
            vec![xs.clone(), ivs.clone()],
        ),
    ];
    for (name, ins, out, args) in cases {
        if !wanted.is_empty() && !wanted.iter().any(|w| w == name) {
            continue;
        }
        let f = function(&ins, &[out]).unwrap();
        let kernels: Vec<String> = f
            .program()
            .kernel_names()
            .into_iter()
            .map(|(_, k)| k)
            .collect();
        println!(
            "{name:<14} {:8.3} ms  {}",
            median_ms(&f, &args),
            kernels.join(",")
        );
    }
}
