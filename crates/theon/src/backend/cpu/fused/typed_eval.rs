//! Evaluating a [`TypedPlan`]'s instructions over one block: each
//! instruction is one tight loop over the block's i64 or f64 registers,
//! written with the same expressions as the reference's `Scalar`
//! arithmetic (wrapping integer ops, Python's floor division and modulo,
//! division by zero giving 0, `f as i64` truncation), so results agree bit
//! for bit. Compiled for AVX2+FMA and for the baseline; `isa()` picks.

use super::plan::Src;
use super::typed::{Cmp, FloatBin, FloatTest, FloatUn, IntBin, IntUn, TInstr, TStep};
use crate::backend::cpu::{isa, Isa};
use crate::dtype::DType;

/// The registers of one block: i64 and f64 banks.
pub(crate) struct Banks<'a> {
    pub ints: &'a mut [Vec<i64>],
    pub floats: &'a mut [Vec<f64>],
}

/// Runs `instrs` over the first `n` elements of the inputs (`ints` for
/// int-bank inputs, `floats` for float-bank ones) and the registers.
pub(crate) fn run(instrs: &[TInstr], ints: &[&[i64]], floats: &[&[f64]], regs: Banks, n: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        if isa() == Isa::Avx2Fma {
            // SAFETY: `isa()` reports Avx2Fma only when the CPU has AVX2 and
            // FMA, the features `run_avx2` is compiled for.
            unsafe { run_avx2(instrs, ints, floats, regs, n) };
            return;
        }
    }
    let _ = Isa::Baseline;
    run_generic(instrs, ints, floats, regs, n)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn run_avx2(instrs: &[TInstr], ints: &[&[i64]], floats: &[&[f64]], regs: Banks, n: usize) {
    run_generic(instrs, ints, floats, regs, n)
}

#[inline(always)]
fn run_generic(instrs: &[TInstr], ins_i: &[&[i64]], ins_f: &[&[f64]], regs: Banks, n: usize) {
    let Banks { ints, floats } = regs;
    for instr in instrs {
        // The destination is moved out while the sources are borrowed: a
        // destination never aliases a source of its instruction.
        let into_float = instr.step.dst_bank() == super::typed::Bank::Float;
        let (mut di, mut df) = if into_float {
            (Vec::new(), std::mem::take(&mut floats[instr.dst]))
        } else {
            (std::mem::take(&mut ints[instr.dst]), Vec::new())
        };
        {
            let gi = |s: Src| -> &[i64] {
                match s {
                    Src::In(i) => &ins_i[i][..n],
                    Src::Reg(r) => &ints[r][..n],
                }
            };
            let gf = |s: Src| -> &[f64] {
                match s {
                    Src::In(i) => &ins_f[i][..n],
                    Src::Reg(r) => &floats[r][..n],
                }
            };
            let (oi, of) = (&mut di[..], &mut df[..]);
            match instr.step {
                TStep::Int(op, x) => int_unary(op, gi(x), &mut oi[..n]),
                TStep::Int2(op, x, y) => int_binary(op, gi(x), gi(y), &mut oi[..n]),
                TStep::Float(op, x) => float_unary(op, gf(x), &mut of[..n]),
                TStep::Float2(op, x, y) => float_binary(op, gf(x), gf(y), &mut of[..n]),
                TStep::FloatCmp(c, x, y) => compare(c, gf(x), gf(y), &mut oi[..n]),
                TStep::Test(t, x) => float_test(t, gf(x), &mut oi[..n]),
                TStep::ToFloat(x, unsigned) => {
                    if unsigned {
                        map1(gi(x), &mut of[..n], |v| v as u64 as f64)
                    } else {
                        map1(gi(x), &mut of[..n], |v| v as f64)
                    }
                }
                TStep::ToInt(x, d) => to_int(d, gf(x), &mut oi[..n]),
                TStep::SelectInt(c, a, b) => select(gi(c), gi(a), gi(b), &mut oi[..n]),
                TStep::SelectFloat(c, a, b) => select(gi(c), gf(a), gf(b), &mut of[..n]),
            }
        }
        if into_float {
            floats[instr.dst] = df;
        } else {
            ints[instr.dst] = di;
        }
    }
}

#[inline(always)]
fn map1<A: Copy, B>(x: &[A], out: &mut [B], f: impl Fn(A) -> B) {
    for (o, &v) in out.iter_mut().zip(x) {
        *o = f(v);
    }
}

