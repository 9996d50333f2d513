"""``OpFromGraph``: a subgraph packaged as one op (Theano's
``theano.compile.builders.OpFromGraph``).

    x, y = T.dvectors("x", "y")
    op = OpFromGraph([x, y], [T.exp(x) * y])
    z = op(a, b)            # a node computing exp(a) * b

The op is compiled once and called as a unit; with ``inline=True`` the
optimizer replaces each call by the subgraph itself. Its gradient is
derived automatically (an ``OpFromGraph`` computing the subgraph's
vector-Jacobian product) unless ``grad_overrides`` gives one.
"""

from theon import _theon


def _as_callable(override, what):
    """A gradient override (callable or OpFromGraph) as a callable."""
    if isinstance(override, OpFromGraph):
        return lambda inputs, output_grads: override._call_list(list(inputs) + list(output_grads))
    if not callable(override):
        raise TypeError(f"OpFromGraph: {what} must be 'default', a callable or an OpFromGraph, "
                        f"got {override!r}")
    return override


def _per_input(overrides, default_grad):
    """Theano's list form: one entry per input, each 'default', None (a
    zero gradient) or a callable returning that input's gradient."""
    entries = []
    for i, entry in enumerate(overrides):
        if isinstance(entry, str) and entry == "default":
            entries.append(None)
        elif entry is None:
            entries.append("zero")
        else:
            entries.append(_as_callable(entry, f"grad_overrides[{i}]"))

    def grad(inputs, output_grads):
        defaults = default_grad(inputs, output_grads) if None in entries else None
        grads = []
        for i, entry in enumerate(entries):
            if entry is None:
                grads.append(defaults[i])
            elif entry == "zero":
                grads.append(None)
            else:
                grads.append(entry(inputs, output_grads))
        return grads

    return grad


def _grad_override(grad_overrides, n_inputs, default_grad):
    """The Python callable the engine calls back for a custom gradient
    (None: the engine derives it)."""
    if isinstance(grad_overrides, str) and grad_overrides == "default":
        return None
    if isinstance(grad_overrides, (list, tuple)):
        if len(grad_overrides) != n_inputs:
            raise ValueError(f"OpFromGraph: grad_overrides has {len(grad_overrides)} entries for "
                             f"{n_inputs} inputs")
        override = _per_input(grad_overrides, default_grad)
    else:
        override = _as_callable(grad_overrides, "grad_overrides")

    def grad(inputs, output_grads):
        from theon.tensor import as_tensor_variable, zeros_like

        grads = override(list(inputs), list(output_grads))
        if not isinstance(grads, (list, tuple)):
            raise TypeError(f"OpFromGraph: grad_overrides must return a list, got {grads!r}")
        if len(grads) != len(inputs):
            raise ValueError(f"OpFromGraph: grad_overrides returned {len(grads)} gradient(s) "
                             f"for {len(inputs)} input(s)")
        # None: the input does not influence the outputs (zero gradient).
        return [zeros_like(x) if g is None else as_tensor_variable(g) for x, g in zip(inputs, grads)]

    return grad


class OpFromGraph:
    """``outputs`` as a function of ``inputs``, usable as an op:
    ``op(*variables)`` returns the output (or a list of outputs).

    ``inputs`` are distinct graph inputs (shared variables the outputs
    read are passed implicitly). ``inline``: let the optimizer inline the
    calls. ``grad_overrides``: 'default', a callable ``(inputs,
    output_grads) -> [one gradient per input]`` (None for a zero
    gradient), an ``OpFromGraph`` over ``inputs + output_grads``, or a
    list with one entry per input: 'default', None (zero) or a callable
    (or ``OpFromGraph``) giving that input's gradient.
    ``lop_overrides``, ``rop_overrides`` and ``connection_pattern`` take
    only their defaults.
    """

    def __init__(self, inputs, outputs, inline=False, lop_overrides="default",
                 grad_overrides="default", rop_overrides="default",
                 connection_pattern=None, name=None, **kwargs):
        for what, value in (("lop_overrides", lop_overrides), ("rop_overrides", rop_overrides)):
            if not (isinstance(value, str) and value == "default"):
                raise NotImplementedError(f"OpFromGraph: {what} is not supported (use grad_overrides)")
        if connection_pattern is not None:
            raise NotImplementedError("OpFromGraph: connection_pattern is not supported")
        if kwargs:
            raise TypeError(f"OpFromGraph: unexpected arguments {sorted(kwargs)}")
        if not isinstance(inputs, (list, tuple)):
            raise TypeError("OpFromGraph: inputs must be a list of variables")
        if not isinstance(outputs, (list, tuple)):
            outputs = [outputs]
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        self.is_inline = bool(inline)
        # The op with the derived gradient; 'default' entries of a list of
        # overrides take their gradient from it.
        plain = _theon.OpFromGraph(self.inputs, self.outputs, self.is_inline, name)

        def default_grad(inputs, output_grads):
            from theon.gradient import Lop

            return Lop(plain.call(list(inputs)), list(inputs), list(output_grads))

        override = _grad_override(grad_overrides, len(self.inputs), default_grad)
        self._core = plain if override is None else _theon.OpFromGraph(
            self.inputs, self.outputs, self.is_inline, name, override)
        self.name = self._core.name

    def _call_list(self, args):
        return self._core.call(list(args))

    def __call__(self, *inputs):
        outputs = self._call_list(inputs)
        return outputs[0] if len(outputs) == 1 else outputs

    def __str__(self):
        return self.name

    __repr__ = __str__


__all__ = ["OpFromGraph"]
