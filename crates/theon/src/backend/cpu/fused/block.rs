//! Evaluating a [`Plan`]'s instructions over one block of at most
//! [`BLOCK`] elements: each instruction is one tight loop (or one call of a
//! vectorised math kernel) over the block, so dispatch costs once per
//! instruction per block, never per element. The loops are compiled for
//! AVX2+FMA and for the baseline; `isa()` picks once per process.

use super::lane::Lane;
use super::plan::{Arith, Instr, Simple, Src, Step};
use crate::backend::cpu::{isa, Isa};
use num_traits::Float;

/// Elements per block: registers of 256 f64 (2 KiB) stay in L1.
pub(crate) const BLOCK: usize = 256;

/// Runs `instrs` over the first `n` elements of the inputs (`ins`, or
/// `ints` for integer inputs) and the registers `regs` (each at least `n`
/// long).
pub(crate) fn run<T: Lane>(
    instrs: &[Instr<T>],
    ins: &[&[T]],
    ints: &[&[i64]],
    regs: &mut [Vec<T>],
    n: usize,
) {
    #[cfg(target_arch = "x86_64")]
    {
        if isa() == Isa::Avx2Fma {
            // SAFETY: `isa()` reports Avx2Fma only when the CPU has AVX2 and
            // FMA, the features `run_avx2` is compiled for.
            unsafe { run_avx2(instrs, ins, ints, regs, n) };
            return;
        }
    }
    let _ = Isa::Baseline;
    run_generic(instrs, ins, ints, regs, n)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn run_avx2<T: Lane>(
    instrs: &[Instr<T>],
    ins: &[&[T]],
    ints: &[&[i64]],
    regs: &mut [Vec<T>],
    n: usize,
) {
    run_generic(instrs, ins, ints, regs, n)
}

#[inline(always)]
fn run_generic<T: Lane>(
    instrs: &[Instr<T>],
    ins: &[&[T]],
    ints: &[&[i64]],
    regs: &mut [Vec<T>],
    n: usize,
) {
    for instr in instrs {
        // The destination is moved out while the sources are borrowed: the
        // plan never lets an instruction read its own destination.
        let mut dst = std::mem::take(&mut regs[instr.dst]);
        {
            let get = |s: Src| -> &[T] {
                match s {
                    Src::In(i) => &ins[i][..n],
                    Src::Reg(r) => &regs[r][..n],
                }
            };
            let out = &mut dst[..n];
            match instr.step {
                Step::Math(f, x) => f(get(x), out),
                Step::Wide(f, x) => map1(get(x), out, |v| T::narrow(f(v.widen()))),
                Step::Unary(op, x) => simple(op, get(x), out),
                Step::Pow(f, x, y) => f(get(x), get(y), out),
                Step::Wide2(f, x, y) => map2(get(x), get(y), out, |a, b| {
                    T::narrow(f(a.widen(), b.widen()))
                }),
                Step::Binary(op, x, y) => arith(op, get(x), get(y), out),
                Step::Select(c, a, b) => {
                    let (c, a, b) = (get(c), get(a), get(b));
                    for (((o, &c), &a), &b) in out.iter_mut().zip(c).zip(a).zip(b) {
                        *o = if c != T::zero() { a } else { b };
                    }
                }
                Step::IntCompare(op, a, b) => int_compare(op, &ints[a][..n], &ints[b][..n], out),
                Step::Clip(x, lo, hi) => {
                    let (x, lo, hi) = (get(x), get(lo), get(hi));
                    for (((o, &x), &l), &h) in out.iter_mut().zip(x).zip(lo).zip(hi) {
                        *o = nan_min(nan_max(x, l), h);
                    }
                }
            }
        }
        regs[instr.dst] = dst;
    }
}

#[inline(always)]
fn map1<T: Copy>(x: &[T], out: &mut [T], f: impl Fn(T) -> T) {
    for (o, &v) in out.iter_mut().zip(x) {
        *o = f(v);
    }
}

#[inline(always)]
fn map2<T: Copy>(x: &[T], y: &[T], out: &mut [T], f: impl Fn(T, T) -> T) {
    for ((o, &a), &b) in out.iter_mut().zip(x).zip(y) {
        *o = f(a, b);
    }
}

#[inline(always)]
fn int_compare<T: Lane>(op: Arith, x: &[i64], y: &[i64], out: &mut [T]) {
    #[inline(always)]
    fn each<T: Lane>(x: &[i64], y: &[i64], out: &mut [T], f: impl Fn(i64, i64) -> bool) {
        for ((o, &a), &c) in out.iter_mut().zip(x).zip(y) {
            *o = T::from_bool(f(a, c));
        }
    }
    match op {
        Arith::Eq => each(x, y, out, |a, c| a == c),
        Arith::Ne => each(x, y, out, |a, c| a != c),
        Arith::Lt => each(x, y, out, |a, c| a < c),
        Arith::Le => each(x, y, out, |a, c| a <= c),
        Arith::Gt => each(x, y, out, |a, c| a > c),
        Arith::Ge => each(x, y, out, |a, c| a >= c),
        _ => unreachable!("only comparisons are lowered to IntCompare"),
    }
}

/// NumPy's maximum: NaN if either is NaN.
#[inline(always)]
fn nan_max<T: Float>(a: T, b: T) -> T {
    if a.is_nan() || b.is_nan() {
        T::nan()
    } else if a > b {
        a
    } else {
        b
    }
}

#[inline(always)]
fn nan_min<T: Float>(a: T, b: T) -> T {
    if a.is_nan() || b.is_nan() {
        T::nan()
    } else if a < b {
        a
    } else {
        b
    }
}

#[inline(always)]
fn simple<T: Lane>(op: Simple, x: &[T], out: &mut [T]) {
    let b = T::from_bool;
    match op {
        Simple::Copy => out.copy_from_slice(x),
        Simple::Neg => map1(x, out, |v| -v),
        Simple::Abs => map1(x, out, |v| v.abs()),
        Simple::Sqr => map1(x, out, |v| v * v),
        Simple::Sign => map1(x, out, |v| {
            if v > T::zero() {
                T::one()
            } else if v < T::zero() {
                -T::one()
            } else if v.is_nan() {
                v
            } else {
                T::zero()
            }
        }),
        Simple::Floor => map1(x, out, |v| v.floor()),
        Simple::Ceil => map1(x, out, |v| v.ceil()),
        Simple::Round => map1(x, out, |v| v.round_even()),
        Simple::Trunc => map1(x, out, |v| v.trunc()),
        Simple::IsNan => map1(x, out, |v| b(v.is_nan())),
        Simple::IsInf => map1(x, out, |v| b(v.is_infinite())),
        Simple::Not => map1(x, out, |v| b(v == T::zero())),
        Simple::ToBool => map1(x, out, |v| b(v != T::zero())),
        Simple::RoundF32 => map1(x, out, |v| T::narrow(v.widen() as f32 as f64)),
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
fn arith<T: Lane>(op: Arith, x: &[T], y: &[T], out: &mut [T]) {
    let b = T::from_bool;
    let z = T::zero();
    match op {
        Arith::Add => map2(x, y, out, |a, c| a + c),
        Arith::Sub => map2(x, y, out, |a, c| a - c),
        Arith::Mul => map2(x, y, out, |a, c| a * c),
        Arith::Div => map2(x, y, out, |a, c| a / c),
        Arith::FloorDiv => map2(x, y, out, |a, c| T::narrow((a.widen() / c.widen()).floor())),
        Arith::Mod => map2(x, y, out, |a, c| {
            T::narrow(python_fmod(a.widen(), c.widen()))
        }),
        Arith::Max => map2(x, y, out, nan_max),
        Arith::Min => map2(x, y, out, nan_min),
        Arith::Eq => map2(x, y, out, |a, c| b(a == c)),
        Arith::Ne => map2(x, y, out, |a, c| b(a != c)),
        Arith::Lt => map2(x, y, out, |a, c| b(a < c)),
        Arith::Le => map2(x, y, out, |a, c| b(a <= c)),
        Arith::Gt => map2(x, y, out, |a, c| b(a > c)),
        Arith::Ge => map2(x, y, out, |a, c| b(a >= c)),
        Arith::And => map2(x, y, out, |a, c| b(a != z && c != z)),
        Arith::Or => map2(x, y, out, |a, c| b(a != z || c != z)),
        Arith::Xor => map2(x, y, out, |a, c| b((a != z) != (c != z))),
    }
}
