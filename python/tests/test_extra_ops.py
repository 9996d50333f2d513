"""theon.tensor.extra_ops against NumPy: sorting and searching, unique,
bincount, diff, one-hot, diagonals and triangles, index conversion,
isclose/allclose, ptp, max_and_argmax, choose and where; the
differentiable ones under verify_grad; bad arguments as errors."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon import gradient
from theon.tensor import extra_ops
from conftest import assert_close


def run(inputs, outputs, *values):
    return theon.function(inputs, outputs)(*values)


def test_sort_and_argsort_match_numpy(rng):
    x = T.dmatrix("x")
    xv = rng.standard_normal((4, 5))
    xv[1, 2] = np.nan
    xv[3, 0] = xv[3, 4]  # a tie: stable order
    cases = [
        (T.sort(x), np.sort(xv, kind="stable")),
        (T.sort(x, axis=0), np.sort(xv, axis=0, kind="stable")),
        (T.sort(x, axis=None), np.sort(xv, axis=None, kind="stable")),
        (T.argsort(x), np.argsort(xv, kind="stable")),
        (extra_ops.argsort(x, axis=0), np.argsort(xv, axis=0, kind="stable")),
        (x.sort(axis=-1), np.sort(xv, kind="stable")),
        (x.argsort(axis=None), np.argsort(xv, axis=None, kind="stable")),
    ]
    out = run([x], [c[0] for c in cases], xv)
    for got, (_, want) in zip(out, cases):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match="order"):
        T.sort(x, order="a")


def test_searchsorted_with_sides_and_a_sorter(rng):
    a, v = T.dvector("a"), T.dvector("v")
    av = rng.standard_normal(6)
    av[2] = av[4]
    vv = np.concatenate([av[:3], rng.standard_normal(4)])
    order = np.argsort(av)
    left = extra_ops.searchsorted(a, v, sorter=T.constant(order))
    right = extra_ops.searchsorted(a, v, side="right", sorter=T.constant(order))
    got = run([a, v], [left, right], av, vv)
    assert_close(got[0], np.searchsorted(av, vv, sorter=order))
    assert_close(got[1], np.searchsorted(av, vv, side="right", sorter=order))
    with pytest.raises(ValueError, match="side"):
        extra_ops.searchsorted(a, v, side="middle")


def test_unique_with_all_outputs(rng):
    x = T.lmatrix("x")
    xv = rng.integers(-3, 4, size=(4, 5))
    outs = extra_ops.unique(x, True, True, True)
    assert len(outs) == 4
    got = run([x], list(outs) + [extra_ops.unique(x)], xv)
    want = np.unique(xv, return_index=True, return_inverse=True, return_counts=True)
    for g, w in zip(got, want):
        np.testing.assert_array_equal(np.reshape(g, -1), np.reshape(w, -1))
    np.testing.assert_array_equal(got[4], np.unique(xv))
    with pytest.raises(ValueError, match="axis"):
        extra_ops.unique(x, axis=0)


def test_bincount_diff_and_one_hot(rng):
    i, w, x = T.lvector("i"), T.dvector("w"), T.dmatrix("x")
    iv = rng.integers(0, 5, size=8)
    wv = rng.standard_normal(8)
    xv = rng.standard_normal((4, 6))
    cases = [
        (extra_ops.bincount(i), np.bincount(iv)),
        (extra_ops.bincount(i, weights=w, minlength=9), np.bincount(iv, wv, minlength=9)),
        (extra_ops.diff(x), np.diff(xv)),
        (extra_ops.diff(x, n=2, axis=0), np.diff(xv, n=2, axis=0)),
        (extra_ops.to_one_hot(i, 6, dtype="float64"), np.eye(6)[iv]),
    ]
    out = run([i, w, x], [c[0] for c in cases], iv, wv, xv)
    for got, (_, want) in zip(out, cases):
        assert_close(got, want)
    hot = extra_ops.to_one_hot(i, 6)
    assert hot.dtype == theon.config.floatX


def test_diagonals_and_triangles(rng):
    m, c, v = T.dmatrix("m"), T.dtensor3("c"), T.dvector("v")
    mv, cv, vv = rng.standard_normal((4, 5)), rng.standard_normal((3, 3, 3)), rng.standard_normal(3)
    filled = mv.copy()
    np.fill_diagonal(filled, 7.0)
    cube = cv.copy()
    np.fill_diagonal(cube, -1.0)
    shifted = mv.copy()
    shifted[np.arange(3), np.arange(3) + 2] = 2.5
    cases = [
        (T.diag(v, 1), np.diag(vv, 1)),
        (T.diag(m, -1), np.diag(mv, -1)),
        (T.diagonal(c, 1, 2, 0), np.diagonal(cv, 1, 2, 0)),
        (m.diagonal(offset=2), np.diagonal(mv, 2)),
        (extra_ops.trace(m, 1), np.trace(mv, 1)),
        (c.trace(axis1=1, axis2=2), np.trace(cv, axis1=1, axis2=2)),
        (T.fill_diagonal(m, 7.0), filled),
        (extra_ops.fill_diagonal(c, -1.0), cube),
        (extra_ops.fill_diagonal_offset(m, 2.5, 2), shifted),
        (T.tril(m, -1), np.tril(mv, -1)),
        (T.triu(c, 1), np.triu(cv, 1)),
    ]
    out = run([m, c, v], [k[0] for k in cases], mv, cv, vv)
    for got, (_, want) in zip(out, cases):
        assert_close(got, want)


def test_index_conversion_isclose_ptp_and_argmax(rng):
    i, j, f = T.lvector("i"), T.lvector("j"), T.lvector("f")
    a, b = T.dmatrix("a"), T.dmatrix("b")
    iv, jv, fv = np.array([0, 2, 1]), np.array([3, 0, 4]), np.array([0, 7, 14])
    av = rng.standard_normal((3, 4))
    bv = av + np.where(rng.random((3, 4)) < 0.5, 1e-9, 1e-3)
    flat = extra_ops.ravel_multi_index([i, j], (3, 5))
    rows, cols = extra_ops.unravel_index(f, (3, 5))
    mx, arg = extra_ops.max_and_argmax(a, axis=1)
    outs = [
        flat, rows, cols,
        extra_ops.isclose(a, b), extra_ops.allclose(a, b), extra_ops.allclose(a, a + 1e-12),
        extra_ops.ptp(a, axis=0), a.ptp(), mx, arg,
    ]
    got = run([i, j, f, a, b], outs, iv, jv, fv, av, bv)
    want = [
        np.ravel_multi_index((iv, jv), (3, 5)), *np.unravel_index(fv, (3, 5)),
        np.isclose(av, bv), np.allclose(av, bv), True,
        np.ptp(av, axis=0), np.ptp(av), av.max(axis=1), av.argmax(axis=1),
    ]
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12)
    with pytest.raises(ValueError, match="order"):
        extra_ops.ravel_multi_index([i, j], (3, 5), order="F")


def test_choose_and_where(rng):
    k, p, q, c = T.lmatrix("k"), T.dmatrix("p"), T.drow("q"), T.dmatrix("c")
    kv = rng.integers(-2, 4, size=(3, 4))
    pv, qv = rng.standard_normal((3, 4)), rng.standard_normal((1, 4))
    cv = rng.standard_normal((3, 4))
    safe = np.clip(kv, 0, 1)
    outs = [
        extra_ops.choose(T.constant(safe), [p, q]),
        extra_ops.choose(k, [p, q], mode="wrap"),
        extra_ops.choose(k, [p, q], mode="clip"),
        T.where(T.gt(c, 0), p, q),
    ]
    got = run([k, p, q, c], outs, kv, pv, qv, cv)
    want = [
        np.choose(safe, [pv, qv]),
        np.choose(kv, [pv, qv], mode="wrap"),
        np.choose(kv, [pv, qv], mode="clip"),
        np.where(cv > 0, pv, qv),
    ]
    for g, w in zip(got, want):
        assert_close(g, w)
    coords = run([c], list(T.where(T.gt(c, 0))), cv)
    for g, w in zip(coords, np.where(cv > 0)):
        np.testing.assert_array_equal(g, w)
    with pytest.raises(ValueError, match="mode"):
        extra_ops.choose(k, [p, q], mode="bad")
    with pytest.raises(IndexError, match="choose"):
        theon.function([k, p, q], extra_ops.choose(k, [p, q]))(kv + 5, pv, qv)


def test_gradients_of_the_differentiable_extra_ops(rng):
    pt = [rng.standard_normal((3, 4))]
    gradient.verify_grad(lambda a: T.sort(a, axis=0), pt, rng=rng)
    gradient.verify_grad(lambda a: extra_ops.diff(a, n=2), pt, rng=rng)
    gradient.verify_grad(lambda a: T.diagonal(a, 1), pt, rng=rng)
    gradient.verify_grad(lambda a: T.tril(a, 1) * T.triu(a), pt, rng=rng)
    gradient.verify_grad(lambda a, v: T.fill_diagonal(a, v), pt + [np.array(0.7)], rng=rng)
    gradient.verify_grad(lambda a: extra_ops.ptp(a, axis=1), pt, rng=rng)
    # Gradients land where each sorted value came from.
    x = T.dvector("x")
    w = np.array([1.0, 10.0, 100.0])
    g = theon.grad((T.sort(x) * w).sum(), x)
    assert_close(run([x], g, np.array([0.5, -2.0, 3.0])), np.array([10.0, 1.0, 100.0]))
