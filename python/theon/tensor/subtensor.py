"""Indexing: ``x[...]`` with NumPy's rules (see ``TensorVariable.__getitem__``),
Theano's ``set_subtensor(x[...], y)`` and ``inc_subtensor(x[...], y)``,
``take`` and ``nonzero``."""

from theon import _theon


def set_subtensor(x, y, inplace=False, tolerate_inplace_aliasing=False):
    """``x[...] = y`` as a new variable: ``set_subtensor(x[1:], y)`` is the
    whole of ``x`` with ``x[1:]`` replaced by ``y`` (broadcast to it)."""
    return _theon.update_subtensor(x, y, "set")


def inc_subtensor(
    x, y, inplace=False, set_instead_of_inc=False, tolerate_inplace_aliasing=False
):
    """``x[...] += y`` as a new variable: ``inc_subtensor(x[idx], y)``;
    repeated indices add every time (like ``np.add.at``)."""
    return _theon.update_subtensor(x, y, "set" if set_instead_of_inc else "inc")


def take(a, indices, axis=None, mode="raise"):
    """Elements of ``a`` at integer ``indices`` along ``axis`` (the
    flattened array when None); out-of-range indices raise."""
    if mode != "raise":
        raise NotImplementedError(f"take: only mode='raise' is supported, got {mode!r}")
    return _theon.take(a, indices, axis)


def nonzero(a, return_matrix=False):
    """The indices of the nonzero elements: one int64 vector per axis
    (stacked into a matrix with ``return_matrix=True``)."""
    indices = tuple(_theon.nonzero(a))
    return _theon.stack(list(indices), 0) if return_matrix else indices


def flatnonzero(a):
    """The flat indices of the nonzero elements of ``a``."""
    return _theon.nonzero(_theon.flatten(a, 1))[0]


def nonzero_values(a):
    """The nonzero elements of ``a``, flattened."""
    flat = _theon.flatten(a, 1)
    return _theon.getitem(flat, _theon.nonzero(flat)[0])


__all__ = ["set_subtensor", "inc_subtensor", "take", "nonzero", "flatnonzero", "nonzero_values"]
