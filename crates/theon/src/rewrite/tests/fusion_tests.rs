//! Elementwise fusion: trees become one `Composite`, broadcasting and casts
//! included, shared values are not recomputed, results do not change.

use super::{compile, no_fusion, ops};
use crate::ops::elemwise::Composite;
use crate::prelude::*;

fn composites(f: &Function) -> Vec<Composite> {
    crate::graph::toposort(f.optimized_outputs())
        .iter()
        .filter_map(|n| {
            n.op()
                .and_then(|op| op.as_any().downcast_ref::<Composite>().cloned())
        })
        .collect()
}

fn agree(a: &Function, b: &Function, args: &[Tensor], rtol: f64) {
    let (x, y) = (a.call(args).unwrap(), b.call(args).unwrap());
    for (p, q) in x.iter().zip(&y) {
        assert_eq!(p.dtype(), q.dtype());
        assert!(p.allclose(q, rtol, 0.0), "{p:?} vs {q:?}");
    }
}

#[test]
fn a_chain_with_broadcasting_and_casts_becomes_one_composite() {
    let x = matrix("x", F32);
    let b = vector("b", F64);
    let y = ((&x * 2.0).tanh().cast(F64) + &b).sin().named("y");
    let on = compile(&[x.clone(), b.clone()], &[y.clone()], Mode::fast_run());
    let off = compile(&[x.clone(), b.clone()], &[y], no_fusion());
    assert_eq!(on.compile_profile().hits("fusion"), 1);
    assert_eq!(ops(&on).len(), 1, "{}", on.debugprint());
    let c = &composites(&on)[0];
    assert_eq!(c.body.len(), 5);
    assert_eq!(c.inputs.len(), 3, "x, the constant 2 and b");
    let args = [Tensor::randn(F32, &[3, 4], 1), Tensor::randn(F64, &[4], 2)];
    // Unfused, the float32 tanh runs on the vectorised kernel (≤ 2 ulp);
    // the mixed float32/float64 composite runs the reference.
    agree(&on, &off, &args, 1e-6);
    let out = on.call(&args).unwrap();
    let (xs, bs) = (args[0].to_f64_vec(), args[1].to_f64_vec());
    for i in 0..3 {
        for j in 0..4 {
            let t = ((xs[i * 4 + j] as f32 * 2.0) as f64).tanh() as f32 as f64;
            let want = (t + bs[j]).sin();
            assert!((out[0].get(&[i, j]).as_f64() - want).abs() < 1e-12);
        }
    }
}

#[test]
fn values_with_other_clients_are_not_duplicated() {
    let x = vector("x", F64);
    let e = x.exp().sin();
    let y1 = (&e + 1.0).cos();
    let y2 = (&e * 3.0).tanh();
    let on = compile(&[x.clone()], &[y1.clone(), y2.clone()], Mode::fast_run());
    let off = compile(&[x.clone()], &[y1, y2], no_fusion());
    let cs = composites(&on);
    assert_eq!(cs.len(), 3, "{}", on.debugprint());
    let body_ops: usize = cs.iter().map(|c| c.body.len()).sum();
    assert_eq!(
        body_ops,
        6,
        "sin(exp(x)) is computed once: {}",
        on.debugprint()
    );
    agree(&on, &off, &[Tensor::randn(F64, &[7], 3)], 0.0);
}

#[test]
fn fusion_stops_at_non_elementwise_ops_and_is_idempotent() {
    let x = matrix("x", F64);
    let y = x.exp().sin().t().cos().abs();
    let on = compile(&[x.clone()], &[y.clone()], Mode::fast_run());
    assert_eq!(ops(&on).len(), 3, "{}", on.debugprint());
    assert_eq!(composites(&on).len(), 2);
    // Compiling the already-fused graph again fuses nothing more.
    let again = compile(&[x.clone()], on.optimized_outputs(), Mode::fast_run());
    assert_eq!(again.compile_profile().hits("fusion"), 0);
    assert_eq!(ops(&again), ops(&on));
    let off = compile(&[x.clone()], &[y], no_fusion());
    agree(&on, &off, &[Tensor::randn(F64, &[3, 2], 4).t()], 0.0);
}

#[test]
fn expensive_ops_are_not_recomputed_per_broadcast_element() {
    let v = vector("v", F64);
    let m = matrix("m", F64);
    let y = v.exp().sin() + &m;
    let on = compile(&[v.clone(), m.clone()], &[y.clone()], Mode::fast_run());
    let cs = composites(&on);
    assert_eq!(cs.len(), 1, "{}", on.debugprint());
    assert_eq!(
        cs[0].body.len(),
        2,
        "exp(v) and sin stay outside the broadcast add"
    );
    let cheap = (-&v).abs() + &m;
    let fused = compile(&[v.clone(), m.clone()], &[cheap], Mode::fast_run());
    assert_eq!(composites(&fused)[0].body.len(), 3);
    let off = compile(&[v.clone(), m.clone()], &[y], no_fusion());
    agree(
        &on,
        &off,
        &[Tensor::randn(F64, &[4], 5), Tensor::randn(F64, &[3, 4], 6)],
        0.0,
    );
}

#[test]
fn a_tree_reading_more_variables_than_a_fused_kernel_takes_is_cut() {
    use crate::rewrite::fusion::MAX_COMPOSITE_INPUTS;
    let n = 100;
    let xs: Vec<Var> = (0..n).map(|i| vector(&format!("x{i}"), F64)).collect();
    let y = xs.iter().map(|x| x.sqr()).reduce(|a, b| a + b).unwrap();
    let on = compile(
        &xs,
        std::slice::from_ref(&y),
        Mode::fast_run().excluding(["inplace"]),
    );
    let cs = composites(&on);
    assert!(cs.len() >= 2, "{}", on.debugprint());
    for c in &cs {
        assert!(
            c.inputs.len() <= MAX_COMPOSITE_INPUTS,
            "{} inputs",
            c.inputs.len()
        );
    }
    let args: Vec<Tensor> = (0..n).map(|i| Tensor::randn(F64, &[5], i as u64)).collect();
    let off = compile(&xs, &[y], no_fusion());
    agree(&on, &off, &args, 1e-12);
    let got = on.call(&args).unwrap()[0].to_f64_vec();
    for (j, g) in got.iter().enumerate() {
        let want: f64 = args.iter().map(|a| a.to_f64_vec()[j].powi(2)).sum();
        assert!(
            (g - want).abs() <= 1e-12 * want.abs().max(1.0),
            "{g} vs {want}"
        );
    }
}
