"""``theon.tensor.extra_ops``: Theano's extra ops (``theano.tensor.extra_ops``
and ``theano.tensor.sort``) with NumPy's semantics: sorting and searching,
counting, ``diff``, one-hot, diagonals and triangles, index conversion,
``isclose``/``allclose``, ``ptp``, ``max_and_argmax``, ``choose`` and
one-argument ``where``; plus ``cumsum``, ``cumprod``, ``repeat``,
``squeeze``, ``flip`` and ``roll`` from their families.

Data-dependent lengths (``unique``, ``bincount``, ``nonzero``) are unknown
dims in the output types. ``sort`` and the diagonal and triangle ops are
differentiable; the ones giving indices or counts are not.
"""

from theon import _theon
from theon.configparser import config
from theon.tensor.elemwise import switch
from theon.tensor.joining import flip, repeat, roll
from theon.tensor.layout import squeeze
from theon.tensor.reduction import cumprod, cumsum, max_and_argmax
from theon.tensor.subtensor import take


def sort(a, axis=-1, kind="quicksort", order=None):
    """``a`` sorted along ``axis`` (None: the flattened array). Stable, with
    NaNs last as in NumPy; ``kind`` is accepted for Theano's signature."""
    if order is not None:
        raise ValueError("sort: the order argument (structured arrays) is not supported")
    return _theon.sort(a, axis, False)


def argsort(a, axis=-1, kind="quicksort", order=None):
    """The int64 indices that sort ``a`` stably along ``axis`` (None: flattened)."""
    if order is not None:
        raise ValueError("argsort: the order argument (structured arrays) is not supported")
    return _theon.sort(a, axis, True)


def searchsorted(x, v, side="left", sorter=None):
    """Insertion points (int64) of ``v`` in the sorted vector ``x``; with
    ``sorter``, ``x[sorter]`` is the sorted vector."""
    if sorter is not None:
        x = take(x, sorter)
    return _theon.searchsorted(x, v, side)


def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None):
    """The sorted unique values of the flattened ``ar``; with the flags, also
    the first indices, the inverse (flat ``ar`` from the values) and the
    counts, as a tuple in that order (NumPy's convention)."""
    if axis is not None:
        raise ValueError("unique: only axis=None (the flattened array) is supported")
    outs = _theon.unique(ar, return_index, return_inverse, return_counts)
    return outs[0] if len(outs) == 1 else tuple(outs)


def bincount(x, weights=None, minlength=None, assert_nonneg=False):
    """Occurrences of each value of the non-negative integer vector ``x``
    (weighted sums with ``weights``), at least ``minlength`` long. A negative
    value is always an error, so ``assert_nonneg`` changes nothing."""
    return _theon.bincount(x, weights, minlength or 0)


def diff(x, n=1, axis=-1):
    """The ``n``-th discrete difference along ``axis``."""
    return _theon.diff(x, n, axis)


def to_one_hot(y, nb_class, dtype=None):
    """A ``(len(y), nb_class)`` matrix with a 1 at ``[i, y[i]]`` (``floatX`` by default)."""
    return _theon.to_one_hot(y, nb_class, dtype or config.floatX)


def fill_diagonal(a, val):
    """A copy of ``a`` with its main diagonal set to the scalar ``val``
    (arrays of more than two dims must have all dims equal)."""
    return _theon.fill_diagonal(a, val, 0)


def fill_diagonal_offset(a, val, offset):
    """A copy of the matrix ``a`` with diagonal ``offset`` set to ``val``."""
    return _theon.fill_diagonal(a, val, offset)


def diag(v, k=0):
    """The ``k``-th diagonal of a matrix, or a square matrix with the vector
    ``v`` on its ``k``-th diagonal."""
    return _theon.diag(v, k)


def diagonal(a, offset=0, axis1=0, axis2=1):
    """Diagonal ``offset`` of the matrices spanned by ``axis1`` and ``axis2``,
    as the last axis (NumPy's ``diagonal``)."""
    return _theon.diagonal(a, offset, axis1, axis2, False)


def trace(a, offset=0, axis1=0, axis2=1):
    """The sum of diagonal ``offset`` (NumPy's ``trace``)."""
    return _theon.diagonal(a, offset, axis1, axis2, True)


def tril(m, k=0):
    """The lower triangle (on and below diagonal ``k``) of the last two axes."""
    return _theon.tri(m, k, False)


def triu(m, k=0):
    """The upper triangle (on and above diagonal ``k``) of the last two axes."""
    return _theon.tri(m, k, True)


def ravel_multi_index(multi_index, dims, mode="raise", order="C"):
    """Flat (C order) positions of the coordinate arrays ``multi_index`` in
    an array of shape ``dims``; out-of-range coordinates are an error."""
    if mode != "raise" or order != "C":
        raise ValueError("ravel_multi_index: only mode='raise' and order='C' are supported")
    return _theon.ravel_multi_index(list(multi_index), [int(d) for d in dims])


def unravel_index(indices, dims, order="C"):
    """The coordinates (a tuple of int64 arrays) of flat ``indices`` in an
    array of shape ``dims`` (C order)."""
    if order != "C":
        raise ValueError("unravel_index: only order='C' is supported")
    return tuple(_theon.unravel_index(indices, [int(d) for d in dims]))


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """``|a - b| <= atol + rtol * |b|`` elementwise (NumPy's ``isclose``)."""
    return _theon.isclose(a, b, float(rtol), float(atol), equal_nan, False)


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether every element is close (a boolean scalar)."""
    return _theon.isclose(a, b, float(rtol), float(atol), equal_nan, True)


def ptp(a, axis=None, keepdims=False):
    """``max - min`` along ``axis`` (all axes for None)."""
    return _theon.ptp(a, axis, keepdims)


def choose(a, choices, out=None, mode="raise"):
    """Element ``i`` from ``choices[a[i]][i]``, all broadcast together;
    ``mode`` 'raise', 'wrap' or 'clip' handles selectors out of range."""
    if out is not None:
        raise ValueError("choose: out= is not supported (theon graphs are pure)")
    return _theon.choose(a, list(choices), mode)


def nonzero_tuple(a):
    """The coordinates of the nonzero elements: one int64 vector per axis."""
    return tuple(_theon.nonzero_tuple(a))


def where(condition, x=None, y=None):
    """``where(c, x, y)``: elements of ``x`` where ``c``, else of ``y``
    (Theano's ``switch``); ``where(c)``: the coordinates of ``c``'s nonzero
    elements, as NumPy's one-argument ``where``."""
    if x is None and y is None:
        return nonzero_tuple(condition)
    if x is None or y is None:
        raise ValueError("where: give either only condition, or condition, x and y")
    return switch(condition, x, y)


__all__ = [
    "sort",
    "argsort",
    "searchsorted",
    "unique",
    "bincount",
    "diff",
    "to_one_hot",
    "fill_diagonal",
    "fill_diagonal_offset",
    "diag",
    "diagonal",
    "trace",
    "tril",
    "triu",
    "ravel_multi_index",
    "unravel_index",
    "isclose",
    "allclose",
    "ptp",
    "max_and_argmax",
    "choose",
    "nonzero_tuple",
    "where",
    "cumsum",
    "cumprod",
    "repeat",
    "squeeze",
    "flip",
    "roll",
]