#[inline(always)]
fn map2<A: Copy, B>(x: &[A], y: &[A], out: &mut [B], f: impl Fn(A, A) -> B) {
    for ((o, &a), &b) in out.iter_mut().zip(x).zip(y) {
        *o = f(a, b);
    }
}

#[inline(always)]
fn select<T: Copy>(c: &[i64], a: &[T], b: &[T], out: &mut [T]) {
    for (((o, &c), &a), &b) in out.iter_mut().zip(c).zip(a).zip(b) {
        *o = if c != 0 { a } else { b };
    }
}

/// Wraps `v` to integer dtype `d`, as `Scalar::cast` does.
#[inline(always)]
fn wrap(d: DType, x: &[i64], out: &mut [i64]) {
    match d {
        DType::I8 => map1(x, out, |v| v as i8 as i64),
        DType::I16 => map1(x, out, |v| v as i16 as i64),
        DType::I32 => map1(x, out, |v| v as i32 as i64),
        DType::U8 => map1(x, out, |v| v as u8 as i64),
        DType::U16 => map1(x, out, |v| v as u16 as i64),
        DType::U32 => map1(x, out, |v| v as u32 as i64),
        _ => out.copy_from_slice(x),
    }
}

#[inline(always)]
fn int_unary(op: IntUn, x: &[i64], out: &mut [i64]) {
    match op {
        IntUn::Neg => map1(x, out, i64::wrapping_neg),
        IntUn::Abs => map1(x, out, i64::wrapping_abs),
        IntUn::Sign => map1(x, out, i64::signum),
        IntUn::Sqr => map1(x, out, |v| v.wrapping_mul(v)),
        IntUn::Invert => map1(x, out, |v| !v),
        IntUn::Not => map1(x, out, |v| (v == 0) as i64),
        IntUn::ToBool => map1(x, out, |v| (v != 0) as i64),
        IntUn::Zero => out.fill(0),
        IntUn::Wrap(d) => wrap(d, x, out),
    }
}

#[inline(always)]
fn compare<T: PartialOrd + Copy>(c: Cmp, x: &[T], y: &[T], out: &mut [i64]) {
    match c {
        Cmp::Eq => map2(x, y, out, |a, b| (a == b) as i64),
        Cmp::Ne => map2(x, y, out, |a, b| (a != b) as i64),
        Cmp::Lt => map2(x, y, out, |a, b| (a < b) as i64),
        Cmp::Le => map2(x, y, out, |a, b| (a <= b) as i64),
        Cmp::Gt => map2(x, y, out, |a, b| (a > b) as i64),
        Cmp::Ge => map2(x, y, out, |a, b| (a >= b) as i64),
    }
}

/// An unsigned comparison of the u64 bit patterns.
#[inline(always)]
fn compare_unsigned(c: Cmp, x: &[i64], y: &[i64], out: &mut [i64]) {
    let u = |v: i64| v as u64;
    match c {
        Cmp::Eq => map2(x, y, out, |a, b| (a == b) as i64),
        Cmp::Ne => map2(x, y, out, |a, b| (a != b) as i64),
        Cmp::Lt => map2(x, y, out, |a, b| (u(a) < u(b)) as i64),
        Cmp::Le => map2(x, y, out, |a, b| (u(a) <= u(b)) as i64),
        Cmp::Gt => map2(x, y, out, |a, b| (u(a) > u(b)) as i64),
        Cmp::Ge => map2(x, y, out, |a, b| (u(a) >= u(b)) as i64),
    }
}

