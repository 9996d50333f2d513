//! `SoftmaxCrossentropy`: the categorical cross-entropy of `softmax(x)`
//! computed from the logits `x` in one stable op, `logsumexp(x_i) -
//! x_i[y_i]` (integer labels) or `sum_k t_ik (logsumexp(x_i) - x_ik)`
//! (dense targets such as one-hot rows). Logits of ±1000 give finite
//! results where `-log(softmax(x))` gives `inf`. The stabilize phase
//! rewrites softmax followed by a categorical cross-entropy into it. Its
//! derivative rules live in `rules.rs`.

use crate::error::{Error, ErrorKind, Result};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::ops::products::static_shape_text;
use crate::ops::reduce::logsumexp_f64;
use crate::tensor::{Scalar, Tensor};

/// What the targets of a [`SoftmaxCrossentropy`] are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Targets {
    /// An integer class label per row (a vector).
    Labels,
    /// A distribution per row (a matrix like the logits).
    Dense,
}

/// Cross-entropy of `softmax(logits, axis=1)` against targets, per row.
/// Inputs: logits (N, K), targets (N,) integers or (N, K) of the logits'
/// dtype. Output: (N,) of the logits' dtype.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SoftmaxCrossentropy {
    pub targets: Targets,
}

impl SoftmaxCrossentropy {
    fn check(&self, x: &TensorType, t: &TensorType) -> Result<Option<usize>> {
        let name = self.name();
        if x.ndim() != 2 || !x.dtype.is_float() {
            return Err(Error::value(
                &name,
                format!("input 0 (logits) must be a float matrix, got {x}"),
            ));
        }
        let rank_ok = match self.targets {
            Targets::Labels => t.ndim() == 1 && t.dtype.is_int(),
            Targets::Dense => t.ndim() == 2 && t.dtype == x.dtype,
        };
        if !rank_ok {
            let want = match self.targets {
                Targets::Labels => "an integer label vector".to_string(),
                Targets::Dense => format!("a {} matrix", x.dtype),
            };
            return Err(Error::value(
                &name,
                format!("input 1 (targets) must be {want}, got {t}"),
            ));
        }
        let clash =
            |a: Option<usize>, b: Option<usize>| matches!((a, b), (Some(a), Some(b)) if a != b);
        let cols_clash = self.targets == Targets::Dense && clash(x.shape[1], t.shape[1]);
        if clash(x.shape[0], t.shape[0]) || cols_clash {
            return Err(Error::value(
                &name,
                format!(
                    "logits of shape {} and targets of shape {} do not match",
                    static_shape_text(&x.shape),
                    static_shape_text(&t.shape)
                ),
            ));
        }
        Ok(x.shape[0].or(t.shape[0]))
    }
}

impl Op for SoftmaxCrossentropy {
    fn name(&self) -> String {
        match self.targets {
            Targets::Labels => "softmax_crossentropy{labels}".into(),
            Targets::Dense => "softmax_crossentropy{dense}".into(),
        }
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let [x, t] = inputs else {
            return Err(Error::value(
                self.name(),
                format!("takes 2 inputs, got {}", inputs.len()),
            ));
        };
        let rows = self.check(x, t)?;
        Ok(vec![TensorType::new(x.dtype, vec![rows])])
    }

    fn infer_shape(&self, _inputs: &[Var], input_shapes: &[Vec<Var>]) -> Option<Vec<Vec<Var>>> {
        Some(vec![vec![input_shapes.first()?.first()?.clone()]])
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let (x, t) = (&inputs[0], &inputs[1]);
        let (n, k) = (x.shape()[0], x.shape()[1]);
        let same_rows = t.shape()[0] == n;
        if !same_rows || (self.targets == Targets::Dense && t.shape()[1] != k) {
            return Err(Error::value(
                self.name(),
                format!(
                    "logits of shape {:?} and targets of shape {:?} do not match",
                    x.shape(),
                    t.shape()
                ),
            ));
        }
        let logits = x.to_f64_vec();
        let targets = t.to_scalars();
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let row = &logits[i * k..(i + 1) * k];
            let lse = logsumexp_f64(row);
            out.push(match self.targets {
                Targets::Labels => {
                    let y = label_index(targets[i], k).ok_or_else(|| {
                        Error::from(ErrorKind::Index {
                            op: self.name(),
                            axis: 1,
                            index: targets[i].as_i64(),
                            size: k,
                        })
                    })?;
                    lse - row[y]
                }
                Targets::Dense => (0..k)
                    .map(|j| targets[i * k + j].as_f64() * (lse - row[j]))
                    .sum(),
            });
        }
        Ok(vec![Tensor::from_f64s(
            ctx.output_types[0].dtype,
            &[n],
            &out,
        )?])
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        self.softmax_crossentropy_pullback(inputs, &output_grads[0])
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        if tangents.iter().all(Option::is_none) {
            return Ok(vec![None]);
        }
        Ok(vec![Some(
            self.softmax_crossentropy_pushforward(inputs, tangents)?,
        )])
    }
}

fn label_index(label: Scalar, k: usize) -> Option<usize> {
    match label {
        Scalar::Int(v) if v >= 0 && (v as u64) < k as u64 => Some(v as usize),
        Scalar::UInt(v) if v < k as u64 => Some(v as usize),
        _ => None,
    }
}

