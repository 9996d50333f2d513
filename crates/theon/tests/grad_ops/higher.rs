//! Second order through the new rules: the Hessian of a small MLP loss
//! (dot + tanh + softmax + cross-entropy, parameters sliced out of one
//! vector) against finite differences of its gradient, and Hessian-vector
//! products by `rop(grad)` and by `lop` against each other and `H·v`.

use super::{assert_close, grad1, randn};
use theon::prelude::*;

const N_PARAMS: usize = 3 * 4 + 4 * 3;

/// Mean cross-entropy of a 3-4-3 tanh network on 5 fixed examples.
fn mlp_loss(w: &Var) -> Var {
    let data = constant(randn(&[5, 3], 900));
    let labels = constant(Tensor::from_vec(vec![0i64, 2, 1, 2, 0], &[5]).unwrap());
    let w1 = w.at(&s![..12]).reshape(&[3, 4]);
    let w2 = w.at(&s![12..]).reshape(&[4, 3]);
    let hidden = dot(&data, &w1).tanh();
    let probs = nnet::softmax(&dot(&hidden, &w2), -1);
    nnet::categorical_crossentropy(&probs, &labels).mean(Axis::All)
}

fn params() -> Var {
    tensor("w", F64, &[Some(N_PARAMS)])
}

#[test]
fn mlp_hessian_matches_finite_differences_of_the_gradient() {
    let w = params();
    let loss = mlp_loss(&w);
    let h = hessian(&loss, std::slice::from_ref(&w)).unwrap().remove(0);
    let f_h = function(std::slice::from_ref(&w), &[h]).unwrap();
    let f_g = function(std::slice::from_ref(&w), &[grad1(&loss, &w)]).unwrap();
    let w0 = randn(&[N_PARAMS], 901).to_vec::<f64>();
    let at = |p: &[f64]| Tensor::from_vec(p.to_vec(), &[N_PARAMS]).unwrap();
    let hv = f_h.call(&[at(&w0)]).unwrap()[0].to_vec::<f64>();
    let eps = 1e-5;
    for j in 0..N_PARAMS {
        let shifted = |d: f64| {
            let mut p = w0.clone();
            p[j] += d;
            f_g.call(&[at(&p)]).unwrap()[0].to_vec::<f64>()
        };
        let (plus, minus) = (shifted(eps), shifted(-eps));
        let column: Vec<f64> = (0..N_PARAMS).map(|i| hv[i * N_PARAMS + j]).collect();
        let fd: Vec<f64> = plus
            .iter()
            .zip(&minus)
            .map(|(a, b)| (a - b) / (2.0 * eps))
            .collect();
        assert_close(&format!("H column {j}"), &column, &fd, 1e-6);
    }
    assert!(hv.iter().any(|v| v.abs() > 1e-3), "a non-trivial Hessian");
    for i in 0..N_PARAMS {
        for j in 0..i {
            let (a, b) = (hv[i * N_PARAMS + j], hv[j * N_PARAMS + i]);
            assert!(
                (a - b).abs() < 1e-12,
                "H[{i},{j}] = {a} vs H[{j},{i}] = {b}"
            );
        }
    }
}

#[test]
fn mlp_hessian_vector_products_by_rop_and_lop_agree() {
    let w = params();
    let v = tensor("v", F64, &[Some(N_PARAMS)]);
    let loss = mlp_loss(&w);
    let g = grad1(&loss, &w);
    let wrt = std::slice::from_ref(&w);
    let by_rop = rop(std::slice::from_ref(&g), wrt, std::slice::from_ref(&v)).unwrap();
    let by_lop = lop(std::slice::from_ref(&g), wrt, std::slice::from_ref(&v)).unwrap();
    let h = hessian(&loss, wrt).unwrap().remove(0);
    let outputs = [by_rop[0].clone(), by_lop[0].clone(), dot(&h, &v)];
    let f = function(&[w, v], &outputs).unwrap();
    let out = f
        .call(&[randn(&[N_PARAMS], 902), randn(&[N_PARAMS], 903)])
        .unwrap();
    let [a, b, c] = [0, 1, 2].map(|i| out[i].to_vec::<f64>());
    assert!(a.iter().any(|x| x.abs() > 1e-3), "{a:?}");
    assert_close("Rop(grad) vs Lop", &a, &b, 1e-10);
    assert_close("Rop(grad) vs H v", &a, &c, 1e-10);
}
