//! Tests of the creation ops against plain-loop expectations.
