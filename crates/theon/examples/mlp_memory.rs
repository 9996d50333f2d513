//! Peak memory of one gradient step of a 20-layer MLP (width 256), as the
//! memory plan runs it, against the lower bound: parameters + inputs + the
//! largest set of intermediates that must be alive together.
//!
//! Run: `cargo run --release -p theon --example mlp_memory`
//!
//! The step uses `grad` when every op on the path has a pullback; where one
//! does not yet (e.g. `dot` on a branch without its gradient), it writes
//! out the same backward graph reverse mode builds.

use theon::prelude::*;

const LAYERS: usize = 20;
const WIDTH: usize = 256;
const BATCH: usize = 64;

/// `(loss, gradients, built by grad?)` for `params` = `[W0, b0, W1, ...]`.
fn loss_and_grads(x: &Var, target: &Var, params: &[Var]) -> (Var, Vec<Var>, bool) {
    let mut hs = vec![x.clone()];
    for layer in params.chunks(2) {
        let h = (hs.last().unwrap().dot(&layer[0]) + &layer[1]).tanh();
        hs.push(h);
    }
    let err = hs.last().unwrap() - target;
    let loss = (&err * &err).sum(Axis::All) * (0.5 / BATCH as f64);
    if let Ok(grads) = grad(&loss, params, &GradOptions::default()) {
        return (loss, grads, true);
    }
    let mut grads = vec![None; params.len()];
    let mut d = &err * (1.0 / BATCH as f64);
    for (i, layer) in params.chunks(2).enumerate().rev() {
        let h = &hs[i + 1];
        let dz = &d * (1.0 - h * h);
        grads[2 * i] = Some(hs[i].t().dot(&dz));
        grads[2 * i + 1] = Some(dz.sum(0));
        if i > 0 {
            d = dz.dot(&layer[0].t());
        }
    }
    (loss, grads.into_iter().map(Option::unwrap).collect(), false)
}

fn main() {
    let x = matrix("x", F64);
    let target = matrix("target", F64);
    let scale = 1.0 / (WIDTH as f64).sqrt();
    let params: Vec<SharedVar> = (0..LAYERS)
        .flat_map(|l| {
            let w = Tensor::randn(F64, &[WIDTH, WIDTH], 2 * l as u64).to_f64_vec();
            let w: Vec<f64> = w.iter().map(|v| v * scale).collect();
            [
                shared(
                    Tensor::from_vec(w, &[WIDTH, WIDTH]).unwrap(),
                    &format!("W{l}"),
                ),
                shared(
                    Tensor::randn(F64, &[WIDTH], 2 * l as u64 + 1),
                    &format!("b{l}"),
                ),
            ]
        })
        .collect();
    let vars: Vec<Var> = params.iter().map(SharedVar::var).collect();
    let (loss, grads, by_grad) = loss_and_grads(&x, &target, &vars);
    let updates = params
        .iter()
        .zip(&grads)
        .map(|(p, g)| (p.clone(), p.var() - g * 0.01));
    let step = Function::builder(&[x.clone(), target.clone()], &[loss])
        .updates(updates)
        .profile(true)
        .name("mlp_step")
        .build()
        .unwrap();
    let xv = Tensor::randn(F64, &[BATCH, WIDTH], 1000);
    let tv = Tensor::rand_uniform(F64, &[BATCH, WIDTH], -0.5, 0.5, 1001);
    for _ in 0..3 {
        step.call(&[xv.clone(), tv.clone()]).unwrap();
    }
    let m = step.profile().memory;
    let mib = |b: usize| b as f64 / (1024.0 * 1024.0);
    let param_bytes: usize = params.iter().map(|p| p.get_value().size() * 8).sum();
    let input_bytes = 2 * BATCH * WIDTH * 8;
    println!(
        "{LAYERS}-layer MLP step, width {WIDTH}, batch {BATCH}, float64, {} nodes, backward by {}",
        step.program().steps.len(),
        if by_grad {
            "grad"
        } else {
            "the written-out graph"
        }
    );
    println!(
        "  parameters {:.2} MiB, inputs {:.2} MiB",
        mib(param_bytes),
        mib(input_bytes)
    );
    println!(
        "  base (parameters + inputs + constants): {:.2} MiB",
        mib(m.base_bytes)
    );
    println!(
        "  largest set of intermediates alive together: {:.2} MiB",
        mib(m.live_bound_bytes)
    );
    println!("  lower bound: {:.2} MiB", mib(m.lower_bound_bytes()));
    println!(
        "  planner peak: {:.2} MiB (during {})",
        mib(m.peak_bytes()),
        m.peak_node
    );
    println!("  peak / lower bound: {:.3}", m.ratio());
    println!(
        "  allocated over the step: {:.2} MiB; freeing at last use saved {:.2} MiB",
        mib(m.allocated_bytes),
        mib(m.saved_by_reuse_bytes())
    );
}
