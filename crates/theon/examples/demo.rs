//! theon's demo: builds an expression, shows its graph and evaluates it.

use theon::prelude::*;

fn main() -> theon::Result<()> {
    let x = matrix("x", F64);
    let w = vector("w", F64);
    let y = (&x * &w.dimshuffle(&[None, Some(0)]))
        .tanh()
        .sum(1)
        .named("y");
    println!("y = {y:?}");
    let f = function(&[x.clone(), w.clone()], &[y])?;
    let xv = Tensor::randn(F64, &[3, 4], 0);
    let wv = Tensor::randn(F64, &[4], 1);
    println!("x =\n{xv}\nw = {wv}");
    let out = f.call(&[xv, wv])?;
    println!("sum(tanh(x * w), axis=1) = {}", out[0]);
    Ok(())
}
