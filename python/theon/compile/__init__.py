"""Compiling graphs: ``function``, ``shared`` and their classes (Theano's ``theano.compile``)."""

from theon.compile.function import Function, function
from theon.compile.sharedvalue import SharedVariable, shared

__all__ = ["function", "Function", "shared", "SharedVariable"]
