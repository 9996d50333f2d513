//! Binary scalar operations: their dtype rule and reference evaluation.

use crate::dtype::{promote, DType};
use crate::tensor::Scalar;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    TrueDiv,
    FloorDiv,
    Mod,
    Pow,
    Maximum,
    Minimum,
    Arctan2,
    Hypot,
    Eq,
    Neq,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    Xor,
    BitAnd,
    BitOr,
    BitXor,
    LeftShift,
    RightShift,
}

use BinaryOp::*;

pub const ALL_BINARY: [BinaryOp; 25] = [
    Add, Sub, Mul, TrueDiv, FloorDiv, Mod, Pow, Maximum, Minimum, Arctan2, Hypot, Eq, Neq, Lt, Le,
    Gt, Ge, And, Or, Xor, BitAnd, BitOr, BitXor, LeftShift, RightShift,
];

impl BinaryOp {
    pub fn name(self) -> &'static str {
        match self {
            Add => "add",
            Sub => "sub",
            Mul => "mul",
            TrueDiv => "true_div",
            FloorDiv => "floor_div",
            Mod => "mod",
            Pow => "pow",
            Maximum => "maximum",
            Minimum => "minimum",
            Arctan2 => "arctan2",
            Hypot => "hypot",
            Eq => "eq",
            Neq => "neq",
            Lt => "lt",
            Le => "le",
            Gt => "gt",
            Ge => "ge",
            And => "and",
            Or => "or",
            Xor => "xor",
            BitAnd => "bitwise_and",
            BitOr => "bitwise_or",
            BitXor => "bitwise_xor",
            LeftShift => "left_shift",
            RightShift => "right_shift",
        }
    }

    /// Infix symbol for pretty printing, where there is one.
    pub fn symbol(self) -> Option<&'static str> {
        Some(match self {
            Add => "+",
            Sub => "-",
            Mul => "*",
            TrueDiv => "/",
            FloorDiv => "//",
            Mod => "%",
            Pow => "**",
            Eq => "==",
            Neq => "!=",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            BitAnd => "&",
            BitOr => "|",
            BitXor => "^",
            LeftShift => "<<",
            RightShift => ">>",
            _ => return None,
        })
    }

    /// (dtype both inputs are cast to, output dtype), or which input is
    /// refused and why.
    pub fn signature(self, a: DType, b: DType) -> Result<(DType, DType), (usize, String)> {
        let p = promote(a, b);
        let refuse_float = |why: &str| {
            let index = if a.is_float() { 0 } else { 1 };
            Err((index, why.to_string()))
        };
        match self {
            Sub if p.is_bool() => Err((0, "does not subtract booleans (use logical_xor)".into())),
            Add | Sub | Mul | Maximum | Minimum => Ok((p, p)),
            FloorDiv | Mod | Pow => Ok((
                if p.is_bool() { DType::I8 } else { p },
                if p.is_bool() { DType::I8 } else { p },
            )),
            TrueDiv | Arctan2 | Hypot => {
                let f = if p.is_float() {
                    p
                } else if matches!(self, TrueDiv) {
                    DType::F64
                } else {
                    p.to_float()
                };
                Ok((f, f))
            }
            Eq | Neq | Lt | Le | Gt | Ge => Ok((p, DType::Bool)),
            And | Or | Xor => Ok((DType::Bool, DType::Bool)),
            BitAnd | BitOr | BitXor if p.is_integral() => Ok((p, p)),
            LeftShift | RightShift if p.is_int() => Ok((p, p)),
            BitAnd | BitOr | BitXor => refuse_float("takes only integers and booleans"),
            LeftShift | RightShift => {
                if p.is_bool() {
                    Err((0, "takes only integers".into()))
                } else {
                    refuse_float("takes only integers")
                }
            }
        }
    }

    /// Evaluates on two values already cast to the compute dtype.
    pub fn eval(self, a: Scalar, b: Scalar) -> Scalar {
        match (a, b) {
            (Scalar::Float(x), Scalar::Float(y)) => self.eval_float(x, y),
            (Scalar::Int(x), Scalar::Int(y)) => self.eval_int(x, y),
            (Scalar::UInt(x), Scalar::UInt(y)) => self.eval_uint(x, y),
            (Scalar::Bool(x), Scalar::Bool(y)) => self.eval_bool(x, y),
            _ => unreachable!("binary inputs are cast to one dtype first"),
        }
    }

    fn compare<T: PartialOrd>(self, x: T, y: T) -> Option<bool> {
        Some(match self {
            Eq => x == y,
            Neq => x != y,
            Lt => x < y,
            Le => x <= y,
            Gt => x > y,
            Ge => x >= y,
            _ => return None,
        })
    }

    fn eval_float(self, x: f64, y: f64) -> Scalar {
        if let Some(c) = self.compare(x, y) {
            return Scalar::Bool(c);
        }
        Scalar::Float(match self {
            Add => x + y,
            Sub => x - y,
            Mul => x * y,
            TrueDiv => x / y,
            FloorDiv => (x / y).floor(),
            Mod => python_fmod(x, y),
            Pow => x.powf(y),
            Maximum => nan_max(x, y),
            Minimum => -nan_max(-x, -y),
            Arctan2 => x.atan2(y),
            Hypot => x.hypot(y),
            _ => unreachable!("{} has no float form", self.name()),
        })
    }

    fn eval_int(self, x: i64, y: i64) -> Scalar {
        if let Some(c) = self.compare(x, y) {
            return Scalar::Bool(c);
        }
        Scalar::Int(match self {
            Add => x.wrapping_add(y),
            Sub => x.wrapping_sub(y),
            Mul => x.wrapping_mul(y),
            FloorDiv => python_floordiv(x, y),
            Mod => python_mod(x, y),
            Pow => int_pow(x, y),
            Maximum => x.max(y),
            Minimum => x.min(y),
            BitAnd => x & y,
            BitOr => x | y,
            BitXor => x ^ y,
            LeftShift => shift(x, y, true),
            RightShift => shift(x, y, false),
            _ => unreachable!("{} has no int form", self.name()),
        })
    }

    fn eval_uint(self, x: u64, y: u64) -> Scalar {
        if let Some(c) = self.compare(x, y) {
            return Scalar::Bool(c);
        }
        Scalar::UInt(match self {
            Add => x.wrapping_add(y),
            Sub => x.wrapping_sub(y),
            Mul => x.wrapping_mul(y),
            FloorDiv => x.checked_div(y).unwrap_or(0),
            Mod => x.checked_rem(y).unwrap_or(0),
            Pow => x.wrapping_pow(y.min(u32::MAX as u64) as u32),
            Maximum => x.max(y),
            Minimum => x.min(y),
            BitAnd => x & y,
            BitOr => x | y,
            BitXor => x ^ y,
            LeftShift => {
                if y >= 64 {
                    0
                } else {
                    x << y
                }
            }
            RightShift => {
                if y >= 64 {
                    0
                } else {
                    x >> y
                }
            }
            _ => unreachable!("{} has no uint form", self.name()),
        })
    }

    fn eval_bool(self, x: bool, y: bool) -> Scalar {
        if let Some(c) = self.compare(x, y) {
            return Scalar::Bool(c);
        }
        Scalar::Bool(match self {
            Add | Or | BitOr | Maximum => x | y,
            Mul | And | BitAnd | Minimum => x & y,
            Xor | BitXor => x ^ y,
            _ => unreachable!("{} has no bool form", self.name()),
        })
    }
}

