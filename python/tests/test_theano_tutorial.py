"""Theano's tutorial examples (baby steps, more examples) run unchanged after
``import theon as theano``."""

import numpy as np

import theon as theano
import theon.tensor as T
from theon import function, shared


def test_adding_two_scalars():
    x = T.dscalar("x")
    y = T.dscalar("y")
    z = x + y
    f = function([x, y], z)
    assert f(2, 3) == 5.0
    assert np.allclose(f(16.3, 12.1), 28.4)
    assert type(x) is T.TensorVariable
    assert x.type == T.dscalar
    assert np.allclose(z.eval({x: 16.3, y: 12.1}), 28.4)


def test_adding_two_matrices():
    x = T.dmatrix("x")
    y = T.dmatrix("y")
    f = theano.function([x, y], x + y)
    out = f([[1, 2], [3, 4]], [[10, 20], [30, 40]])
    np.testing.assert_array_equal(out, np.array([[11.0, 22.0], [33.0, 44.0]]))
    np.testing.assert_array_equal(f(np.array([[1, 2], [3, 4]]), np.array([[10, 20], [30, 40]])), out)


def test_logistic_function():
    x = T.dmatrix("x")
    s = 1 / (1 + T.exp(-x))
    logistic = theano.function([x], s)
    s2 = (1 + T.tanh(x / 2)) / 2
    logistic2 = theano.function([x], s2)
    data = [[0, 1], [-1, -2]]
    want = np.array([[0.5, 0.73105858], [0.26894142, 0.11920292]])
    np.testing.assert_allclose(logistic(data), want, rtol=1e-7)
    np.testing.assert_allclose(logistic2(data), want, rtol=1e-7)


def test_several_outputs():
    a, b = T.dmatrices("a", "b")
    diff = a - b
    abs_diff = abs(diff)
    diff_squared = diff**2
    f = theano.function([a, b], [diff, abs_diff, diff_squared])
    d, ad, ds = f([[1, 1], [1, 1]], [[0, 1], [2, 3]])
    np.testing.assert_array_equal(d, [[1.0, 0.0], [-1.0, -2.0]])
    np.testing.assert_array_equal(ad, [[1.0, 0.0], [1.0, 2.0]])
    np.testing.assert_array_equal(ds, [[1.0, 0.0], [1.0, 4.0]])


def test_shared_accumulator_and_givens():
    state = shared(0)
    inc = T.iscalar("inc")
    accumulator = function([inc], state, updates=[(state, state + inc)])
    assert state.get_value() == 0
    assert accumulator(1) == 0
    assert state.get_value() == 1
    accumulator(300)
    assert state.get_value() == 301
    state.set_value(-1)
    accumulator(3)
    assert state.get_value() == 2
    decrementor = function([inc], state, updates=[(state, state - inc)])
    decrementor(2)
    assert state.get_value() == 0
    fn_of_state = state * 2 + inc
    foo = T.scalar(dtype=state.dtype)
    skip_shared = function([inc, foo], fn_of_state, givens=[(state, foo)])
    assert skip_shared(1, 3) == 7
    assert state.get_value() == 0


def test_module_tree():
    import theon.compile
    import theon.gradient
    import theon.printing

    assert theano.compile.function is theano.function
    assert theano.tensor is T
    assert theano.config.floatX == "float64"
    assert isinstance(theano.__version__, str)
