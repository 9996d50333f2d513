//! Which kernel each node of a training step runs, and where the time
//! goes: W2 (logistic regression, 60000×784 float32, full batch) and W3
//! (MLP 784-500-10, minibatch 128) built as a Theano user would.
//!
//! `cargo run --release -p theon --example step_kernels`

use std::time::Instant;
use theon::grad::GradOptions;
use theon::ops::nnet::{categorical_crossentropy, softmax};
use theon::prelude::*;

fn step(params: &[SharedVar], x: &Var, y: &Var, probs: &Var, lr: f64) -> Function {
    let loss = categorical_crossentropy(probs, y).mean(Axis::All);
    let vars: Vec<Var> = params.iter().map(SharedVar::var).collect();
    let grads = grad(&loss, &vars, &GradOptions::default()).unwrap();
    let updates = params
        .iter()
        .zip(&grads)
        .map(|(p, g)| (p.clone(), p.var() - g * lr));
    Function::builder(&[x.clone(), y.clone()], &[loss])
        .updates(updates)
        .profile(true)
        .build()
        .unwrap()
}

fn show(name: &str, f: &Function, args: &[Tensor], calls: usize) {
    for _ in 0..2 {
        f.call(args).unwrap();
    }
    let t0 = Instant::now();
    for _ in 0..calls {
        f.call(args).unwrap();
    }
    let per = t0.elapsed().as_secs_f64() / calls as f64;
    println!("\n== {name}: {:.2} ms per call (profiled)", per * 1e3);
    for (node, kernel) in f.program().kernel_names() {
        println!("  {kernel:<28} {node}");
    }
    println!("{}", f.profile().summary());
}

fn main() {
    let (n, d, k) = (60000, 784, 10);
    let x = matrix("x", F32);
    let y = vector("y", I32);
    let w = SharedVar::new(Tensor::randn(F32, &[d, k], 1), "W");
    let b = SharedVar::new(Tensor::zeros(F32, &[k]), "b");
    let probs = softmax(&(x.dot(&w.var()) + b.var()), -1);
    let f = step(&[w, b], &x, &y, &probs, 0.1);
    let xs = Tensor::rand_uniform(F32, &[n, d], 0.0, 1.0, 2);
    let ys = Tensor::rand_int(I32, &[n], 0, k as i64, 3);
    show("W2 logistic regression step", &f, &[xs, ys], 5);

    let (batch, hidden) = (128, 500);
    let w1 = SharedVar::new(
        Tensor::rand_uniform(F32, &[d, hidden], -0.07, 0.07, 4),
        "W1",
    );
    let b1 = SharedVar::new(Tensor::zeros(F32, &[hidden]), "b1");
    let w2 = SharedVar::new(Tensor::rand_uniform(F32, &[hidden, k], -0.1, 0.1, 5), "W2");
    let b2 = SharedVar::new(Tensor::zeros(F32, &[k]), "b2");
    let h = (x.dot(&w1.var()) + b1.var()).tanh();
    let probs = softmax(&(h.dot(&w2.var()) + b2.var()), -1);
    let f = step(&[w1, b1, w2, b2], &x, &y, &probs, 0.01);
    let xs = Tensor::rand_uniform(F32, &[batch, d], 0.0, 1.0, 6);
    let ys = Tensor::rand_int(I32, &[batch], 0, k as i64, 7);
    show("W3 MLP step", &f, &[xs, ys], 50);
}