#[inline(always)]
fn int_binary(op: IntBin, x: &[i64], y: &[i64], out: &mut [i64]) {
    let u = |v: i64| v as u64;
    match op {
        IntBin::Add => map2(x, y, out, i64::wrapping_add),
        IntBin::Sub => map2(x, y, out, i64::wrapping_sub),
        IntBin::Mul => map2(x, y, out, i64::wrapping_mul),
        IntBin::FloorDiv => map2(x, y, out, floor_div),
        IntBin::Mod => map2(x, y, out, python_mod),
        IntBin::Pow => map2(x, y, out, int_pow),
        IntBin::Max => map2(x, y, out, i64::max),
        IntBin::Min => map2(x, y, out, i64::min),
        IntBin::Shl => map2(x, y, out, |a, b| shift(a, b, true)),
        IntBin::Shr => map2(x, y, out, |a, b| shift(a, b, false)),
        IntBin::FloorDivU => map2(x, y, out, |a, b| u(a).checked_div(u(b)).unwrap_or(0) as i64),
        IntBin::ModU => map2(x, y, out, |a, b| u(a).checked_rem(u(b)).unwrap_or(0) as i64),
        IntBin::PowU => map2(x, y, out, |a, b| {
            u(a).wrapping_pow(u(b).min(u32::MAX as u64) as u32) as i64
        }),
        IntBin::MaxU => map2(x, y, out, |a, b| u(a).max(u(b)) as i64),
        IntBin::MinU => map2(x, y, out, |a, b| u(a).min(u(b)) as i64),
        IntBin::ShlU => map2(x, y, out, |a, b| if u(b) >= 64 { 0 } else { a << b }),
        IntBin::ShrU => map2(
            x,
            y,
            out,
            |a, b| {
                if u(b) >= 64 {
                    0
                } else {
                    (u(a) >> b) as i64
                }
            },
        ),
        IntBin::BitAnd => map2(x, y, out, |a, b| a & b),
        IntBin::BitOr => map2(x, y, out, |a, b| a | b),
        IntBin::BitXor => map2(x, y, out, |a, b| a ^ b),
        IntBin::Cmp(c) => compare(c, x, y, out),
        IntBin::CmpU(c) => compare_unsigned(c, x, y, out),
    }
}

/// Division rounding toward minus infinity; 0 for division by zero.
#[inline(always)]
fn floor_div(x: i64, y: i64) -> i64 {
    if y == 0 {
        return 0;
    }
    let q = x.wrapping_div(y);
    if x.wrapping_rem(y) != 0 && ((x < 0) != (y < 0)) {
        q - 1
    } else {
        q
    }
}

/// Python's `%`: the sign of the divisor; 0 for division by zero.
#[inline(always)]
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

/// Wrapping power; a negative exponent gives the truncated real result.
#[inline(always)]
fn int_pow(x: i64, y: i64) -> i64 {
    if y < 0 {
        return match x {
            1 => 1,
            -1 if y % 2 == 0 => 1,
            -1 => -1,
            _ => 0,
        };
    }
    x.wrapping_pow(y.min(u32::MAX as i64) as u32)
}

/// Arithmetic shifts; shifts outside 0..64 give 0 (or -1 right of a
/// negative value).
#[inline(always)]
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

/// Float → integer dtype `d` as `Scalar::cast`: truncate toward zero with
/// `as` (saturating, NaN → 0; negative values to unsigned through i64),
/// then wrap to `d`.
#[inline(always)]
fn to_int(d: DType, x: &[f64], out: &mut [i64]) {
    let to_u = |f: f64| -> u64 {
        if f < 0.0 {
            (f as i64) as u64
        } else {
            f as u64
        }
    };
    // Where the whole block truncates into i32 (no NaN, no huge values),
    // the truncation to i32 (one vector instruction per 4 lanes) gives the
    // same low bits as `f as i64`, so the narrow targets wrap it instead.
    let narrow = matches!(
        d,
        DType::I8 | DType::I16 | DType::I32 | DType::U8 | DType::U16 | DType::U32
    );
    let fits = |f: f64| ((f > -2147483649.0) & (f < 2147483648.0)) as usize;
    if narrow && x.iter().map(|&f| fits(f)).sum::<usize>() == x.len() {
        // SAFETY: every element was just checked to be a number whose
        // truncation lies in i32's range, `to_int_unchecked`'s condition.
        let trunc = |f: f64| unsafe { f.to_int_unchecked::<i32>() };
        return match d {
            DType::I8 => map1(x, out, |f| trunc(f) as i8 as i64),
            DType::I16 => map1(x, out, |f| trunc(f) as i16 as i64),
            DType::U8 => map1(x, out, |f| trunc(f) as u8 as i64),
            DType::U16 => map1(x, out, |f| trunc(f) as u16 as i64),
            DType::U32 => map1(x, out, |f| trunc(f) as u32 as i64),
            _ => map1(x, out, |f| trunc(f) as i64),
        };
    }
    match d {
        DType::I8 => map1(x, out, |f| f as i64 as i8 as i64),
        DType::I16 => map1(x, out, |f| f as i64 as i16 as i64),
        DType::I32 => map1(x, out, |f| f as i64 as i32 as i64),
        DType::U8 => map1(x, out, |f| to_u(f) as u8 as i64),
        DType::U16 => map1(x, out, |f| to_u(f) as u16 as i64),
        DType::U32 => map1(x, out, |f| to_u(f) as u32 as i64),
        DType::U64 => map1(x, out, |f| to_u(f) as i64),
        _ => map1(x, out, |f| f as i64),
    }
}

