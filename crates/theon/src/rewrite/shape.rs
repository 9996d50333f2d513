//! Shape inference as a `FunctionGraph` feature: [`FunctionGraph::shape_of`]
//! gives every dim of a variable as an int64 scalar variable of the graph,
//! built from the shapes of the graph's inputs through each op's
//! [`Op::infer_shape`](crate::graph::Op::infer_shape), so `x.shape` can be
//! computed without computing `x`.
//!
//! Shapes are inferred on demand (only for what a rule asks about) and
//! memoized per node in the [`ShapeFeature`]. A memo entry is used only
//! while all its dim variables are alive: the nodes of a shape expression
//! that nothing uses are pruned like any other (for instance when the rule
//! that asked declines), and ids are never reused, so liveness is a
//! complete validity check. Replacing a variable never invalidates the
//! shapes computed from it, since a replacement computes the same values.
//!
//! Statically known dims are always constants. Where an op cannot infer
//! (`infer_shape` returns `None`), the dim is `shape_i` of the op's output.

use super::feature::Feature;
use super::fgraph::{FunctionGraph, NodeId, VarId};
use crate::dtype::DType;
use crate::graph::{toposort, NodeKind, Op, TensorType, Var};
use crate::ops::elemwise::{Elemwise, ScalarOp};
use crate::ops::shape::{MakeVector, Shape, ShapeI};
use crate::tensor::Tensor;
use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;

/// The memo of inferred shapes: per node, per output, the dim variables.
#[derive(Default)]
pub struct ShapeFeature {
    memo: HashMap<NodeId, Vec<Vec<VarId>>>,
}

