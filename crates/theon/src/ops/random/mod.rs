//! Random variables the way Theano built them: a `RandomVariable` node
//! reads a generator state (a `uint64` vector `[key, counter]`, usually a
//! shared variable) and a size, and returns the advanced state and a sample.
//! The state is pure data, so a draw is a deterministic function of its
//! inputs; randomness across calls comes from the function updating the
//! state (`SharedVar::set_default_update` with the node's first output).
//! Samples are not differentiable (their gradients are disconnected).

pub mod generator;
mod multinomial;
#[cfg(test)]
mod tests;

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::graph::{Op, PerformCtx, TensorType, Var};
use crate::tensor::Tensor;
use generator::ElementStream;

pub use generator::seed_state;
pub use multinomial::{try_multinomial, MultinomialVariable};

/// The most trials a binomial element may take (the reference kernel draws
/// one uniform per trial).
const MAX_TRIALS: f64 = 1e7;

/// A distribution and the parameters it reads (inputs 2.. of the node, each
/// broadcast to the sample's shape).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Distribution {
    /// `low + (high - low) * u`, `u` uniform in `[0, 1)`. Params: low, high.
    Uniform,
    /// Normal with mean `avg` and standard deviation `std`. Params: avg, std.
    Normal,
    /// Number of successes in `n` trials of probability `p`. Params: n, p.
    Binomial,
    /// Uniform integers in `[low, high]`, both included (Theano's
    /// `random_integers`). Params: low, high.
    Integers,
}

impl Distribution {
    /// Theano's name of the distribution.
    pub fn name(self) -> &'static str {
        match self {
            Distribution::Uniform => "uniform",
            Distribution::Normal => "normal",
            Distribution::Binomial => "binomial",
            Distribution::Integers => "random_integers",
        }
    }

    /// The names of its parameters, in input order.
    pub fn params(self) -> [&'static str; 2] {
        match self {
            Distribution::Uniform | Distribution::Integers => ["low", "high"],
            Distribution::Normal => ["avg", "std"],
            Distribution::Binomial => ["n", "p"],
        }
    }
}

/// A draw from `dist`. Inputs: the state (`uint64` vector of length 2),
/// the size (an integer vector of length `ndim`), then the distribution's
/// two parameters. Outputs: the advanced state and the sample of `dtype`,
/// whose dims are `static_shape` where known (a constant size).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RandomVariable {
    pub dist: Distribution,
    pub dtype: DType,
    pub static_shape: Vec<Option<usize>>,
}

impl RandomVariable {
    fn check_param(&self, index: usize, ty: &TensorType) -> Result<()> {
        let name = self.dist.params()[index - 2];
        if ty.ndim() > self.static_shape.len() {
            return Err(Error::value(
                self.name(),
                format!(
                    "parameter {name} (input {index}) has rank {} but the sample has rank {}",
                    ty.ndim(),
                    self.static_shape.len()
                ),
            ));
        }
        let integral = matches!(
            (self.dist, index),
            (Distribution::Binomial, 2) | (Distribution::Integers, _)
        );
        if integral && !ty.dtype.is_integral() {
            return Err(Error::dtype(
                self.name(),
                index,
                ty.dtype,
                format!("needs an integer {name}"),
            ));
        }
        if !integral && ty.dtype.is_bool() {
            return Err(Error::dtype(
                self.name(),
                index,
                ty.dtype,
                format!("needs a numeric {name}"),
            ));
        }
        Ok(())
    }

    /// The sample's shape from the size input (non-negative, matching the
    /// static dims).
    fn sample_shape(&self, size: &Tensor) -> Result<Vec<usize>> {
        let dims: Vec<i64> = size.to_scalars().iter().map(|s| s.as_i64()).collect();
        let mut shape = Vec::with_capacity(dims.len());
        for (axis, (&d, known)) in dims.iter().zip(&self.static_shape).enumerate() {
            let fits = d >= 0 && known.is_none_or(|k| k as i64 == d);
            if !fits {
                return Err(Error::value(
                    self.name(),
                    format!("size (input 1) is {dims:?}: dim {axis} must be a non-negative size matching {:?}", self.static_shape),
                ));
            }
            shape.push(d as usize);
        }
        Ok(shape)
    }

    /// Parameter `index` broadcast to `shape`, as f64 in C order.
    fn param_values(&self, inputs: &[Tensor], index: usize, shape: &[usize]) -> Result<Vec<f64>> {
        let param = &inputs[index];
        let broadcast = param.broadcast_to(shape).map_err(|_| {
            Error::value(
                self.name(),
                format!(
                    "parameter {} (input {index}) has shape {:?}, which does not broadcast to the size {shape:?}",
                    self.dist.params()[index - 2],
                    param.shape()
                ),
            )
        })?;
        Ok(broadcast.to_f64_vec())
    }

