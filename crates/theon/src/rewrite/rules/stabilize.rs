//! Stabilize: numerically safer forms of expressions that overflow or lose
//! precision as written (`log(1 + exp(1000))` is `inf`; `softplus(1000)` is
//! 1000). Float inputs only: for integers the "unsafe" form wraps instead.

use super::super::engine::Rule;
use super::super::pattern::{all_float, identity_when};

const TAGS: &[&str] = &["stabilize", "fast_run"];

/// The stabilize rules, most specific first.
pub fn rules() -> Vec<Rule> {
    vec![
        identity_when(
            "softplus",
            TAGS,
            "log(add(1, exp($x)))",
            "softplus($x)",
            all_float,
        ),
        identity_when(
            "softplus_log1p",
            TAGS,
            "log1p(exp($x))",
            "softplus($x)",
            all_float,
        ),
        identity_when(
            "log_one_minus_sigmoid",
            TAGS,
            "log(sub(1, sigmoid($x)))",
            "neg(softplus($x))",
            all_float,
        ),
        identity_when(
            "log_sigmoid",
            TAGS,
            "log(sigmoid($x))",
            "neg(softplus(neg($x)))",
            all_float,
        ),
        identity_when("log1p", TAGS, "log(add(1, $x))", "log1p($x)", all_float),
        identity_when("expm1", TAGS, "sub(exp($x), 1)", "expm1($x)", all_float),
        identity_when(
            "one_minus_sigmoid",
            TAGS,
            "sub(1, sigmoid($x))",
            "sigmoid(neg($x))",
            all_float,
        ),
    ]
}
