//! Unary scalar operations: their dtype rule and reference evaluation.

use super::special;
use crate::dtype::{DType, Kind};
use crate::tensor::Scalar;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Neg,
    Abs,
    Sign,
    Exp,
    Exp2,
    Expm1,
    Log,
    Log2,
    Log10,
    Log1p,
    Sqrt,
    Sqr,
    Reciprocal,
    Sin,
    Cos,
    Tan,
    Arcsin,
    Arccos,
    Arctan,
    Sinh,
    Cosh,
    Tanh,
    Arcsinh,
    Arccosh,
    Arctanh,
    Sigmoid,
    Softplus,
    Erf,
    Erfc,
    Erfinv,
    Gamma,
    Gammaln,
    Psi,
    Floor,
    Ceil,
    Round,
    Trunc,
    IsNan,
    IsInf,
    LogicalNot,
    Invert,
}

use UnaryOp::*;

/// Every unary op (for exhaustive tests and registries).
pub const ALL_UNARY: [UnaryOp; 41] = [
    Neg, Abs, Sign, Exp, Exp2, Expm1, Log, Log2, Log10, Log1p, Sqrt, Sqr, Reciprocal, Sin, Cos,
    Tan, Arcsin, Arccos, Arctan, Sinh, Cosh, Tanh, Arcsinh, Arccosh, Arctanh, Sigmoid, Softplus,
    Erf, Erfc, Erfinv, Gamma, Gammaln, Psi, Floor, Ceil, Round, Trunc, IsNan, IsInf, LogicalNot,
    Invert,
];