/// NumPy's maximum: NaN if either is NaN.
fn nan_max(x: f64, y: f64) -> f64 {
    if x.is_nan() || y.is_nan() {
        f64::NAN
    } else {
        x.max(y)
    }
}

/// Python's `%`: the result takes the sign of the divisor.
fn python_fmod(x: f64, y: f64) -> f64 {
    let r = x % y;
    if r != 0.0 && (r < 0.0) != (y < 0.0) {
        r + y
    } else {
        r
    }
}

/// Integer division rounding toward minus infinity; 0 for division by zero
/// (NumPy's result, without its warning).
fn python_floordiv(x: i64, y: i64) -> i64 {
    if y == 0 {
        return 0;
    }
    let q = x.wrapping_div(y);
    if (x.wrapping_rem(y) != 0) && ((x < 0) != (y < 0)) {
        q - 1
    } else {
        q
    }
}

fn python_mod(x: i64, y: i64) -> i64 {
    if y == 0 {
        return 0;
    }
    let r = x.wrapping_rem(y);
    if r != 0 && ((r < 0) != (y < 0)) {
        r + y
    } else {
        r
    }
}

/// Integer power with wrapping; negative exponents give 0 except for bases
/// ±1 (NumPy raises for them; an elementwise kernel cannot, so theon gives
/// the truncated real result).
fn int_pow(x: i64, y: i64) -> i64 {
    if y < 0 {
        return match x {
            1 => 1,
            -1 => {
                if y % 2 == 0 {
                    1
                } else {
                    -1
                }
            }
            _ => 0,
        };
    }
    x.wrapping_pow(y.min(u32::MAX as i64) as u32)
}

fn shift(x: i64, y: i64, left: bool) -> i64 {
    if !(0..64).contains(&y) {
        return if left || x >= 0 { 0 } else { -1 };
    }
    if left {
        x << y
    } else {
        x >> y
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_sign_conventions() {
        assert_eq!(python_floordiv(-7, 2), -4);
        assert_eq!(python_mod(-7, 2), 1);
        assert_eq!(python_mod(7, -2), -1);
        assert_eq!(python_fmod(-7.5, 2.0), 0.5);
        assert_eq!(python_floordiv(5, 0), 0);
    }

    #[test]
    fn dtype_rules_follow_numpy() {
        assert_eq!(
            TrueDiv.signature(DType::I32, DType::I32).unwrap(),
            (DType::F64, DType::F64)
        );
        assert_eq!(
            Mod.signature(DType::I32, DType::I8).unwrap(),
            (DType::I32, DType::I32)
        );
        assert_eq!(
            Lt.signature(DType::I32, DType::F32).unwrap(),
            (DType::F64, DType::Bool)
        );
        assert!(BitAnd.signature(DType::F32, DType::I32).is_err());
        assert!(LeftShift.signature(DType::I32, DType::F64).is_err());
    }
}
