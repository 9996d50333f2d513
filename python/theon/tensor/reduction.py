"""Reductions: ``sum``, ``prod``, ``max``, ``min``, ``all``, ``any``.

``axis`` is None (every axis), an int (negative counts from the end) or a
list of ints; ``keepdims=True`` keeps reduced axes with size 1. Sums and
products of integers accumulate in int64 (uint64 for unsigned), as NumPy.
"""

from theon import _theon


def _reduce(kind, x, axis, keepdims, dtype=None):
    out = _theon.reduce(kind, x, axis, keepdims)
    return out if dtype is None else _theon.cast(out, dtype)


def sum(input, axis=None, dtype=None, keepdims=False):
    """Sum over ``axis``; ``dtype`` converts the result."""
    return _reduce("sum", input, axis, keepdims, dtype)


def prod(input, axis=None, dtype=None, keepdims=False):
    """Product over ``axis``; ``dtype`` converts the result."""
    return _reduce("prod", input, axis, keepdims, dtype)


def max(x, axis=None, keepdims=False):
    """Maximum over ``axis``."""
    return _reduce("max", x, axis, keepdims)


def min(x, axis=None, keepdims=False):
    """Minimum over ``axis``."""
    return _reduce("min", x, axis, keepdims)


def all(x, axis=None, keepdims=False):
    """True where every element over ``axis`` is nonzero."""
    return _reduce("all", x, axis, keepdims)


def any(x, axis=None, keepdims=False):
    """True where some element over ``axis`` is nonzero."""
    return _reduce("any", x, axis, keepdims)


__all__ = ["sum", "prod", "max", "min", "all", "any"]
