"""Buffer reuse between calls (the engine's buffer pool) is invisible from
Python: arrays a caller holds (or views of them) are never overwritten by
later calls, also from two threads; the pool respects its capacity flag and
``f.free()`` empties it."""

import threading

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.compile import buffer_pool_stats


def rand(rng, shape, dtype="float32"):
    return rng.standard_normal(shape).astype(dtype)


def test_held_products_survive_many_calls():
    A, B = T.matrix("A", dtype="float32"), T.matrix("B", dtype="float32")
    f = theon.function([A, B], T.dot(A, B))
    rng = np.random.default_rng(0)
    kept = []
    for call in range(30):
        a, b = rand(rng, (96, 130)), rand(rng, (130, 110))
        r = f(a, b)
        if call % 3 != 2:
            kept.append((a, b, r))  # the others are dropped: their buffers recycle
    for a, b, r in kept:
        np.testing.assert_allclose(r, a.astype("f8") @ b.astype("f8"), rtol=1e-4, atol=1e-4)


def test_w5_form_with_shared_inputs_and_set_value():
    rng = np.random.default_rng(1)
    a, b = rand(rng, (128, 128), "float64"), rand(rng, (128, 128), "float64")
    sA, sB = theon.shared(a, name="A"), theon.shared(b, name="B")
    f = theon.function([], T.dot(sA, sB))
    kept = []
    for call in range(12):
        kept.append((sA.get_value(), sB.get_value(), f()))
        sA.set_value(rand(rng, (128, 128), "float64"))
    for a, b, r in kept:
        np.testing.assert_allclose(r, a @ b, rtol=1e-12, atol=1e-12)


def test_writing_a_result_touches_nothing_else_and_views_keep_buffers():
    x = T.matrix("x")
    f = theon.function([x], T.exp(x) * 2.0)
    rng = np.random.default_rng(2)
    xs = [rand(rng, (64, 100), "float64") for _ in range(6)]
    r0 = f(xs[0])
    r0[:] = -7.0  # the caller owns the array
    view = f(xs[1])[::2]  # only a view survives; it keeps the whole buffer
    rest = [f(v) for v in xs[2:]]
    assert np.all(r0 == -7.0)
    np.testing.assert_allclose(view, (np.exp(xs[1]) * 2.0)[::2], rtol=1e-12)
    for v, r in zip(xs[2:], rest):
        np.testing.assert_allclose(r, np.exp(v) * 2.0, rtol=1e-12)


def test_outputs_and_intermediates_of_an_inplace_layer():
    # tanh(x·w + b) runs inplace on the product's buffer and is both an
    # output and the input of the second product.
    x, w, b, v = T.matrix("x"), T.matrix("w"), T.vector("b"), T.matrix("v")
    h = T.tanh(T.dot(x, w) + b)
    f = theon.function([x, w, b, v], [h, T.dot(h, v) - 1.0])
    rng = np.random.default_rng(3)
    wv, bv, vv = rand(rng, (40, 300), "f8"), rand(rng, (300,), "f8"), rand(rng, (300, 20), "f8")
    kept = []
    for call in range(20):
        xv = rng.uniform(-0.5, 0.5, (32, 40))
        hr, yr = f(xv, wv, bv, vv)
        kept.append((xv, hr if call % 2 else None, yr))
    for xv, hr, yr in kept:
        hw = np.tanh(xv @ wv + bv)
        if hr is not None:
            np.testing.assert_allclose(hr, hw, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(yr, hw @ vv - 1.0, rtol=1e-12, atol=1e-12)


def test_two_functions_on_two_threads():
    errors = []

    def worker(seed):
        try:
            x, y = T.matrix("x", dtype="float32"), T.matrix("y", dtype="float32")
            f = theon.function([x, y], T.dot(T.exp(x) * y + 0.5, y.T))
            rng = np.random.default_rng(seed)
            kept = []
            for call in range(40):
                xv, yv = rand(rng, (80, 120)), rand(rng, (80, 120))
                r = f(xv, yv)
                if call % 4 != 3:
                    kept.append((xv, yv, r))
            for xv, yv, r in kept:
                e = np.exp(xv.astype("f8")) * yv + 0.5
                np.testing.assert_allclose(r, e @ yv.T.astype("f8"), rtol=1e-4, atol=1e-3)
        except Exception as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(s,)) for s in (10, 20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def test_capacity_flag_bounds_the_pool_and_free_empties_it():
    x = T.matrix("x")
    f = theon.function([x], [T.exp(x), T.dot(x, x.T)])
    xv = np.random.default_rng(4).uniform(-1, 1, (100, 100))
    default = theon.config.buffer_pool_bytes
    assert buffer_pool_stats()["capacity"] == default
    try:
        for cap in (200_000, 0):
            theon.config.buffer_pool_bytes = cap
            for _ in range(8):
                e, g = f(xv)
                del e, g
                stats = buffer_pool_stats()
                assert stats["capacity"] == cap
                assert stats["bytes"] <= cap
            if cap == 0:
                assert buffer_pool_stats()["buffers"] == 0
        theon.config.buffer_pool_bytes = default
        f(xv)
        f(xv)
        assert buffer_pool_stats()["buffers"] > 0
        hits = buffer_pool_stats()["hits"]
        e, g = f(xv)
        assert buffer_pool_stats()["hits"] > hits, "a steady call reused nothing"
        f.free()
        assert buffer_pool_stats()["bytes"] == 0
        np.testing.assert_allclose(e, np.exp(xv), rtol=1e-12)
        np.testing.assert_allclose(g, xv @ xv.T, rtol=1e-12, atol=1e-12)
    finally:
        theon.config.buffer_pool_bytes = default


def test_bad_capacity_flag():
    with pytest.raises(ValueError, match="buffer_pool_bytes"):
        theon.config.buffer_pool_bytes = -1
    with pytest.raises(ValueError, match="buffer_pool_bytes"):
        theon.config.buffer_pool_bytes = "lots"
