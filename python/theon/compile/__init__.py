"""Compiling graphs: ``function``, ``shared``, modes and their classes (Theano's ``theano.compile``)."""

from theon.compile.function import Function, buffer_pool_stats, function
from theon.compile.io import In, Out
from theon.compile.mode import FAST_COMPILE, FAST_RUN, Mode, get_mode
from theon.compile.sharedvalue import SharedVariable, shared
from theon.compile import ops
from theon.compile.ops import as_op
from theon.compile import builders
from theon.compile.builders import OpFromGraph

__all__ = [
    "function",
    "Function",
    "buffer_pool_stats",
    "In",
    "Out",
    "shared",
    "SharedVariable",
    "Mode",
    "FAST_RUN",
    "FAST_COMPILE",
    "get_mode",
    "ops",
    "as_op",
    "builders",
    "OpFromGraph",
]
