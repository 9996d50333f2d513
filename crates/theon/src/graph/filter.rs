//! Theano's value filter: how a value given to a function input or to
//! `SharedVar::set_value` is checked and converted to the variable's type.
//!
//! An exact dtype always passes. Otherwise, with `strict` nothing else
//! does; with `allow_downcast = Some(true)` any value is cast; without it
//! an array passes only when its dtype converts without loss (NumPy
//! promotion of the two dtypes is the variable's dtype), a Python-float-like
//! literal passes into a `floatX` variable when `allow_downcast` is `None`,
//! and any other literal passes when converting it loses no value. Rank and
//! statically known dims must then match.

use super::TensorType;
use crate::config::float_x;
use crate::dtype::promote;
use crate::tensor::{Scalar, Tensor};

/// A value given to a function input or to `set_value`.
///
/// `Array` is strongly typed, like a NumPy array or NumPy scalar: its dtype
/// is what the caller asked for. `Literal` is weakly typed, like a Python
/// number or nested list: its dtype (bool, int64 or float64) only carries
/// the values, so it converts whenever no value changes.
#[derive(Clone, Debug)]
pub enum Arg {
    Array(Tensor),
    Literal(Tensor),
}

impl Arg {
    /// The carried tensor, whatever its kind.
    pub fn tensor(&self) -> &Tensor {
        match self {
            Arg::Array(t) | Arg::Literal(t) => t,
        }
    }
}

impl From<Tensor> for Arg {
    fn from(t: Tensor) -> Arg {
        Arg::Array(t)
    }
}

impl From<&Tensor> for Arg {
    fn from(t: &Tensor) -> Arg {
        Arg::Array(t.clone())
    }
}

impl From<f64> for Arg {
    fn from(x: f64) -> Arg {
        Arg::Literal(Tensor::scalar(x))
    }
}

impl From<i64> for Arg {
    fn from(x: i64) -> Arg {
        Arg::Literal(Tensor::scalar(x))
    }
}

impl From<i32> for Arg {
    fn from(x: i32) -> Arg {
        Arg::Literal(Tensor::scalar(x as i64))
    }
}

impl From<bool> for Arg {
    fn from(x: bool) -> Arg {
        Arg::Literal(Tensor::scalar(x))
    }
}

/// How strictly a value must match a variable's type (Theano's `strict`
/// and `allow_downcast` of `In` and `shared`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Filter {
    /// Only values of exactly the variable's dtype are accepted.
    pub strict: bool,
    /// `Some(true)`: cast any value (possibly losing precision);
    /// `Some(false)`: only lossless conversions; `None`: lossless
    /// conversions plus Python-float-like literals into `floatX`.
    pub allow_downcast: Option<bool>,
}

impl TensorType {
    /// Checks `arg` against this type and converts it (see the module docs).
    /// The error is a message for an `ErrorKind::Input` naming the input.
    pub fn filter(&self, arg: Arg, filter: Filter) -> Result<Tensor, String> {
        let value = self.convert(arg, filter)?;
        self.check_layout(&value)?;
        Ok(value)
    }

    fn convert(&self, arg: Arg, filter: Filter) -> Result<Tensor, String> {
        let (value, literal) = match arg {
            Arg::Array(t) => (t, false),
            Arg::Literal(t) => (t, true),
        };
        let want = self.dtype;
        let got = value.dtype();
        if got == want {
            return Ok(value);
        }
        if filter.strict {
            return Err(format!(
                "expects dtype {want}, got {got} (strict: no conversion)"
            ));
        }
        if filter.allow_downcast == Some(true) {
            return Ok(value.cast(want));
        }
        if !literal {
            if promote(want, got) == want {
                return Ok(value.cast(want));
            }
            return Err(format!(
                "expects dtype {want}, got {got}: converting would risk losing precision \
                 (cast the value to {want}, or allow input downcast)"
            ));
        }
        let python_float = value.ndim() == 0 && got.is_float();
        if python_float && filter.allow_downcast.is_none() && want == float_x() {
            return Ok(value.cast(want));
        }
        let converted = value.cast(want);
        if same_values(&value, &converted.cast(got)) {
            return Ok(converted);
        }
        Err(format!(
            "expects dtype {want} and cannot store the value {} accurately \
             (it would be {}); cast it or allow input downcast",
            summary(&value),
            summary(&converted)
        ))
    }

