"""Creation ops against NumPy: alloc, zeros/ones/full(_like), fill,
second, arange, eye, identity_like (dtypes, symbolic sizes, errors)."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from conftest import assert_close


def test_alloc_zeros_ones(rng):
    v = T.dvector("v")
    n = T.lscalar("n")
    vv = rng.standard_normal(3)
    f = theon.function([v, n], [T.alloc(v, n, 3), T.alloc(2.5, 2, n), T.zeros((n, 2)), T.ones((2,), dtype="int32")])
    a, b, z, o = f(vv, 4)
    assert_close(a, np.broadcast_to(vv, (4, 3)).copy())
    assert_close(b, np.full((2, 4), 2.5))
    assert_close(z, np.zeros((4, 2)))
    assert_close(o, np.ones(2, dtype="int32"))
    assert_close(T.full((2, 2), 7, dtype="int16").eval(), np.full((2, 2), 7, dtype="int16"))


def test_like_forms_and_fill(rng):
    x = T.fmatrix("x")
    xv = rng.standard_normal((2, 3)).astype("float32")
    f = theon.function([x], [T.zeros_like(x), T.ones_like(x, dtype="int64"), T.fill(x, 3), T.second(x, 2.0), T.full_like(x, -1.5)])
    z, o, fl, s, fu = f(xv)
    assert_close(z, np.zeros_like(xv))
    assert_close(o, np.ones((2, 3), dtype="int64"))
    assert_close(fl, np.full((2, 3), 3, dtype="float32"))
    assert_close(s, np.full((2, 3), 2.0, dtype="float32"))
    assert_close(fu, np.full((2, 3), -1.5, dtype="float32"))


def test_arange():
    assert_close(T.arange(5).eval(), np.arange(5))
    assert_close(T.arange(2, 11, 3).eval(), np.arange(2, 11, 3))
    assert_close(T.arange(5, 0, -2).eval(), np.arange(5, 0, -2))
    assert_close(T.arange(0.0, 1.0, 0.25).eval(), np.arange(0.0, 1.0, 0.25))
    assert_close(T.arange(4, dtype="int32").eval(), np.arange(4, dtype="int32"))
    n = T.lscalar("n")
    assert_close(theon.function([n], T.arange(n))(6), np.arange(6))
    with pytest.raises(ValueError, match="arange"):
        T.arange(0, 5, 0)


def test_eye_identity_like(rng):
    assert_close(T.eye(3).eval(), np.eye(3))
    assert_close(T.eye(2, 4, 1, dtype="int32").eval(), np.eye(2, 4, 1, dtype="int32"))
    assert_close(T.eye(4, k=-2).eval(), np.eye(4, k=-2))
    m = T.fmatrix("m")
    mv = rng.standard_normal((3, 5)).astype("float32")
    assert_close(T.identity_like(m).eval({m: mv}), np.eye(3, 5, dtype="float32"))
    with pytest.raises(ValueError, match="identity_like"):
        T.identity_like(T.fvector("v"))
