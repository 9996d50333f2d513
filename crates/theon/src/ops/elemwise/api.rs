//! The Rust API of elementwise ops: free functions, `Var` methods and
//! operator overloading (`&x * 2.0`, `-x`, `a + &b`).

use super::{BinaryOp, Elemwise, ScalarOp, UnaryOp};
use crate::dtype::DType;
use crate::error::Result;
use crate::graph::Var;
use crate::ops::operand::{resolve_operands, Operand};

/// Builds an elementwise node, or returns the type error.
#[track_caller]
pub fn try_elemwise(op: ScalarOp, operands: Vec<Operand>) -> Result<Var> {
    let inputs = resolve_operands(operands);
    Var::apply1(Elemwise::new(op), &inputs)
}

/// Builds an elementwise node; a type error panics with its message and the
/// caller's line (use [`try_elemwise`] to handle it).
#[track_caller]
pub fn elemwise(op: ScalarOp, operands: Vec<Operand>) -> Var {
    try_elemwise(op, operands).unwrap_or_else(|e| panic!("{e}"))
}

macro_rules! unary_fns {
    ($($f:ident => $op:ident),* $(,)?) => {
        $(
            #[doc = concat!("Elementwise `", stringify!($f), "`.")]
            #[track_caller]
            pub fn $f(x: impl Into<Operand>) -> Var {
                elemwise(ScalarOp::Unary(UnaryOp::$op), vec![x.into()])
            }
        )*
        impl Var {
            $(
                #[doc = concat!("Elementwise `", stringify!($f), "`.")]
                #[track_caller]
                pub fn $f(&self) -> Var {
                    elemwise(ScalarOp::Unary(UnaryOp::$op), vec![self.into()])
                }
            )*
        }
    };
}

unary_fns! {
    neg => Neg, abs => Abs, sign => Sign, exp => Exp, exp2 => Exp2, expm1 => Expm1, log => Log, log2 => Log2,
    log10 => Log10, log1p => Log1p, sqrt => Sqrt, sqr => Sqr, reciprocal => Reciprocal, sin => Sin, cos => Cos,
    tan => Tan, arcsin => Arcsin, arccos => Arccos, arctan => Arctan, sinh => Sinh, cosh => Cosh, tanh => Tanh,
    arcsinh => Arcsinh, arccosh => Arccosh, arctanh => Arctanh, sigmoid => Sigmoid, softplus => Softplus,
    erf => Erf, erfc => Erfc, erfinv => Erfinv, gamma => Gamma, gammaln => Gammaln, psi => Psi, floor => Floor,
    ceil => Ceil, round => Round, trunc => Trunc, isnan => IsNan, isinf => IsInf, logical_not => LogicalNot,
    invert => Invert,
}

macro_rules! binary_fns {
    ($($f:ident => $op:ident),* $(,)?) => {
        $(
            #[doc = concat!("Elementwise `", stringify!($f), "` with broadcasting.")]
            #[track_caller]
            pub fn $f(a: impl Into<Operand>, b: impl Into<Operand>) -> Var {
                elemwise(ScalarOp::Binary(BinaryOp::$op), vec![a.into(), b.into()])
            }
        )*
        impl Var {
            $(
                #[doc = concat!("Elementwise `", stringify!($f), "` with broadcasting.")]
                #[track_caller]
                pub fn $f(&self, other: impl Into<Operand>) -> Var {
                    elemwise(ScalarOp::Binary(BinaryOp::$op), vec![self.into(), other.into()])
                }
            )*
        }
    };
}

binary_fns! {
    add => Add, sub => Sub, mul => Mul, true_div => TrueDiv, floor_div => FloorDiv, modulo => Mod, pow => Pow,
    maximum => Maximum, minimum => Minimum, arctan2 => Arctan2, hypot => Hypot, eq => Eq, neq => Neq, lt => Lt,
    le => Le, gt => Gt, ge => Ge, logical_and => And, logical_or => Or, logical_xor => Xor, bitwise_and => BitAnd,
    bitwise_or => BitOr, bitwise_xor => BitXor, left_shift => LeftShift, right_shift => RightShift,
}

