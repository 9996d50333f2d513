"""Joining and rearranging: ``concatenate``, ``join``, ``stack``, ``split``,
``tile``, ``repeat``, ``flip`` and ``roll``."""

from theon import _theon


def concatenate(tensor_list, axis=0):
    """Joins the tensors along an existing axis."""
    return _theon.concatenate(list(tensor_list), axis)


def join(axis, *tensors_list):
    """Theano's ``join(axis, a, b, ...)``: ``concatenate`` with the axis first."""
    if len(tensors_list) == 1 and isinstance(tensors_list[0], (list, tuple)):
        tensors_list = tensors_list[0]
    return _theon.concatenate(list(tensors_list), axis)


def stack(tensors, *more, axis=0):
    """Joins the tensors along a new axis: ``stack([a, b], axis=1)``
    (Theano's older ``stack(a, b, c)`` works too)."""
    if more or not isinstance(tensors, (list, tuple)):
        tensors = [tensors, *more]
    return _theon.stack(list(tensors), axis)


def split(x, splits_size, n_splits, axis=0):
    """Splits ``x`` along ``axis`` into ``n_splits`` pieces of the given sizes."""
    pieces = _theon.split(x, splits_size, axis)
    if len(pieces) != n_splits:
        raise ValueError(f"split: {len(pieces)} sizes given but n_splits={n_splits}")
    return pieces


def tile(x, reps, ndim=None):
    """``x`` repeated ``reps`` times along each axis (NumPy's ``tile``)."""
    out = _theon.tile(x, reps)
    if ndim is not None and out.ndim != ndim:
        raise ValueError(f"tile: the result has {out.ndim} dims, but ndim={ndim}")
    return out


def repeat(x, repeats, axis=None):
    """Each element repeated ``repeats`` times (per element if a vector);
    ``axis=None`` works on the flattened array."""
    return _theon.repeat(x, repeats, axis)


def flip(x, axis=None):
    """``x`` reversed along ``axis`` (an int, a list, or None for every axis)."""
    return _theon.flip(x, axis)


def roll(x, shift, axis=None):
    """Elements shifted by ``shift`` along ``axis`` (the flattened array when None)."""
    return _theon.roll(x, shift, axis)


__all__ = ["concatenate", "join", "stack", "split", "tile", "repeat", "flip", "roll"]
