"""Reductions against NumPy: axes (negative, lists), keepdims, dtypes, empty inputs."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.exceptions import AxisError

from conftest import assert_close

AXES = [None, 0, 1, -1, [0, 2], (1, -1)]
NUMPY = {"sum": np.sum, "prod": np.prod, "max": np.max, "min": np.min}


@pytest.mark.parametrize("kind", NUMPY)
@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("keepdims", [False, True])
def test_float_reductions(kind, axis, keepdims, rng):
    x = T.dtensor3("x")
    a = rng.uniform(0.5, 1.5, size=(2, 3, 4))
    out = getattr(T, kind)(x, axis=axis, keepdims=keepdims)
    np_axis = tuple(axis) if isinstance(axis, list) else axis
    assert_close(theon.function([x], out)(a), NUMPY[kind](a, axis=np_axis, keepdims=keepdims))


@pytest.mark.parametrize("kind", ["all", "any"])
def test_boolean_reductions(kind, rng):
    x = T.bmatrix("x")
    a = rng.integers(0, 3, size=(4, 5)).astype("int8")
    for axis in [None, 0, -1]:
        got = getattr(T, kind)(x, axis=axis).eval({x: a})
        assert_close(got, getattr(np, kind)(a, axis=axis))


def test_integer_sums_accumulate_like_numpy(rng):
    x = T.bvector("x")
    a = rng.integers(50, 120, size=10).astype("int8")
    assert x.sum().dtype == "int64"
    assert_close(x.sum().eval({x: a}), a.sum())
    u = T.TensorType("uint16", (False,))("u")
    b = rng.integers(1000, 60000, size=5).astype("uint16")
    assert_close(u.sum().eval({u: b}), b.sum())
    assert_close(x.sum(dtype="int8").eval({x: a}), a.sum(dtype="int8"))


def test_non_contiguous_inputs(rng):
    x = T.dmatrix("x")
    base = rng.standard_normal((6, 8))
    f = theon.function([x], x.sum(axis=0))
    for view in [base.T, base[::2, 1::3], base[::-1, ::-2]]:
        assert_close(f(view), view.sum(axis=0))


def test_empty_inputs(rng):
    x = T.dmatrix("x")
    a = np.empty((0, 3))
    assert_close(x.sum(axis=0).eval({x: a}), np.zeros(3))
    assert_close(x.prod(axis=0).eval({x: a}), np.ones(3))
    with pytest.raises(ValueError, match="zero-size"):
        x.max(axis=0).eval({x: a})


def test_bad_axis_raises_axis_error():
    x = T.dmatrix("x")
    with pytest.raises(AxisError, match="axis 2 is out of range"):
        x.sum(axis=2)
    with pytest.raises(IndexError):
        T.max(x, axis=-3)
    with pytest.raises(ValueError, match="repeated"):
        x.sum(axis=[1, -1])
