"""Joining and rearranging against NumPy: concatenate, join, stack, split,
tile, repeat, flip, roll (negative axes, symbolic shifts, errors)."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from conftest import assert_close


def test_concatenate_join_stack(rng):
    a, b = T.dmatrices("a", "b")
    av, bv = rng.standard_normal((2, 3)), rng.standard_normal((4, 3))
    f = theon.function([a, b], [T.concatenate([a, b]), T.join(0, a, b), T.concatenate([a, a], axis=-1)])
    c, j, d = f(av, bv)
    assert_close(c, np.concatenate([av, bv]))
    assert_close(j, np.concatenate([av, bv]))
    assert_close(d, np.concatenate([av, av], axis=-1))
    s = T.stack([a, a], axis=1).eval({a: av})
    assert_close(s, np.stack([av, av], axis=1))
    x, y = T.dscalars("x", "y")
    assert_close(T.stack(x, y).eval({x: 1.5, y: -2.0}), np.array([1.5, -2.0]))
    with pytest.raises(ValueError, match="join|concatenate"):
        T.concatenate([a, b], axis=1).eval({a: av, b: bv})


def test_split(rng):
    x = T.dvector("x")
    xv = rng.standard_normal(7)
    parts = T.split(x, [2, 5], 2)
    out = theon.function([x], parts)(xv)
    for got, want in zip(out, np.split(xv, [2])):
        assert_close(got, want)
    m = T.dmatrix("m")
    mv = rng.standard_normal((3, 4))
    out = theon.function([m], T.split(m, [1, 3], 2, axis=-1))(mv)
    assert_close(out[0], mv[:, :1])
    assert_close(out[1], mv[:, 1:])
    with pytest.raises(ValueError, match="n_splits"):
        T.split(x, [2, 5], 3)


def test_tile_repeat(rng):
    x = T.dmatrix("x")
    xv = rng.standard_normal((2, 3))
    r = T.lvector("r")
    f = theon.function(
        [x, r], [T.tile(x, (2, 3)), T.repeat(x, 2, axis=0), x.repeat(3), T.repeat(x, r, axis=1)]
    )
    a, b, c, d = f(xv, [1, 0, 2])
    assert_close(a, np.tile(xv, (2, 3)))
    assert_close(b, np.repeat(xv, 2, axis=0))
    assert_close(c, np.repeat(xv, 3))
    assert_close(d, np.repeat(xv, [1, 0, 2], axis=1))


def test_flip_roll(rng):
    x = T.dmatrix("x")
    k = T.lscalar("k")
    xv = rng.standard_normal((3, 4))
    f = theon.function(
        [x, k], [T.flip(x), T.flip(x, axis=-1), T.roll(x, k, axis=1), T.roll(x, -2), T.roll(x, 1, 0)]
    )
    a, b, c, d, e = f(xv, 3)
    assert_close(a, np.flip(xv))
    assert_close(b, np.flip(xv, -1))
    assert_close(c, np.roll(xv, 3, axis=1))
    assert_close(d, np.roll(xv, -2))
    assert_close(e, np.roll(xv, 1, 0))
    with pytest.raises(ValueError, match="flip"):
        T.flip(x, axis=2)