#[inline(always)]
fn float_test(t: FloatTest, x: &[f64], out: &mut [i64]) {
    match t {
        FloatTest::IsNan => map1(x, out, |v| v.is_nan() as i64),
        FloatTest::IsInf => map1(x, out, |v| v.is_infinite() as i64),
        FloatTest::Not => map1(x, out, |v| (v == 0.0) as i64),
        FloatTest::ToBool => map1(x, out, |v| (v != 0.0) as i64),
    }
}

#[inline(always)]
fn float_unary(op: FloatUn, x: &[f64], out: &mut [f64]) {
    match op {
        FloatUn::Neg => map1(x, out, |v| -v),
        FloatUn::Abs => map1(x, out, f64::abs),
        FloatUn::Sign => map1(x, out, |v| {
            if v.is_nan() {
                v
            } else if v > 0.0 {
                1.0
            } else if v < 0.0 {
                -1.0
            } else {
                0.0
            }
        }),
        FloatUn::Sqr => map1(x, out, |v| v * v),
        FloatUn::Floor => map1(x, out, f64::floor),
        FloatUn::Ceil => map1(x, out, f64::ceil),
        FloatUn::Round => map1(x, out, f64::round_ties_even),
        FloatUn::Trunc => map1(x, out, f64::trunc),
        FloatUn::RoundF32 => map1(x, out, |v| v as f32 as f64),
        FloatUn::RoundF16 => map1(x, out, |v| half::f16::from_f64(v).to_f64()),
        FloatUn::Wide(f) => map1(x, out, f),
    }
}

/// NumPy's maximum: NaN if either is NaN.
#[inline(always)]
fn nan_max(x: f64, y: f64) -> f64 {
    if x.is_nan() || y.is_nan() {
        f64::NAN
    } else {
        x.max(y)
    }
}

/// Python's `%` on floats: the result takes the sign of the divisor.
#[inline(always)]
fn python_fmod(x: f64, y: f64) -> f64 {
    let r = x % y;
    if r != 0.0 && (r < 0.0) != (y < 0.0) {
        r + y
    } else {
        r
    }
}

#[inline(always)]
fn float_binary(op: FloatBin, x: &[f64], y: &[f64], out: &mut [f64]) {
    match op {
        FloatBin::Add => map2(x, y, out, |a, b| a + b),
        FloatBin::Sub => map2(x, y, out, |a, b| a - b),
        FloatBin::Mul => map2(x, y, out, |a, b| a * b),
        FloatBin::Div => map2(x, y, out, |a, b| a / b),
        FloatBin::FloorDiv => map2(x, y, out, |a, b| (a / b).floor()),
        FloatBin::Mod => map2(x, y, out, python_fmod),
        FloatBin::Pow => map2(x, y, out, f64::powf),
        FloatBin::Max => map2(x, y, out, nan_max),
        FloatBin::Min => map2(x, y, out, |a, b| -nan_max(-a, -b)),
        FloatBin::Arctan2 => map2(x, y, out, f64::atan2),
        FloatBin::Hypot => map2(x, y, out, f64::hypot),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_helpers_follow_python_and_never_overflow() {
        assert_eq!(floor_div(-7, 2), -4);
        assert_eq!(floor_div(7, -2), -4);
        assert_eq!(floor_div(i64::MIN, -1), i64::MIN);
        assert_eq!(floor_div(5, 0), 0);
        assert_eq!(python_mod(-7, 2), 1);
        assert_eq!(python_mod(7, -2), -1);
        assert_eq!(python_mod(i64::MIN, -1), 0);
        assert_eq!(int_pow(-1, -3), -1);
        assert_eq!(int_pow(3, 41), 3i64.wrapping_pow(41));
        assert_eq!(shift(-5, 70, false), -1);
    }
}