/// `switch(cond, a, b)`: elements of `a` where `cond`, else of `b` (NumPy's `where`).
#[track_caller]
pub fn switch(cond: impl Into<Operand>, a: impl Into<Operand>, b: impl Into<Operand>) -> Var {
    elemwise(ScalarOp::Switch, vec![cond.into(), a.into(), b.into()])
}

/// `where(cond, a, b)`, NumPy's name for [`switch`].
#[track_caller]
pub fn where_(cond: impl Into<Operand>, a: impl Into<Operand>, b: impl Into<Operand>) -> Var {
    switch(cond, a, b)
}

/// `clip(x, lo, hi)` = `minimum(maximum(x, lo), hi)`.
#[track_caller]
pub fn clip(x: impl Into<Operand>, lo: impl Into<Operand>, hi: impl Into<Operand>) -> Var {
    elemwise(ScalarOp::Clip, vec![x.into(), lo.into(), hi.into()])
}

/// Converts to `dtype` (NumPy `astype`); a no-op node is not created when
/// the dtype already matches.
#[track_caller]
pub fn cast(x: &Var, dtype: DType) -> Var {
    if x.dtype() == dtype {
        return x.clone();
    }
    elemwise(ScalarOp::Cast(dtype), vec![x.into()])
}

impl Var {
    #[track_caller]
    pub fn clip(&self, lo: impl Into<Operand>, hi: impl Into<Operand>) -> Var {
        clip(self, lo, hi)
    }

    #[track_caller]
    pub fn cast(&self, dtype: DType) -> Var {
        cast(self, dtype)
    }

    /// Theano's `astype`.
    #[track_caller]
    pub fn astype(&self, dtype: DType) -> Var {
        cast(self, dtype)
    }
}

macro_rules! operator {
    ($trait:ident, $method:ident, $op:ident) => {
        impl<R: Into<Operand>> std::ops::$trait<R> for Var {
            type Output = Var;
            #[track_caller]
            fn $method(self, rhs: R) -> Var {
                elemwise(ScalarOp::Binary(BinaryOp::$op), vec![self.into(), rhs.into()])
            }
        }
        impl<R: Into<Operand>> std::ops::$trait<R> for &Var {
            type Output = Var;
            #[track_caller]
            fn $method(self, rhs: R) -> Var {
                elemwise(ScalarOp::Binary(BinaryOp::$op), vec![self.into(), rhs.into()])
            }
        }
        operator!(@scalar_lhs $trait, $method, $op, f64, f32, i64, i32);
    };
    (@scalar_lhs $trait:ident, $method:ident, $op:ident, $($t:ty),*) => {
        $(
            impl std::ops::$trait<Var> for $t {
                type Output = Var;
                #[track_caller]
                fn $method(self, rhs: Var) -> Var {
                    elemwise(ScalarOp::Binary(BinaryOp::$op), vec![self.into(), rhs.into()])
                }
            }
            impl std::ops::$trait<&Var> for $t {
                type Output = Var;
                #[track_caller]
                fn $method(self, rhs: &Var) -> Var {
                    elemwise(ScalarOp::Binary(BinaryOp::$op), vec![self.into(), rhs.into()])
                }
            }
        )*
    };
}

operator!(Add, add, Add);
operator!(Sub, sub, Sub);
operator!(Mul, mul, Mul);
operator!(Div, div, TrueDiv);
operator!(Rem, rem, Mod);
operator!(BitAnd, bitand, BitAnd);
operator!(BitOr, bitor, BitOr);
operator!(BitXor, bitxor, BitXor);
operator!(Shl, shl, LeftShift);
operator!(Shr, shr, RightShift);

impl std::ops::Neg for Var {
    type Output = Var;
    #[track_caller]
    fn neg(self) -> Var {
        neg(&self)
    }
}
impl std::ops::Neg for &Var {
    type Output = Var;
    #[track_caller]
    fn neg(self) -> Var {
        neg(self)
    }
}
impl std::ops::Not for &Var {
    type Output = Var;
    /// Bitwise invert (logical not for booleans), like NumPy's `~`.
    #[track_caller]
    fn not(self) -> Var {
        invert(self)
    }
}
