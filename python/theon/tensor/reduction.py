"""Reductions: ``sum``, ``prod``, ``max``, ``min``, ``all``, ``any``,
``argmax``, ``argmin``, ``max_and_argmax``, ``mean``, ``var``, ``std``,
``cumsum`` and ``cumprod``.

``axis`` is None (every axis), an int (negative counts from the end) or a
list of ints; ``keepdims=True`` keeps reduced axes with size 1. Sums and
products of integers accumulate in int64 (uint64 for unsigned), as NumPy;
the mean, variance and deviation of integers are float64.
"""

from theon import _theon


def _reduce(kind, x, axis, keepdims, dtype=None):
    out = _theon.reduce(kind, x, axis, keepdims)
    return out if dtype is None else _theon.cast(out, dtype)


def sum(input, axis=None, dtype=None, keepdims=False, acc_dtype=None):
    """Sum over ``axis``; ``dtype`` converts the result."""
    return _reduce("sum", input, axis, keepdims, dtype)


def prod(input, axis=None, dtype=None, keepdims=False, acc_dtype=None):
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


def argmax(x, axis=None, keepdims=False):
    """Position (int64) of the maximum along ``axis``; the flat position when None."""
    return _theon.argreduce("argmax", x, axis, keepdims)


def argmin(x, axis=None, keepdims=False):
    """Position (int64) of the minimum along ``axis``; the flat position when None."""
    return _theon.argreduce("argmin", x, axis, keepdims)


def max_and_argmax(a, axis=None, keepdims=False):
    """``[max(a, axis), argmax(a, axis)]``."""
    return [max(a, axis, keepdims), argmax(a, axis, keepdims)]


def mean(input, axis=None, dtype=None, op=False, keepdims=False, acc_dtype=None):
    """Arithmetic mean over ``axis`` (float64 for integer inputs); ``dtype`` converts it."""
    out = _theon.mean(input, axis, keepdims)
    return out if dtype is None else _theon.cast(out, dtype)


def var(input, axis=None, ddof=0, keepdims=False, corrected=False):
    """Variance over ``axis``, dividing by ``n - ddof`` (``corrected=True`` means ddof=1)."""
    return _theon.variance("var", input, axis, 1 if corrected and ddof == 0 else ddof, keepdims)


def std(input, axis=None, ddof=0, keepdims=False, corrected=False):
    """Standard deviation over ``axis`` (see :func:`var`)."""
    return _theon.variance("std", input, axis, 1 if corrected and ddof == 0 else ddof, keepdims)


def cumsum(x, axis=None):
    """Cumulative sum along ``axis``; None works on the flattened array."""
    return _theon.cumulative("cumsum", x, axis)


def cumprod(x, axis=None):
    """Cumulative product along ``axis``; None works on the flattened array."""
    return _theon.cumulative("cumprod", x, axis)


__all__ = [
    "sum",
    "prod",
    "max",
    "min",
    "all",
    "any",
    "argmax",
    "argmin",
    "max_and_argmax",
    "mean",
    "var",
    "std",
    "cumsum",
    "cumprod",
]
