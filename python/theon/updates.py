"""``OrderedUpdates``: the updates of shared variables that ``scan``
returns (Theano's ``theano.updates.OrderedUpdates``), to pass to
``theon.function(updates=...)``."""

from collections import OrderedDict

from theon import _theon


class OrderedUpdates(OrderedDict):
    """An ordered dict from shared variables to their new values."""

    def __setitem__(self, key, value):
        if not isinstance(key, _theon.Var) or key.kind != "shared":
            raise TypeError(f"OrderedUpdates: only shared variables can be updated, got {key!r}")
        if key in self and self[key] is not value:
            raise KeyError(f"OrderedUpdates: {key!r} already has an update")
        super().__setitem__(key, value)

    def __add__(self, other):
        merged = OrderedUpdates(self)
        merged.update(other)
        return merged

    def __radd__(self, other):
        merged = OrderedUpdates(other)
        merged.update(self)
        return merged


__all__ = ["OrderedUpdates"]
