//! Lowering a fused body (a `Composite`, or one `Elemwise` scalar op) to a
//! [`Plan`]: a straight-line list of block instructions over registers of
//! one float type `T`, with booleans held as `T` 0/1. Registers are reused
//! after a value's last use; a destination never aliases its sources.
//! Bodies may mix float32 and float64 values, booleans and integer inputs;
//! `dtypes` says how each is held in the lane (integer inputs compared
//! with each other stay exact in i64: the one-hot masks of cross-entropy
//! gradients).

use super::dtypes::{compute_dtypes, convert, exact_in_f32, is_int_input, lane_dtype};
use super::lane::{Lane, SliceFn, SliceFn2};
use super::walk::Scratch;
use crate::dtype::DType;
use crate::ops::elemwise::{special, BinaryOp, CompositeNode, ScalarOp, UnaryOp};
use std::sync::Mutex;

/// Most inputs a fused kernel takes (the per-block input table is a fixed
/// array on the stack).
pub(crate) const MAX_INPUTS: usize = 64;

/// Where an instruction reads a value: a node input or a register.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Src {
    In(usize),
    Reg(usize),
}

/// Unary operations with a plain loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Simple {
    Copy,
    Neg,
    Abs,
    Sqr,
    Sign,
    Floor,
    Ceil,
    Round,
    Trunc,
    IsNan,
    IsInf,
    /// `x == 0` (logical not, also of 0/1 booleans).
    Not,
    /// `x != 0` (cast to bool; NaN is true).
    ToBool,
    /// Rounds to the nearest float32 (a float32 value in a float64 lane).
    RoundF32,
}

/// Binary operations with a plain loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    /// `floor(x / y)`, computed in f64 as the reference does.
    FloorDiv,
    /// Python's `%`, computed in f64.
    Mod,
    Max,
    Min,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    Xor,
}

/// One block instruction (its destination register is in [`Instr`]).
#[derive(Clone, Copy)]
pub(crate) enum Step<T> {
    /// A vectorised slice kernel from `backend::cpu::math`.
    Math(SliceFn<T>, Src),
    /// A scalar f64 function (widen, apply, round): the fallback.
    Wide(fn(f64) -> f64, Src),
    Unary(Simple, Src),
    Pow(SliceFn2<T>, Src, Src),
    Wide2(fn(f64, f64) -> f64, Src, Src),
    Binary(Arith, Src, Src),
    /// `c != 0 ? a : b`.
    Select(Src, Src, Src),
    /// NumPy's `minimum(maximum(x, lo), hi)` (NaN-propagating).
    Clip(Src, Src, Src),
    /// A comparison of two integer inputs (by input index), exact in i64.
    IntCompare(Arith, usize, usize),
}

#[derive(Clone, Copy)]
pub(crate) struct Instr<T> {
    pub step: Step<T>,
    pub dst: usize,
}

/// A lowered fused body over element type `T`.
pub(crate) struct Plan<T> {
    pub instrs: Vec<Instr<T>>,
    pub n_regs: usize,
    /// Where each output is read after the block's instructions.
    pub outputs: Vec<Src>,
    /// Rough work per element (for the threading threshold).
    pub cost: usize,
    /// Per input: an integer input read as a float (converted on load).
    pub int_as_float: Vec<bool>,
    /// Scratch buffers kept between calls (one per concurrent task).
    pub pool: Mutex<Vec<Scratch<T>>>,
}

/// Register allocation with reuse.
#[derive(Default)]
pub(super) struct Regs {
    free: Vec<usize>,
    pub(super) count: usize,
}

impl Regs {
    pub(super) fn alloc(&mut self) -> usize {
        self.free.pop().unwrap_or_else(|| {
            self.count += 1;
            self.count - 1
        })
    }
    pub(super) fn release(&mut self, src: Src) {
        if let Src::Reg(r) = src {
            self.free.push(r);
        }
    }
}

