"""theon.printing (debugprint of variables and compiled functions, pp),
the optimized graph of compiled functions (f.maker.fgraph), and modes."""

import io

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.compile.mode import FAST_COMPILE, Mode, get_mode


def test_debugprint_variable_tree():
    x = T.dmatrix("x")
    y = T.exp(x) + T.log(x)
    text = theon.printing.debugprint(y, file="str")
    lines = text.splitlines()
    assert lines[0].startswith("add [id A]")
    assert any(line.startswith(" |exp") for line in lines)
    # x is shared by both branches: printed once in full, then by its id.
    assert sum("'x'" in line for line in lines) == 2
    buf = io.StringIO()
    assert theon.printing.debugprint([y, x], file=buf) is buf
    assert buf.getvalue().startswith("add [id A]")


def test_debugprint_function_shows_the_optimized_graph(capsys):
    x = T.dmatrix("x")
    W = theon.shared(np.ones((2, 2)), name="W")
    f = theon.function([x], (T.exp(x + 1.0) * 2.0).sum(), updates=[(W, W * 0.5)])
    theon.printing.debugprint(f)
    printed = capsys.readouterr().out
    assert "composite" in printed  # the elementwise chain was fused
    assert "'W'" in printed  # the update's graph is printed after the outputs


def test_pp():
    x, y = T.dscalars("x", "y")
    assert theon.pp(T.exp(x * y) + 1.0) == "add(exp(mul(x, y)), 1.)"
    assert theon.printing.pp(x) == "x"


def test_fgraph_toposort_inputs_outputs(rng):
    x = T.dvector("x")
    W = theon.shared(np.ones(3), name="W")
    out = T.tanh(x).sum()
    f = theon.function([x], out, updates=[(W, W + x)])
    fg = f.maker.fgraph
    assert fg.inputs == [x]
    assert len(fg.outputs) == 2
    nodes = fg.toposort()
    assert all(hasattr(n, "op") and hasattr(n, "inputs") and hasattr(n, "outputs") for n in nodes)
    names = [str(n.op) for n in nodes]
    assert any("sum" in name for name in names) and "add" in names
    seen = set()
    for node in nodes:  # every apply input was produced earlier or is a leaf
        for inp in node.inputs:
            assert inp.op_name is None or inp in seen
        seen.update(node.outputs)
    assert fg.apply_nodes == set(nodes)
    assert all(out in seen for out in fg.outputs)


def test_modes_select_rewrites(rng):
    x = T.dmatrix("x")
    y = (T.exp(x + 1.0) * 2.0 - T.log(x)).sum()
    xv = rng.uniform(0.5, 1.5, (2, 3))

    def op_names(mode):
        f = theon.function([x], y, mode=mode)
        np.testing.assert_allclose(f(xv), (np.exp(xv + 1) * 2 - np.log(xv)).sum(), rtol=1e-12)
        return [str(n.op) for n in f.maker.fgraph.toposort()]

    assert any("composite" in n for n in op_names("FAST_RUN"))
    assert any("composite" in n for n in op_names(None))
    assert not any("composite" in n for n in op_names("FAST_COMPILE"))
    assert not any("composite" in n for n in op_names(FAST_COMPILE))
    assert not any("composite" in n for n in op_names(Mode(optimizer="fast_run").excluding("fusion")))
    assert not any("composite" in n for n in op_names(Mode(optimizer=None)))
    assert get_mode("FAST_RUN").optimizer == "fast_run"
    with pytest.raises(ValueError, match="mode"):
        theon.function([x], y, mode="DebugMode")
    with pytest.raises(ValueError, match="optimizer"):
        Mode(optimizer="sometimes")
