"""Variable constructors (``matrix``, ``dvector``, ``fmatrices``, ...),
``tensor``, ``as_tensor_variable`` and ``constant``.

Constructors without a prefix use ``config.floatX`` unless given a
``dtype``; prefixes fix the dtype as in Theano: ``b`` int8, ``w`` int16,
``i`` int32, ``l`` int64, ``f`` float32, ``d`` float64. Plural forms make
several inputs: ``x, y = dmatrices('x', 'y')``.
"""

from theon import _theon
from theon.configparser import config
from theon.tensor.type import TensorType

as_tensor_variable = _theon.as_tensor_variable
constant = _theon.constant

#: Broadcastable patterns of the named constructors.
_PATTERNS = {
    "scalar": (),
    "vector": (False,),
    "row": (True, False),
    "col": (False, True),
    "matrix": (False, False),
    "tensor3": (False,) * 3,
    "tensor4": (False,) * 4,
}

#: Theano's one-letter dtype prefixes.
_PREFIXES = {
    "b": "int8",
    "w": "int16",
    "i": "int32",
    "l": "int64",
    "f": "float32",
    "d": "float64",
}


def _plural(kind):
    return "matrices" if kind == "matrix" else kind + "s"


def _make_constructor(kind, pattern):
    def constructor(name=None, dtype=None):
        return TensorType(dtype if dtype is not None else config.floatX, pattern)(name)

    constructor.__name__ = constructor.__qualname__ = kind
    constructor.__doc__ = (
        f"A {kind} input (broadcastable {pattern}) of dtype ``dtype`` (default ``config.floatX``)."
    )
    return constructor


def _make_plural(single, name):
    def plural(*names, dtype=None):
        if names and isinstance(names[0], int):
            return [single(dtype=dtype) for _ in range(names[0])]
        if len(names) == 1:
            names = names[0]
        if len(names) == 1:
            return single(names, dtype=dtype) if dtype else single(names)
        return [single(n, dtype=dtype) if dtype else single(n) for n in names]

    plural.__name__ = plural.__qualname__ = name
    plural.__doc__ = f"Several inputs made by ``{single.__name__}``: one per name, or ``n`` unnamed."
    return plural


def _typed(dtype, pattern):
    """A constructor with a fixed dtype (Theano makes these TensorType instances)."""
    ttype = TensorType(dtype, pattern)

    def make(name=None, dtype=None):
        if dtype is not None and dtype != ttype.dtype:
            raise TypeError(f"this constructor makes {ttype.dtype} inputs, got dtype={dtype!r}")
        return ttype(name)

    return ttype, make


def _build_constructors():
    made = {}
    for kind, pattern in _PATTERNS.items():
        single = _make_constructor(kind, pattern)
        made[kind] = single
        made[_plural(kind)] = _make_plural(single, _plural(kind))
        for prefix, dtype in _PREFIXES.items():
            ttype, make = _typed(dtype, pattern)
            made[prefix + kind] = ttype
            make.__name__ = make.__qualname__ = prefix + kind
            made[prefix + _plural(kind)] = _make_plural(make, prefix + _plural(kind))
    return made


_CONSTRUCTORS = _build_constructors()
globals().update(_CONSTRUCTORS)


def tensor(dtype=None, broadcastable=None, name=None, shape=None):
    """An input of any rank: ``tensor('float32', (False, True), name='x')`` or
    ``tensor('float32', shape=(None, 1))`` (ints for static sizes, None for unknown)."""
    dtype = dtype if dtype is not None else config.floatX
    if broadcastable is None and shape is None:
        raise TypeError("tensor() needs broadcastable=(...) or shape=(...)")
    return TensorType(dtype, broadcastable, shape=shape)(name)


__all__ = ["tensor", "as_tensor_variable", "constant", *_CONSTRUCTORS]
