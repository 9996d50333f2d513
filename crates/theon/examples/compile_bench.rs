//! Compile-time benchmark: time from building a graph to a ready function
//! (FAST_RUN), for a chain of 1,000 elementwise ops and random DAGs of
//! 1,000 and 10,000 nodes (to show near-linear growth).
//!
//! Run with `cargo run --release -p theon --example compile_bench`; add
//! `-- --profile` to print the optimizer's compile profiles, and set
//! `DAG=30000` to time one more random DAG of that size.

use rand::{Rng, SeedableRng};
use std::time::{Duration, Instant};
use theon::prelude::*;

/// A chain of `n` elementwise ops on one vector.
fn chain(n: usize) -> (Vec<Var>, Vec<Var>) {
    let x = vector("x", F64);
    let mut y = x.clone();
    for i in 0..n {
        y = match i % 5 {
            0 => y.sin(),
            1 => &y * 1.5,
            2 => y.tanh(),
            3 => &y + 0.25,
            _ => y.exp().log1p(),
        };
    }
    (vec![x], vec![y])
}

/// A random DAG of `n` elementwise nodes over 4 vector inputs; outputs are
/// the nodes nothing else reads.
fn random_dag(n: usize, seed: u64) -> (Vec<Var>, Vec<Var>) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let inputs: Vec<Var> = (0..4).map(|i| vector(&format!("x{i}"), F64)).collect();
    let mut nodes = inputs.clone();
    let mut used = vec![true; inputs.len()];
    for _ in 0..n {
        // Mostly recent nodes, so the DAG is deep as well as wide.
        let pick = |rng: &mut rand::rngs::StdRng| {
            let len = nodes.len();
            let back = rng.random_range(0..len.min(64));
            len - 1 - back
        };
        let a = pick(&mut rng);
        let b = pick(&mut rng);
        used[a] = true;
        let (na, nb) = (&nodes[a], &nodes[b]);
        let new = match rng.random_range(0..9) {
            0 => na.sin(),
            1 => na.tanh(),
            2 => -na,
            3 => na * 1.0,
            4 => {
                used[b] = true;
                na + nb
            }
            5 => {
                used[b] = true;
                na * nb
            }
            6 => {
                used[b] = true;
                na - nb
            }
            7 => na.exp().log(),
            _ => na.pow(2.0),
        };
        nodes.push(new);
        used.push(false);
    }
    let outputs = nodes
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(v, _)| v.clone())
        .collect();
    (inputs, outputs)
}

fn time_compile(label: &str, build: impl Fn() -> (Vec<Var>, Vec<Var>)) -> Duration {
    let mut best = Duration::MAX;
    let mut summary = String::new();
    for _ in 0..5 {
        let start = Instant::now();
        let (inputs, outputs) = build();
        let built = start.elapsed();
        let f = Function::builder(&inputs, &outputs)
            .mode(Mode::fast_run())
            .build()
            .expect("compiles");
        let elapsed = start.elapsed();
        if elapsed < best {
            best = elapsed;
            let p = f.compile_profile();
            let nodes_in = p.phases.first().map_or(0, |p| p.nodes_before);
            let nodes_out = p.phases.last().map_or(0, |p| p.nodes_after);
            if std::env::args().any(|a| a == "--profile") {
                println!("{p}");
            }
            summary = format!(
                "graph {:.2} ms, optimizer {:.2} ms, nodes {nodes_in} -> {nodes_out}",
                built.as_secs_f64() * 1e3,
                p.total.as_secs_f64() * 1e3
            );
        }
    }
    println!(
        "{label:<34} {:>9.2} ms   ({summary})",
        best.as_secs_f64() * 1e3
    );
    best
}

fn main() {
    println!("compile time, graph construction to ready function, FAST_RUN, best of 5");
    time_compile("chain of 1,000 elementwise ops", || chain(1000));
    let small = time_compile("random DAG, 1,000 nodes", || random_dag(1_000, 7));
    let large = time_compile("random DAG, 10,000 nodes", || random_dag(10_000, 7));
    if let Some(n) = std::env::var("DAG")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        time_compile(&format!("random DAG, {n} nodes"), || random_dag(n, 7));
    }
    println!(
        "10k / 1k ratio: {:.1} (10.0 is linear)",
        large.as_secs_f64() / small.as_secs_f64()
    );
}
