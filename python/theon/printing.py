"""``theon.printing``: ``debugprint``, ``pp`` and ``pydotprint`` (Theano's ``theano.printing``).

``debugprint`` prints the indented tree of variables, or of a compiled
function's optimized graph (what actually runs); ``pp`` gives a variable's
expression on one line; ``pydotprint`` draws the graph with Graphviz.
"""

import os
import shutil
import subprocess
import sys

from theon import _theon
from theon.compile.ops import Apply, Op


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


class Print(Op):
    """Theano's ``Print(message, attrs=('__str__',))``: ``Print('x')(x)``
    is ``x``, and computing it prints ``message`` with each attribute of the
    value (``__str__``, ``shape``, ...; methods are called) to stdout, or
    calls ``global_fn(op, value)`` instead. Gradients pass through."""

    __props__ = ("message", "attrs")

    def __init__(self, message="", attrs=("__str__",), global_fn=None):
        self.message = message
        self.attrs = tuple(attrs)
        self.global_fn = global_fn

    def make_node(self, x):
        from theon.tensor.basic import as_tensor_variable

        x = as_tensor_variable(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        (value,) = inputs
        if self.global_fn is not None:
            self.global_fn(self, value)
        else:
            for attr in self.attrs:
                shown = getattr(value, attr)
                print(self.message, attr, "=", shown() if callable(shown) else shown)
        output_storage[0][0] = value.copy()

    def grad(self, inputs, output_gradients):
        return list(output_gradients)

    def infer_shape(self, node, input_shapes):
        return input_shapes


def pydotprint(
    fct,
    outfile=None,
    compact=True,
    format="png",
    with_ids=False,
    high_contrast=True,
    cond_highlight=None,
    colorCodes=None,
    max_label_size=70,
    scan_graphs=False,
    var_with_name_simple=False,
    print_output_file=True,
    return_image=False,
):
    """Draws the graph of ``fct`` (a compiled function: its optimized
    graph; or a variable or list of variables) with Graphviz, like Theano's
    ``pydotprint``. ``format='dot'`` writes the DOT text itself and needs
    nothing installed; other formats run Graphviz's ``dot`` program and
    raise ``RuntimeError`` when it is not installed. ``outfile`` defaults to
    ``theano.pydotprint.<format>`` in the current directory;
    ``return_image=True`` returns the file's bytes instead of writing it.
    The layout options of Theano (``compact``, ``colorCodes``, ...) are
    accepted and ignored."""
    if isinstance(fct, _theon.Function):
        text = _theon.dot_function(fct)
    else:
        outputs = list(fct) if isinstance(fct, (list, tuple)) else [fct]
        text = _theon.dot_vars(outputs, "graph")
    if format == "dot":
        image = text.encode()
    else:
        program = shutil.which("dot")
        if program is None:
            raise RuntimeError(
                f"pydotprint: format {format!r} needs Graphviz's 'dot' program, which is not "
                "installed; install graphviz or pass format='dot' for the DOT text"
            )
        image = subprocess.run(
            [program, f"-T{format}"], input=text.encode(), capture_output=True, check=True
        ).stdout
    if return_image:
        return image
    if outfile is None:
        outfile = os.path.join(os.getcwd(), f"theano.pydotprint.{format}")
    with open(outfile, "wb") as f:
        f.write(image)
    if print_output_file:
        print("The output file is available at", outfile)
    return None


__all__ = ["debugprint", "pp", "pydotprint", "Print"]
