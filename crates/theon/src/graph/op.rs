//! The `Op` trait: what every operation states about itself. An op is
//! hashable data; its facts (type rule, reference kernel, gradient,
//! printing) live together in one file under `ops/`.

use super::{TensorType, Var};
use crate::error::{Error, Result};
use crate::tensor::Tensor;
use std::any::Any;
use std::fmt::Debug;
use std::hash::{Hash, Hasher};

/// The gradient an op gives one of its inputs.
#[derive(Clone, Debug)]
pub enum Grad {
    /// A symbolic gradient of the input's type.
    Value(Var),
    /// The output does not depend on this input (e.g. an index, a shape).
    Disconnected,
    /// The gradient exists mathematically nowhere (or is not implemented);
    /// an error only if the user asks for it.
    Undefined(String),
}

/// Equality and hashing for trait objects, derived from `PartialEq + Hash`.
pub trait OpEq {
    fn as_any(&self) -> &dyn Any;
    fn op_eq(&self, other: &dyn Op) -> bool;
    fn op_hash(&self) -> u64;
}

impl<T: Op + PartialEq + Hash> OpEq for T {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn op_eq(&self, other: &dyn Op) -> bool {
        other.as_any().downcast_ref::<T>() == Some(self)
    }

    fn op_hash(&self) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        std::any::TypeId::of::<T>().hash(&mut h);
        self.hash(&mut h);
        h.finish()
    }
}

/// An operation on tensors.
///
/// Implementors derive `Clone, Debug, PartialEq, Eq, Hash`; equal ops with
/// equal inputs compute equal values (so the optimizer may merge them).
pub trait Op: OpEq + Debug + Send + Sync + 'static {
    /// The name used in printing and errors, with parameters (`sum{axis=1}`).
    fn name(&self) -> String;

    /// The type rule: output types from input types, or an error that says
    /// which input is wrong and why.
    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>>;

    /// The reference implementation: simple and obviously right. It is the
    /// oracle every fast kernel and rewrite is tested against.
    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>>;

    /// Shape inference: each output's dims as int64 scalar variables built
    /// from `input_shapes` (`input_shapes[i][d]` is dim `d` of input `i`: a
    /// constant where statically known) and, where needed, from `inputs`
    /// themselves (a reshape reads its shape vector). `None` when the op
    /// cannot say; the optimizer then reads the dims of the computed output.
    /// Lets `x.shape` be computed without computing `x`.
    fn infer_shape(&self, inputs: &[Var], input_shapes: &[Vec<Var>]) -> Option<Vec<Vec<Var>>> {
        let _ = (inputs, input_shapes);
        None
    }

    /// Runs the op owning its inputs, so an op with a `destroy_map` may
    /// write its result into a destroyed input's buffer (the executor hands
    /// over a dying input it no longer references; writing through
    /// `Tensor::data_mut` stays safe, copy-on-write, if the buffer is still
    /// shared). The default calls [`Op::perform`].
    fn perform_inplace(&self, inputs: Vec<Tensor>, ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        self.perform(&inputs, ctx)
    }

    /// The pullback (L-op, vector-Jacobian product): gradients of the inputs
    /// given the gradients of the outputs (one per output, zeros where an
    /// output is unused).
    fn pullback(&self, inputs: &[Var], outputs: &[Var], output_grads: &[Var]) -> Result<Vec<Grad>> {
        let _ = (inputs, outputs, output_grads);
        Err(Error::grad(self.name(), "has no gradient"))
    }

    /// The pushforward (R-op, Jacobian-vector product): output tangents given
    /// input tangents (`None` for an input with no tangent).
    fn pushforward(
        &self,
        inputs: &[Var],
        outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        let _ = (inputs, outputs, tangents);
        Err(Error::grad(self.name(), "has no R-op"))
    }

    /// Whether the op is differentiable at all (integer-valued outputs such
    /// as argmax declare `false` and give disconnected gradients).
    fn differentiable(&self) -> bool {
        true
    }

    /// Outputs that are views of inputs: `(output, input)` pairs.
    fn view_map(&self) -> Vec<(usize, usize)> {
        Vec::new()
    }

    /// Outputs that overwrite inputs in place: `(output, input)` pairs.
    fn destroy_map(&self) -> Vec<(usize, usize)> {
        Vec::new()
    }
}

/// What the reference kernel may know about the node it runs for.
pub struct PerformCtx<'a> {
    pub input_types: &'a [TensorType],
    pub output_types: &'a [TensorType],
}