impl Feature for ShapeFeature {
    fn on_prune(&mut self, node: NodeId, _reason: &str) {
        self.memo.remove(&node);
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

impl FunctionGraph {
    /// The dims of `v` as int64 scalar variables of this graph (constants
    /// where statically known), inferred from the graph's inputs where the
    /// ops allow. Attaches the [`ShapeFeature`] on first use.
    pub fn shape_of(&mut self, v: VarId) -> Vec<VarId> {
        if let Some(dims) = static_dims(self, v) {
            return dims;
        }
        let index = match self.find_feature::<ShapeFeature>() {
            Some(i) => i,
            None => self.attach_feature(Box::<ShapeFeature>::default()),
        };
        let feature = self.feature_mut::<ShapeFeature>(index).expect("attached");
        let mut memo = std::mem::take(&mut feature.memo);
        infer(self, &mut memo, v.node);
        let dims = memo[&v.node][v.index as usize].clone();
        self.feature_mut::<ShapeFeature>(index)
            .expect("attached")
            .memo = memo;
        dims
    }

    /// An int64 scalar constant.
    pub fn int_constant(&mut self, value: i64) -> VarId {
        self.constant(Tensor::scalar(value))
    }
}

type Memo = HashMap<NodeId, Vec<Vec<VarId>>>;

/// Constants for every dim, when all are statically known.
fn static_dims(fg: &mut FunctionGraph, v: VarId) -> Option<Vec<VarId>> {
    let shape = fg.ty(v).shape.clone();
    let dims: Vec<usize> = shape.into_iter().collect::<Option<_>>()?;
    Some(dims.iter().map(|&d| fg.int_constant(d as i64)).collect())
}

fn is_valid(fg: &FunctionGraph, memo: &Memo, node: NodeId) -> bool {
    memo.get(&node)
        .is_some_and(|outs| outs.iter().flatten().all(|d| fg.is_alive(d.node)))
}

fn fully_static(fg: &FunctionGraph, v: VarId) -> bool {
    fg.ty(v).shape.iter().all(Option::is_some)
}

/// Fills the memo for `root` and every ancestor it needs, inputs first
/// (an explicit stack: graphs may be deeper than the call stack).
fn infer(fg: &mut FunctionGraph, memo: &mut Memo, root: NodeId) {
    let mut stack = vec![(root, false)];
    while let Some((node, expanded)) = stack.pop() {
        if is_valid(fg, memo, node) {
            continue;
        }
        if expanded {
            let dims = node_dims(fg, memo, node);
            memo.insert(node, dims);
            continue;
        }
        stack.push((node, true));
        if fg.op(node).is_some() {
            for &input in fg.node_inputs(node) {
                if !fully_static(fg, input) && !is_valid(fg, memo, input.node) {
                    stack.push((input.node, false));
                }
            }
        }
    }
}

/// The dims of input `v` of a node whose shape is being inferred.
fn known_dims(fg: &mut FunctionGraph, memo: &Memo, v: VarId) -> Vec<VarId> {
    match static_dims(fg, v) {
        Some(dims) => dims,
        None => memo[&v.node][v.index as usize].clone(),
    }
}

/// `shape_i(v, axis)`, or the constant when the dim is static.
fn dim_of_value(fg: &mut FunctionGraph, v: VarId, axis: usize) -> VarId {
    match fg.ty(v).shape[axis] {
        Some(d) => fg.int_constant(d as i64),
        None => fg
            .apply1(ShapeI { axis }, &[v])
            .expect("shape_i of an existing axis"),
    }
}

/// The dims of every output of `node` (its inputs' dims are in `memo`).
fn node_dims(fg: &mut FunctionGraph, memo: &Memo, node: NodeId) -> Vec<Vec<VarId>> {
    let outputs = fg.node_outputs(node);
    let inferred = match fg.op(node).cloned() {
        Some(op) => infer_with_op(fg, memo, node, op.as_ref()),
        None => None,
    };
    outputs
        .iter()
        .enumerate()
        .map(|(o, &out)| {
            (0..fg.ty(out).ndim())
                .map(|axis| {
                    if fg.ty(out).shape[axis].is_some() {
                        return dim_of_value(fg, out, axis);
                    }
                    let found = inferred.as_ref().and_then(|d| d.get(o)?.get(axis).copied());
                    found.unwrap_or_else(|| dim_of_value(fg, out, axis))
                })
                .collect()
        })
        .collect()
}

/// Runs the op's `infer_shape` on stand-in variables and imports the
/// result; `None` when the op cannot infer or gives malformed dims.
fn infer_with_op(
    fg: &mut FunctionGraph,
    memo: &Memo,
    node: NodeId,
    op: &dyn Op,
) -> Option<Vec<Vec<VarId>>> {
    let mut map: HashMap<(u64, usize), VarId> = HashMap::new();
    let mut in_vars = Vec::new();
    let mut in_shapes = Vec::new();
    for input in fg.node_inputs(node).to_vec() {
        in_vars.push(stand_in(fg, input, &mut map, 2));
        let dims = known_dims(fg, memo, input)
            .into_iter()
            .map(|d| match fg.constant_value(d) {
                Some(t) => Var::constant(t.clone()),
                None => {
                    let stand_in = Var::input("", TensorType::scalar(DType::I64));
                    map.insert(stand_in.key(), d);
                    stand_in
                }
            })
            .collect::<Vec<_>>();
        in_shapes.push(dims);
    }
    let outs = op.infer_shape(&in_vars, &in_shapes)?;
    let types = &fg.node(node).types;
    if outs.len() != types.len() || outs.iter().zip(types).any(|(d, t)| d.len() != t.ndim()) {
        return None;
    }
    let flat: Vec<Var> = outs.iter().flatten().cloned().collect();
    import(fg, &mut map, &flat)?;
    outs.iter()
        .map(|dims| dims.iter().map(|d| as_int64(fg, map[&d.key()])).collect())
        .collect()
}

/// A `Var` standing for `v` in an op's `infer_shape`: constants are
/// themselves, and up to `depth` levels of shape-building ops (`make_vector`,
/// `shape`, `shape_i`) are rebuilt so ops can read shape vectors element by
/// element; anything else is a fresh input mapped back to `v`.
fn stand_in(
    fg: &FunctionGraph,
    v: VarId,
    map: &mut HashMap<(u64, usize), VarId>,
    depth: usize,
) -> Var {
    if let Some(t) = fg.constant_value(v) {
        return Var::constant(t.clone());
    }
    let structural = fg.producer_as::<MakeVector>(v).is_some()
        || fg.producer_as::<Shape>(v).is_some()
        || fg.producer_as::<ShapeI>(v).is_some();
    let rebuilt = if structural && depth > 0 {
        let op = fg.op(v.node).expect("an apply node").clone();
        let ins: Vec<Var> = fg
            .node_inputs(v.node)
            .iter()
            .map(|&i| stand_in(fg, i, map, depth - 1))
            .collect();
        Var::apply_arc(op, &ins, fg.node(v.node).site.clone())
            .ok()
            .map(|mut outs| outs.swap_remove(v.index as usize))
    } else {
        None
    };
    let var = rebuilt.unwrap_or_else(|| Var::input("", fg.ty(v).clone()));
    map.insert(var.key(), v);
    var
}

/// Copies the graph of `vars` into `fg`; `map` already holds the stand-ins.
fn import(
    fg: &mut FunctionGraph,
    map: &mut HashMap<(u64, usize), VarId>,
    vars: &[Var],
) -> Option<()> {
    for node in toposort(vars) {
        let outs = node.outputs();
        if map.contains_key(&outs[0].key()) {
            continue;
        }
        match &node.kind {
            NodeKind::Constant(t) => {
                let id = fg.constant(t.clone());
                map.insert(outs[0].key(), id);
            }
            NodeKind::Apply(op) => {
                let ins: Vec<VarId> = node
                    .inputs
                    .iter()
                    .map(|v| map.get(&v.key()).copied())
                    .collect::<Option<_>>()?;
                let new = fg.apply(Arc::clone(op), &ins).ok()?;
                for (o, n) in outs.iter().zip(new) {
                    map.insert(o.key(), n);
                }
            }
            // A leaf the op made itself: nothing in the graph stands for it.
            NodeKind::Input | NodeKind::Shared(_) => return None,
        }
    }
    Some(())
}

/// `d` as an int64 scalar (dims built from int32 shape vectors are cast).
fn as_int64(fg: &mut FunctionGraph, d: VarId) -> Option<VarId> {
    let ty = fg.ty(d);
    if ty.ndim() != 0 || !ty.dtype.is_int() {
        return None;
    }
    if ty.dtype == DType::I64 {
        return Some(d);
    }
    fg.apply1(Elemwise::new(ScalarOp::Cast(DType::I64)), &[d])
        .ok()
}
