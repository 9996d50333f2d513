"""Indexing against NumPy: basic slices (negative steps, symbolic
bounds), None/Ellipsis, integer arrays and variables, boolean masks,
set_subtensor/inc_subtensor in Theano's call form, take, nonzero; errors."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from conftest import assert_close


def test_basic_slices(rng):
    x = T.dmatrix("x")
    xv = rng.standard_normal((5, 6))
    f = theon.function([x], [x[1:, ::2], x[::-1], x[-1], x[1, -2], x[:, ::-2], x[None, 2:4, ..., None], x[..., 1]])
    out = f(xv)
    for got, want in zip(out, [xv[1:, ::2], xv[::-1], xv[-1], xv[1, -2], xv[:, ::-2], xv[None, 2:4, ..., None], xv[..., 1]]):
        assert_close(got, want)


def test_symbolic_bounds(rng):
    x = T.dvector("x")
    i, n = T.lscalars("i", "n")
    xv = rng.standard_normal(10)
    f = theon.function([x, i, n], [x[i : i + n], x[i], x[::n]])
    a, b, c = f(xv, 3, 4)
    assert_close(a, xv[3:7])
    assert_close(b, xv[3])
    assert_close(c, xv[::4])


def test_advanced_indexing_and_masks(rng):
    x = T.dmatrix("x")
    idx = T.lvector("idx")
    xv = rng.standard_normal((5, 3))
    iv = np.array([4, 0, -1, 4])
    f = theon.function([x, idx], [x[idx], x[idx, 1], x[[0, 2]], x[:, np.array([2, 0])]])
    out = f(xv, iv)
    for got, want in zip(out, [xv[iv], xv[iv, 1], xv[[0, 2]], xv[:, [2, 0]]]):
        assert_close(got, want)
    assert_close(x[T.gt(x, 0)].eval({x: xv}), xv[xv > 0])
    assert_close(x[x[:, 0] > 0].eval({x: xv}), xv[xv[:, 0] > 0])
    with pytest.raises(IndexError):
        x[idx].eval({x: xv, idx: np.array([5])})
    with pytest.raises(IndexError):
        x[7].eval({x: xv})
    with pytest.raises(IndexError, match="test_indexing.py"):
        T.tensor("float64", shape=(3, 2))[7]
    with pytest.raises(TypeError, match="not iterable"):
        list(x)


def test_set_and_inc_subtensor(rng):
    x = T.dmatrix("x")
    y = T.dvector("y")
    idx = T.lvector("idx")
    xv, yv = rng.standard_normal((4, 3)), rng.standard_normal(3)
    iv = np.array([1, 3, 1])
    f = theon.function(
        [x, y, idx],
        [T.set_subtensor(x[1:3], y), T.inc_subtensor(x[idx], y), T.inc_subtensor(x[0, ::-1], 1.0), T.inc_subtensor(x[idx], y, set_instead_of_inc=True)],
    )
    s, inc, inc1, s2 = f(xv, yv, iv)
    want = xv.copy(); want[1:3] = yv
    assert_close(s, want)
    want = xv.copy(); np.add.at(want, iv, yv)
    assert_close(inc, want)
    want = xv.copy(); want[0, ::-1] += 1.0
    assert_close(inc1, want)
    want = xv.copy(); want[iv] = yv
    assert_close(s2, want)
    with pytest.raises(ValueError, match="set_subtensor"):
        T.set_subtensor(x, y)


def test_take_and_nonzero(rng):
    x = T.dmatrix("x")
    xv = rng.standard_normal((3, 4))
    i = T.lvector("i")
    iv = np.array([2, 0, -1])
    assert_close(T.take(x, i, axis=1).eval({x: xv, i: iv}), np.take(xv, iv, axis=1))
    assert_close(x.take(i).eval({x: xv, i: iv}), np.take(xv, iv))
    m = T.lmatrix("m")
    mv = rng.integers(-1, 2, size=(3, 4))
    rows, cols = T.nonzero(m)
    out = theon.function([m], [rows, cols, T.nonzero(m, return_matrix=True), T.flatnonzero(m), T.nonzero_values(m)])(mv)
    want = np.nonzero(mv)
    assert_close(out[0], want[0])
    assert_close(out[1], want[1])
    assert_close(out[2], np.stack(want))
    assert_close(out[3], np.flatnonzero(mv))
    assert_close(out[4], mv[mv != 0])
