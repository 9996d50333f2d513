//! Trains logistic regression and a one-hidden-layer MLP on the UCI
//! handwritten digits (data/digits.csv) with minibatch SGD, using only the
//! Rust API: build graphs, differentiate them, compile training steps with
//! shared-variable updates, and evaluate.

use std::time::Instant;
use theon::grad::GradOptions;
use theon::ops::nnet::{categorical_crossentropy, softmax};
use theon::prelude::*;

struct Digits {
    train_x: Tensor,
    train_y: Tensor,
    test_x: Tensor,
    test_y: Tensor,
}

/// Reads the CSV (64 pixels 0..16 then the label), scales pixels to [0, 1]
/// and splits it 1500/297 after a seeded shuffle.
fn load_digits(path: &str) -> Digits {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let rows: Vec<Vec<f64>> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            l.split(',')
                .map(|v| v.trim().parse().expect("numeric CSV"))
                .collect()
        })
        .collect();
    let order = Tensor::rand_uniform(F64, &[rows.len()], 0.0, 1.0, 7).to_f64_vec();
    let mut index: Vec<usize> = (0..rows.len()).collect();
    index.sort_by(|&a, &b| order[a].total_cmp(&order[b]));
    let split = |ids: &[usize]| {
        let pixels: Vec<f64> = ids
            .iter()
            .flat_map(|&i| rows[i][..64].iter().map(|p| p / 16.0))
            .collect();
        let labels: Vec<i64> = ids.iter().map(|&i| rows[i][64] as i64).collect();
        (
            Tensor::from_f64s(F64, &[ids.len(), 64], &pixels).unwrap(),
            Tensor::from_vec(labels, &[ids.len()]).unwrap(),
        )
    };
    let (train_x, train_y) = split(&index[..1500]);
    let (test_x, test_y) = split(&index[1500..]);
    Digits {
        train_x,
        train_y,
        test_x,
        test_y,
    }
}

/// Uniform Glorot initialisation.
fn glorot(rows: usize, cols: usize, seed: u64) -> Tensor {
    let limit = (6.0 / (rows + cols) as f64).sqrt();
    Tensor::rand_uniform(F64, &[rows, cols], -limit, limit, seed)
}

/// A compiled classifier: its training step and its predictor.
struct Model {
    name: &'static str,
    train: Function,
    predict: Function,
}

fn build(
    name: &'static str,
    params: Vec<SharedVar>,
    x: &Var,
    y: &Var,
    probs: Var,
    lr: f64,
) -> theon::Result<Model> {
    let loss = categorical_crossentropy(&probs, y)
        .mean(Axis::All)
        .named("loss");
    let vars: Vec<Var> = params.iter().map(SharedVar::var).collect();
    let started = Instant::now();
    let grads = grad(&loss, &vars, &GradOptions::default())?;
    let updates = params
        .iter()
        .zip(&grads)
        .map(|(p, g)| (p.clone(), p.var() - g * lr));
    let train = Function::builder(&[x.clone(), y.clone()], &[loss])
        .updates(updates)
        .name("train")
        .build()?;
    let predict = Function::builder(std::slice::from_ref(x), &[probs.argmax(1)])
        .name("predict")
        .build()?;
    println!(
        "{name}: gradient + compile of train and predict took {:.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    Ok(Model {
        name,
        train,
        predict,
    })
}

fn accuracy(model: &Model, x: &Tensor, y: &Tensor) -> theon::Result<f64> {
    let predicted = model.predict.call(std::slice::from_ref(x))?[0].to_vec::<i64>();
    let truth = y.to_vec::<i64>();
    let hits = predicted.iter().zip(&truth).filter(|(p, t)| p == t).count();
    Ok(hits as f64 / truth.len() as f64)
}

fn train(model: &Model, data: &Digits, epochs: usize, batch: usize) -> theon::Result<f64> {
    let n = data.train_x.shape()[0];
    for epoch in 1..=epochs {
        let started = Instant::now();
        let mut total = 0.0;
        let mut batches = 0;
        for start in (0..n).step_by(batch) {
            let stop = (start + batch).min(n) as i64;
            let xb = data
                .train_x
                .slice_axis(0, Some(start as i64), Some(stop), 1)?;
            let yb = data
                .train_y
                .slice_axis(0, Some(start as i64), Some(stop), 1)?;
            total += model.train.call(&[xb, yb])?[0].item().as_f64();
            batches += 1;
        }
        if epoch == 1 || epoch % 5 == 0 {
            let acc = accuracy(model, &data.test_x, &data.test_y)?;
            let ms = started.elapsed().as_secs_f64() * 1e3;
            println!(
                "  {} epoch {epoch:2}: mean loss {:.4}, test accuracy {:.1}% ({ms:.0} ms)",
                model.name,
                total / batches as f64,
                acc * 100.0
            );
        }
    }
    accuracy(model, &data.test_x, &data.test_y)
}

fn main() -> theon::Result<()> {
    let data = load_digits(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/digits.csv"
    ));
    println!(
        "digits: {} training and {} test images of 8x8 pixels",
        data.train_x.shape()[0],
        data.test_x.shape()[0]
    );
    let x = matrix("x", F64);
    let y = vector("y", I64);

    let w = shared(Tensor::zeros(F64, &[64, 10]), "W");
    let b = shared(Tensor::zeros(F64, &[10]), "b");
    let probs = softmax(&(x.dot(&w.var()) + b.var()), -1);
    let logreg = build("logistic regression", vec![w, b], &x, &y, probs, 0.5)?;
    let acc = train(&logreg, &data, 20, 50)?;
    println!(
        "logistic regression: final test accuracy {:.1}%",
        acc * 100.0
    );

    let w1 = shared(glorot(64, 64, 1), "W1");
    let b1 = shared(Tensor::zeros(F64, &[64]), "b1");
    let w2 = shared(glorot(64, 10, 2), "W2");
    let b2 = shared(Tensor::zeros(F64, &[10]), "b2");
    let hidden = (x.dot(&w1.var()) + b1.var()).tanh();
    let probs = softmax(&(hidden.dot(&w2.var()) + b2.var()), -1);
    let mlp = build("MLP 64-64-10", vec![w1, b1, w2, b2], &x, &y, probs, 0.3)?;
    let acc = train(&mlp, &data, 30, 50)?;
    println!("MLP: final test accuracy {:.1}%", acc * 100.0);
    Ok(())
}
