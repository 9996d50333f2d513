//! `Node` and `Var`: the immutable symbolic graph. A `Var` is a cheap handle
//! (an `Arc` to the node that produced it and an output index). Leaves are
//! nodes too: named inputs, constants and shared variables.

use super::{Arg, Filter, Op, TensorType};
use crate::error::{Result, Site};
use crate::tensor::Tensor;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A unique, creation-ordered node id (deterministic within one program).
pub fn fresh_id() -> u64 {
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

/// What a node is.
#[derive(Clone)]
pub enum NodeKind {
    /// A graph input, given a value when a function is called.
    Input,
    /// A constant value.
    Constant(Tensor),
    /// A shared variable: mutable storage that functions read and update.
    Shared(SharedVar),
    /// An operation applied to input variables.
    Apply(Arc<dyn Op>),
}

pub struct Node {
    pub id: u64,
    pub kind: NodeKind,
    pub inputs: Vec<Var>,
    pub output_types: Vec<TensorType>,
    names: Vec<RwLock<Option<String>>>,
    pub site: Site,
}

impl Node {
    pub fn op(&self) -> Option<&Arc<dyn Op>> {
        match &self.kind {
            NodeKind::Apply(op) => Some(op),
            _ => None,
        }
    }

    pub fn is_leaf(&self) -> bool {
        !matches!(self.kind, NodeKind::Apply(_))
    }

    /// The node's outputs as variables.
    pub fn outputs(self: &Arc<Self>) -> Vec<Var> {
        (0..self.output_types.len())
            .map(|index| Var {
                node: self.clone(),
                index,
            })
            .collect()
    }

    /// A short label: the op name, or the kind of leaf.
    pub fn label(&self) -> String {
        match &self.kind {
            NodeKind::Input => "input".into(),
            NodeKind::Constant(_) => "constant".into(),
            NodeKind::Shared(_) => "shared".into(),
            NodeKind::Apply(op) => op.name(),
        }
    }
}

/// A symbolic variable: output `index` of `node`.
#[derive(Clone)]
pub struct Var {
    node: Arc<Node>,
    index: usize,
}

impl Var {
    fn leaf(kind: NodeKind, ty: TensorType, name: Option<String>, site: Site) -> Var {
        let node = Node {
            id: fresh_id(),
            kind,
            inputs: vec![],
            output_types: vec![ty],
            names: vec![RwLock::new(name)],
            site,
        };
        Var {
            node: Arc::new(node),
            index: 0,
        }
    }

    /// A named graph input of type `ty`.
    #[track_caller]
    pub fn input(name: &str, ty: TensorType) -> Var {
        let name = if name.is_empty() {
            None
        } else {
            Some(name.to_string())
        };
        Var::leaf(NodeKind::Input, ty, name, Site::caller())
    }

    /// A constant with the value's exact type (all dims known).
    #[track_caller]
    pub fn constant(value: Tensor) -> Var {
        let ty = TensorType::known(value.dtype(), value.shape());
        Var::leaf(NodeKind::Constant(value), ty, None, Site::caller())
    }

    /// The variable that stands for a shared variable's value in graphs.
    pub fn from_shared(shared: &SharedVar) -> Var {
        shared.var.clone()
    }

    /// Applies `op` to `inputs`, checking types; the node records the caller.
    #[track_caller]
    pub fn apply(op: impl Op, inputs: &[Var]) -> Result<Vec<Var>> {
        Var::apply_arc(Arc::new(op), inputs, Site::caller())
    }

    /// Like [`Var::apply`] for an op with exactly one output.
    #[track_caller]
    pub fn apply1(op: impl Op, inputs: &[Var]) -> Result<Var> {
        let mut outs = Var::apply_arc(Arc::new(op), inputs, Site::caller())?;
        assert_eq!(outs.len(), 1, "apply1 on an op with {} outputs", outs.len());
        Ok(outs.remove(0))
    }

    /// Applies a shared op handle at an explicit site (used when cloning).
    pub fn apply_arc(op: Arc<dyn Op>, inputs: &[Var], site: Site) -> Result<Vec<Var>> {
        let in_types: Vec<TensorType> = inputs.iter().map(|v| v.ty().clone()).collect();
        let output_types = op.output_types(&in_types).map_err(|e| e.at(&site))?;
        let names = output_types.iter().map(|_| RwLock::new(None)).collect();
        let node = Node {
            id: fresh_id(),
            kind: NodeKind::Apply(op),
            inputs: inputs.to_vec(),
            output_types,
            names,
            site,
        };
        Ok(Arc::new(node).outputs())
    }

    pub fn node(&self) -> &Arc<Node> {
        &self.node
    }

    pub fn index(&self) -> usize {
        self.index
    }

    pub fn ty(&self) -> &TensorType {
        &self.node.output_types[self.index]
    }

    pub fn dtype(&self) -> crate::DType {
        self.ty().dtype
    }

    pub fn ndim(&self) -> usize {
        self.ty().ndim()
    }

    /// The op that produced this variable, if it is not a leaf.
    pub fn op(&self) -> Option<&Arc<dyn Op>> {
        self.node.op()
    }

    /// The op downcast to a concrete type, if it is one.
    pub fn op_as<T: Op>(&self) -> Option<&T> {
        self.op().and_then(|op| op.as_any().downcast_ref::<T>())
    }

    pub fn inputs(&self) -> &[Var] {
        &self.node.inputs
    }

    pub fn site(&self) -> &Site {
        &self.node.site
    }

    pub fn name(&self) -> Option<String> {
        self.node.names[self.index]
            .read()
            .expect("name lock")
            .clone()
    }

    /// Names the variable (for printing and errors); returns it for chaining.
    pub fn named(self, name: &str) -> Var {
        *self.node.names[self.index].write().expect("name lock") = Some(name.to_string());
        self
    }

    pub fn set_name(&self, name: Option<String>) {
        *self.node.names[self.index].write().expect("name lock") = name;
    }

    /// The constant value, if this is a constant.
    pub fn constant_value(&self) -> Option<&Tensor> {
        match &self.node.kind {
            NodeKind::Constant(t) => Some(t),
            _ => None,
        }
    }

    pub fn is_input(&self) -> bool {
        matches!(self.node.kind, NodeKind::Input)
    }

    /// A stable identity for maps: (node id, output index).
    pub fn key(&self) -> (u64, usize) {
        (self.node.id, self.index)
    }

    /// A display label: the name, or the op and a short id.
    pub fn label(&self) -> String {
        if let Some(name) = self.name() {
            return name;
        }
        match &self.node.kind {
            NodeKind::Constant(t) if t.size() == 1 => format!("{}", t.item().as_f64()),
            NodeKind::Constant(_) => format!("constant#{}", self.node.id),
            _ => format!("{}#{}", self.node.label(), self.node.id),
        }
    }
}

impl PartialEq for Var {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.node, &other.node) && self.index == other.index
    }
}
impl Eq for Var {}

