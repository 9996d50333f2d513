//! Tests of the reduction family: every op compiled and run through
//! `function` on random inputs, compared with expectations computed by
//! plain loops over multi-indices (independent of the kernels' grouping).

mod arg;
mod basic;
mod basic_edges;
mod cumulative;
mod helpers;
mod moments;
mod props;
