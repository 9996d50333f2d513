use theon::prelude::*;
fn main() {
    let x = matrix("x", F32);
    let u = vector("u", F32);
    let iv = vector("iv", I64);
    for (ins, out) in [
        (vec![x.clone()], x.t() * 1.0),
        (vec![u.clone()], u.repeat(2, Some(0))),
        (vec![x.clone(), iv.clone()], x.take(&iv, 1)),
    ] {
        let f = function(&ins, &[out]).unwrap();
        for (n, k) in f.program().kernel_names() {
            println!("{k:<30} {n}");
        }
        println!("--");
    }
}
