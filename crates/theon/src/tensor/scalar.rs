//! `Scalar`: one element of any dtype, and `Element`: the Rust types that
//! back each dtype in memory.
//!
//! Reference kernels compute on `Scalar`s: floats as f64 (rounded back to the
//! output dtype), signed ints as wrapping i64, unsigned as wrapping u64. That
//! keeps every reference kernel short and obviously right.

use crate::dtype::{DType, Kind};
use half::f16;
use std::fmt::Debug;

/// One value of some dtype. Its variant is the dtype's kind.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
}

impl Scalar {
    pub fn as_f64(self) -> f64 {
        match self {
            Scalar::Bool(b) => b as u8 as f64,
            Scalar::Int(i) => i as f64,
            Scalar::UInt(u) => u as f64,
            Scalar::Float(f) => f,
        }
    }

    /// The value as i64 (floats truncate toward zero, saturating).
    pub fn as_i64(self) -> i64 {
        match self {
            Scalar::Bool(b) => b as i64,
            Scalar::Int(i) => i,
            Scalar::UInt(u) => u as i64,
            Scalar::Float(f) => f as i64,
        }
    }

    pub fn as_u64(self) -> u64 {
        match self {
            Scalar::Bool(b) => b as u64,
            Scalar::Int(i) => i as u64,
            Scalar::UInt(u) => u,
            Scalar::Float(f) => {
                if f < 0.0 {
                    (f as i64) as u64
                } else {
                    f as u64
                }
            }
        }
    }

    pub fn as_bool(self) -> bool {
        match self {
            Scalar::Bool(b) => b,
            Scalar::Int(i) => i != 0,
            Scalar::UInt(u) => u != 0,
            Scalar::Float(f) => f != 0.0,
        }
    }

    /// Converts to `dtype` with NumPy's `astype` semantics: integers wrap to
    /// the target width, floats round to the target precision, floats to ints
    /// truncate toward zero.
    pub fn cast(self, dtype: DType) -> Scalar {
        match dtype.kind() {
            Kind::Bool => Scalar::Bool(self.as_bool()),
            Kind::Float => Scalar::Float(round_float(self.as_f64(), dtype)),
            Kind::Int => Scalar::Int(wrap_signed(self.as_i64(), dtype)),
            Kind::UInt => Scalar::UInt(wrap_unsigned(self.as_u64(), dtype)),
        }
    }
}

/// Rounds an f64 to the precision of a float dtype (stays f64 for storage).
pub fn round_float(x: f64, dtype: DType) -> f64 {
    match dtype {
        DType::F16 => f16::from_f64(x).to_f64(),
        DType::F32 => x as f32 as f64,
        _ => x,
    }
}

fn wrap_signed(x: i64, dtype: DType) -> i64 {
    match dtype {
        DType::I8 => x as i8 as i64,
        DType::I16 => x as i16 as i64,
        DType::I32 => x as i32 as i64,
        _ => x,
    }
}

fn wrap_unsigned(x: u64, dtype: DType) -> u64 {
    match dtype {
        DType::U8 => x as u8 as u64,
        DType::U16 => x as u16 as u64,
        DType::U32 => x as u32 as u64,
        _ => x,
    }
}

impl From<f64> for Scalar {
    fn from(x: f64) -> Self {
        Scalar::Float(x)
    }
}
impl From<f32> for Scalar {
    fn from(x: f32) -> Self {
        Scalar::Float(x as f64)
    }
}
impl From<i64> for Scalar {
    fn from(x: i64) -> Self {
        Scalar::Int(x)
    }
}
impl From<i32> for Scalar {
    fn from(x: i32) -> Self {
        Scalar::Int(x as i64)
    }
}
impl From<bool> for Scalar {
    fn from(x: bool) -> Self {
        Scalar::Bool(x)
    }
}