/// The cross-entropy of `softmax(logits)` against `targets` (integer labels
/// or dense rows), stably, or the error.
#[track_caller]
pub fn try_softmax_crossentropy(logits: &Var, targets: &Var) -> Result<Var> {
    let kind = if targets.dtype().is_int() {
        Targets::Labels
    } else {
        Targets::Dense
    };
    Var::apply1(
        SoftmaxCrossentropy { targets: kind },
        &[logits.clone(), targets.clone()],
    )
}

/// [`try_softmax_crossentropy`] that panics with the error.
#[track_caller]
pub fn softmax_crossentropy(logits: &Var, targets: &Var) -> Var {
    try_softmax_crossentropy(logits, targets).unwrap_or_else(|e| panic!("{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    fn run(inputs: &[Var], y: &Var, args: &[Tensor]) -> Result<Tensor> {
        let f = Function::builder(inputs, std::slice::from_ref(y))
            .mode(Mode::no_optimization())
            .build()?;
        Ok(f.call(args)?.remove(0))
    }

    /// Expected values from plain loops over the softmax probabilities.
    fn expected(x: &Tensor, t: &[f64], dense: bool) -> Vec<f64> {
        let (n, k) = (x.shape()[0], x.shape()[1]);
        let v = x.to_f64_vec();
        (0..n)
            .map(|i| {
                let row = &v[i * k..(i + 1) * k];
                let total: f64 = row.iter().map(|a| a.exp()).sum();
                let logp = |j: usize| (row[j].exp() / total).ln();
                if dense {
                    -(0..k).map(|j| t[i * k + j] * logp(j)).sum::<f64>()
                } else {
                    -logp(t[i] as usize)
                }
            })
            .collect()
    }

    #[test]
    fn matches_loops_for_labels_and_dense_targets() {
        let x = matrix("x", F64);
        let xv = Tensor::randn(F64, &[6, 4], 1);
        let xt = Tensor::randn(F64, &[4, 5], 2).t(); // non-contiguous (5, 4)
        for value in [xv, xt] {
            let n = value.shape()[0];
            let y = vector("y", I32);
            let yv = Tensor::rand_int(I32, &[n], 0, 4, 3);
            let out = run(
                &[x.clone(), y.clone()],
                &softmax_crossentropy(&x, &y),
                &[value.clone(), yv.clone()],
            )
            .unwrap();
            let want = expected(&value, &yv.to_f64_vec(), false);
            assert!(out.allclose(&Tensor::from_vec(want, &[n]).unwrap(), 1e-12, 1e-12));
            let t = matrix("t", F64);
            let tv = Tensor::rand_uniform(F64, &[n, 4], 0.0, 1.0, 4);
            let out = run(
                &[x.clone(), t.clone()],
                &softmax_crossentropy(&x, &t),
                &[value.clone(), tv.clone()],
            )
            .unwrap();
            let want = expected(&value, &tv.to_f64_vec(), true);
            assert!(out.allclose(&Tensor::from_vec(want, &[n]).unwrap(), 1e-12, 1e-12));
        }
        // Zero rows give an empty result.
        let y = vector("y", I64);
        let out = run(
            &[x.clone(), y.clone()],
            &softmax_crossentropy(&x, &y),
            &[Tensor::zeros(F64, &[0, 3]), Tensor::zeros(I64, &[0])],
        )
        .unwrap();
        assert_eq!(out.shape(), &[0]);
    }

    #[test]
    fn logits_of_a_thousand_give_finite_results() {
        let x = matrix("x", F32);
        let y = vector("y", I64);
        let xv = Tensor::from_vec(vec![1000.0f32, -1000.0, -1000.0, 1000.0], &[2, 2]).unwrap();
        let yv = Tensor::from_vec(vec![1i64, 1], &[2]).unwrap();
        let out = run(
            &[x.clone(), y.clone()],
            &softmax_crossentropy(&x, &y),
            &[xv, yv],
        )
        .unwrap();
        assert_eq!(out.to_vec::<f32>(), vec![2000.0, 0.0]);
    }

    #[test]
    fn bad_input_names_the_op_and_shapes() {
        let x = matrix("x", F64);
        let err = try_softmax_crossentropy(&x, &vector("t", F64))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("softmax_crossentropy") && err.contains("targets"),
            "{err}"
        );
        let err = try_softmax_crossentropy(&vector("v", F64), &vector("y", I64))
            .unwrap_err()
            .to_string();
        assert!(err.contains("logits"), "{err}");
        let a = tensor("a", F64, &[Some(2), Some(3)]);
        let b = tensor("b", I64, &[Some(3)]);
        let err = try_softmax_crossentropy(&a, &b).unwrap_err().to_string();
        assert!(err.contains("(2, 3)") && err.contains("(3,)"), "{err}");
        let y = vector("y", I64);
        let err = run(
            &[x.clone(), y.clone()],
            &softmax_crossentropy(&x, &y),
            &[
                Tensor::randn(F64, &[2, 3], 5),
                Tensor::from_vec(vec![0i64, 3], &[2]).unwrap(),
            ],
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("softmax_crossentropy") && err.contains('3'),
            "{err}"
        );
        let err = run(
            &[x.clone(), y.clone()],
            &softmax_crossentropy(&x, &y),
            &[
                Tensor::randn(F64, &[2, 3], 5),
                Tensor::from_vec(vec![0i64], &[1]).unwrap(),
            ],
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("[2, 3]") && err.contains("[1]"), "{err}");
    }
}
