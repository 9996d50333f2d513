//! Element types (`DType`), their kinds, and NumPy 2 type promotion (NEP 50).
//!
//! Promotion follows NumPy's table for strongly typed operands; Rust and
//! Python scalar literals are *weak*: they take the array's dtype unless their
//! kind is higher (an integer array times `2.5` is float64, as in NumPy).

use std::fmt;

/// The element type of a tensor.
///
/// Complex dtypes are reserved (`Complex64`, `Complex128`) so the enum and
/// the promotion lattice have room for them; no kernel accepts them yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    Bool,
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    F16,
    F32,
    F64,
}

pub use DType::*;

/// The kind of a dtype, ordered as NumPy orders kinds for promotion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Bool,
    UInt,
    Int,
    Float,
}

/// All dtypes, in a fixed order (useful for exhaustive tests).
pub const ALL_DTYPES: [DType; 12] = [Bool, I8, I16, I32, I64, U8, U16, U32, U64, F16, F32, F64];

impl DType {
    /// Size of one element in bytes.
    pub fn size(self) -> usize {
        match self {
            Bool | I8 | U8 => 1,
            I16 | U16 | F16 => 2,
            I32 | U32 | F32 => 4,
            I64 | U64 | F64 => 8,
        }
    }

    pub fn kind(self) -> Kind {
        match self {
            Bool => Kind::Bool,
            U8 | U16 | U32 | U64 => Kind::UInt,
            I8 | I16 | I32 | I64 => Kind::Int,
            F16 | F32 | F64 => Kind::Float,
        }
    }

    pub fn is_float(self) -> bool {
        self.kind() == Kind::Float
    }

    /// True for signed and unsigned integers (not bool).
    pub fn is_int(self) -> bool {
        matches!(self.kind(), Kind::Int | Kind::UInt)
    }

    pub fn is_signed_int(self) -> bool {
        self.kind() == Kind::Int
    }

    pub fn is_bool(self) -> bool {
        self == Bool
    }

    /// True for bool and integers: the dtypes bitwise ops accept.
    pub fn is_integral(self) -> bool {
        self.is_bool() || self.is_int()
    }

    /// NumPy's name for the dtype (`"float32"`, `"int64"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Bool => "bool",
            I8 => "int8",
            I16 => "int16",
            I32 => "int32",
            I64 => "int64",
            U8 => "uint8",
            U16 => "uint16",
            U32 => "uint32",
            U64 => "uint64",
            F16 => "float16",
            F32 => "float32",
            F64 => "float64",
        }
    }

    /// Parses NumPy names and Theano's short forms (`"floatX"` is resolved
    /// by the caller through [`crate::config`]).
    pub fn parse(name: &str) -> Option<DType> {
        Some(match name {
            "bool" | "bool_" => Bool,
            "int8" => I8,
            "int16" => I16,
            "int32" => I32,
            "int64" | "int" => I64,
            "uint8" => U8,
            "uint16" => U16,
            "uint32" => U32,
            "uint64" => U64,
            "float16" | "half" => F16,
            "float32" => F32,
            "float64" | "float" | "double" => F64,
            _ => return None,
        })
    }

    /// Bits of an integer dtype (bool counts as 1).
    fn bits(self) -> u32 {
        (self.size() * 8) as u32
    }

    /// The float dtype NumPy uses when this dtype meets a float operation
    /// that needs one (`true_div` of ints, `exp` of ints): int8/uint8 ->
    /// float16, 16-bit -> float32, wider ints -> float64.
    pub fn to_float(self) -> DType {
        match self {
            F16 | F32 | F64 => self,
            Bool | I8 | U8 => F16,
            I16 | U16 => F32,
            _ => F64,
        }
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// NumPy's promotion of two strongly typed dtypes (`np.promote_types`).
pub fn promote(a: DType, b: DType) -> DType {
    if a == b {
        return a;
    }
    let (ka, kb) = (a.kind(), b.kind());
    match (ka, kb) {
        (Kind::Bool, _) => b,
        (_, Kind::Bool) => a,
        (Kind::Float, Kind::Float) => a.max(b),
        (Kind::Float, _) => promote_int_float(b, a),
        (_, Kind::Float) => promote_int_float(a, b),
        (Kind::Int, Kind::Int) | (Kind::UInt, Kind::UInt) => a.max(b),
        (Kind::Int, Kind::UInt) => promote_signed_unsigned(a, b),
        (Kind::UInt, Kind::Int) => promote_signed_unsigned(b, a),
    }
}

/// The smallest float that holds every value of `int` exactly, at least `float`.
fn promote_int_float(int: DType, float: DType) -> DType {
    let needed = match int.bits() {
        8 => F16,
        16 => F32,
        _ => F64,
    };
    needed.max(float)
}

fn promote_signed_unsigned(signed: DType, unsigned: DType) -> DType {
    let bits = signed.bits().max(unsigned.bits() * 2);
    match bits {
        8 => I8,
        16 => I16,
        32 => I32,
        64 => I64,
        // uint64 with any signed int has no integer home: NumPy gives float64.
        _ => F64,
    }
}

/// Promotes a list of strongly typed dtypes; `None` for an empty list.
pub fn promote_all(dtypes: &[DType]) -> Option<DType> {
    dtypes.iter().copied().reduce(promote)
}

/// The kind of a weak scalar literal (a Rust or Python number with no dtype).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WeakKind {
    Bool,
    Int,
    Float,
}

/// NEP 50: the dtype a weak literal takes next to an array of `dtype`.
///
/// A literal of the same or lower kind takes the array's dtype; a literal of
/// higher kind takes the default dtype of its kind (int64 or float64).
pub fn weak_dtype(dtype: DType, literal: WeakKind) -> DType {
    match (literal, dtype.kind()) {
        (WeakKind::Bool, _) => dtype,
        (WeakKind::Int, Kind::Bool) => I64,
        (WeakKind::Int, _) => dtype,
        (WeakKind::Float, Kind::Float) => dtype,
        (WeakKind::Float, _) => F64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn promotion_matches_numpy_table() {
        assert_eq!(promote(I32, F32), F64);
        assert_eq!(promote(I16, F32), F32);
        assert_eq!(promote(I8, F16), F16);
        assert_eq!(promote(U8, I8), I16);
        assert_eq!(promote(U32, I32), I64);
        assert_eq!(promote(U64, I64), F64);
        assert_eq!(promote(Bool, U8), U8);
        assert_eq!(promote(F16, F64), F64);
        assert_eq!(promote(I64, U8), I64);
        assert_eq!(promote(U16, I8), I32);
    }

    #[test]
    fn weak_literals_do_not_upcast() {
        assert_eq!(weak_dtype(F32, WeakKind::Float), F32);
        assert_eq!(weak_dtype(I8, WeakKind::Int), I8);
        assert_eq!(weak_dtype(I32, WeakKind::Float), F64);
        assert_eq!(weak_dtype(Bool, WeakKind::Int), I64);
    }

    #[test]
    fn names_round_trip() {
        for d in ALL_DTYPES {
            assert_eq!(DType::parse(d.name()), Some(d));
        }
    }
}