    /// Rank and known dims (the dtype already matches).
    pub fn check_layout(&self, value: &Tensor) -> Result<(), String> {
        if value.ndim() != self.ndim() {
            return Err(format!(
                "expects rank {} ({self}), got shape {:?}",
                self.ndim(),
                value.shape()
            ));
        }
        for (axis, (want, &got)) in self.shape.iter().zip(value.shape()).enumerate() {
            if want.is_some_and(|w| w != got) {
                return Err(format!(
                    "expects size {} on axis {axis} ({self}), got shape {:?}",
                    want.unwrap_or(0),
                    value.shape()
                ));
            }
        }
        Ok(())
    }
}

/// Elementwise equality with NaN equal to NaN (the values survived a
/// round trip through the other dtype).
fn same_values(a: &Tensor, b: &Tensor) -> bool {
    a.to_scalars()
        .iter()
        .zip(b.to_scalars())
        .all(|(x, y)| match (*x, y) {
            (Scalar::Float(p), Scalar::Float(q)) => p == q || (p.is_nan() && q.is_nan()),
            (p, q) => p == q,
        })
}

/// A short rendering of a value for messages (at most a few elements).
pub fn summary(t: &Tensor) -> String {
    let values = t.to_f64_vec();
    let shown: Vec<String> = values.iter().take(4).map(|v| format!("{v}")).collect();
    let more = if values.len() > 4 { ", ..." } else { "" };
    if t.ndim() == 0 {
        shown.join("")
    } else {
        format!("[{}{more}] (shape {:?})", shown.join(", "), t.shape())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dtype::DType::*;

    fn ty(dtype: crate::DType, ndim: usize) -> TensorType {
        TensorType::unknown(dtype, ndim)
    }

    #[test]
    fn arrays_convert_only_upward_unless_downcast_is_allowed() {
        let v = Tensor::randn(F64, &[3], 1);
        let loose = Filter::default();
        assert!(ty(F32, 1).filter(Arg::Array(v.clone()), loose).is_err());
        let down = Filter {
            allow_downcast: Some(true),
            ..loose
        };
        let cast = ty(F32, 1).filter(Arg::Array(v.clone()), down).unwrap();
        assert_eq!(cast.dtype(), F32);
        let ints = Tensor::rand_int(I8, &[4], -50, 50, 2);
        let up = ty(F32, 1).filter(Arg::Array(ints.clone()), loose).unwrap();
        assert_eq!(up.to_f64_vec(), ints.to_f64_vec());
        let strict = Filter {
            strict: true,
            ..loose
        };
        assert!(ty(F32, 1).filter(Arg::Array(ints), strict).is_err());
    }

    #[test]
    fn literals_convert_when_no_value_changes() {
        let loose = Filter::default();
        let small = ty(I8, 0).filter(Arg::from(100i64), loose).unwrap();
        assert_eq!(small.item(), Scalar::Int(100));
        let err = ty(I8, 0).filter(Arg::from(300i64), loose).unwrap_err();
        assert!(err.contains("300") && err.contains("int8"), "{err}");
        // 0.5 is exact in float32; 0.1 is not (floatX is float64 here).
        assert!(ty(F32, 0).filter(Arg::from(0.5), loose).is_ok());
        assert!(ty(F32, 0).filter(Arg::from(0.1), loose).is_err());
        assert!(ty(I64, 0).filter(Arg::from(1.5), loose).is_err());
        assert!(ty(F64, 0).filter(Arg::from(f64::NAN), loose).is_ok());
    }

    #[test]
    fn rank_and_static_dims_are_checked() {
        let loose = Filter::default();
        let t = TensorType::new(F64, vec![Some(2), None]);
        let ok = Tensor::randn(F64, &[2, 5], 3);
        assert!(t.filter(Arg::Array(ok), loose).is_ok());
        let bad = t
            .filter(Arg::Array(Tensor::randn(F64, &[3, 5], 4)), loose)
            .unwrap_err();
        assert!(bad.contains("axis 0"), "{bad}");
        let rank = t
            .filter(Arg::Array(Tensor::randn(F64, &[2], 5)), loose)
            .unwrap_err();
        assert!(rank.contains("rank 2"), "{rank}");
    }
}
