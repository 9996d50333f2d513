"""Shape and layout ops: ``transpose``, ``reshape``, ``flatten``, ``shape``,
``specify_shape``, ``squeeze``, ``expand_dims``, ``shape_padleft``/``right``/
``axis``, ``addbroadcast``, ``patternbroadcast`` and ``broadcast_to``.

Shapes are tuples of ints and symbolic integer scalars (``x.shape[0]``) or
an integer vector variable (``y.shape``); one entry may be ``-1``.
"""

from theon import _theon


def transpose(x, axes=None):
    """Permutes the axes of ``x``; ``axes=None`` reverses them."""
    return _theon.transpose(x, None if axes is None else list(axes))


def reshape(x, newshape, ndim=None):
    """``x`` with shape ``newshape`` (same number of elements)."""
    out = _theon.reshape(x, newshape)
    if ndim is not None and out.ndim != ndim:
        raise ValueError(f"reshape: the new shape has {out.ndim} dims, but ndim={ndim}")
    return out


def flatten(x, ndim=1, outdim=None):
    """Keeps the first ``ndim - 1`` axes and merges the rest into one."""
    return _theon.flatten(x, outdim if outdim is not None else ndim)


def shape(x):
    """The symbolic shape of ``x`` (an int64 vector of length ``x.ndim``)."""
    return _theon.shape(x)


def shape_i(x, i):
    """The symbolic length of axis ``i`` of ``x``."""
    return _theon.shape_i(x, i)


def specify_shape(x, shape):
    """``x``, with its shape declared (ints, None for unknown) and checked when run."""
    return _theon.specify_shape(x, [None if d is None else int(d) for d in shape])


def squeeze(x, axis=None):
    """Drops the given axes (which must have length 1), or every broadcastable axis."""
    return _theon.squeeze(x, axis)


def expand_dims(x, axis):
    """Inserts a length-1 axis at position ``axis`` of the result."""
    return _theon.expand_dims(x, axis)


def shape_padleft(t, n_ones=1):
    """``t`` with ``n_ones`` broadcastable axes added on the left."""
    return _theon.dimshuffle(t, ["x"] * n_ones + list(range(t.ndim)))


def shape_padright(t, n_ones=1):
    """``t`` with ``n_ones`` broadcastable axes added on the right."""
    return _theon.dimshuffle(t, list(range(t.ndim)) + ["x"] * n_ones)


def shape_padaxis(t, axis):
    """``t`` with a broadcastable axis inserted at ``axis``."""
    return expand_dims(t, axis)


def addbroadcast(x, *axes):
    """``x`` with the given axes declared broadcastable (length 1, checked when run)."""
    shape = list(x.type.shape)
    for axis in axes:
        shape[axis] = 1
    return specify_shape(x, shape)


def patternbroadcast(x, broadcastable):
    """``x`` with the broadcastable pattern ``broadcastable``. Axes marked
    True get static length 1 (checked when run); theon cannot forget a
    static length 1, so False on such an axis raises ``ValueError``."""
    if len(broadcastable) != x.ndim:
        raise ValueError(f"patternbroadcast: {len(broadcastable)} flags for a {x.ndim}-d input")
    for axis, (flag, known) in enumerate(zip(broadcastable, x.broadcastable)):
        if known and not flag:
            raise ValueError(f"patternbroadcast: axis {axis} of {x} has static length 1")
    return addbroadcast(x, *[a for a, flag in enumerate(broadcastable) if flag])


def broadcast_to(x, shape):
    """``x`` broadcast to ``shape`` (NumPy's rules)."""
    return _theon.broadcast_to(x, shape)


__all__ = [
    "transpose",
    "reshape",
    "flatten",
    "shape",
    "shape_i",
    "specify_shape",
    "squeeze",
    "expand_dims",
    "shape_padleft",
    "shape_padright",
    "shape_padaxis",
    "addbroadcast",
    "patternbroadcast",
    "broadcast_to",
]