impl Hash for Var {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state)
    }
}

impl fmt::Debug for Var {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.label(), self.ty())
    }
}

/// Storage shared between the graphs that read it and the functions that
/// update it. Its type is fixed at creation: `set_value` converts a value of
/// another dtype only when Theano's filter allows it (see [`Filter`]).
#[derive(Clone)]
pub struct SharedVar {
    storage: Arc<SharedStorage>,
    var: Var,
}

/// What every handle of one shared variable shares.
struct SharedStorage {
    value: RwLock<Tensor>,
    filter: Filter,
    /// Theano's `default_update`: applied by functions that read the
    /// variable unless they pass `no_default_updates`. (It refers to the
    /// variable itself, so a variable with a default update lives as long as
    /// the program.)
    default_update: RwLock<Option<Var>>,
}

impl SharedVar {
    /// Creates shared storage holding `value`. All dims are unknown, as in
    /// Theano: a shared variable may be resized by `set_value`.
    #[track_caller]
    pub fn new(value: Tensor, name: &str) -> SharedVar {
        let ty = TensorType::unknown(value.dtype(), value.ndim());
        SharedVar::with_type(value, ty, name)
    }

    /// Shared storage with an explicit type (e.g. static broadcastable dims).
    #[track_caller]
    pub fn with_type(value: Tensor, ty: TensorType, name: &str) -> SharedVar {
        SharedVar::with_filter(value, ty, name, Filter::default())
    }

    /// Shared storage with an explicit type and Theano's `strict` /
    /// `allow_downcast` rules for later `set_value` calls.
    #[track_caller]
    pub fn with_filter(value: Tensor, ty: TensorType, name: &str, filter: Filter) -> SharedVar {
        let storage = Arc::new(SharedStorage {
            value: RwLock::new(value),
            filter,
            default_update: RwLock::new(None),
        });
        let name = if name.is_empty() {
            None
        } else {
            Some(name.to_string())
        };
        let site = Site::caller();
        // The leaf node refers to the storage; the var refers to the node.
        let node = Node {
            id: fresh_id(),
            kind: NodeKind::Shared(SharedVar {
                storage: storage.clone(),
                var: placeholder_var(),
            }),
            inputs: vec![],
            output_types: vec![ty],
            names: vec![RwLock::new(name)],
            site,
        };
        let var = Var {
            node: Arc::new(node),
            index: 0,
        };
        SharedVar { storage, var }
    }

    /// The graph variable for this storage.
    pub fn var(&self) -> Var {
        self.var.clone()
    }

