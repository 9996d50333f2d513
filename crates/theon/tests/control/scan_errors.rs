//! Bad input to scan: clear errors that name the output, the types or
//! shapes, and the user's line.

use theon::ops::control::{scan, OutputInfo, Seq, StepOutputs};
use theon::prelude::*;

fn this_file() -> &'static str {
    file!()
}

#[test]
fn step_output_dtype_differs_from_outputs_info() {
    let h0 = scalar("h0", F32);
    let x = vector("x", F64);
    let line = line!() + 1;
    let err = scan(|s| s.prev(0) * s.seq(0)) // float32 * float64 -> float64
        .sequences([&x])
        .outputs_info([&h0])
        .build()
        .err()
        .expect("a type error");
    let msg = err.to_string();
    assert!(msg.contains("output 0"), "{msg}");
    assert!(
        msg.contains("float64()") && msg.contains("float32()"),
        "{msg}"
    );
    assert!(
        msg.contains("initial value 'h0'")
            && msg.contains("cast it to float32")
            && msg.contains(".astype()"),
        "{msg}"
    );
    let site = err.site.expect("the user's line");
    assert_eq!(
        (site.file.as_ref(), site.line),
        (this_file(), line),
        "{msg}"
    );
}

#[test]
fn step_output_rank_differs_from_outputs_info() {
    let h0 = vector("h0", F64);
    let err = scan(|s| s.prev(0).sum(Axis::All))
        .outputs_info([&h0])
        .n_steps(3)
        .build()
        .err()
        .expect("a type error");
    let msg = err.to_string();
    assert!(
        msg.contains("has type float64()") && msg.contains("float64(?,)"),
        "{msg}"
    );
}

#[test]
fn step_output_shape_differs_at_run_time() {
    let h0 = vector("h0", F64);
    let other = vector("other", F64);
    let line = line!() + 1;
    let r = scan(|s| s.prev(0) * 0.0 + s.non_seq(0))
        .outputs_info([&h0])
        .non_sequences([&other])
        .n_steps(2)
        .build()
        .unwrap();
    let f = function(&[h0, other], &[r.outputs[0].clone()]).unwrap();
    // The body's `add` fails inside the loop; the error points at the step function.
    let err = f
        .call(&[Tensor::randn(F64, &[3], 1), Tensor::randn(F64, &[4], 2)])
        .expect_err("a shape error");
    let msg = err.to_string();
    assert!(msg.contains("[3]") && msg.contains("[4]"), "{msg}");
    let site = err.site.expect("a site");
    assert_eq!(
        (site.file.as_ref(), site.line),
        (this_file(), line),
        "{msg}"
    );

    // A state that changes shape without any broadcasting error.
    let h0 = vector("h0", F64);
    let r = scan(|s| s.prev(0).repeat(2i64, Some(0)))
        .outputs_info([&h0])
        .n_steps(2)
        .build()
        .unwrap();
    let f = function(&[h0], &[r.outputs[0].clone()]).unwrap();
    let msg = f
        .call(&[Tensor::randn(F64, &[3], 3)])
        .expect_err("shape error")
        .to_string();
    assert!(
        msg.contains("step 0 returned shape [6]") && msg.contains("initial state has shape [3]"),
        "{msg}"
    );
}

#[test]
fn sequences_of_different_lengths_need_n_steps() {
    let x = vector("x", F64);
    let y = vector("y", F64);
    let r = scan(|s| s.seq(0) + s.seq(1))
        .sequences([&x, &y])
        .build()
        .unwrap();
    let f = function(&[x.clone(), y.clone()], &[r.outputs[0].clone()]).unwrap();
    let msg = f
        .call(&[Tensor::randn(F64, &[4], 1), Tensor::randn(F64, &[6], 2)])
        .expect_err("length error")
        .to_string();
    assert!(
        msg.contains("'x' (length 4") && msg.contains("'y' (length 6") && msg.contains("n_steps"),
        "{msg}"
    );
    // With n_steps both are cut to it.
    let r = scan(|s| s.seq(0) + s.seq(1))
        .sequences([&x, &y])
        .n_steps(3)
        .build()
        .unwrap();
    let out = function(&[x, y], &[r.outputs[0].clone()])
        .unwrap()
        .call(&[Tensor::randn(F64, &[4], 1), Tensor::randn(F64, &[6], 2)])
        .unwrap();
    assert_eq!(out[0].shape(), &[3]);
}

