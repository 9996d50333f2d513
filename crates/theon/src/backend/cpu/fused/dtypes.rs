//! Which dtypes a fused body may mix, and how each value is held in the
//! plan's one register type (the lane, f32 or f64):
//!
//! - the lane is float64 when any value or any implicit cast in the body is
//!   float64, else float32; float32 values in a float64 lane are rounded to
//!   float32 after every operation that could leave more bits (the
//!   reference rounds every node to its dtype, and for + − × ÷ √ the f64
//!   result rounded to f32 is the correctly rounded f32 result);
//! - booleans are held as 0/1;
//! - integer inputs (the dtypes that load exactly into i64) are either
//!   compared with each other exactly in i64, or converted to the lane on
//!   load (`int as f64`, rounded to f32 where the body casts them to
//!   float32, as the reference's scalar cast does).
//!
//! Integer-valued body nodes (integer arithmetic), casts to integers and
//! other dtypes (float16, uint64) are not lowered to a lane; they run on
//! the typed banks instead (`typed`).

use super::plan::{Instr, Simple, Src, Step};
use crate::dtype::DType;
use crate::ops::elemwise::{CompositeNode, ScalarOp};

/// Integer dtypes that load exactly into i64.
pub(crate) fn is_int_input(d: DType) -> bool {
    use DType::*;
    matches!(d, I8 | I16 | I32 | I64 | U8 | U16 | U32)
}

/// The dtypes each node computes at: its signature's argument casts, or
/// for a cast node the target dtype (the argument is converted to it).
/// `None` when an argument's dtype makes the op invalid.
pub(crate) fn compute_dtypes(inputs: &[DType], body: &[CompositeNode]) -> Option<Vec<Vec<DType>>> {
    let mut dtypes: Vec<DType> = inputs.to_vec();
    let mut out = Vec::with_capacity(body.len());
    for node in body {
        let args: Vec<DType> = node.args.iter().map(|&a| dtypes[a]).collect();
        let cast_to = match node.op {
            ScalarOp::Cast(d) => vec![d],
            op => op.signature(&args).ok()?.0,
        };
        out.push(cast_to);
        dtypes.push(node.dtype);
    }
    Some(out)
}

/// The lane of a body: float64 if any float value or cast is float64,
/// else float32; `None` when some value has a dtype the lane cannot hold
/// (integer body nodes, float16, uint64) or there is no float at all.
pub(crate) fn lane_dtype(inputs: &[DType], body: &[CompositeNode]) -> Option<DType> {
    let casts = compute_dtypes(inputs, body)?;
    let floats = inputs.iter().copied().filter(|&d| !is_int_input(d));
    let values = floats.chain(body.iter().map(|n| n.dtype));
    let mut lane = None;
    for d in values {
        match d {
            DType::Bool => {}
            DType::F32 | DType::F64 => lane = lane.max(Some(d)),
            _ => return None,
        }
    }
    for d in casts.into_iter().flatten() {
        match d {
            DType::F32 | DType::F64 => lane = lane.max(Some(d)),
            // Integer casts are checked by the lowering (only exact
            // comparisons of two integer inputs are lowered).
            d if d == DType::Bool || is_int_input(d) => {}
            _ => return None,
        }
    }
    lane
}

/// Whether a step's result, on arguments that are float32 values, is a
/// float32 value again (so no rounding needs to follow it).
pub(crate) fn exact_in_f32<T>(step: &Step<T>) -> bool {
    use super::plan::Arith;
    match step {
        Step::Unary(s, _) => !matches!(s, Simple::Sqr),
        Step::Binary(a, _, _) => !matches!(
            a,
            Arith::Add | Arith::Sub | Arith::Mul | Arith::Div | Arith::FloorDiv | Arith::Mod
        ),
        Step::Select(..) | Step::Clip(..) | Step::IntCompare(..) => true,
        Step::Math(..) | Step::Wide(..) | Step::Pow(..) | Step::Wide2(..) => false,
    }
}

/// Emits the instructions that make value `src` (of dtype `have`) readable
/// as dtype `want` in a lane of dtype `lane`, allocating temporaries with
/// `alloc` (recorded in `temps`). Returns where the converted value is, or
/// `None` when the conversion is not lowered (integer targets: integers
/// are only compared, by [`Step::IntCompare`]).
pub(crate) fn convert<T>(
    have: DType,
    want: DType,
    src: Src,
    lane: DType,
    alloc: &mut dyn FnMut() -> usize,
    instrs: &mut Vec<Instr<T>>,
    temps: &mut Vec<Src>,
) -> Option<Src> {
    let mut emit = |step: Step<T>| {
        let dst = alloc();
        instrs.push(Instr { step, dst });
        temps.push(Src::Reg(dst));
        Src::Reg(dst)
    };
    if !matches!(want, DType::Bool | DType::F32 | DType::F64) {
        return None;
    }
    if have == want {
        return Some(src);
    }
    let int = is_int_input(have);
    Some(match want {
        DType::Bool if have.is_float() || int => emit(Step::Unary(Simple::ToBool, src)),
        DType::F32 | DType::F64 if have == DType::Bool => src,
        DType::F64 if have == DType::F32 || int => src,
        // An f64 value, or an integer loaded as f64, narrowed to f32.
        DType::F32 if lane == DType::F64 && (have == DType::F64 || int) => {
            emit(Step::Unary(Simple::RoundF32, src))
        }
        // In an f32 lane an integer is loaded as `(v as f64) as f32`.
        DType::F32 if int => src,
        _ => return None,
    })
}
