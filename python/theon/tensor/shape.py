"""Shape and layout ops: ``transpose`` (and ``dimshuffle`` as a method)."""

from theon import _theon


def transpose(x, axes=None):
    """Permutes the axes of ``x``; ``axes=None`` reverses them."""
    return _theon.transpose(x, None if axes is None else list(axes))


__all__ = ["transpose"]
