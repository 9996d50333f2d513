"""Shared variables: storage that graphs read and functions update.

``borrow=True`` is accepted for Theano compatibility but the value is
still copied in and out: aliasing NumPy memory waits for zero-copy tensors
in the engine.
"""

from theon import _theon


class SharedVariable(_theon.Var):
    """A variable with a value that persists across function calls."""

    def get_value(self, borrow=False, return_internal_type=False):
        """The current value, as a new NumPy array."""
        return _theon.shared_get_value(self, borrow)

    def set_value(self, value, borrow=False):
        """Replaces the value.

        The value is converted like a function input: it must have the
        variable's rank, and a dtype that converts without loss.
        """
        _theon.shared_set_value(self, value, borrow)

    @property
    def default_update(self):
        """The value functions give this variable after each call that reads
        it (unless compiled with ``no_default_updates``), or ``None``."""
        return _theon.shared_default_update(self)

    @default_update.setter
    def default_update(self, update):
        _theon.shared_set_default_update(self, update)

    @default_update.deleter
    def default_update(self):
        _theon.shared_set_default_update(self, None)


def shared(value, name=None, borrow=False, broadcastable=None):
    """A shared variable holding ``value`` (its dtype and rank are fixed).

    Dims are not static (``set_value`` may change the shape) unless
    ``broadcastable`` marks some as size 1.
    """
    return _theon.shared(value, name, borrow, broadcastable)


__all__ = ["SharedVariable", "shared"]
