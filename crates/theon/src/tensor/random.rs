//! Seeded random tensors for tests and examples (never zeros by accident).

use super::Tensor;
use crate::dtype::DType;
use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;

fn rng(seed: u64) -> rand::rngs::StdRng {
    rand::rngs::StdRng::seed_from_u64(seed)
}

impl Tensor {
    /// Uniform values in `[low, high)`, cast to `dtype`.
    pub fn rand_uniform(dtype: DType, shape: &[usize], low: f64, high: f64, seed: u64) -> Tensor {
        let mut r = rng(seed);
        let n = super::size_of(shape);
        let values: Vec<f64> = (0..n).map(|_| r.random_range(low..high)).collect();
        Tensor::from_f64s(dtype, shape, &values).expect("sizes agree")
    }

    /// Standard normal values, cast to `dtype`.
    pub fn randn(dtype: DType, shape: &[usize], seed: u64) -> Tensor {
        let mut r = rng(seed);
        let n = super::size_of(shape);
        let values: Vec<f64> = (0..n).map(|_| r.sample(StandardNormal)).collect();
        Tensor::from_f64s(dtype, shape, &values).expect("sizes agree")
    }

    /// Uniform integers in `[low, high)`, cast to `dtype`.
    pub fn rand_int(dtype: DType, shape: &[usize], low: i64, high: i64, seed: u64) -> Tensor {
        let mut r = rng(seed);
        let n = super::size_of(shape);
        let values: Vec<crate::Scalar> = (0..n)
            .map(|_| crate::Scalar::Int(r.random_range(low..high)))
            .collect();
        Tensor::from_scalars(dtype, shape, &values).expect("sizes agree")
    }
}
