"""``theon.scan`` against NumPy loops: Theano's scan examples (polynomial,
power, RNN, Fibonacci, Jacobian, shared accumulators), taps, ``until``,
``go_backwards``, ``map``/``reduce``/``foldl``/``foldr``."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon import function, shared
from theon.scan_module import until

from conftest import assert_close


def rnn_step(x_t, h_prev, W, U, b):
    return T.tanh(T.dot(x_t, W) + T.dot(h_prev, U) + b)


def rnn_numpy(x, h0, W, U, b):
    """All states of ``h_t = tanh(x_t W + h_{t-1} U + b)``, by a plain loop."""
    h, states = h0, []
    for t in range(x.shape[0]):
        h = np.tanh(x[t] @ W + h @ U + b)
        states.append(h)
    return np.stack(states)


def rnn_data(rng, steps=6, batch=3, n_in=4, n_hid=5, dtype="float64"):
    x = rng.standard_normal((steps, batch, n_in))
    h0 = rng.standard_normal((batch, n_hid)) * 0.5
    W = rng.standard_normal((n_in, n_hid)) * 0.5
    U = rng.standard_normal((n_hid, n_hid)) * 0.5
    b = rng.standard_normal(n_hid) * 0.1
    return [v.astype(dtype) for v in (x, h0, W, U, b)]


def test_polynomial_from_coefficients_and_arange(rng):
    coefficients = T.dvector("coefficients")
    x = T.dscalar("x")
    components, updates = theon.scan(
        fn=lambda coefficient, power, free_variable: coefficient * (free_variable**power),
        outputs_info=None,
        sequences=[coefficients, T.arange(coefficients.shape[0])],
        non_sequences=x,
    )
    polynomial = function([coefficients, x], components.sum())
    c, xv = rng.standard_normal(7), 1.3
    want = 0.0
    for i in range(7):
        want += c[i] * xv**i
    np.testing.assert_allclose(polynomial(c, xv), want, rtol=1e-12)
    assert len(updates) == 0


def test_power_by_repeated_multiplication(rng):
    k = T.iscalar("k")
    A = T.dvector("A")
    result, updates = theon.scan(
        fn=lambda prior_result, A: prior_result * A,
        outputs_info=T.ones_like(A),
        non_sequences=A,
        n_steps=k,
    )
    power = function([A, k], result[-1], updates=updates)
    a = rng.uniform(0.5, 1.5, 5)
    want = np.ones(5)
    for _ in range(4):
        want = want * a
    assert_close(power(a, 4), want)
    history = function([A, k], result)(a, 3)
    assert history.shape == (3, 5)
    assert_close(history[1], a * a)


def test_tanh_rnn_forward_float32_and_float64(rng):
    for dtype in ("float32", "float64"):
        data = rnn_data(rng, dtype=dtype)
        x, h0, W, U, b = (T.tensor(dtype, (False,) * v.ndim, name=n)
                          for v, n in zip(data, ["x", "h0", "W", "U", "b"]))
        h, updates = theon.scan(rnn_step, sequences=x, outputs_info=h0, non_sequences=[W, U, b])
        got = function([x, h0, W, U, b], h)(*data)
        want = rnn_numpy(*[v.astype("float64") for v in data])
        assert got.dtype == dtype
        tol = 1e-5 if dtype == "float32" else 1e-12
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


def test_fibonacci_with_taps_minus_two_and_minus_one():
    x0 = T.lvector("x0")
    n = T.lscalar("n")
    fib, _ = theon.scan(lambda a, b: a + b, outputs_info=dict(initial=x0, taps=[-2, -1]), n_steps=n)
    got = function([x0, n], fib)([1, 1], 10)
    want, (a, b) = [], (1, 1)
    for _ in range(10):
        a, b = b, a + b
        want.append(b)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, want)


def test_taps_order_of_arguments(rng):
    """Sequence taps, then output taps, then non-sequences, each in the order given."""
    x = T.dvector("x")
    y0 = T.dvector("y0")
    c = T.dscalar("c")

    def step(x_next, x_prev, x_now, y_2, y_1, c):
        return x_prev + 2 * x_now + 3 * x_next + 0.5 * y_2 - 0.25 * y_1 + c

    ys, _ = theon.scan(step, sequences=dict(input=x, taps=[1, -1, 0]),
                       outputs_info=dict(initial=y0, taps=[-2, -1]), non_sequences=c)
    xv, y0v, cv = rng.standard_normal(9), rng.standard_normal(2), 0.7
    got = function([x, y0, c], ys)(xv, y0v, cv)
    hist, want = list(y0v), []
    for t in range(1, 8):  # taps -1 and +1 leave 7 steps
        y = xv[t - 1] + 2 * xv[t] + 3 * xv[t + 1] + 0.5 * hist[-2] - 0.25 * hist[-1] + cv
        hist.append(y)
        want.append(y)
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_jacobian_by_scan(rng):
    x = T.dvector("x")
    y = x**3
    J, updates = theon.scan(lambda i, y, x: theon.grad(y[i], x),
                            sequences=T.arange(y.shape[0]), non_sequences=[y, x])
    f = function([x], J, updates=updates)
    xv = rng.standard_normal(4)
    np.testing.assert_allclose(f(xv), np.diag(3 * xv**2), rtol=1e-12)


def test_counter_in_a_shared_variable_via_updates():
    a = shared(1)
    values, updates = theon.scan(lambda: {a: a + 1}, n_steps=10)
    assert values is None and list(updates) == [a]
    b = a + 1
    c = updates[a] + 1
    f = function([], [b, c], updates=updates)
    got_b, got_c = f()
    assert got_b == 2 and got_c == 12 and a.get_value() == 11


def test_accumulating_a_sequence_into_a_shared_variable(rng):
    total = shared(np.float64(0.5), name="total")
    xs = T.dvector("xs")
    running, updates = theon.scan(lambda x_t: (total + x_t, {total: total + x_t}), sequences=xs)
    f = function([xs], running, updates=updates)
    v = rng.standard_normal(5)
    want, acc = [], 0.5
    for x_t in v:
        acc += x_t
        want.append(acc)
    np.testing.assert_allclose(f(v), want, rtol=1e-12)
    np.testing.assert_allclose(total.get_value(), acc, rtol=1e-12)
    f(v)  # the update is applied again on each call
    np.testing.assert_allclose(total.get_value(), acc + v.sum(), rtol=1e-12)


def test_shared_variable_read_inside_the_step_is_an_implicit_non_sequence(rng):
    W = shared(rng.standard_normal((3, 3)), name="W")
    h0 = T.dvector("h0")
    hs, _ = theon.scan(lambda h: T.tanh(T.dot(h, W)), outputs_info=h0, n_steps=4)
    f = function([h0], hs)
    v = rng.standard_normal(3)
    want, h = [], v
    for _ in range(4):
        h = np.tanh(h @ W.get_value())
        want.append(h)
    np.testing.assert_allclose(f(v), want, rtol=1e-12)
    W.set_value(np.eye(3))
    np.testing.assert_allclose(f(v)[-1], np.tanh(np.tanh(np.tanh(np.tanh(v)))), rtol=1e-12)


def test_until_stops_after_the_step_where_the_condition_holds():
    x0 = T.dscalar("x0")
    values, _ = theon.scan(lambda prev: (prev * 2, until(prev * 2 > 100)), outputs_info=x0, n_steps=50)
    got = function([x0], values)(1.5)
    want, v = [], 1.5
    while True:
        v *= 2
        want.append(v)
        if v > 100:
            break
    np.testing.assert_allclose(got, want, rtol=1e-15)


def test_go_backwards_reverses_the_sequences(rng):
    x = T.dvector("x")
    h0 = T.dscalar("h0")
    hs, _ = theon.scan(lambda x_t, h: 0.5 * h + x_t, sequences=x, outputs_info=h0, go_backwards=True)
    xv = rng.standard_normal(6)
    got = function([x, h0], hs)(xv, 0.25)
    want, h = [], 0.25
    for x_t in xv[::-1]:
        h = 0.5 * h + x_t
        want.append(h)
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_several_outputs_with_a_non_recurrent_one_and_return_list(rng):
    x = T.dvector("x")
    h0 = T.dscalar("h0")
    (hs, products), _ = theon.scan(lambda x_t, h: [h + x_t, h * x_t], sequences=x, outputs_info=[h0, None])
    xv = rng.standard_normal(5)
    got_h, got_p = function([x, h0], [hs, products])(xv, 1.0)
    h, want_h, want_p = 1.0, [], []
    for x_t in xv:
        want_p.append(h * x_t)
        h = h + x_t
        want_h.append(h)
    np.testing.assert_allclose(got_h, want_h, rtol=1e-12)
    np.testing.assert_allclose(got_p, want_p, rtol=1e-12)
    listed, _ = theon.scan(lambda x_t: x_t * 2, sequences=x, return_list=True)
    assert isinstance(listed, list) and len(listed) == 1
    np.testing.assert_allclose(function([x], listed[0])(xv), 2 * xv, rtol=1e-15)


def test_map_reduce_foldl_foldr(rng):
    x = T.dvector("x")
    a0 = T.dscalar("a0")
    squares, _ = theon.map(lambda v: v**2, [x])
    total, _ = theon.reduce(lambda v, acc: acc + v, x, a0)
    left, _ = theon.foldl(lambda v, acc: acc * 2 + v, x, a0)
    right, _ = theon.foldr(lambda v, acc: acc * 2 + v, x, a0)
    last_square, _ = theon.reduce(lambda v: v**2, x, None)
    xv = rng.standard_normal(6)
    got = function([x, a0], [squares, total, left, right, last_square])(xv, 0.5)
    fl = fr = 0.5
    for v in xv:
        fl = fl * 2 + v
    for v in xv[::-1]:
        fr = fr * 2 + v
    want = [xv**2, 0.5 + xv.sum(), fl, fr, xv[-1] ** 2]
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12)
    assert theon.scan_module.scan is theon.scan and theon.scan_module.map is theon.map


def test_step_may_return_updates_as_pairs_and_until_with_updates():
    count = shared(np.int64(0), name="count")
    x0 = T.dscalar("x0")
    vals, updates = theon.scan(
        lambda prev: ([prev + 1.0], [(count, count + 1)], until(prev + 1.0 >= 4.0)),
        outputs_info=x0, n_steps=10)
    f = function([x0], vals, updates=updates)
    np.testing.assert_array_equal(f(0.5), [1.5, 2.5, 3.5, 4.5])
    assert count.get_value() == 4


def test_mode_and_strict_are_honoured(rng):
    x = T.dvector("x")
    c = T.dscalar("c")
    ys, _ = theon.scan(lambda x_t, c: x_t * c, sequences=x, non_sequences=c,
                       mode="FAST_COMPILE", strict=True, name="scale")
    xv = rng.standard_normal(4)
    np.testing.assert_allclose(function([x, c], ys)(xv, 3.0), 3.0 * xv, rtol=1e-15)
