//! Lowering a fused body that the float lanes decline — integer
//! arithmetic, casts to integer dtypes, where/min/max over integers, any
//! mix of those with float values — to a [`TypedPlan`]: block instructions
//! over two register banks, i64 (booleans as 0/1 and every integer dtype,
//! uint64 as its bit pattern) and f64 (float32 values held rounded to
//! float32).
//!
//! Each node follows the reference's `ScalarOp::apply` step by step: cast
//! every argument to the node's compute dtype, evaluate in i64 / u64 / f64 /
//! bool as `Scalar` does, cast the result to the node's dtype. So results
//! agree bit for bit, integer overflow wraps at the node's dtype as NumPy's
//! does, and float → int casts truncate (saturating, NaN → 0) before
//! wrapping. Invariant: a value of an integer dtype `d` is held in its i64
//! register already wrapped to `d`, a float32 / float16 value in its f64
//! register already rounded to `d`.

use super::plan::{wide_unary, Regs, Src, MAX_INPUTS};
use super::typed_walk::TScratch;
use crate::dtype::{DType, Kind};
use crate::ops::elemwise::{BinaryOp, CompositeNode, ScalarOp, UnaryOp};
use std::sync::Mutex;

/// The register bank a value lives in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Bank {
    /// i64: booleans (0/1) and integers (wrapped to their dtype).
    Int,
    /// f64: float64 values, and float32 / float16 values rounded to theirs.
    Float,
}

/// The bank of a dtype's values.
pub(crate) fn bank_of(d: DType) -> Bank {
    match d.kind() {
        Kind::Bool | Kind::Int | Kind::UInt => Bank::Int,
        Kind::Float => Bank::Float,
    }
}

/// Comparisons (result 0/1 in the int bank).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// int → int unary steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IntUn {
    /// `wrapping_neg` (the same bits for signed and unsigned).
    Neg,
    /// Signed `wrapping_abs`.
    Abs,
    /// Signed `signum`.
    Sign,
    /// `wrapping_mul(x, x)`.
    Sqr,
    /// `!x`.
    Invert,
    /// `x == 0`.
    Not,
    /// `x != 0` (cast to bool; also the sign of an unsigned value).
    ToBool,
    /// Always 0 (isnan / isinf of an integer).
    Zero,
    /// Wraps to an integer dtype (`v as i8 as i64`, `v as u8 as i64`, ...).
    Wrap(DType),
}

/// int × int → int binary steps; `U` variants treat the bits as u64.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IntBin {
    Add,
    Sub,
    Mul,
    FloorDiv,
    Mod,
    Pow,
    Max,
    Min,
    Shl,
    Shr,
    FloorDivU,
    ModU,
    PowU,
    MaxU,
    MinU,
    ShlU,
    ShrU,
    BitAnd,
    BitOr,
    BitXor,
    Cmp(Cmp),
    CmpU(Cmp),
}

/// float → float unary steps.
#[derive(Clone, Copy, Debug)]
pub(crate) enum FloatUn {
    Neg,
    Abs,
    Sign,
    Sqr,
    Floor,
    Ceil,
    Round,
    Trunc,
    /// Rounds to the nearest float32.
    RoundF32,
    /// Rounds to the nearest float16 (`f16::from_f64`, as the reference).
    RoundF16,
    /// The reference's f64 function.
    Wide(fn(f64) -> f64),
}

/// float × float → float binary steps (the reference's f64 expressions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FloatBin {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    Max,
    Min,
    Arctan2,
    Hypot,
}

/// float → int (0/1) tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FloatTest {
    IsNan,
    IsInf,
    /// `x == 0`.
    Not,
    /// `x != 0` (NaN is true).
    ToBool,
}

/// One block instruction; the bank of its destination follows from it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum TStep {
    Int(IntUn, Src),
    Int2(IntBin, Src, Src),
    Float(FloatUn, Src),
    Float2(FloatBin, Src, Src),
    /// float × float → 0/1.
    FloatCmp(Cmp, Src, Src),
    /// float → 0/1.
    Test(FloatTest, Src),
    /// int → float: `v as f64`, or `v as u64 as f64` when the flag is set.
    ToFloat(Src, bool),
    /// float → an integer dtype, as `Scalar::cast` does.
    ToInt(Src, DType),
    /// `c != 0 ? a : b` over ints (c from the int bank).
    SelectInt(Src, Src, Src),
    /// `c != 0 ? a : b` over floats (c from the int bank).
    SelectFloat(Src, Src, Src),
}

