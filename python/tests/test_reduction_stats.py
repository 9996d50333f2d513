"""argmax/argmin/max_and_argmax, mean, var/std (ddof), cumsum/cumprod
against NumPy, as functions and methods, with negative axes and errors."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from conftest import assert_close


def test_argmax_argmin(rng):
    x = T.dmatrix("x")
    xv = rng.standard_normal((4, 5))
    f = theon.function([x], [T.argmax(x), x.argmax(axis=1), T.argmin(x, axis=-2), x.argmin(0, keepdims=True)])
    a, b, c, d = f(xv)
    assert a == np.argmax(xv) and a.dtype == np.int64
    assert_close(b, np.argmax(xv, axis=1))
    assert_close(c, np.argmin(xv, axis=-2))
    assert_close(d, np.argmin(xv, axis=0, keepdims=True))
    mx, am = T.max_and_argmax(x, axis=1)
    out = theon.function([x], [mx, am])(xv)
    assert_close(out[0], xv.max(axis=1))
    assert_close(out[1], xv.argmax(axis=1))
    with pytest.raises(ValueError, match="argmax"):
        T.argmax(x, axis=2)


def test_mean_var_std(rng):
    x = T.dmatrix("x")
    xv = rng.standard_normal((5, 3))
    f = theon.function(
        [x],
        [T.mean(x), x.mean(axis=0), T.var(x, axis=1), x.std(axis=-1, ddof=1), T.std(x, keepdims=True), T.var(x, corrected=True)],
    )
    out = f(xv)
    assert_close(out[0], np.mean(xv))
    assert_close(out[1], xv.mean(axis=0))
    assert_close(out[2], xv.var(axis=1))
    assert_close(out[3], xv.std(axis=-1, ddof=1))
    assert_close(out[4], xv.std(keepdims=True))
    assert_close(out[5], xv.var(ddof=1))
    i = T.imatrix("i")
    iv = rng.integers(-5, 5, size=(3, 4)).astype("int32")
    assert_close(T.mean(i, axis=0).eval({i: iv}), iv.mean(axis=0))
    assert_close(T.mean(x, dtype="float32").eval({x: xv}), np.float32(xv.mean()))


def test_cumsum_cumprod(rng):
    x = T.dmatrix("x")
    xv = rng.uniform(0.5, 1.5, size=(3, 4))
    f = theon.function([x], [T.cumsum(x), x.cumsum(axis=0), T.cumprod(x, axis=-1), T.extra_ops.cumprod(x)])
    a, b, c, d = f(xv)
    assert_close(a, np.cumsum(xv))
    assert_close(b, np.cumsum(xv, axis=0))
    assert_close(c, np.cumprod(xv, axis=-1))
    assert_close(d, np.cumprod(xv))
