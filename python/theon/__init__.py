"""theon: Theano rebuilt in Rust.

A classic Theano program runs after ``import theon as theano`` and
``import theon.tensor as T``. This package only translates between
Python and the Rust engine (``theon._theon``): arguments, names and
exceptions. Graphs are built, checked and run by the engine.
"""

from theon import _theon
from theon.configparser import change_flags, config
from theon import exceptions
from theon import tensor
from theon.compile import Function, In, Mode, Out, SharedVariable, function, shared
from theon import compile, gradient, printing
from theon.compile.ops import Apply, Op, as_op
from theon.compile.builders import OpFromGraph
from theon import ifelse, sandbox, scan_module, updates
from theon.scan_module import foldl, foldr, map, reduce, scan, scan_checkpoints
from theon.gradient import grad
from theon.printing import pp
from theon.tensor.products import dot

__version__ = _theon.__version__

__all__ = [
    "config",
    "change_flags",
    "exceptions",
    "tensor",
    "compile",
    "gradient",
    "printing",
    "function",
    "Function",
    "In",
    "Out",
    "Mode",
    "shared",
    "SharedVariable",
    "grad",
    "pp",
    "dot",
    "Op",
    "Apply",
    "as_op",
    "OpFromGraph",
    "ifelse",
    "sandbox",
    "scan_module",
    "updates",
    "scan",
    "scan_checkpoints",
    "map",
    "reduce",
    "foldl",
    "foldr",
]