impl TStep {
    /// The bank the step writes.
    pub(crate) fn dst_bank(&self) -> Bank {
        match self {
            TStep::Float(..) | TStep::Float2(..) | TStep::ToFloat(..) | TStep::SelectFloat(..) => {
                Bank::Float
            }
            _ => Bank::Int,
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct TInstr {
    pub step: TStep,
    pub dst: usize,
}

/// A lowered body over typed register banks.
pub(crate) struct TypedPlan {
    pub instrs: Vec<TInstr>,
    pub n_int_regs: usize,
    pub n_float_regs: usize,
    /// Each input's bank.
    pub input_banks: Vec<Bank>,
    /// Where each output is read, and in which bank.
    pub outputs: Vec<(Src, Bank)>,
    /// Rough work per element (for the threading threshold).
    pub cost: usize,
    /// Scratch buffers kept between calls (one per concurrent task).
    pub pool: Mutex<Vec<TScratch>>,
}

/// Lowers a body; `None` when an op has no form at its compute dtype (the
/// type rules refuse those too) or there are too many inputs.
pub(crate) fn lower(
    inputs: &[DType],
    body: &[CompositeNode],
    outputs: &[usize],
) -> Option<TypedPlan> {
    if inputs.len() > MAX_INPUTS {
        return None;
    }
    let input_banks: Vec<Bank> = inputs.iter().map(|&d| bank_of(d)).collect();
    let n_in = inputs.len();
    let mut last_use = vec![None; n_in + body.len()];
    for (j, node) in body.iter().enumerate() {
        node.args.iter().for_each(|&a| last_use[a] = Some(j));
    }
    outputs.iter().for_each(|&o| last_use[o] = Some(usize::MAX));
    let mut low = Lowering {
        values: inputs
            .iter()
            .enumerate()
            .map(|(i, &d)| (Src::In(i), d))
            .collect(),
        ..Lowering::default()
    };
    for (j, node) in body.iter().enumerate() {
        let value = low.node(node)?;
        let mut dying: Vec<usize> = node
            .args
            .iter()
            .copied()
            .filter(|&a| a >= n_in && last_use[a] == Some(j))
            .collect();
        dying.sort_unstable();
        dying.dedup();
        dying.into_iter().for_each(|a| low.release(low.values[a]));
        low.values.push(value);
        if last_use[n_in + j].is_none() {
            low.release(value);
        }
    }
    let cost = low.instrs.iter().map(step_cost).sum::<usize>().max(1);
    Some(TypedPlan {
        n_int_regs: low.ints.count,
        n_float_regs: low.floats.count,
        outputs: outputs
            .iter()
            .map(|&o| (low.values[o].0, bank_of(low.values[o].1)))
            .collect(),
        instrs: low.instrs,
        input_banks,
        cost,
        pool: Mutex::new(Vec::new()),
    })
}

fn step_cost(i: &TInstr) -> usize {
    match i.step {
        TStep::Float(FloatUn::Wide(_), _) => 8,
        TStep::Float2(FloatBin::Pow | FloatBin::Arctan2 | FloatBin::Hypot, ..) => 8,
        TStep::Int2(IntBin::Pow | IntBin::PowU, ..) => 4,
        _ => 1,
    }
}

/// The state of a lowering: each value's place and dtype, the banks'
/// register allocators and the instructions so far.
#[derive(Default)]
struct Lowering {
    values: Vec<(Src, DType)>,
    ints: Regs,
    floats: Regs,
    instrs: Vec<TInstr>,
    /// Registers written for the node being lowered.
    temps: Vec<(Src, DType)>,
    /// Per int / float register: how many values beyond the first hold it
    /// (a node that passes its argument through shares its register).
    shared: [Vec<usize>; 2],
}

/// What an op lowers to at its compute dtype, and the dtype of its
/// result before the cast to the node's dtype (`I64` / `U64` / `F64`
/// where the result may need wrapping or rounding).
enum Lowered {
    Step(TStep, DType),
    /// The argument itself (identity at this dtype).
    Same(DType),
}

impl Lowering {
    fn release(&mut self, (src, d): (Src, DType)) {
        let (Src::Reg(r), bank) = (src, bank_of(d)) else {
            return;
        };
        let shared = &mut self.shared[bank as usize];
        if shared.get(r).is_some_and(|&k| k > 0) {
            shared[r] -= 1;
            return;
        }
        match bank {
            Bank::Int => self.ints.release(src),
            Bank::Float => self.floats.release(src),
        }
    }

    /// Records one more value held in `src` (an existing value's register).
    fn share(&mut self, (src, d): (Src, DType)) {
        if let (Src::Reg(r), bank) = (src, bank_of(d)) {
            let shared = &mut self.shared[bank as usize];
            if shared.len() <= r {
                shared.resize(r + 1, 0);
            }
            shared[r] += 1;
        }
    }

    fn emit(&mut self, step: TStep, dtype: DType) -> Src {
        let dst = match step.dst_bank() {
            Bank::Int => self.ints.alloc(),
            Bank::Float => self.floats.alloc(),
        };
        self.instrs.push(TInstr { step, dst });
        self.temps.push((Src::Reg(dst), dtype));
        Src::Reg(dst)
    }

    /// Lowers one node; returns where its value is. Registers written for
    /// the node other than its value are released.
    fn node(&mut self, node: &CompositeNode) -> Option<(Src, DType)> {
        let arg_dtypes: Vec<DType> = node.args.iter().map(|&a| self.values[a].1).collect();
        let cast_to = match node.op {
            ScalarOp::Cast(d) => vec![d],
            op => op.signature(&arg_dtypes).ok()?.0,
        };
        let mut args = Vec::with_capacity(node.args.len());
        for (&a, &want) in node.args.iter().zip(&cast_to) {
            let (src, have) = self.values[a];
            args.push(self.convert(src, have, want));
        }
        let compute = cast_to[cast_to.len() - 1];
        let (src, dtype) = match node.op {
            ScalarOp::Cast(d) => (args[0], d),
            ScalarOp::Switch => {
                let step = match bank_of(compute) {
                    Bank::Int => TStep::SelectInt(args[0], args[1], args[2]),
                    Bank::Float => TStep::SelectFloat(args[0], args[1], args[2]),
                };
                (self.emit(step, compute), compute)
            }
            ScalarOp::Clip => {
                // minimum(maximum(x, lo), hi), as the reference evaluates it.
                let max = lower_binary(BinaryOp::Maximum, compute, args[0], args[1])?;
                let raised = self.place(max, args[0]);
                let min = lower_binary(BinaryOp::Minimum, compute, raised.0, args[2])?;
                self.place(min, raised.0)
            }
            ScalarOp::Unary(u) => {
                let l = lower_unary(u, compute, args[0])?;
                self.place(l, args[0])
            }
            ScalarOp::Binary(b) => {
                let l = lower_binary(b, compute, args[0], args[1])?;
                self.place(l, args[0])
            }
        };
        let value = (self.convert(src, dtype, node.dtype), node.dtype);
        let temps = std::mem::take(&mut self.temps);
        let same = |t: &(Src, DType)| t.0 == value.0 && bank_of(t.1) == bank_of(value.1);
        if !temps.iter().any(same) {
            self.share(value);
        }
        temps
            .into_iter()
            .filter(|t| !same(t))
            .for_each(|t| self.release(t));
        Some(value)
    }

    /// Emits a lowered op (or passes `arg` through); its value and dtype.
    fn place(&mut self, l: Lowered, arg: Src) -> (Src, DType) {
        match l {
            Lowered::Step(step, d) => (self.emit(step, d), d),
            Lowered::Same(d) => (arg, d),
        }
    }

    /// Makes `src` (of dtype `have`) into a value of dtype `want`, exactly
    /// as `Scalar::cast(want)` converts a value of dtype `have`.
    fn convert(&mut self, src: Src, have: DType, want: DType) -> Src {
        if have == want {
            return src;
        }
        match (have.kind(), want.kind()) {
            (Kind::Float, Kind::Bool) => self.emit(TStep::Test(FloatTest::ToBool, src), want),
            (_, Kind::Bool) => self.emit(TStep::Int(IntUn::ToBool, src), want),
            (Kind::Float, Kind::Float) => match round_to(want) {
                // Narrower float dtypes are exact in the wider ones.
                Some(r) if want < have => self.emit(TStep::Float(r, src), want),
                _ => src,
            },
            (Kind::Float, _) => self.emit(TStep::ToInt(src, want), want),
            (_, Kind::Float) => {
                let wide = self.emit(TStep::ToFloat(src, have == DType::U64), DType::F64);
                match round_to(want) {
                    Some(r) => self.emit(TStep::Float(r, wide), want),
                    None => wide,
                }
            }
            _ if fits(have, want) => src,
            _ => self.emit(TStep::Int(IntUn::Wrap(want), src), want),
        }
    }
}

/// The rounding that makes an f64 a value of float dtype `d`.
fn round_to(d: DType) -> Option<FloatUn> {
    match d {
        DType::F32 => Some(FloatUn::RoundF32),
        DType::F16 => Some(FloatUn::RoundF16),
        _ => None,
    }
}

/// Whether every value of integer (or bool) dtype `have` is already a
/// value of integer dtype `want` in the i64 bank (64-bit targets keep the
/// bits as they are).
fn fits(have: DType, want: DType) -> bool {
    let range = |d: DType| -> (i128, i128) {
        match d {
            DType::Bool => (0, 1),
            DType::I8 => (i8::MIN.into(), i8::MAX.into()),
            DType::I16 => (i16::MIN.into(), i16::MAX.into()),
            DType::I32 => (i32::MIN.into(), i32::MAX.into()),
            DType::U8 => (0, u8::MAX.into()),
            DType::U16 => (0, u16::MAX.into()),
            DType::U32 => (0, u32::MAX.into()),
            DType::U64 => (0, u64::MAX.into()),
            _ => (i64::MIN.into(), i64::MAX.into()),
        }
    };
    let ((hl, hh), (wl, wh)) = (range(have), range(want));
    matches!(want, DType::I64 | DType::U64) || (wl <= hl && hh <= wh)
}

fn cmp_of(b: BinaryOp) -> Option<Cmp> {
    Some(match b {
        BinaryOp::Eq => Cmp::Eq,
        BinaryOp::Neq => Cmp::Ne,
        BinaryOp::Lt => Cmp::Lt,
        BinaryOp::Le => Cmp::Le,
        BinaryOp::Gt => Cmp::Gt,
        BinaryOp::Ge => Cmp::Ge,
        _ => return None,
    })
}

/// A unary op on `x`, already cast to the compute dtype `d`.
fn lower_unary(u: UnaryOp, d: DType, x: Src) -> Option<Lowered> {
    use UnaryOp::*;
    let int = |op, r| Some(Lowered::Step(TStep::Int(op, x), r));
    let float = |op, r| Some(Lowered::Step(TStep::Float(op, x), r));
    let test = |t| Some(Lowered::Step(TStep::Test(t, x), DType::Bool));
    let wide = if d.kind() == Kind::Int {
        DType::I64
    } else {
        DType::U64
    };
    match (d.kind(), u) {
        (Kind::Bool, Abs) => Some(Lowered::Same(d)),
        (Kind::Bool, Invert | LogicalNot) => int(IntUn::Not, d),
        (Kind::Int | Kind::UInt | Kind::Bool, IsNan | IsInf) => int(IntUn::Zero, DType::Bool),
        (Kind::Bool, _) => None,
        (_, LogicalNot) if d.is_int() => int(IntUn::Not, DType::Bool),
        (_, Floor | Ceil | Round | Trunc) if d.is_int() => Some(Lowered::Same(d)),
        (Kind::Int, Abs) => int(IntUn::Abs, wide),
        (Kind::UInt, Abs) => Some(Lowered::Same(d)),
        (Kind::Int, Sign) => int(IntUn::Sign, d),
        (Kind::UInt, Sign) => int(IntUn::ToBool, d),
        (Kind::Int | Kind::UInt, Neg) => int(IntUn::Neg, wide),
        (Kind::Int | Kind::UInt, Sqr) => int(IntUn::Sqr, wide),
        (Kind::Int, Invert) => int(IntUn::Invert, d),
        (Kind::UInt, Invert) => int(IntUn::Invert, wide),
        (Kind::Int | Kind::UInt, _) => None,
        (Kind::Float, IsNan) => test(FloatTest::IsNan),
        (Kind::Float, IsInf) => test(FloatTest::IsInf),
        (Kind::Float, LogicalNot) => test(FloatTest::Not),
        (Kind::Float, Invert) => None,
        // Exact at the compute dtype: no rounding needed after them.
        (Kind::Float, Neg) => float(FloatUn::Neg, d),
        (Kind::Float, Abs) => float(FloatUn::Abs, d),
        (Kind::Float, Sign) => float(FloatUn::Sign, d),
        (Kind::Float, Floor) => float(FloatUn::Floor, d),
        (Kind::Float, Ceil) => float(FloatUn::Ceil, d),
        (Kind::Float, Round) => float(FloatUn::Round, d),
        (Kind::Float, Trunc) => float(FloatUn::Trunc, d),
        (Kind::Float, Sqr) => float(FloatUn::Sqr, DType::F64),
        (Kind::Float, _) => float(FloatUn::Wide(wide_unary(u)?), DType::F64),
    }
}

/// A binary op on `x`, `y`, already cast to the compute dtype `d`.
fn lower_binary(b: BinaryOp, d: DType, x: Src, y: Src) -> Option<Lowered> {
    use BinaryOp::*;
    let cmp = cmp_of(b);
    let int = |op, r| Some(Lowered::Step(TStep::Int2(op, x, y), r));
    match d.kind() {
        Kind::Float => {
            if let Some(c) = cmp {
                return Some(Lowered::Step(TStep::FloatCmp(c, x, y), DType::Bool));
            }
            let (op, exact) = match b {
                Add => (FloatBin::Add, false),
                Sub => (FloatBin::Sub, false),
                Mul => (FloatBin::Mul, false),
                TrueDiv => (FloatBin::Div, false),
                FloorDiv => (FloatBin::FloorDiv, false),
                Mod => (FloatBin::Mod, false),
                Pow => (FloatBin::Pow, false),
                Maximum => (FloatBin::Max, true),
                Minimum => (FloatBin::Min, true),
                Arctan2 => (FloatBin::Arctan2, false),
                Hypot => (FloatBin::Hypot, false),
                _ => return None,
            };
            let r = if exact { d } else { DType::F64 };
            Some(Lowered::Step(TStep::Float2(op, x, y), r))
        }
        Kind::Bool => match b {
            _ if cmp.is_some() => int(IntBin::Cmp(cmp?), DType::Bool),
            Add | Or | BitOr | Maximum => int(IntBin::BitOr, d),
            Mul | And | BitAnd | Minimum => int(IntBin::BitAnd, d),
            Xor | BitXor => int(IntBin::BitXor, d),
            _ => None,
        },
        Kind::Int | Kind::UInt => {
            let signed = d.kind() == Kind::Int;
            let wide = if signed { DType::I64 } else { DType::U64 };
            let pick = |s, u| if signed { s } else { u };
            match b {
                _ if cmp.is_some() => int(pick(IntBin::Cmp(cmp?), IntBin::CmpU(cmp?)), DType::Bool),
                Add => int(IntBin::Add, wide),
                Sub => int(IntBin::Sub, wide),
                Mul => int(IntBin::Mul, wide),
                // i64::MIN // -1 leaves the range; an unsigned quotient
                // never does.
                FloorDiv => int(
                    pick(IntBin::FloorDiv, IntBin::FloorDivU),
                    if signed { wide } else { d },
                ),
                Mod => int(pick(IntBin::Mod, IntBin::ModU), d),
                Pow => int(pick(IntBin::Pow, IntBin::PowU), wide),
                Maximum => int(pick(IntBin::Max, IntBin::MaxU), d),
                Minimum => int(pick(IntBin::Min, IntBin::MinU), d),
                BitAnd => int(IntBin::BitAnd, d),
                BitOr => int(IntBin::BitOr, d),
                BitXor => int(IntBin::BitXor, d),
                LeftShift => int(pick(IntBin::Shl, IntBin::ShlU), wide),
                RightShift => int(pick(IntBin::Shr, IntBin::ShrU), d),
                _ => None,
            }
        }
    }
}
