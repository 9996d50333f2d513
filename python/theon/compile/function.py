"""``theon.function``: compiles graphs into callable functions, and the
optimized graph of a compiled function the way Theano shows it
(``f.maker.fgraph.toposort()``, ``f.maker.fgraph.inputs/outputs``)."""

from collections.abc import Mapping

from theon import _theon
from theon.compile.io import Out
from theon.compile.mode import get_mode

Function = _theon.Function


def buffer_pool_stats():
    """The process-wide buffer pool's counters, as a dict: ``capacity`` and
    ``bytes`` (held now), ``buffers`` (held now), ``hits`` and ``misses``
    (allocations of at least 32 KiB served, or not, from the pool). The
    capacity is the flag ``theon.config.buffer_pool_bytes`` (0 turns the
    pool off); ``f.free()`` empties the pool."""
    return _theon.buffer_pool_stats()


def _pairs(value, what):
    """Updates or givens as a list of pairs (from a dict or a sequence)."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        return list(value.items())
    pairs = []
    for item in value:
        try:
            target, replacement = item
        except (TypeError, ValueError):
            raise TypeError(f"{what} must be (variable, value) pairs, got {item!r}") from None
        pairs.append((target, replacement))
    return pairs


def function(
    inputs,
    outputs=None,
    mode=None,
    updates=None,
    givens=None,
    no_default_updates=False,
    accept_inplace=False,
    name=None,
    rebuild_strict=True,
    allow_input_downcast=None,
    profile=None,
    on_unused_input="raise",
):
    """Compiles ``outputs`` as a function of ``inputs``.

    ``outputs`` is a variable (the function returns one array) or a list
    (it returns a list). ``updates`` gives new values of shared variables,
    computed from the old ones and applied together after each call;
    ``givens`` substitutes variables in the graph before compiling.
    ``mode`` ('FAST_RUN', 'FAST_COMPILE' or a ``Mode``; default
    ``config.mode``) chooses the graph rewrites.
    ``on_unused_input`` ('raise', 'warn' or 'ignore') says what to do with an
    input no output depends on. Inputs may be ``In(variable, value=...,
    name=...)`` (defaults, keywords, state); shared variables with a
    ``default_update`` (random streams' states) are updated after each call
    unless ``no_default_updates`` is True or lists them.
    Arguments are converted with Theano's casting rules: a value whose
    dtype would lose precision raises ``TypeError`` unless
    ``allow_input_downcast=True``.
    """
    if not isinstance(inputs, (list, tuple)):
        raise TypeError(
            "the inputs of a theon function must be a list or tuple of variables, "
            f"got {type(inputs).__name__}"
        )
    engine_mode = get_mode(mode)._engine_mode()
    single = outputs is not None and not isinstance(outputs, (list, tuple))
    outputs = [outputs] if single else list(outputs or [])
    outputs = [o.variable if isinstance(o, Out) else o for o in outputs]
    return _theon.compile_function(
        list(inputs),
        outputs,
        _pairs(updates, "updates"),
        _pairs(givens, "givens"),
        name,
        on_unused_input or "raise",
        allow_input_downcast,
        single,
        engine_mode,
        no_default_updates,
    )


class Op:
    """The op of an apply node in a compiled graph (printed by name)."""

    def __init__(self, name):
        self.name = name

    def __eq__(self, other):
        return isinstance(other, Op) and other.name == self.name

    def __hash__(self):
        return hash(self.name)

    def __str__(self):
        return self.name

    __repr__ = __str__


class Apply:
    """One node of a compiled graph: ``op`` applied to ``inputs`` gives ``outputs``."""

    def __init__(self, op, inputs, outputs):
        self.op = op
        self.inputs = inputs
        self.outputs = outputs

    def __repr__(self):
        return f"{self.op}({', '.join(map(repr, self.inputs))})"


class FunctionGraph:
    """A compiled function's optimized graph: its ``inputs``, its
    ``outputs`` (the function's outputs, then new values of updated shared
    variables) and its ``apply_nodes``; ``toposort()`` lists the nodes in
    an order where each comes after the nodes it reads."""

    def __init__(self, inputs, outputs, nodes):
        self.inputs = inputs
        self.outputs = outputs
        self._nodes = [Apply(Op(name), ins, outs) for name, ins, outs in nodes]
        self.apply_nodes = set(self._nodes)

    def toposort(self):
        return list(self._nodes)

    def __repr__(self):
        return f"FunctionGraph({', '.join(map(repr, self.outputs))})"


class FunctionMaker:
    """Theano's ``f.maker``: ``fgraph`` is the optimized graph of ``f``."""

    def __init__(self, fn):
        self.function = fn
        self.fgraph = FunctionGraph(*_theon.function_graph(fn))
        self.inputs = self.fgraph.inputs
        self.outputs = self.fgraph.outputs


__all__ = ["function", "Function", "buffer_pool_stats", "FunctionGraph", "FunctionMaker", "Apply", "Op"]