impl UnaryOp {
    pub fn name(self) -> &'static str {
        match self {
            Neg => "neg",
            Abs => "abs",
            Sign => "sign",
            Exp => "exp",
            Exp2 => "exp2",
            Expm1 => "expm1",
            Log => "log",
            Log2 => "log2",
            Log10 => "log10",
            Log1p => "log1p",
            Sqrt => "sqrt",
            Sqr => "sqr",
            Reciprocal => "reciprocal",
            Sin => "sin",
            Cos => "cos",
            Tan => "tan",
            Arcsin => "arcsin",
            Arccos => "arccos",
            Arctan => "arctan",
            Sinh => "sinh",
            Cosh => "cosh",
            Tanh => "tanh",
            Arcsinh => "arcsinh",
            Arccosh => "arccosh",
            Arctanh => "arctanh",
            Sigmoid => "sigmoid",
            Softplus => "softplus",
            Erf => "erf",
            Erfc => "erfc",
            Erfinv => "erfinv",
            Gamma => "gamma",
            Gammaln => "gammaln",
            Psi => "psi",
            Floor => "floor",
            Ceil => "ceil",
            Round => "round",
            Trunc => "trunc",
            IsNan => "isnan",
            IsInf => "isinf",
            LogicalNot => "logical_not",
            Invert => "invert",
        }
    }

    /// (dtype the input is cast to, output dtype), or why the dtype is refused.
    pub fn signature(self, x: DType) -> Result<(DType, DType), String> {
        match self {
            Neg | Abs | Sqr | Sign => {
                if x.is_bool() && self != Abs {
                    Err("is not defined for booleans".into())
                } else {
                    Ok((x, x))
                }
            }
            Floor | Ceil | Round | Trunc => {
                if x.is_bool() {
                    Err("is not defined for booleans".into())
                } else {
                    Ok((x, x))
                }
            }
            IsNan | IsInf => Ok((x, DType::Bool)),
            LogicalNot => Ok((x, DType::Bool)),
            Invert => {
                if x.is_integral() {
                    Ok((x, x))
                } else {
                    Err("takes only integers and booleans".into())
                }
            }
            // Reciprocal keeps integer dtype in NumPy; theon follows Theano and
            // gives a float, since 1/x of an integer is almost never wanted.
            _ => {
                let f = x.to_float();
                Ok((f, f))
            }
        }
    }

    /// Evaluates the op on a value already cast to the input dtype.
    pub fn eval(self, x: Scalar) -> Scalar {
        match x {
            Scalar::Float(v) => self.eval_float(v),
            Scalar::Int(v) => self.eval_int(v),
            Scalar::UInt(v) => self.eval_uint(v),
            Scalar::Bool(b) => self.eval_bool(b),
        }
    }

    fn eval_float(self, x: f64) -> Scalar {
        let f = match self {
            Neg => -x,
            Abs => x.abs(),
            Sign => {
                if x.is_nan() {
                    x
                } else if x > 0.0 {
                    1.0
                } else if x < 0.0 {
                    -1.0
                } else {
                    0.0
                }
            }
            Exp => x.exp(),
            Exp2 => x.exp2(),
            Expm1 => x.exp_m1(),
            Log => x.ln(),
            Log2 => x.log2(),
            Log10 => x.log10(),
            Log1p => x.ln_1p(),
            Sqrt => x.sqrt(),
            Sqr => x * x,
            Reciprocal => 1.0 / x,
            Sin => x.sin(),
            Cos => x.cos(),
            Tan => x.tan(),
            Arcsin => x.asin(),
            Arccos => x.acos(),
            Arctan => x.atan(),
            Sinh => x.sinh(),
            Cosh => x.cosh(),
            Tanh => x.tanh(),
            Arcsinh => x.asinh(),
            Arccosh => x.acosh(),
            Arctanh => x.atanh(),
            Sigmoid => special::sigmoid(x),
            Softplus => special::softplus(x),
            Erf => libm::erf(x),
            Erfc => libm::erfc(x),
            Erfinv => special::erfinv(x),
            Gamma => libm::tgamma(x),
            Gammaln => libm::lgamma(x),
            Psi => special::digamma(x),
            Floor => x.floor(),
            Ceil => x.ceil(),
            Round => x.round_ties_even(),
            Trunc => x.trunc(),
            IsNan => return Scalar::Bool(x.is_nan()),
            IsInf => return Scalar::Bool(x.is_infinite()),
            LogicalNot => return Scalar::Bool(x == 0.0),
            Invert => unreachable!("invert on floats is refused by the type rule"),
        };
        Scalar::Float(f)
    }

    fn eval_int(self, x: i64) -> Scalar {
        Scalar::Int(match self {
            Neg => x.wrapping_neg(),
            Abs => x.wrapping_abs(),
            Sign => x.signum(),
            Sqr => x.wrapping_mul(x),
            Floor | Ceil | Round | Trunc => x,
            Invert => !x,
            IsNan | IsInf => return Scalar::Bool(false),
            LogicalNot => return Scalar::Bool(x == 0),
            _ => return self.eval_float(x as f64),
        })
    }

    fn eval_uint(self, x: u64) -> Scalar {
        Scalar::UInt(match self {
            Neg => x.wrapping_neg(),
            Abs | Floor | Ceil | Round | Trunc => x,
            Sign => (x > 0) as u64,
            Sqr => x.wrapping_mul(x),
            Invert => !x,
            IsNan | IsInf => return Scalar::Bool(false),
            LogicalNot => return Scalar::Bool(x == 0),
            _ => return self.eval_float(x as f64),
        })
    }

    fn eval_bool(self, x: bool) -> Scalar {
        match self {
            Abs => Scalar::Bool(x),
            Invert | LogicalNot => Scalar::Bool(!x),
            IsNan | IsInf => Scalar::Bool(false),
            _ => self.eval_float(x as u8 as f64),
        }
    }

    /// True when the output is piecewise constant or integer-valued, so the
    /// gradient is zero (and the op is "not differentiable" for verify_grad).
    pub fn is_piecewise_constant(self) -> bool {
        matches!(
            self,
            Sign | Floor | Ceil | Round | Trunc | IsNan | IsInf | LogicalNot | Invert
        )
    }

    /// Whether the op maps float to float (has a derivative).
    pub fn kind_out(self, x: DType) -> Kind {
        self.signature(x)
            .map(|(_, o)| o.kind())
            .unwrap_or(Kind::Bool)
    }
}
