"""Gradients through ``theon.scan``: against finite differences
(``verify_grad``, float64) and against backpropagation through time
written by hand in NumPy (also with ``truncate_gradient``)."""

import numpy as np

import theon
import theon.tensor as T
from theon import function
from theon.gradient import verify_grad
from theon.scan_module import until

from test_scan import rnn_data, rnn_numpy, rnn_step


def rnn(x, h0, W, U, b, **options):
    h, _ = theon.scan(rnn_step, sequences=x, outputs_info=h0, non_sequences=[W, U, b], **options)
    return h


def bptt_numpy(x, h0, W, U, b, truncate=None):
    """Gradients of ``sum(h_T**2)`` by hand: the backward loop over the
    last ``truncate`` steps (all when None)."""
    hs = rnn_numpy(x, h0, W, U, b)
    prev = np.concatenate([h0[None], hs[:-1]])
    dW, dU, db = np.zeros_like(W), np.zeros_like(U), np.zeros_like(b)
    delta = 2 * hs[-1]
    steps = len(x) if truncate is None else truncate
    for t in range(len(x) - 1, len(x) - 1 - steps, -1):
        dz = delta * (1 - hs[t] ** 2)
        dW += x[t].T @ dz
        dU += prev[t].T @ dz
        db += dz.sum(axis=0)
        delta = dz @ U.T
    return dW, dU, db


def symbols(data):
    return [T.tensor("float64", (False,) * v.ndim, name=n) for v, n in zip(data, ["x", "h0", "W", "U", "b"])]


def test_rnn_gradient_matches_finite_differences(rng):
    data = rnn_data(rng, steps=4, batch=2, n_in=3, n_hid=3)
    verify_grad(lambda *v: rnn(*v), data, rng=np.random.default_rng(7))
    verify_grad(lambda *v: rnn(*v)[-1] ** 2, data, rng=np.random.default_rng(8))


def test_rnn_gradient_matches_hand_written_bptt(rng):
    data = rnn_data(rng)
    x, h0, W, U, b = symbols(data)
    h = rnn(x, h0, W, U, b)
    grads = theon.grad((h[-1] ** 2).sum(), [W, U, b])
    got = function([x, h0, W, U, b], grads)(*data)
    for g, w in zip(got, bptt_numpy(*data)):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)


def test_truncate_gradient_backpropagates_only_the_last_steps(rng):
    data = rnn_data(rng, steps=8)
    x, h0, W, U, b = symbols(data)
    h = rnn(x, h0, W, U, b, truncate_gradient=3)
    grads = theon.grad((h[-1] ** 2).sum(), [W, U, b])
    got = function([x, h0, W, U, b], grads)(*data)
    full = bptt_numpy(*data)
    for g, w, f in zip(got, bptt_numpy(*data, truncate=3), full):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)
        assert not np.allclose(g, f)  # truncation changed the result


def test_go_backwards_gradient(rng):
    data = rnn_data(rng, steps=4, batch=2, n_in=3, n_hid=3)
    verify_grad(lambda *v: rnn(*v, go_backwards=True), data, rng=np.random.default_rng(9))
    x, h0, W, U, b = symbols(data)
    f = function([x, h0, W, U, b], rnn(x, h0, W, U, b, go_backwards=True))
    np.testing.assert_allclose(f(*data), rnn_numpy(data[0][::-1], *data[1:]), rtol=1e-12)


def test_gradient_through_taps_and_non_sequences(rng):
    def fun(y0, c, xs):
        ys, _ = theon.scan(lambda x_t, a, b, c: a * c + T.tanh(b) + x_t, sequences=xs,
                           outputs_info=dict(initial=y0, taps=[-2, -1]), non_sequences=c)
        return ys

    verify_grad(fun, [rng.standard_normal((2, 3)), rng.standard_normal(3) * 0.5,
                      rng.standard_normal((5, 3))], rng=np.random.default_rng(10))


def test_gradient_through_until():
    def fun(x0):
        values, _ = theon.scan(lambda prev: (prev * 2 + T.sin(prev), until(prev > 50)),
                               outputs_info=x0, n_steps=30)
        return values

    verify_grad(fun, [np.array(1.5)], rng=np.random.default_rng(11))


def test_gradient_into_a_shared_variable_read_by_the_step(rng):
    W = theon.shared(rng.standard_normal((3, 3)) * 0.5, name="W")
    h0 = T.dvector("h0")
    hs, _ = theon.scan(lambda h: T.tanh(T.dot(h, W)), outputs_info=h0, n_steps=3)
    gW = theon.grad((hs[-1] ** 2).sum(), W)
    v = rng.standard_normal(3)
    got = function([h0], gW)(v)
    # Central differences on each entry of W.
    f = function([h0], (hs[-1] ** 2).sum())
    W0, eps, want = W.get_value(), 1e-6, np.zeros((3, 3))
    for i in range(3):
        for j in range(3):
            for sign in (1, -1):
                Wp = W0.copy()
                Wp[i, j] += sign * eps
                W.set_value(Wp)
                want[i, j] += sign * f(v) / (2 * eps)
    W.set_value(W0)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)