#[test]
fn taps_that_are_negative_where_they_cannot_be_or_too_large() {
    let x = vector("x", F64);
    let h0 = vector("h0", F64);
    let msg = scan(|s| s.prev(0).clone())
        .outputs_info([OutputInfo::taps(&h0, &[0])])
        .n_steps(2)
        .build()
        .err()
        .expect("tap error")
        .to_string();
    assert!(
        msg.contains("taps [0]") && msg.contains("must be negative"),
        "{msg}"
    );
    let msg = scan(|s| s.seq(0).clone())
        .sequences([Seq::taps(&x, &[1, 1])])
        .build()
        .err()
        .expect("tap error")
        .to_string();
    assert!(msg.contains("distinct"), "{msg}");
    // A tap past the end of the sequence.
    let r = scan(|s| s.seq(0).clone())
        .sequences([Seq::taps(&x, &[10])])
        .build()
        .unwrap();
    let f = function(std::slice::from_ref(&x), &[r.outputs[0].clone()]).unwrap();
    let msg = f
        .call(&[Tensor::randn(F64, &[5], 1)])
        .expect_err("too short")
        .to_string();
    assert!(
        msg.contains("sequence 'x' (length 5) leaves zero steps"),
        "{msg}"
    );
    let r = scan(|s| s.seq(0).clone())
        .sequences([Seq::taps(&x, &[-1, 10])])
        .n_steps(3)
        .build()
        .unwrap();
    let f = function(std::slice::from_ref(&x), &[r.outputs[0].clone()]).unwrap();
    let msg = f
        .call(&[Tensor::randn(F64, &[5], 1)])
        .expect_err("too short")
        .to_string();
    assert!(
        msg.contains("has 5 rows, but 3 steps with its taps need 14"),
        "{msg}"
    );
    // A tap further back than the initial value reaches (more rows than
    // the taps need are fine: the first ones are used).
    let x0 = tensor("x0", F64, &[Some(1), None]);
    let msg = scan(|s| s.output_taps(0)[0].clone())
        .outputs_info([OutputInfo::taps(&x0, &[-2, -1])])
        .n_steps(2)
        .build()
        .err()
        .expect("window error")
        .to_string();
    assert!(
        msg.contains("has 1 rows, but taps [-2, -1] need 2 states"),
        "{msg}"
    );
    let x0 = matrix("x0", F64);
    let r = scan(|s| s.output_taps(0)[0].clone())
        .outputs_info([OutputInfo::taps(&x0, &[-4, -1])])
        .n_steps(2)
        .build()
        .unwrap();
    let f = function(&[x0], &[r.outputs[0].clone()]).unwrap();
    let msg = f
        .call(&[Tensor::randn(F64, &[2, 3], 1)])
        .expect_err("window error")
        .to_string();
    assert!(
        msg.contains("shape [2, 3]") && msg.contains("need 4 rows"),
        "{msg}"
    );
}

#[test]
fn zero_or_negative_step_counts() {
    let h0 = scalar("h0", F64);
    for n in [0i64, -3] {
        let msg = scan(|s| s.prev(0) + 1.0)
            .outputs_info([&h0])
            .n_steps(n)
            .build()
            .err()
            .expect("bad n_steps")
            .to_string();
        assert!(msg.contains(&format!("n_steps is {n}")), "{msg}");
    }
    let n = scalar("n", I64);
    let r = scan(|s| s.prev(0) + 1.0)
        .outputs_info([&h0])
        .n_steps(&n)
        .build()
        .unwrap();
    let f = function(&[h0.clone(), n], &[r.outputs[0].clone()]).unwrap();
    for bad in [0i64, -1] {
        let msg = f
            .call(&[Tensor::scalar(1.0f64), Tensor::scalar(bad)])
            .expect_err("bad")
            .to_string();
        assert!(
            msg.contains(&format!(
                "n_steps is {bad}; a scan must run at least one step"
            )),
            "{msg}"
        );
    }
    let x = vector("x", F64);
    let r = scan(|s| s.seq(0) * 2.0).sequences([&x]).build().unwrap();
    let f = function(&[x], &[r.outputs[0].clone()]).unwrap();
    let msg = f
        .call(&[Tensor::zeros(F64, &[0])])
        .expect_err("empty")
        .to_string();
    assert!(msg.contains("length 0"), "{msg}");
    let msg = scan(|s| s.prev(0) + 1.0)
        .outputs_info([&h0])
        .build()
        .err()
        .expect("no steps")
        .to_string();
    assert!(msg.contains("needs sequences or n_steps"), "{msg}");
}

#[test]
fn output_count_strictness_and_bad_updates() {
    let h0 = scalar("h0", F64);
    let msg = scan(|s| vec![s.prev(0) + 1.0, s.prev(0) * 2.0])
        .outputs_info([&h0])
        .n_steps(2)
        .build()
        .err()
        .expect("count error")
        .to_string();
    assert!(
        msg.contains("returned 2 outputs but outputs_info has 1"),
        "{msg}"
    );
    let w = scalar("w", F64);
    let msg = scan(|s| s.prev(0) * &w)
        .outputs_info([&h0])
        .n_steps(2)
        .strict(true)
        .build()
        .err()
        .expect("strict error")
        .to_string();
    assert!(msg.contains("strict") && msg.contains("\"w\""), "{msg}");
    let acc = shared(Tensor::zeros(F64, &[2]), "acc");
    let msg = scan(|s| StepOutputs::new([s.prev(0) + 1.0]).update(&acc, acc.var().sum(Axis::All)))
        .outputs_info([&h0])
        .n_steps(2)
        .build()
        .err()
        .expect("update error")
        .to_string();
    assert!(msg.contains("update of shared variable 'acc'"), "{msg}");
}

#[test]
fn a_failing_call_leaves_shared_variables_unchanged() {
    let acc = shared(Tensor::randn(F64, &[2], 5), "acc");
    let before = acc.get_value().to_vec::<f64>();
    let n = scalar("n", I64);
    let r = scan(|_s| {
        let new = acc.var() * 2.0;
        StepOutputs::new([new.sum(Axis::All)]).update(&acc, new)
    })
    .n_steps(&n)
    .build()
    .unwrap();
    let f = Function::builder(&[n], &[r.outputs[0].clone()])
        .updates(r.updates.clone())
        .build()
        .unwrap();
    assert!(f.call(&[Tensor::scalar(-2i64)]).is_err());
    assert_eq!(acc.get_value().to_vec::<f64>(), before);
    f.call(&[Tensor::scalar(3i64)]).unwrap();
    let want: Vec<f64> = before.iter().map(|v| v * 8.0).collect();
    assert_eq!(acc.get_value().to_vec::<f64>(), want);
}
