//! Theano's calling semantics of compiled functions: updates (swap, old
//! state, several functions, threads), defaults and keyword calls, stateful
//! inputs, output ownership and aliasing, input conversion rules, default
//! updates, shared-variable types, givens, copy and free.

use theon::compile::{CopyOptions, NoDefaultUpdates};
use theon::prelude::*;

fn close(a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() <= 1e-12 * (1.0 + y.abs()), "{a:?} vs {b:?}");
    }
}

#[test]
fn updates_swap_two_shared_variables() {
    let (av, bv) = (Tensor::randn(F64, &[3], 1), Tensor::randn(F64, &[3], 2));
    let a = shared(av.clone(), "a");
    let b = shared(bv.clone(), "b");
    let f = Function::builder::<Var, Var>(&[], &[])
        .updates([(a.clone(), b.var()), (b.clone(), a.var())])
        .build()
        .unwrap();
    f.call(&[]).unwrap();
    assert!(a.get_value().bit_eq(&bv) && b.get_value().bit_eq(&av));
    f.call(&[]).unwrap();
    assert!(a.get_value().bit_eq(&av) && b.get_value().bit_eq(&bv));
}

#[test]
fn outputs_and_updates_see_the_old_state() {
    let start = Tensor::randn(F64, &[4], 3);
    let s = shared(start.clone(), "s");
    let x = vector("x", F64);
    let f = Function::builder(std::slice::from_ref(&x), &[s.var() * 2.0])
        .updates([(s.clone(), s.var() + &x)])
        .build()
        .unwrap();
    let xv = Tensor::randn(F64, &[4], 4);
    let out = f.call(std::slice::from_ref(&xv)).unwrap();
    let old = start.to_vec::<f64>();
    let xs = xv.to_vec::<f64>();
    close(
        &out[0].to_vec::<f64>(),
        &old.iter().map(|v| v * 2.0).collect::<Vec<_>>(),
    );
    let want: Vec<f64> = old.iter().zip(&xs).map(|(a, b)| a + b).collect();
    close(&s.get_value().to_vec::<f64>(), &want);
}

#[test]
fn several_functions_share_one_variable() {
    let s = shared(Tensor::randn(F64, &[2], 5), "s");
    let x = vector("x", F64);
    let add = Function::builder(std::slice::from_ref(&x), &[s.var()])
        .updates([(s.clone(), s.var() + &x)])
        .build()
        .unwrap();
    let double = Function::builder::<Var, Var>(&[], &[])
        .updates([(s.clone(), s.var() * 2.0)])
        .build()
        .unwrap();
    let mut expect = s.get_value().to_vec::<f64>();
    for seed in 0..4 {
        let xv = Tensor::randn(F64, &[2], 10 + seed);
        let seen = add.call(std::slice::from_ref(&xv)).unwrap().remove(0);
        close(&seen.to_vec::<f64>(), &expect);
        expect = expect
            .iter()
            .zip(xv.to_vec::<f64>())
            .map(|(a, b)| a + b)
            .collect();
        double.call(&[]).unwrap();
        expect = expect.iter().map(|v| v * 2.0).collect();
        close(&s.get_value().to_vec::<f64>(), &expect);
    }
}

#[test]
fn defaults_positional_and_keyword_calls() {
    let x = vector("x", F64);
    let y = scalar("y", F64);
    let f = Function::builder(
        &[In::new(&x), In::new(&y).value(2.0).name("scale")],
        &[&x * &y],
    )
    .build()
    .unwrap();
    let xv = Tensor::randn(F64, &[3], 6);
    let xs = xv.to_vec::<f64>();
    let times = |k: f64| xs.iter().map(|v| v * k).collect::<Vec<_>>();
    close(
        &f.call(std::slice::from_ref(&xv)).unwrap()[0].to_vec::<f64>(),
        &times(2.0),
    );
    let kw = f.args().arg(&xv).kw("scale", 3.0).call().unwrap();
    close(&kw[0].to_vec::<f64>(), &times(3.0));
    let named = f
        .call_named(&[("scale", Tensor::scalar(-1.5f64)), ("x", xv.clone())])
        .unwrap();
    close(&named[0].to_vec::<f64>(), &times(-1.5));
    // The default is unchanged by calls that override it.
    close(
        &f.call(std::slice::from_ref(&xv)).unwrap()[0].to_vec::<f64>(),
        &times(2.0),
    );
    let twice = f.args().arg(&xv).kw("x", &xv).call().unwrap_err();
    assert!(twice.to_string().contains("several values"), "{twice}");
}