    pub fn ty(&self) -> &TensorType {
        self.var.ty()
    }

    pub fn name(&self) -> Option<String> {
        self.var.name()
    }

    /// The filter `set_value` applies.
    pub fn filter(&self) -> Filter {
        self.storage.filter
    }

    /// The current value (cheap: tensors are copy-on-write, so writing to
    /// the returned tensor never changes the stored one).
    pub fn get_value(&self) -> Tensor {
        self.storage.value.read().expect("shared lock").clone()
    }

    /// Theano's `get_value(borrow)`: without `borrow`, a copy with its own
    /// buffer (for callers, such as NumPy views, that write outside
    /// copy-on-write); with it, the stored value itself.
    pub fn get_value_with(&self, borrow: bool) -> Tensor {
        let value = self.get_value();
        if borrow {
            value
        } else {
            value.to_contiguous_copy()
        }
    }

    /// Replaces the value. A value of another dtype is converted only when
    /// the variable's filter allows it (losslessly, unless the variable
    /// allows downcasts); another rank is always an error.
    pub fn set_value(&self, value: Tensor) -> Result<()> {
        self.set_value_with(Arg::Array(value), true)
    }

    /// Theano's `set_value(value, borrow)`: without `borrow` the variable
    /// keeps a copy with its own buffer, never the caller's.
    pub fn set_value_with(&self, value: impl Into<Arg>, borrow: bool) -> Result<()> {
        let value = self.filtered(value.into())?;
        let value = if borrow {
            value
        } else {
            value.to_contiguous_copy()
        };
        *self.storage.value.write().expect("shared lock") = value;
        Ok(())
    }

    /// `value` converted to this variable's type, or the error `set_value`
    /// would give.
    pub fn filtered(&self, value: Arg) -> Result<Tensor> {
        let label = self.name().unwrap_or_else(|| "shared".into());
        self.ty()
            .filter(value, self.storage.filter)
            .map_err(|message| {
                crate::error::ErrorKind::Input {
                    function: "set_value".into(),
                    input: label,
                    message,
                }
                .into()
            })
    }

    /// Identity of the storage (two handles of one shared variable agree).
    pub fn same_storage(&self, other: &SharedVar) -> bool {
        Arc::ptr_eq(&self.storage, &other.storage)
    }

    /// A number identifying the storage (for ordering locks).
    pub fn storage_id(&self) -> usize {
        Arc::as_ptr(&self.storage) as *const u8 as usize
    }

    /// Theano's `default_update`: the value functions give this variable
    /// after each call unless built with `no_default_updates`.
    pub fn default_update(&self) -> Option<Var> {
        self.storage
            .default_update
            .read()
            .expect("shared lock")
            .clone()
    }

    /// Sets (or clears) the default update; it must have the variable's type.
    pub fn set_default_update(&self, update: Option<Var>) -> Result<()> {
        if let Some(u) = &update {
            if !self.ty().compatible(u.ty()) {
                return Err(crate::error::Error::value(
                    "default_update",
                    format!(
                        "update of type {} for shared variable '{}' of type {}",
                        u.ty(),
                        self.name().unwrap_or_else(|| "shared".into()),
                        self.ty()
                    ),
                )
                .at(u.site()));
            }
        }
        *self.storage.default_update.write().expect("shared lock") = update;
        Ok(())
    }

    /// Read access to the stored value for a whole call (lock in
    /// [`Self::storage_id`] order when taking several).
    pub fn read_lock(&self) -> std::sync::RwLockReadGuard<'_, Tensor> {
        self.storage.value.read().expect("shared lock")
    }

    /// Write access to the stored value (lock in [`Self::storage_id`] order
    /// when taking several). The caller has checked the value's type.
    pub fn write_lock(&self) -> std::sync::RwLockWriteGuard<'_, Tensor> {
        self.storage.value.write().expect("shared lock")
    }
}

/// The shared leaf cannot hold its own `Var` (that would be a cycle), so the
/// copy stored inside the node carries a dummy input var.
fn placeholder_var() -> Var {
    static PLACEHOLDER: std::sync::OnceLock<Var> = std::sync::OnceLock::new();
    PLACEHOLDER
        .get_or_init(|| {
            Var::leaf(
                NodeKind::Input,
                TensorType::scalar(crate::DType::Bool),
                None,
                Site::new("<shared>", 0),
            )
        })
        .clone()
}

impl Var {
    /// The shared storage handle if this variable is a shared variable.
    pub fn as_shared(&self) -> Option<SharedVar> {
        match &self.node.kind {
            NodeKind::Shared(s) => Some(SharedVar {
                storage: s.storage.clone(),
                var: self.clone(),
            }),
            _ => None,
        }
    }
}
