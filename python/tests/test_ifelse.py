"""``theon.ifelse.ifelse``: the lazy conditional. Only the branch taken
runs (checked with Python ops that count their calls, and with a branch
that would fail); lists of branches; gradients; errors."""

import inspect

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon import function
from theon.compile.ops import as_op
from theon.ifelse import ifelse


def here():
    frame = inspect.currentframe().f_back
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


def test_selects_the_branch_like_switch(rng):
    a, b = T.dscalars("a", "b")
    x, y = T.dmatrices("x", "y")
    z_lazy = ifelse(T.lt(a, b), T.mean(x), T.mean(y))
    f = function([a, b, x, y], z_lazy)
    xv, yv = rng.standard_normal((3, 4)), rng.standard_normal((2, 5))
    np.testing.assert_allclose(f(1.0, 2.0, xv, yv), xv.mean(), rtol=1e-14)
    np.testing.assert_allclose(f(2.0, 1.0, xv, yv), yv.mean(), rtol=1e-14)


def test_only_the_taken_branch_runs(rng):
    calls = {"then": 0, "else": 0}

    @as_op(itypes=[T.dvector], otypes=[T.dvector])
    def then_double(v):
        calls["then"] += 1
        return v * 2

    @as_op(itypes=[T.dvector], otypes=[T.dvector])
    def else_negate(v):
        calls["else"] += 1
        return -v

    c = T.lscalar("c")
    x = T.dvector("x")
    f = function([c, x], ifelse(c, then_double(x).sum(), else_negate(x).sum()))
    xv = rng.standard_normal(5)
    np.testing.assert_allclose(f(1, xv), 2 * xv.sum(), rtol=1e-14)
    assert calls == {"then": 1, "else": 0}
    np.testing.assert_allclose(f(0, xv), -xv.sum(), rtol=1e-14)
    np.testing.assert_allclose(f(7, xv), 2 * xv.sum(), rtol=1e-14)  # nonzero is true
    assert calls == {"then": 2, "else": 1}


def test_a_branch_that_would_fail_is_not_run(rng):
    c = T.lscalar("c")
    x = T.dvector("x")
    f = function([c, x], ifelse(c, x[0], x[10]))
    xv = rng.standard_normal(3)
    assert f(1, xv) == xv[0]
    with pytest.raises(IndexError):
        f(0, xv)


def test_lists_of_branches(rng):
    c = T.lscalar("c")
    x, y = T.dvectors("x", "y")
    out = ifelse(c, [x * 2, y], [x, y * 3])
    assert isinstance(out, list) and len(out) == 2
    f = function([c, x, y], out)
    xv, yv = rng.standard_normal(4), rng.standard_normal(2)
    for cond, want in ((1, [xv * 2, yv]), (0, [xv, yv * 3])):
        for g, w in zip(f(cond, xv, yv), want):
            np.testing.assert_allclose(g, w, rtol=1e-15)


def test_gradient_follows_the_branch_taken(rng):
    c = T.lscalar("c")
    x = T.dvector("x")
    cost = ifelse(c, (x**2).sum(), (x**3).sum())
    g = function([c, x], theon.grad(cost, x))
    xv = rng.standard_normal(4)
    np.testing.assert_allclose(g(1, xv), 2 * xv, rtol=1e-13)
    np.testing.assert_allclose(g(0, xv), 3 * xv**2, rtol=1e-13)


def test_errors():
    c = T.lscalar("c")
    x = T.dvector("x")
    with pytest.raises(ValueError, match="same"):
        ifelse(c, [x, x], [x])
    with pytest.raises(ValueError, match="both"):
        ifelse(c, x, [x])
    with pytest.raises(ValueError, match="scalar") as info:
        site = here(); ifelse(x, x, x)  # noqa: E702
    assert info.value.site == site
    with pytest.raises(ValueError, match="float32") as info:
        site = here(); ifelse(c, x, x.astype("float32"))  # noqa: E702
    assert info.value.site == site