#[test]
fn stateful_input_keeps_its_update() {
    let x = scalar("x", F64);
    let acc = scalar("acc", F64);
    let f = Function::builder(
        &[In::new(&x), In::new(&acc).value(10.0).update(&(&acc + &x))],
        std::slice::from_ref(&acc),
    )
    .build()
    .unwrap();
    let mut expect = 10.0;
    for k in [1.5, -2.0, 4.25] {
        let got = f.call(&[Tensor::scalar(k)]).unwrap()[0].item().as_f64();
        assert_eq!(got, expect);
        expect += k;
    }
    // An explicit value replaces the state for this call; the update follows.
    let got = f
        .call(&[Tensor::scalar(1.0f64), Tensor::scalar(100.0f64)])
        .unwrap();
    assert_eq!(got[0].item().as_f64(), 100.0);
    assert_eq!(f.input_value(1).unwrap().item().as_f64(), 101.0);
}

#[test]
fn outputs_are_owned_unless_borrowed() {
    let x = vector("x", F64);
    let s = shared(Tensor::randn(F64, &[3], 7), "s");
    let c = constant(Tensor::randn(F64, &[2], 8));
    let outs = [x.clone(), s.var(), c.clone(), &x + 1.0, x.clone()];
    let f = function(std::slice::from_ref(&x), &outs).unwrap();
    let xv = Tensor::randn(F64, &[3], 9);
    let got = f.call(std::slice::from_ref(&xv)).unwrap();
    assert!(got[0].bit_eq(&xv) && !got[0].shares_buffer(&xv));
    assert!(got[1].bit_eq(&s.get_value()) && !got[1].shares_buffer(&s.get_value()));
    assert!(got[2].bit_eq(c.constant_value().unwrap()));
    assert!(!got[2].shares_buffer(c.constant_value().unwrap()));
    assert!(!got[3].buffer_is_shared());
    assert!(got[4].bit_eq(&xv) && !got[4].shares_buffer(&got[0]));
    let borrowed = Function::builder(std::slice::from_ref(&x), &[Out::new(&x).borrow(true)])
        .build()
        .unwrap();
    assert!(borrowed.call(std::slice::from_ref(&xv)).unwrap()[0].shares_buffer(&xv));
    // An update value that is also an output: the output is not the stored value.
    let y = &x * 3.0;
    let g = Function::builder(std::slice::from_ref(&x), std::slice::from_ref(&y))
        .updates([(s.clone(), y)])
        .build()
        .unwrap();
    let out = g.call(std::slice::from_ref(&xv)).unwrap().remove(0);
    assert!(out.bit_eq(&s.get_value()) && !out.shares_buffer(&s.get_value()));
}

