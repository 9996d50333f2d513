//! Compile-time benchmark: time from building a graph to a ready function
//! (FAST_RUN), for a chain of 1,000 elementwise ops, random DAGs of 1,000
//! and 10,000 nodes (to show near-linear growth), and the loss + gradient
//! of a 20-layer MLP of width 256 (with `grad`, and with `dot` layers and
//! a hand-written backward pass, since `dot`'s pullback is not in main yet).
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

const LAYERS: usize = 20;
const WIDTH: usize = 256;

/// A 20-layer tanh MLP whose layers are written with ops that have
/// gradients in main (`sum` of a broadcast product is a matrix product);
/// outputs: the squared-error loss and its gradient for every weight.
fn mlp_grad() -> (Vec<Var>, Vec<Var>) {
    let x = matrix("x", F32);
    let t = matrix("t", F32);
    let weights: Vec<Var> = (0..LAYERS)
        .map(|i| tensor(&format!("W{i}"), F32, &[Some(WIDTH), Some(WIDTH)]))
        .collect();
    let biases: Vec<Var> = (0..LAYERS)
        .map(|i| tensor(&format!("b{i}"), F32, &[Some(WIDTH)]))
        .collect();
    let mut h = x.clone();
    for (w, b) in weights.iter().zip(&biases) {
        let product =
            h.dimshuffle(&[Some(0), Some(1), None]) * w.dimshuffle(&[None, Some(0), Some(1)]);
        h = (product.sum(1) + b).tanh();
    }
    let loss = (&h - &t).sqr().sum(Axis::All) * (1.0f32 / 64.0);
    let params: Vec<Var> = weights.iter().chain(&biases).cloned().collect();
    let grads = theon::grad::grad(&loss, &params, &GradOptions::default()).expect("differentiable");
    let mut inputs = vec![x, t];
    inputs.extend(params);
    let mut outputs = vec![loss];
    outputs.extend(grads);
    (inputs, outputs)
}

/// The same MLP with `dot` layers, a softmax cross-entropy loss and the
/// backward pass written out (what `grad` will build once `dot` and
/// `softmax` have pullbacks); outputs: loss and every weight's gradient.
fn mlp_dot_backprop() -> (Vec<Var>, Vec<Var>) {
    let x = matrix("x", F32);
    let t = matrix("t", F32);
    let weights: Vec<Var> = (0..LAYERS)
        .map(|i| tensor(&format!("W{i}"), F32, &[Some(WIDTH), Some(WIDTH)]))
        .collect();
    let biases: Vec<Var> = (0..LAYERS)
        .map(|i| tensor(&format!("b{i}"), F32, &[Some(WIDTH)]))
        .collect();
    let mut hs = vec![x.clone()];
    for (w, b) in weights.iter().zip(&biases) {
        let h = (dot(hs.last().expect("input"), w) + b).tanh();
        hs.push(h);
    }
    let logits = hs.last().expect("output").clone();
    let p = nnet::softmax(&logits, -1);
    let loss = nnet::categorical_crossentropy(&p, &t).mean(Axis::All);
    let mut g = (&p - &t) / logits.shape_i(0).cast(F32);
    let mut grads = Vec::new();
    for (layer, w) in weights.iter().enumerate().rev() {
        let (h_in, h_out) = (&hs[layer], &hs[layer + 1]);
        let pre = &g * (1.0f32 - h_out.sqr());
        grads.push(dot(&h_in.t(), &pre));
        grads.push(pre.sum(0));
        g = dot(&pre, &w.t());
    }
    let mut inputs = vec![x, t];
    inputs.extend(weights);
    inputs.extend(biases);
    let mut outputs = vec![loss];
    outputs.extend(grads);
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
    time_compile("MLP 20x256 loss + grad (grad)", mlp_grad);
    time_compile("MLP 20x256 loss + grad (dot, manual)", mlp_dot_backprop);
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