/// A Rust type that stores one dtype's elements.
pub trait Element: Copy + Send + Sync + Debug + Default + PartialEq + 'static {
    const DTYPE: DType;
    fn to_scalar(self) -> Scalar;
    /// Builds the element from a scalar (cast to `DTYPE` first).
    fn from_scalar(s: Scalar) -> Self;
}

macro_rules! int_element {
    ($t:ty, $d:ident, $variant:ident, $conv:ident) => {
        impl Element for $t {
            const DTYPE: DType = DType::$d;
            fn to_scalar(self) -> Scalar {
                Scalar::$variant(self as _)
            }
            fn from_scalar(s: Scalar) -> Self {
                s.cast(DType::$d).$conv() as $t
            }
        }
    };
}
int_element!(i8, I8, Int, as_i64);
int_element!(i16, I16, Int, as_i64);
int_element!(i32, I32, Int, as_i64);
int_element!(i64, I64, Int, as_i64);
int_element!(u8, U8, UInt, as_u64);
int_element!(u16, U16, UInt, as_u64);
int_element!(u32, U32, UInt, as_u64);
int_element!(u64, U64, UInt, as_u64);

impl Element for bool {
    const DTYPE: DType = DType::Bool;
    fn to_scalar(self) -> Scalar {
        Scalar::Bool(self)
    }
    fn from_scalar(s: Scalar) -> Self {
        s.as_bool()
    }
}
impl Element for f16 {
    const DTYPE: DType = DType::F16;
    fn to_scalar(self) -> Scalar {
        Scalar::Float(self.to_f64())
    }
    fn from_scalar(s: Scalar) -> Self {
        f16::from_f64(s.as_f64())
    }
}
impl Element for f32 {
    const DTYPE: DType = DType::F32;
    fn to_scalar(self) -> Scalar {
        Scalar::Float(self as f64)
    }
    fn from_scalar(s: Scalar) -> Self {
        s.as_f64() as f32
    }
}
impl Element for f64 {
    const DTYPE: DType = DType::F64;
    fn to_scalar(self) -> Scalar {
        Scalar::Float(self)
    }
    fn from_scalar(s: Scalar) -> Self {
        s.as_f64()
    }
}

/// Runs `$body` with the type alias `$t` bound to the Rust element type of
/// `$dtype`. The body is monomorphised once per dtype.
#[macro_export]
macro_rules! with_dtype {
    ($dtype:expr, $t:ident => $body:expr) => {{
        use $crate::dtype::DType as __D;
        match $dtype {
            __D::Bool => {
                type $t = bool;
                $body
            }
            __D::I8 => {
                type $t = i8;
                $body
            }
            __D::I16 => {
                type $t = i16;
                $body
            }
            __D::I32 => {
                type $t = i32;
                $body
            }
            __D::I64 => {
                type $t = i64;
                $body
            }
            __D::U8 => {
                type $t = u8;
                $body
            }
            __D::U16 => {
                type $t = u16;
                $body
            }
            __D::U32 => {
                type $t = u32;
                $body
            }
            __D::U64 => {
                type $t = u64;
                $body
            }
            __D::F16 => {
                type $t = half::f16;
                $body
            }
            __D::F32 => {
                type $t = f32;
                $body
            }
            __D::F64 => {
                type $t = f64;
                $body
            }
        }
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casts_wrap_and_round_like_numpy() {
        assert_eq!(Scalar::Int(300).cast(DType::U8), Scalar::UInt(44));
        assert_eq!(Scalar::Int(-1).cast(DType::U16), Scalar::UInt(65535));
        assert_eq!(Scalar::Float(-2.7).cast(DType::I32), Scalar::Int(-2));
        assert_eq!(
            Scalar::Float(0.1).cast(DType::F32),
            Scalar::Float(0.1f32 as f64)
        );
        assert_eq!(Scalar::Float(0.5).cast(DType::Bool), Scalar::Bool(true));
        assert_eq!(Scalar::Int(200).cast(DType::I8), Scalar::Int(-56));
    }
}
