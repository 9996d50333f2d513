"""``In``/``Out`` inputs and outputs, state inputs, ``Function.copy`` and
their errors."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon import In, Out
from theon.exceptions import InputError


def test_in_defaults_are_converted_like_arguments():
    x = T.fscalar("x")
    y = T.fscalar("y")
    f = theon.function([x, In(y, value=0.5)], x * y)
    assert f(4.0) == np.float32(2.0)
    with pytest.raises(InputError, match="y"):
        theon.function([x, In(y, value=np.float64(0.1))], x * y)


def test_in_state_with_update_persists_between_calls():
    x = T.dscalar("x")
    acc = T.dscalar("acc")
    f = theon.function([x, In(acc, value=0.0, update=acc + x)], acc + x)
    assert f(2.0) == 2.0
    assert f(3.0) == 5.0
    assert f(1.0, acc=10.0) == 11.0  # an explicit value replaces the state


def test_out_and_keyword_errors():
    x, y = T.dscalars("x", "y")
    f = theon.function([x, In(y, value=1.0, name="why")], Out(x + y, borrow=True))
    assert f(1.0, why=2.0) == 3.0
    with pytest.raises(TypeError, match="no input is named 'y'"):
        f(1.0, y=2.0)
    with pytest.raises(TypeError):
        f()  # x has no default
    with pytest.raises(TypeError, match="theon.In"):
        theon.function([object()], x)


def test_copy_keeps_state_and_checks_swaps():
    s = theon.shared(np.arange(3.0))
    f = theon.function([], s.sum(), updates=[(s, s * 2)])
    g = f.copy(name="g")
    assert g.name == "g"
    g()
    np.testing.assert_array_equal(s.get_value(), [0.0, 2.0, 4.0])
    other = theon.shared(np.ones(4))
    h = f.copy(swap={s: other})
    assert h() == 4.0
    np.testing.assert_array_equal(other.get_value(), np.full(4, 2.0))
    with pytest.raises(Exception, match="swap|type"):
        f.copy(swap={s: theon.shared(np.ones((2, 2)))})
    with pytest.raises(TypeError, match="not a shared variable"):
        f.copy(swap={s: T.dvector()})