    /// One element from its stream and its two parameters.
    fn sample_one(&self, stream: &mut ElementStream, a: f64, b: f64, at: usize) -> Result<f64> {
        let bad = |what: String| Error::value(self.name(), format!("element {at}: {what}"));
        match self.dist {
            Distribution::Uniform => Ok(a + (b - a) * stream.next_unit()),
            Distribution::Normal => Ok(a + b * stream.next_normal()),
            Distribution::Binomial => {
                if !(0.0..=MAX_TRIALS).contains(&a) || !(0.0..=1.0).contains(&b) {
                    return Err(bad(format!(
                        "binomial needs 0 <= n <= {MAX_TRIALS} and 0 <= p <= 1, got n={a}, p={b}"
                    )));
                }
                Ok((0..a as u64).filter(|_| stream.next_unit() < b).count() as f64)
            }
            Distribution::Integers => {
                if a > b {
                    return Err(bad(format!(
                        "random_integers needs low <= high, got low={a}, high={b}"
                    )));
                }
                let span = (b as i128 - a as i128 + 1) as u128;
                Ok(a + stream.next_below(span) as f64)
            }
        }
    }
}

impl Op for RandomVariable {
    fn name(&self) -> String {
        format!("RandomVariable{{{}, {}}}", self.dist.name(), self.dtype)
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        if inputs.len() != 4 {
            return Err(Error::value(
                self.name(),
                format!(
                    "takes 4 inputs (state, size, {}, {}), got {}",
                    self.dist.params()[0],
                    self.dist.params()[1],
                    inputs.len()
                ),
            ));
        }
        let (state, size) = (&inputs[0], &inputs[1]);
        if state.dtype != DType::U64 || state.ndim() != 1 {
            return Err(Error::value(
                self.name(),
                format!("input 0 (the generator state) must be a uint64 vector, got {state}"),
            ));
        }
        if !size.dtype.is_int()
            || size.ndim() != 1
            || size.shape[0].is_some_and(|n| n != self.static_shape.len())
        {
            return Err(Error::value(
                self.name(),
                format!(
                    "input 1 (the size) must be an integer vector of length {}, got {size}",
                    self.static_shape.len()
                ),
            ));
        }
        if self.dtype.is_bool()
            || (self.dtype.is_integral()
                && matches!(self.dist, Distribution::Uniform | Distribution::Normal))
        {
            return Err(Error::value(
                self.name(),
                format!(
                    "a {} sample must have a float dtype, not {}",
                    self.dist.name(),
                    self.dtype
                ),
            ));
        }
        self.check_param(2, &inputs[2])?;
        self.check_param(3, &inputs[3])?;
        Ok(vec![
            state.clone(),
            TensorType::new(self.dtype, self.static_shape.clone()),
        ])
    }

    fn perform(&self, inputs: &[Tensor], _ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let state: Vec<u64> = inputs[0].to_scalars().iter().map(|s| s.as_u64()).collect();
        let [key, counter] = state[..] else {
            return Err(Error::value(
                self.name(),
                format!("input 0 (the generator state) must hold 2 values [key, counter], got shape {:?}", inputs[0].shape()),
            ));
        };
        let shape = self.sample_shape(&inputs[1])?;
        let first = self.param_values(inputs, 2, &shape)?;
        let second = self.param_values(inputs, 3, &shape)?;
        let values = first
            .iter()
            .zip(&second)
            .enumerate()
            .map(|(i, (&a, &b))| {
                self.sample_one(&mut ElementStream::new(key, counter, i as u64), a, b, i)
            })
            .collect::<Result<Vec<f64>>>()?;
        let advanced = counter.wrapping_add(values.len() as u64);
        Ok(vec![
            Tensor::from_vec(vec![key, advanced], &[2])?,
            Tensor::from_f64s(self.dtype, &shape, &values)?,
        ])
    }

    fn differentiable(&self) -> bool {
        false
    }
}

/// A draw from `dist` with generator `state`, of shape `size` (an integer
/// vector; its values give the static dims when it is a constant) and
/// parameters `a`, `b` (see [`Distribution`]). Returns `(new_state,
/// sample)`.
#[track_caller]
pub fn try_random(
    dist: Distribution,
    state: &Var,
    size: &Var,
    a: &Var,
    b: &Var,
    dtype: DType,
) -> Result<(Var, Var)> {
    let static_shape = match size.constant_value() {
        Some(value) => value
            .to_scalars()
            .iter()
            .map(|s| usize::try_from(s.as_i64()).ok())
            .collect(),
        None => vec![None; size.ty().shape.first().copied().flatten().unwrap_or(0)],
    };
    if size.ndim() == 1 && size.ty().shape[0].is_none() && size.constant_value().is_none() {
        return Err(Error::value(
            format!("RandomVariable{{{}, {dtype}}}", dist.name()),
            format!(
                "the size (input 1) must have a known length to fix the sample's rank, got {}",
                size.ty()
            ),
        )
        .at(&crate::error::Site::caller()));
    }
    let op = RandomVariable {
        dist,
        dtype,
        static_shape,
    };
    let outputs = Var::apply(op, &[state.clone(), size.clone(), a.clone(), b.clone()])?;
    Ok((outputs[0].clone(), outputs[1].clone()))
}

/// A generator state for `seed`, as a tensor (`uint64[2]`) for a shared
/// variable.
pub fn state_tensor(seed: u64) -> Tensor {
    Tensor::from_vec(seed_state(seed).to_vec(), &[2]).expect("two values fill [2]")
}
