//! theon: define, optimize, differentiate and evaluate mathematical
//! expressions over n-dimensional arrays — Theano rebuilt in Rust.
//!
//! ```
//! use theon::prelude::*;
//! let x = matrix("x", F64);
//! let y = (&x * 2.0).exp() - 1.0;
//! let f = function(&[x.clone()], &[y]).unwrap();
//! let value = Tensor::from_vec(vec![0.0f64, 0.5, 1.0, 0.25], &[2, 2]).unwrap();
//! let out = f.call(&[value]).unwrap();
//! assert_eq!(out[0].shape(), &[2, 2]);
//! assert!((out[0].get(&[1, 0]).as_f64() - (2f64.exp() - 1.0)).abs() < 1e-12);
//! ```

pub mod backend;
pub mod compile;
pub mod config;
pub mod dtype;
pub mod error;
pub mod grad;
pub mod graph;
pub mod ops;
pub mod printing;
pub mod rewrite;
pub mod tensor;

pub use compile::{function, Function};
pub use dtype::DType;
pub use error::{Error, ErrorKind, Result, Site};
pub use graph::{SharedVar, TensorType, Var};
pub use rewrite::Mode;
pub use tensor::{Scalar, Tensor};

/// Everything a user needs to build and run graphs.
pub mod prelude {
    pub use crate::compile::{function, DebugMode, Function, In, NanGuardMode, Out, UnusedInput};
    pub use crate::dtype::DType::{self, *};
    pub use crate::grad::{grad, hessian, jacobian, lop, rop, GradOptions};
    pub use crate::graph::Arg;
    pub use crate::graph::{SharedVar, TensorType, Var};
    pub use crate::ops::constructors::*;
    pub use crate::ops::control::{ifelse, scan, OpFromGraph, OutputInfo, Seq, StepOutputs};
    pub use crate::ops::creation::{
        alloc, arange, eye, fill, full, full_like, identity, identity_like, ones, ones_like,
        second, zeros, zeros_like,
    };
    pub use crate::ops::elemwise::{
        abs, add, cast, clip, cos, eq, exp, ge, gt, le, log, log1p, lt, maximum, minimum, mul, neq,
        pow, sigmoid, sin, softplus, sqr, sqrt, sub, switch, tanh, true_div,
    };
    pub use crate::ops::indexing::{
        inc_subtensor, nonzero, set_subtensor, take, IndexItem, ELLIPSIS, NEWAXIS,
    };
    pub use crate::ops::nnet;
    pub use crate::ops::products::{
        batched_dot, batched_tensordot, dot, einsum, matmul, outer, tensordot,
    };
    pub use crate::ops::reduce::{Axis, ReduceKind};
    pub use crate::ops::shape::{
        broadcast_to, concatenate, expand_dims, flatten, flip, join, repeat, repeat_each, reshape,
        roll, shape, shape_i, specify_shape, split, squeeze, stack, tile, Dim,
    };
    pub use crate::printing::{debugprint, pp};
    pub use crate::rewrite::Mode;
    pub use crate::s;
    pub use crate::tensor::{Scalar, Tensor};
}
