"""``theon.printing``: ``debugprint`` and ``pp`` (Theano's ``theano.printing``).

``debugprint`` prints the indented tree of variables, or of a compiled
function's optimized graph (what actually runs); ``pp`` gives a variable's
expression on one line.
"""

import sys

from theon import _theon


def debugprint(obj, depth=-1, print_type=False, file=None, ids="CHAR", stop_on_name=False):
    """Prints the graph of ``obj`` (a variable, a list of them, or a
    compiled function) as an indented tree, one variable per line with its
    type. ``file='str'`` returns the text instead of printing it; another
    file object receives it (default: ``sys.stdout``)."""
    if isinstance(obj, _theon.Function):
        text = _theon.debugprint_function(obj)
    else:
        outputs = list(obj) if isinstance(obj, (list, tuple)) else [obj]
        text = _theon.debugprint_vars(outputs)
    if file == "str":
        return text
    out = sys.stdout if file is None else file
    out.write(text)
    return out


def pp(var):
    """The expression of ``var`` on one line: ``exp(add(x, y))``."""
    return _theon.pp(var)


__all__ = ["debugprint", "pp"]
