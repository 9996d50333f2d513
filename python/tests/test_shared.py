"""Shared variables: values in and out, set_value rules, use in graphs."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.exceptions import InputError

from conftest import assert_close


def test_shared_keeps_dtype_and_rank(rng):
    for value in [
        rng.standard_normal((2, 3)).astype("float32"),
        rng.integers(0, 9, size=4).astype("uint8"),
        rng.standard_normal(3).astype("float16"),
        rng.integers(0, 2, size=(2, 2)).astype(bool),
    ]:
        s = theon.shared(value, "s")
        assert isinstance(s, theon.SharedVariable)
        assert isinstance(s, T.TensorSharedVariable)
        assert isinstance(s, T.TensorVariable)
        assert s.dtype == value.dtype.name and s.ndim == value.ndim
        assert s.broadcastable == (False,) * value.ndim
        assert_close(s.get_value(), value)
    assert theon.shared(0.5).dtype == "float64"
    assert theon.shared(3).dtype == "int64"
    assert theon.shared(2.0, name="two").name == "two"


def test_values_are_copied_in_and_out(rng):
    a = rng.standard_normal(3)
    s = theon.shared(a, borrow=True)
    a[0] = 100.0
    got = s.get_value(borrow=True)
    assert got[0] != 100.0
    got[1] = 200.0
    assert s.get_value()[1] != 200.0


def test_set_value_follows_casting_rules(rng):
    s = theon.shared(np.zeros(3, dtype="float32"), "s")
    s.set_value([1, 2, 3])
    assert_close(s.get_value(), np.float32([1, 2, 3]))
    s.set_value(rng.integers(0, 5, size=5).astype("int8"))  # int8 fits float32, new shape
    assert s.get_value().shape == (5,)
    with pytest.raises(InputError, match="s"):
        s.set_value(rng.standard_normal(3))  # float64 would lose precision
    with pytest.raises(TypeError, match="rank"):
        s.set_value(np.zeros((2, 2), dtype="float32"))
    assert s.get_value().shape == (5,)


def test_broadcastable_shared(rng):
    s = theon.shared(rng.standard_normal((1, 3)), "row", broadcastable=(True, False))
    assert s.broadcastable == (True, False)
    x = T.dmatrix("x")
    a = rng.standard_normal((4, 3))
    assert_close((x + s).eval({x: a}), a + s.get_value())
    with pytest.raises(TypeError):
        s.set_value(np.zeros((2, 3)))
    with pytest.raises(TypeError):
        theon.shared(np.zeros((2, 3)), broadcastable=(True, False))


def test_shared_in_graphs_and_updates(rng):
    w = theon.shared(rng.standard_normal(3), "w")
    x = T.dvector("x")
    lr = 0.1
    f = theon.function([x], (w * x).sum(), updates=[(w, w - lr * x)])
    w0 = w.get_value()
    a = rng.standard_normal(3)
    assert_close(f(a), (w0 * a).sum())
    assert_close(w.get_value(), w0 - lr * a)
    # set_value is seen by the compiled function
    w.set_value(np.ones(3))
    assert_close(f(a), a.sum())


def test_non_shared_has_no_value():
    with pytest.raises(TypeError, match="not a shared variable"):
        theon._theon.shared_get_value(T.dvector("x"))