/// Lowers a body; `None` when a dtype or op is outside what the fused
/// loops handle (the node then keeps its reference kernel).
pub(crate) fn lower<T: Lane>(
    inputs: &[DType],
    body: &[CompositeNode],
    outputs: &[usize],
) -> Option<Plan<T>> {
    if inputs.len() > MAX_INPUTS || lane_dtype(inputs, body) != Some(T::DTYPE) {
        return None;
    }
    let computes = compute_dtypes(inputs, body)?;
    let n_in = inputs.len();
    let n_values = n_in + body.len();
    const KEEP: usize = usize::MAX;
    let mut last_use = vec![None; n_values];
    for (j, node) in body.iter().enumerate() {
        for &a in &node.args {
            last_use[a] = Some(j);
        }
    }
    for &o in outputs {
        last_use[o] = Some(KEEP);
    }
    let mut dtypes: Vec<DType> = inputs.to_vec();
    let mut srcs: Vec<Src> = (0..n_in).map(Src::In).collect();
    let mut int_as_float = vec![false; n_in];
    let (mut regs, mut instrs, mut cost) = (Regs::default(), Vec::new(), 0);
    for (j, (node, cast_to)) in body.iter().zip(&computes).enumerate() {
        let mut temps = Vec::new();
        let step = match int_compare(node.op, &node.args, &dtypes, cast_to[0]) {
            Some(step) => step,
            None => {
                let mut args = Vec::with_capacity(node.args.len());
                for (&a, &want) in node.args.iter().zip(cast_to) {
                    let mut alloc = || regs.alloc();
                    let have = dtypes[a];
                    let src = convert(
                        have,
                        want,
                        srcs[a],
                        T::DTYPE,
                        &mut alloc,
                        &mut instrs,
                        &mut temps,
                    )?;
                    if a < n_in && is_int_input(have) {
                        int_as_float[a] = true;
                    }
                    args.push(src);
                }
                lower_op::<T>(node.op, &args, cast_to)?
            }
        };
        cost += match step {
            Step::Math(..) | Step::Wide(..) | Step::Pow(..) | Step::Wide2(..) => 8,
            _ => 1,
        };
        let mut dst = regs.alloc();
        instrs.push(Instr { step, dst });
        if node.dtype == DType::F32 && T::DTYPE == DType::F64 && !exact_in_f32(&step) {
            let rounded = regs.alloc();
            instrs.push(Instr {
                step: Step::Unary(Simple::RoundF32, Src::Reg(dst)),
                dst: rounded,
            });
            regs.release(Src::Reg(dst));
            dst = rounded;
            cost += 1;
        }
        temps.into_iter().for_each(|t| regs.release(t));
        let mut dying: Vec<usize> = node
            .args
            .iter()
            .copied()
            .filter(|&a| a >= n_in && last_use[a] == Some(j))
            .collect();
        dying.sort_unstable();
        dying.dedup();
        dying.into_iter().for_each(|a| regs.release(srcs[a]));
        dtypes.push(node.dtype);
        srcs.push(Src::Reg(dst));
        if last_use[n_in + j].is_none() {
            regs.release(Src::Reg(dst));
        }
    }
    Some(Plan {
        instrs,
        n_regs: regs.count,
        outputs: outputs.iter().map(|&o| srcs[o]).collect(),
        cost: cost.max(1),
        int_as_float,
        pool: Mutex::new(Vec::new()),
    })
}

/// A comparison of two integer inputs at a common integer dtype (exact in
/// i64), or `None` for any other node.
fn int_compare<T>(
    op: ScalarOp,
    args: &[usize],
    dtypes: &[DType],
    common: DType,
) -> Option<Step<T>> {
    let ScalarOp::Binary(b) = op else { return None };
    let cmp = match b {
        BinaryOp::Eq => Arith::Eq,
        BinaryOp::Neq => Arith::Ne,
        BinaryOp::Lt => Arith::Lt,
        BinaryOp::Le => Arith::Le,
        BinaryOp::Gt => Arith::Gt,
        BinaryOp::Ge => Arith::Ge,
        _ => return None,
    };
    // Integer values exist only as inputs (body nodes are float or bool),
    // so both arguments are inputs, loaded as i64.
    let ints = args.iter().all(|&a| is_int_input(dtypes[a]));
    (ints && is_int_input(common)).then_some(Step::IntCompare(cmp, args[0], args[1]))
}

/// The step for one scalar op whose arguments are already converted to
/// its compute dtypes `cast_to` (for a cast: to its target dtype).
fn lower_op<T: Lane>(op: ScalarOp, args: &[Src], cast_to: &[DType]) -> Option<Step<T>> {
    Some(match op {
        ScalarOp::Unary(u) => lower_unary::<T>(u, args[0], cast_to[0] == DType::Bool)?,
        ScalarOp::Binary(b) => lower_binary::<T>(b, args[0], args[1], cast_to[0] == DType::Bool)?,
        ScalarOp::Switch => Step::Select(args[0], args[1], args[2]),
        ScalarOp::Clip => Step::Clip(args[0], args[1], args[2]),
        ScalarOp::Cast(_) => Step::Unary(Simple::Copy, args[0]),
    })
}

