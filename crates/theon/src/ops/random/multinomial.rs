//! `MultinomialVariable`: per row of a probability matrix `pvals`
//! (rows, k), the counts of `n` draws among the `k` categories (Theano's
//! `MRG_RandomStreams.multinomial`). Row `i` uses the generator's element
//! stream `i`, so a draw advances the counter by the number of rows.

use super::generator::ElementStream;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::graph::{Op, PerformCtx, TensorType, Var};
use crate::tensor::Tensor;

/// How far a row's probabilities may sum from 1 (float32 softmax rows).
const SUM_TOLERANCE: f64 = 1e-4;

/// Inputs: the state (`uint64[2]`), `n` (an integer scalar), `pvals` (a
/// float matrix). Outputs: the advanced state and the counts, of `dtype`,
/// shaped like `pvals`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MultinomialVariable {
    pub dtype: DType,
}

impl MultinomialVariable {
    /// Category of uniform `u` under `row`'s cumulative probabilities (the
    /// last category takes what rounding leaves).
    fn category(row: &[f64], u: f64) -> usize {
        let mut cumulative = 0.0;
        for (k, p) in row.iter().enumerate() {
            cumulative += p;
            if u < cumulative {
                return k;
            }
        }
        row.len() - 1
    }

    fn check_row(&self, i: usize, row: &[f64]) -> Result<()> {
        let sum: f64 = row.iter().sum();
        if row.iter().any(|p| p.is_nan() || *p < 0.0) || (sum - 1.0).abs() > SUM_TOLERANCE {
            return Err(Error::value(
                self.name(),
                format!(
                    "row {i} of pvals (input 2) must be probabilities summing to 1, got {row:?}"
                ),
            ));
        }
        Ok(())
    }
}