#[test]
fn input_downcast_follows_theano_rules() {
    let x = vector("x", F32);
    let y = &x * 2.0;
    let f = function(std::slice::from_ref(&x), std::slice::from_ref(&y)).unwrap();
    let v64 = Tensor::randn(F64, &[3], 10);
    let err = f.call(std::slice::from_ref(&v64)).unwrap_err().to_string();
    assert!(
        err.contains("'x'") && err.contains("float32") && err.contains("float64"),
        "{err}"
    );
    let ints = Tensor::rand_int(I8, &[3], -9, 9, 11);
    let up = f.call(std::slice::from_ref(&ints)).unwrap();
    let want: Vec<f64> = ints.to_f64_vec().iter().map(|v| v * 2.0).collect();
    close(&up[0].to_f64_vec(), &want);
    let g = Function::builder(std::slice::from_ref(&x), std::slice::from_ref(&y))
        .allow_input_downcast(true)
        .build()
        .unwrap();
    let down = g.call(std::slice::from_ref(&v64)).unwrap();
    let want: Vec<f64> = v64
        .to_f64_vec()
        .iter()
        .map(|v| (*v as f32 * 2.0) as f64)
        .collect();
    close(&down[0].to_f64_vec(), &want);
    let strict = Function::builder(&[In::new(&x).strict(true)], std::slice::from_ref(&y))
        .build()
        .unwrap();
    assert!(strict.call(std::slice::from_ref(&ints)).is_err());
    // Literals convert when no value changes.
    let s = scalar("s", I8);
    let h = function(std::slice::from_ref(&s), &[&s + 1i64]).unwrap();
    assert_eq!(h.args().arg(41i64).call().unwrap()[0].item().as_i64(), 42);
    let err = h.args().arg(1000i64).call().unwrap_err().to_string();
    assert!(err.contains("1000") && err.contains("'s'"), "{err}");
    let t = scalar("t", F32);
    let k = function(std::slice::from_ref(&t), &[&t * 1.0]).unwrap();
    assert_eq!(k.args().arg(0.5).call().unwrap()[0].item().as_f64(), 0.5);
    assert!(k.args().arg(0.1).call().is_err());
}

#[test]
fn default_updates_apply_unless_disabled() {
    let s = shared(Tensor::randn(F64, &[2], 12), "s");
    s.set_default_update(Some(s.var() + 1.0)).unwrap();
    let before = s.get_value().to_vec::<f64>();
    let f = function(&[], &[s.var() * 1.0]).unwrap();
    f.call(&[]).unwrap();
    close(
        &s.get_value().to_vec::<f64>(),
        &before.iter().map(|v| v + 1.0).collect::<Vec<_>>(),
    );
    for which in [
        NoDefaultUpdates::All,
        NoDefaultUpdates::Only(vec![s.clone()]),
    ] {
        let g = Function::builder::<Var, Var>(&[], &[s.var() * 1.0])
            .no_default_updates(which)
            .build()
            .unwrap();
        let now = s.get_value();
        g.call(&[]).unwrap();
        assert!(s.get_value().bit_eq(&now));
    }
}

#[test]
fn shared_type_is_fixed_at_creation() {
    let s = shared(Tensor::randn(F64, &[3], 13), "s");
    let ints = Tensor::rand_int(I32, &[5], -100, 100, 14);
    s.set_value(ints.clone()).unwrap();
    assert_eq!(s.get_value().dtype(), F64);
    assert_eq!(s.get_value().to_f64_vec(), ints.to_f64_vec());
    let err = s.set_value(Tensor::randn(F64, &[2, 2], 15)).unwrap_err();
    assert!(err.to_string().contains("rank 1"), "{err}");
    let f = shared(Tensor::randn(F32, &[3], 16), "f");
    let err = f.set_value(Tensor::randn(F64, &[3], 17)).unwrap_err();
    assert!(err.to_string().contains("'f'"), "{err}");
    let strict = SharedVar::with_filter(
        Tensor::randn(F64, &[2], 18),
        TensorType::unknown(F64, 1),
        "strict",
        theon::graph::Filter {
            strict: true,
            allow_downcast: None,
        },
    );
    assert!(strict.set_value(ints).is_err());
    // set_value without borrow keeps a private copy.
    let v = Tensor::randn(F64, &[3], 19);
    s.set_value_with(v.clone(), false).unwrap();
    assert!(!s.get_value().shares_buffer(&v) && s.get_value().bit_eq(&v));
    assert!(!s.get_value_with(false).shares_buffer(&s.get_value()));
}