fn lower_unary<T: Lane>(u: UnaryOp, x: Src, on_bool: bool) -> Option<Step<T>> {
    use UnaryOp::*;
    let simple = |s| Some(Step::Unary(s, x));
    if on_bool {
        return match u {
            Abs => simple(Simple::Copy),
            LogicalNot | Invert => simple(Simple::Not),
            IsNan => simple(Simple::IsNan),
            IsInf => simple(Simple::IsInf),
            _ => None,
        };
    }
    match u {
        Neg => simple(Simple::Neg),
        Abs => simple(Simple::Abs),
        Sqr => simple(Simple::Sqr),
        Sign => simple(Simple::Sign),
        Floor => simple(Simple::Floor),
        Ceil => simple(Simple::Ceil),
        Round => simple(Simple::Round),
        Trunc => simple(Simple::Trunc),
        IsNan => simple(Simple::IsNan),
        IsInf => simple(Simple::IsInf),
        LogicalNot => simple(Simple::Not),
        Invert => None,
        _ => Some(match T::math(u) {
            Some(f) => Step::Math(f, x),
            None => Step::Wide(wide_unary(u)?, x),
        }),
    }
}

/// The reference's f64 function for ops without a vectorised kernel (the
/// same expressions as `UnaryOp::eval`, so results agree bit for bit).
pub(super) fn wide_unary(u: UnaryOp) -> Option<fn(f64) -> f64> {
    use UnaryOp::*;
    Some(match u {
        Exp => f64::exp,
        Exp2 => f64::exp2,
        Expm1 => f64::exp_m1,
        Log => f64::ln,
        Log2 => f64::log2,
        Log10 => f64::log10,
        Log1p => f64::ln_1p,
        Sqrt => f64::sqrt,
        Reciprocal => |x| 1.0 / x,
        Sin => f64::sin,
        Cos => f64::cos,
        Tan => f64::tan,
        Arcsin => f64::asin,
        Arccos => f64::acos,
        Arctan => f64::atan,
        Sinh => f64::sinh,
        Cosh => f64::cosh,
        Tanh => f64::tanh,
        Arcsinh => f64::asinh,
        Arccosh => f64::acosh,
        Arctanh => f64::atanh,
        Sigmoid => special::sigmoid,
        Softplus => special::softplus,
        Erf => libm::erf,
        Erfc => libm::erfc,
        Erfinv => special::erfinv,
        Gamma => libm::tgamma,
        Gammaln => libm::lgamma,
        Psi => special::digamma,
        _ => return None,
    })
}

fn lower_binary<T: Lane>(b: BinaryOp, x: Src, y: Src, on_bool: bool) -> Option<Step<T>> {
    use BinaryOp::*;
    let arith = |a| Some(Step::Binary(a, x, y));
    let compare = match b {
        Eq => Some(Arith::Eq),
        Neq => Some(Arith::Ne),
        Lt => Some(Arith::Lt),
        Le => Some(Arith::Le),
        Gt => Some(Arith::Gt),
        Ge => Some(Arith::Ge),
        _ => None,
    };
    if let Some(c) = compare {
        return arith(c);
    }
    if on_bool {
        // 0/1 values: or, and, xor are max, min and "differ".
        return match b {
            Add | Or | BitOr | Maximum => arith(Arith::Or),
            Mul | And | BitAnd | Minimum => arith(Arith::And),
            Xor | BitXor => arith(Arith::Xor),
            _ => None,
        };
    }
    match b {
        Add => arith(Arith::Add),
        Sub => arith(Arith::Sub),
        Mul => arith(Arith::Mul),
        TrueDiv => arith(Arith::Div),
        FloorDiv => arith(Arith::FloorDiv),
        Mod => arith(Arith::Mod),
        Maximum => arith(Arith::Max),
        Minimum => arith(Arith::Min),
        Pow => Some(Step::Pow(T::pow(), x, y)),
        Arctan2 => Some(Step::Wide2(f64::atan2, x, y)),
        Hypot => Some(Step::Wide2(f64::hypot, x, y)),
        _ => None,
    }
}