impl Op for MultinomialVariable {
    fn name(&self) -> String {
        format!("MultinomialVariable{{{}}}", self.dtype)
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        if inputs.len() != 3 {
            return Err(Error::value(
                self.name(),
                format!("takes 3 inputs (state, n, pvals), got {}", inputs.len()),
            ));
        }
        let (state, n, pvals) = (&inputs[0], &inputs[1], &inputs[2]);
        if state.dtype != DType::U64 || state.ndim() != 1 {
            return Err(Error::value(
                self.name(),
                format!("input 0 (the generator state) must be a uint64 vector, got {state}"),
            ));
        }
        if !n.dtype.is_int() || n.ndim() != 0 {
            return Err(Error::dtype(
                self.name(),
                1,
                n.dtype,
                format!("needs an integer scalar n, got {n}"),
            ));
        }
        if !pvals.dtype.is_float() || pvals.ndim() != 2 {
            return Err(Error::value(
                self.name(),
                format!("pvals (input 2) must be a float matrix, got {pvals}"),
            ));
        }
        if self.dtype.is_bool() {
            return Err(Error::value(self.name(), "counts cannot be bool"));
        }
        Ok(vec![
            state.clone(),
            TensorType::new(self.dtype, pvals.shape.clone()),
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
        let n = inputs[1].item().as_i64();
        if !(0..=10_000_000).contains(&n) {
            return Err(Error::value(
                self.name(),
                format!("n (input 1) must be in [0, 1e7], got {n}"),
            ));
        }
        let (rows, k) = (inputs[2].shape()[0], inputs[2].shape()[1]);
        let pvals = inputs[2].to_f64_vec();
        let mut counts = vec![0.0; rows * k];
        for i in 0..rows {
            let row = &pvals[i * k..(i + 1) * k];
            if k == 0 {
                break;
            }
            self.check_row(i, row)?;
            let mut stream = ElementStream::new(key, counter, i as u64);
            for _ in 0..n {
                counts[i * k + Self::category(row, stream.next_unit())] += 1.0;
            }
        }
        Ok(vec![
            Tensor::from_vec(vec![key, counter.wrapping_add(rows as u64)], &[2])?,
            Tensor::from_f64s(self.dtype, &[rows, k], &counts)?,
        ])
    }

    fn differentiable(&self) -> bool {
        false
    }
}

/// `n` draws per row of `pvals` with generator `state`: `(new_state,
/// counts)`.
#[track_caller]
pub fn try_multinomial(state: &Var, n: &Var, pvals: &Var, dtype: DType) -> Result<(Var, Var)> {
    let outputs = Var::apply(
        MultinomialVariable { dtype },
        &[state.clone(), n.clone(), pvals.clone()],
    )?;
    Ok((outputs[0].clone(), outputs[1].clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::function;
    use crate::ops::random::state_tensor;

    fn draw(n: i64, pvals: Tensor) -> crate::error::Result<Vec<Tensor>> {
        let s = Var::input("state", TensorType::unknown(DType::U64, 1));
        let p = Var::input("pvals", TensorType::unknown(pvals.dtype(), 2));
        let n = Var::constant(Tensor::scalar(n));
        let (next, counts) = try_multinomial(&s, &n, &p, DType::I64)?;
        function(&[s, p], &[next, counts])?.call(&[state_tensor(17), pvals])
    }

    #[test]
    fn rows_count_their_draws_with_the_given_frequencies() {
        // Random probability rows (normalized uniforms), float32.
        let raw = Tensor::rand_uniform(DType::F64, &[3, 4], 0.1, 1.0, 4).to_f64_vec();
        let mut rows = raw.clone();
        for r in rows.chunks_mut(4) {
            let sum: f64 = r.iter().sum();
            r.iter_mut().for_each(|p| *p /= sum);
        }
        let pvals = Tensor::from_f64s(DType::F32, &[3, 4], &rows).unwrap();
        let out = draw(20000, pvals).unwrap();
        assert_eq!(out[0].to_scalars()[1].as_u64(), 3);
        let counts = out[1].to_f64_vec();
        for i in 0..3 {
            assert_eq!(counts[i * 4..(i + 1) * 4].iter().sum::<f64>(), 20000.0);
            for k in 0..4 {
                let p = rows[i * 4 + k];
                let se = (p * (1.0 - p) / 20000.0).sqrt();
                assert!(
                    (counts[i * 4 + k] / 20000.0 - p).abs() < 5.0 * se,
                    "row {i} cat {k}"
                );
            }
        }
    }

    #[test]
    fn one_draw_is_a_one_hot_row_and_empty_shapes_work() {
        let pvals =
            Tensor::from_f64s(DType::F64, &[2, 3], &[0.2, 0.3, 0.5, 1.0, 0.0, 0.0]).unwrap();
        let counts = draw(1, pvals).unwrap()[1].to_f64_vec();
        assert_eq!(counts[0..3].iter().sum::<f64>(), 1.0);
        assert_eq!(&counts[3..], &[1.0, 0.0, 0.0]);
        let empty = draw(5, Tensor::from_f64s(DType::F64, &[0, 3], &[]).unwrap()).unwrap();
        assert_eq!(empty[1].shape(), &[0, 3]);
    }

    #[test]
    fn bad_probabilities_and_types_are_errors() {
        let bad = Tensor::from_f64s(DType::F64, &[1, 2], &[0.7, 0.7]).unwrap();
        let e = draw(1, bad).unwrap_err().to_string();
        assert!(
            e.contains("MultinomialVariable{int64}") && e.contains("row 0 of pvals"),
            "{e}"
        );
        let s = Var::input("state", TensorType::unknown(DType::U64, 1));
        let v = Var::input("p", TensorType::unknown(DType::F64, 1));
        let n = Var::constant(Tensor::scalar(1i64));
        let e = try_multinomial(&s, &n, &v, DType::I64)
            .unwrap_err()
            .to_string();
        assert!(e.contains("pvals (input 2) must be a float matrix"), "{e}");
        let half = Var::constant(Tensor::scalar(0.5));
        let m = Var::input("m", TensorType::unknown(DType::F64, 2));
        let e = try_multinomial(&s, &half, &m, DType::I64)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("input 1") && e.contains("integer scalar n"),
            "{e}"
        );
    }
}
