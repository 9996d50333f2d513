"""Exceptions raised by theon.

Each engine error kind has its own class, a subclass of :class:`TheonError`
and of the builtin exception Theano code expects, so ``except TypeError``
and ``except ValueError`` keep working. Every instance has a ``site``
attribute: ``"file:line"`` of the user's code where the offending variable
was created, or ``None``.
"""


class TheonError(Exception):
    """Base class of the errors theon's engine raises."""

    site = None


class ShapeError(TheonError, ValueError):
    """Shapes that do not fit an op (including broadcasting failures)."""


class AxisError(TheonError, ValueError, IndexError):
    """An axis out of range for the rank of the input (as NumPy's AxisError)."""


class DTypeError(TheonError, TypeError):
    """An input dtype that an op does not accept."""


class TheonIndexError(TheonError, IndexError):
    """An index out of range."""


class TheonValueError(TheonError, ValueError):
    """An invalid value or argument for an op."""


class ArgCountError(TheonError, TypeError):
    """A compiled function called with the wrong number of arguments."""


class InputError(TheonError, TypeError):
    """A function input that is missing, unused, or given a value of the wrong type."""


class GradientError(TheonError, ValueError):
    """A gradient that cannot be computed."""


class TheonNotImplementedError(TheonError, NotImplementedError):
    """A feature of an op that theon does not implement."""


__all__ = [
    "TheonError",
    "ShapeError",
    "AxisError",
    "DTypeError",
    "TheonIndexError",
    "TheonValueError",
    "ArgCountError",
    "InputError",
    "GradientError",
    "TheonNotImplementedError",
]
