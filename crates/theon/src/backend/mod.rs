//! Execution backends: fast kernels that know nothing of graphs. They take
//! slices, strides and `Tensor`s and return values; the reference `perform`
//! of each op stays the oracle they are tested against.

pub mod cpu;
