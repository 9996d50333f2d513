"""``theon.printing``: ``debugprint`` and ``pp`` (Theano's ``theano.printing``).

The names are exported here as the engine's printing module provides them;
nothing is exported before it does. Meanwhile ``repr(variable)`` shows a
variable's expression, e.g. ``exp(add(x, y))``.
"""

__all__ = []