#[test]
fn givens_replace_before_compiling() {
    let x = vector("x", F64);
    let y = vector("y", F64);
    let f = Function::builder(std::slice::from_ref(&y), &[x.exp()])
        .givens([(x.clone(), &y * 2.0)])
        .build()
        .unwrap();
    let yv = Tensor::randn(F64, &[4], 20);
    let want: Vec<f64> = yv.to_vec::<f64>().iter().map(|v| (v * 2.0).exp()).collect();
    close(&f.call(&[yv]).unwrap()[0].to_vec::<f64>(), &want);
}

#[test]
fn unused_inputs_follow_the_policy() {
    let x = vector("x", F64);
    let unused = vector("unused", F64);
    let err = function(&[x.clone(), unused.clone()], &[x.exp()]).unwrap_err();
    assert!(err.to_string().contains("'unused'"), "{err}");
    let f = Function::builder(&[x.clone(), unused], &[x.exp()])
        .on_unused_input(UnusedInput::Ignore)
        .build()
        .unwrap();
    let xv = Tensor::randn(F64, &[2], 21);
    assert_eq!(f.call(&[xv.clone(), xv]).unwrap().len(), 1);
}

#[test]
fn copy_shares_or_swaps_storage() {
    let s = shared(Tensor::randn(F64, &[2], 22), "s");
    let t = shared(Tensor::randn(F64, &[2], 23), "t");
    let f = Function::builder::<Var, Var>(&[], &[s.var() * 1.0])
        .updates([(s.clone(), s.var() + 1.0)])
        .build()
        .unwrap();
    let same = f.copy();
    let before = s.get_value().to_vec::<f64>();
    same.call(&[]).unwrap();
    close(
        &s.get_value().to_vec::<f64>(),
        &before.iter().map(|v| v + 1.0).collect::<Vec<_>>(),
    );
    let swapped = f
        .copy_with(CopyOptions {
            swap: vec![(s.clone(), t.clone())],
            ..CopyOptions::default()
        })
        .unwrap();
    let (s_now, t_now) = (s.get_value(), t.get_value().to_vec::<f64>());
    let out = swapped.call(&[]).unwrap();
    close(&out[0].to_vec::<f64>(), &t_now);
    assert!(s.get_value().bit_eq(&s_now));
    close(
        &t.get_value().to_vec::<f64>(),
        &t_now.iter().map(|v| v + 1.0).collect::<Vec<_>>(),
    );
    let frozen = f
        .copy_with(CopyOptions {
            delete_updates: true,
            ..CopyOptions::default()
        })
        .unwrap();
    frozen.call(&[]).unwrap();
    assert!(s.get_value().bit_eq(&s_now));
    let bad = shared(Tensor::randn(F32, &[2], 24), "bad");
    assert!(f
        .copy_with(CopyOptions {
            swap: vec![(s.clone(), bad)],
            ..CopyOptions::default()
        })
        .is_err());
    f.free();
    f.call(&[]).unwrap();
    close(
        &s.get_value().to_vec::<f64>(),
        &s_now
            .to_vec::<f64>()
            .iter()
            .map(|v| v + 1.0)
            .collect::<Vec<_>>(),
    );
}

#[test]
fn concurrent_calls_see_whole_updates() {
    let a = shared(Tensor::scalar(0.0f64), "a");
    let b = shared(Tensor::scalar(100.0f64), "b");
    let shift = Function::builder::<Var, Var>(&[], &[])
        .updates([(a.clone(), a.var() + 1.0), (b.clone(), b.var() - 1.0)])
        .build()
        .unwrap();
    let total = function(&[], &[a.var() + b.var()]).unwrap();
    std::thread::scope(|scope| {
        for _ in 0..3 {
            scope.spawn(|| {
                for _ in 0..200 {
                    shift.call(&[]).unwrap();
                }
            });
        }
        scope.spawn(|| {
            for _ in 0..300 {
                assert_eq!(total.call(&[]).unwrap()[0].item().as_f64(), 100.0);
            }
        });
    });
    assert_eq!(a.get_value().item().as_f64(), 600.0);
    assert_eq!(b.get_value().item().as_f64(), -500.0);
}
