"""Shape ops against NumPy: reshape (incl. symbolic shapes), x.shape,
flatten, squeeze, expand_dims, padding, broadcastable patterns,
broadcast_to, specify_shape; errors name the op and the user's line."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from conftest import assert_close


def test_reshape_forms(rng):
    x = T.dmatrix("x")
    xv = rng.standard_normal((3, 4))
    n = T.lscalar("n")
    f = theon.function(
        [x, n],
        [x.reshape((2, 6)), x.reshape(4, -1), T.reshape(x, (n, -1)), x.reshape((x.shape[1], x.shape[0]))],
    )
    a, b, c, d = f(xv, 6)
    assert_close(a, xv.reshape(2, 6))
    assert_close(b, xv.reshape(4, -1))
    assert_close(c, xv.reshape(6, -1))
    assert_close(d, xv.reshape(4, 3))


def test_reshape_like_another_variable(rng):
    x = T.dvector("x")
    y = T.dmatrix("y")
    f = theon.function([x, y], x.reshape(y.shape))
    xv, yv = rng.standard_normal(6), rng.standard_normal((2, 3))
    assert_close(f(xv, yv), xv.reshape(2, 3))


def test_shape_is_a_symbolic_vector(rng):
    x = T.dtensor3("x")
    s = x.shape
    assert s.ndim == 1 and s.dtype == "int64"
    f = theon.function([x], [s, s[0], x.shape[-1], T.shape(x)])
    xv = rng.standard_normal((2, 5, 3))
    out = f(xv)
    assert_close(out[0], np.array([2, 5, 3]))
    assert out[1] == 2 and out[2] == 3
    assert_close(out[3], np.array([2, 5, 3]))


def test_reshape_errors_name_op_and_line(rng):
    x = T.dmatrix("x")
    with pytest.raises(ValueError, match="reshape"):
        x.reshape((5, 5)).eval({x: rng.standard_normal((2, 3))})
    with pytest.raises(ValueError, match="reshape") as err:
        x.reshape((2, -1, -1))
    assert "test_layout.py" in str(err.value)


def test_flatten(rng):
    x = T.dtensor3("x")
    xv = rng.standard_normal((2, 3, 4))
    f = theon.function([x], [x.flatten(), T.flatten(x, 2), x.flatten(ndim=3)])
    a, b, c = f(xv)
    assert_close(a, xv.reshape(-1))
    assert_close(b, xv.reshape(2, 12))
    assert_close(c, xv)


def test_squeeze_and_expand_dims(rng):
    x = T.tensor("float64", shape=(None, 1, None, 1))
    xv = rng.standard_normal((3, 1, 2, 1))
    f = theon.function(
        [x], [T.squeeze(x), x.squeeze(axis=1), T.expand_dims(x, 0), T.expand_dims(x, -1)]
    )
    a, b, c, d = f(xv)
    assert_close(a, np.squeeze(xv))
    assert_close(b, np.squeeze(xv, 1))
    assert_close(c, np.expand_dims(xv, 0))
    assert_close(d, np.expand_dims(xv, -1))
    m = T.dmatrix("m")
    with pytest.raises(ValueError, match="squeeze"):
        T.squeeze(m, axis=0).eval({m: rng.standard_normal((2, 2))})


def test_shape_padding_and_broadcastable(rng):
    v = T.dvector("v")
    assert T.shape_padleft(v).broadcastable == (True, False)
    assert T.shape_padright(v, 2).broadcastable == (False, True, True)
    assert T.shape_padaxis(v, 0).broadcastable == (True, False)
    m = T.dmatrix("m")
    b = T.addbroadcast(m, 0)
    assert b.broadcastable == (True, False)
    assert T.patternbroadcast(m, (False, True)).broadcastable == (False, True)
    mv = rng.standard_normal((1, 4))
    assert_close(b.eval({m: mv}), mv)
    with pytest.raises(ValueError):
        b.eval({m: rng.standard_normal((2, 4))})
    with pytest.raises(ValueError, match="static length 1"):
        T.patternbroadcast(T.shape_padleft(v), (False, False))


def test_broadcast_to_and_specify_shape(rng):
    v = T.dvector("v")
    n = T.lscalar("n")
    vv = rng.standard_normal(3)
    f = theon.function([v, n], T.broadcast_to(v, (n, 3)))
    assert_close(f(vv, 4), np.broadcast_to(vv, (4, 3)))
    s = T.specify_shape(v, (3,))
    assert s.type.shape == (3,)
    assert_close(s.eval({v: vv}), vv)
    with pytest.raises(ValueError):
        s.eval({v: rng.standard_normal(4)})
