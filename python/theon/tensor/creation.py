"""Creating tensors: ``alloc``, ``zeros``/``ones``/``full`` and their
``_like`` forms, ``fill``/``second``, ``arange``, ``eye``, ``identity_like``.
Sizes and bounds may be ints or symbolic integer scalars."""

from theon import _theon
from theon.configparser import config


def alloc(value, *shape):
    """A new tensor of ``shape`` filled with ``value`` (broadcast to it)."""
    if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
        shape = shape[0]
    return _theon.alloc(value, list(shape))


def full(shape, fill_value, dtype=None):
    """A tensor of ``shape`` holding ``fill_value`` (``dtype`` defaults to floatX)."""
    return _theon.full(shape, fill_value, dtype if dtype is not None else config.floatX)


def zeros(shape, dtype=None):
    """Zeros of ``shape`` (``dtype`` defaults to floatX)."""
    return full(shape, 0, dtype)


def ones(shape, dtype=None):
    """Ones of ``shape`` (``dtype`` defaults to floatX)."""
    return full(shape, 1, dtype)


def second(a, b):
    """``b`` broadcast to the shape of ``a`` (and ``b``)."""
    return _theon.second(a, b)


def fill(model, value):
    """``value`` broadcast to ``model``'s shape (Theano's ``fill``)."""
    return _theon.second(model, value)


def full_like(model, fill_value, dtype=None):
    """``fill_value`` in ``model``'s shape, of ``dtype`` (default ``model``'s)."""
    return _theon.full_like(model, fill_value, dtype)


def zeros_like(model, dtype=None):
    """Zeros of ``model``'s shape and dtype (or ``dtype``)."""
    return _theon.full_like(model, 0, dtype)


def ones_like(model, dtype=None):
    """Ones of ``model``'s shape and dtype (or ``dtype``)."""
    return _theon.full_like(model, 1, dtype)


def arange(start, stop=None, step=1, dtype=None):
    """NumPy's ``arange``: ``arange(n)`` or ``arange(start, stop, step)``."""
    if stop is None:
        start, stop = 0, start
    return _theon.arange(start, stop, step, dtype)


def eye(n, m=None, k=0, dtype=None):
    """An ``n x m`` matrix with ones on diagonal ``k`` (``dtype`` defaults to floatX)."""
    return _theon.eye(n, n if m is None else m, k, dtype if dtype is not None else config.floatX)


def identity_like(x):
    """The identity matrix of matrix ``x``'s shape and dtype."""
    return _theon.identity_like(x)


__all__ = [
    "alloc",
    "full",
    "zeros",
    "ones",
    "second",
    "fill",
    "full_like",
    "zeros_like",
    "ones_like",
    "arange",
    "eye",
    "identity_like",
]
