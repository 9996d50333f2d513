//! Tests of the shape/layout ops against plain-loop expectations.
