"""Ops written in Python, as in Theano: subclass ``theon.Op`` or decorate a
NumPy function with ``as_op``.

A Python op declares ``__props__`` (the attribute names that make two
instances equal), builds its node in ``make_node(*inputs)`` by returning
``theon.Apply(self, inputs, [output variables])`` (made with
``TensorType(dtype, broadcastable)()`` or ``x.type()``), and computes in
``perform(node, inputs, output_storage)`` with NumPy arrays, writing
``output_storage[i][0] = value``. ``grad(inputs, output_grads)`` (symbolic
variables, ``None`` for a disconnected input) and
``infer_shape(node, input_shapes)`` are optional.

The engine holds the Python object as one of its ops (``crates/theon-py``,
``pyop.rs``): it calls ``perform``, ``grad`` and ``infer_shape`` through the
helpers at the end of this module.
"""

import numpy as np

from theon import _theon

__all__ = ["Op", "Apply", "as_op", "FromFunctionOp"]


class Apply:
    """What ``make_node`` returns: ``op`` applied to ``inputs`` gives
    ``outputs`` (placeholder variables whose types the node's outputs take).
    In ``perform``, ``node.inputs``/``node.outputs`` carry the node's types."""

    def __init__(self, op, inputs, outputs):
        self.op = op
        self.inputs = list(inputs)
        self.outputs = list(outputs)

    def __repr__(self):
        return f"{self.op}({', '.join(map(repr, self.inputs))})"


class Op:
    """Base class of ops written in Python (Theano's ``gof.Op``).

    Subclasses set ``__props__`` (a tuple of attribute names: instances with
    equal props are equal, so equal nodes merge) and define ``make_node``
    and ``perform``; ``grad`` and ``infer_shape`` are optional. Without
    ``__props__`` an op equals only itself."""

    default_output = None

    def _props(self):
        return tuple(getattr(self, name) for name in self.__props__)

    def __eq__(self, other):
        if not hasattr(self, "__props__"):
            return self is other
        return type(self) is type(other) and self._props() == other._props()

    def __hash__(self):
        if not hasattr(self, "__props__"):
            return object.__hash__(self)
        return hash((type(self), self._props()))

    def __str__(self):
        props = getattr(self, "__props__", ())
        if not props:
            return type(self).__name__
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in props)
        return f"{type(self).__name__}{{{shown}}}"

    __repr__ = __str__

    def make_node(self, *inputs):
        raise NotImplementedError(f"{type(self).__name__} defines no make_node")

    def perform(self, node, inputs, output_storage):
        raise NotImplementedError(f"{type(self).__name__} defines no perform")

    def __call__(self, *inputs, **kwargs):
        """Builds the node: ``make_node``, then the engine's apply. Returns
        the output (or the list of outputs of a multi-output op)."""
        node = self.make_node(*inputs, **kwargs)
        if not isinstance(node, Apply):
            raise TypeError(
                f"{self}.make_node must return theon.Apply(op, inputs, outputs), "
                f"got {type(node).__name__}"
            )
        outputs = _theon.apply_python_op(self, node.inputs, node.outputs)
        if self.default_output is not None:
            return outputs[self.default_output]
        return outputs[0] if len(outputs) == 1 else outputs


class FromFunctionOp(Op):
    """The op ``as_op`` builds around a NumPy function."""

    __props__ = ("fn", "itypes", "otypes", "infer_shape")

    def __init__(self, fn, itypes, otypes, infer_shape):
        self.fn = fn
        self.itypes = tuple(itypes)
        self.otypes = tuple(otypes)
        self.infer_shape = infer_shape
        self.__name__ = getattr(fn, "__name__", "as_op")

    def __str__(self):
        return f"FromFunctionOp{{{self.__name__}}}"

    __repr__ = __str__

    def make_node(self, *inputs):
        from theon.tensor import as_tensor_variable

        if len(inputs) != len(self.itypes):
            raise TypeError(f"{self} takes {len(self.itypes)} input(s), got {len(inputs)}")
        inputs = [as_tensor_variable(x) for x in inputs]
        for i, (x, want) in enumerate(zip(inputs, self.itypes)):
            if x.type.dtype != want.dtype or x.type.ndim != want.ndim:
                raise TypeError(f"{self}: input {i} has type {x.type}, expected {want}")
        return Apply(self, inputs, [t() for t in self.otypes])

    def perform(self, node, inputs, output_storage):
        outs = self.fn(*inputs)
        if len(self.otypes) == 1:
            outs = [outs]
        for storage, out, ty in zip(output_storage, outs, self.otypes):
            storage[0] = np.asarray(out, dtype=ty.dtype)


def as_op(itypes, otypes, infer_shape=None):
    """Decorator turning a NumPy function into an op (Theano's
    ``theano.compile.ops.as_op``): ``itypes``/``otypes`` are the
    ``TensorType``s of its inputs and outputs; ``infer_shape(node,
    input_shapes)``, if given, returns the output shapes."""
    if not isinstance(itypes, (list, tuple)):
        itypes = [itypes]
    if not isinstance(otypes, (list, tuple)):
        otypes = [otypes]

    def make(fn):
        return FromFunctionOp(fn, itypes, otypes, infer_shape)

    return make


# --- Called by the engine (crates/theon-py/src/pyop.rs) -------------------


class _PerformNode:
    """The node ``perform`` sees: the op and variables of the node's types."""

    def __init__(self, op, input_types, output_types):
        self.op = op
        self.inputs = [t() for t in input_types]
        self.outputs = [t() for t in output_types]


def _perform(op, input_types, output_types, arrays):
    node = _PerformNode(op, input_types, output_types)
    storage = [[None] for _ in output_types]
    op.perform(node, list(arrays), storage)
    results = []
    for i, (cell, ty) in enumerate(zip(storage, output_types)):
        value = cell[0]
        if value is None:
            raise ValueError(f"perform left output {i} unset (write output_storage[{i}][0])")
        value = np.asarray(value)
        if value.dtype != np.dtype(ty.dtype):
            raise TypeError(f"output {i} has dtype {value.dtype}, but make_node declared {ty.dtype}")
        results.append(value)
    return results


def _grad(op, inputs, output_grads):
    grad = getattr(op, "grad", None)
    if grad is None or not callable(grad):
        raise NotImplementedError("the Python op defines no grad method")
    grads = list(grad(list(inputs), list(output_grads)))
    if len(grads) != len(inputs):
        raise ValueError(f"grad returned {len(grads)} gradient(s) for {len(inputs)} input(s)")
    from theon.tensor import as_tensor_variable

    # None marks an input the outputs do not depend on (disconnected).
    return [None if g is None else as_tensor_variable(g) for g in grads]


def _infer_shape(op, inputs, input_shapes):
    infer = getattr(op, "infer_shape", None)
    if infer is None or not callable(infer):
        return None
    from theon.tensor import as_tensor_variable

    node = Apply(op, inputs, [])
    shapes = infer(node, [tuple(s) for s in input_shapes])
    return [[as_tensor_variable(np.int64(d)) if isinstance(d, int) else d for d in s] for s in shapes]
