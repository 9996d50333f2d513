//! `ScalarOp`: the per-element operation an `Elemwise` node applies. The
//! fused `Composite` body is a graph of these.

use super::{BinaryOp, UnaryOp};
use crate::dtype::{promote_all, DType};
use crate::tensor::Scalar;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScalarOp {
    Unary(UnaryOp),
    Binary(BinaryOp),
    /// `switch(cond, a, b)`: a where cond is true, else b.
    Switch,
    /// `clip(x, lo, hi)` = min(max(x, lo), hi).
    Clip,
    /// Conversion to a dtype.
    Cast(DType),
}

impl ScalarOp {
    pub fn arity(self) -> usize {
        match self {
            ScalarOp::Unary(_) | ScalarOp::Cast(_) => 1,
            ScalarOp::Binary(_) => 2,
            ScalarOp::Switch | ScalarOp::Clip => 3,
        }
    }

    pub fn name(self) -> String {
        match self {
            ScalarOp::Unary(u) => u.name().into(),
            ScalarOp::Binary(b) => b.name().into(),
            ScalarOp::Switch => "switch".into(),
            ScalarOp::Clip => "clip".into(),
            ScalarOp::Cast(d) => format!("cast{{{d}}}"),
        }
    }

    /// Input dtypes -> (dtype each input is cast to, output dtype), or the
    /// index of the refused input and why.
    pub fn signature(self, ins: &[DType]) -> Result<(Vec<DType>, DType), (usize, String)> {
        if ins.len() != self.arity() {
            return Err((
                0,
                format!("takes {} inputs, got {}", self.arity(), ins.len()),
            ));
        }
        match self {
            ScalarOp::Unary(u) => u
                .signature(ins[0])
                .map(|(c, o)| (vec![c], o))
                .map_err(|e| (0, e)),
            ScalarOp::Binary(b) => b.signature(ins[0], ins[1]).map(|(c, o)| (vec![c, c], o)),
            ScalarOp::Cast(d) => Ok((vec![ins[0]], d)),
            ScalarOp::Switch => {
                let p = promote_all(&ins[1..]).expect("two branches");
                Ok((vec![DType::Bool, p, p], p))
            }
            ScalarOp::Clip => {
                let p = promote_all(ins).expect("three inputs");
                if p.is_bool() {
                    return Err((0, "does not clip booleans".into()));
                }
                Ok((vec![p; 3], p))
            }
        }
    }

    /// Evaluates on inputs already cast to the signature's input dtypes;
    /// the caller casts the result to the output dtype.
    pub fn eval(self, ins: &[Scalar]) -> Scalar {
        match self {
            ScalarOp::Unary(u) => u.eval(ins[0]),
            ScalarOp::Binary(b) => b.eval(ins[0], ins[1]),
            ScalarOp::Cast(_) => ins[0],
            ScalarOp::Switch => {
                if ins[0].as_bool() {
                    ins[1]
                } else {
                    ins[2]
                }
            }
            ScalarOp::Clip => {
                let lower = BinaryOp::Maximum.eval(ins[0], ins[1]);
                BinaryOp::Minimum.eval(lower, ins[2])
            }
        }
    }

    /// Full evaluation from raw inputs of any dtypes: cast, apply, cast out.
    pub fn apply(self, ins: &[Scalar], in_dtypes: &[DType]) -> Scalar {
        let (cast_to, out) = self
            .signature(in_dtypes)
            .expect("type rule was checked when the node was built");
        let cast: Vec<Scalar> = ins.iter().zip(&cast_to).map(|(s, &d)| s.cast(d)).collect();
        self.eval(&cast).cast(out)
    }
}
