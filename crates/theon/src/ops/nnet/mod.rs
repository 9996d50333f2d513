//! Theano's `tensor.nnet` (without convolution): softmax and log-softmax
//! as dedicated, numerically stable ops; activations built from elementwise
//! ops (so they fuse); cross-entropies.

mod activations;
mod crossentropy;
mod rules;
mod softmax;
mod softmax_crossentropy;
mod softmax_pair;

pub use crate::ops::elemwise::{sigmoid, softplus};
pub use activations::{
    elu, hard_sigmoid, relu, selu, softsign, ultra_fast_sigmoid, SELU_ALPHA, SELU_SCALE,
};
pub use crossentropy::{
    binary_crossentropy, categorical_crossentropy, sigmoid_binary_crossentropy,
    try_categorical_crossentropy, CrossentropyCategorical1Hot,
};
pub use softmax::{log_softmax, softmax, try_log_softmax, try_softmax, LogSoftmax, Softmax};
pub use softmax_crossentropy::{
    softmax_crossentropy, try_softmax_crossentropy, SoftmaxCrossentropy, Targets,
};
pub use softmax_pair::SoftmaxWithCrossentropy;
