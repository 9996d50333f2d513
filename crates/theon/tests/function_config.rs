//! `THEON_FLAGS`-style configuration of functions: `profile=True` and the
//! `DebugMode` / `NanGuardMode` mode names. (Its own test binary: it
//! changes the process-wide configuration.)

use theon::config::update_config;
use theon::prelude::*;

#[test]
fn config_turns_on_profiling_and_check_modes() {
    let x = vector("x", F64);
    let y = (&x - 1.0).log();
    update_config(|c| c.set("profile", "True").unwrap());
    let f = function(std::slice::from_ref(&x), std::slice::from_ref(&y)).unwrap();
    assert!(f.is_profiling());
    f.call(&[Tensor::rand_uniform(F64, &[3], 2.0, 3.0, 1)])
        .unwrap();
    assert_eq!(f.profile().calls, 1);
    update_config(|c| c.set("profile", "False").unwrap());
    update_config(|c| c.set("mode", "DebugMode").unwrap());
    let d = function(std::slice::from_ref(&x), std::slice::from_ref(&y)).unwrap();
    assert!(d.checks().debug.is_some() && !d.is_profiling());
    update_config(|c| c.set("mode", "NanGuardMode").unwrap());
    let g = function(std::slice::from_ref(&x), std::slice::from_ref(&y)).unwrap();
    let err = g
        .call(&[Tensor::from_vec(vec![1.0f64, 2.0], &[2]).unwrap()])
        .unwrap_err();
    assert!(err.to_string().contains("NanGuardMode"), "{err}");
    update_config(|c| c.set("mode", "FAST_RUN").unwrap());
    let plain = function(std::slice::from_ref(&x), std::slice::from_ref(&y)).unwrap();
    assert_eq!(plain.checks(), &theon::compile::Checks::default());
}
