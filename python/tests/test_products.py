"""Products against NumPy: dot (T.dot, theon.dot, x.dot), x @ W, matmul,
tensordot, outer, batched_dot, batched_tensordot, einsum; shape errors."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from conftest import assert_close


def test_dot_forms(rng):
    x, W = T.dmatrix("x"), T.dmatrix("W")
    v = T.dvector("v")
    xv, Wv, vv = rng.standard_normal((3, 4)), rng.standard_normal((4, 2)), rng.standard_normal(4)
    f = theon.function([x, W, v], [T.dot(x, W), theon.dot(x, W), x.dot(W), x @ W, T.dot(x, v), T.dot(v, v)])
    for got in f(xv, Wv, vv)[:4]:
        assert_close(got, xv @ Wv)
    assert_close(f(xv, Wv, vv)[4], xv @ vv)
    assert_close(f(xv, Wv, vv)[5], vv @ vv)
    with pytest.raises(ValueError, match="dot"):
        T.dot(x, W).eval({x: xv, W: rng.standard_normal((3, 2))})


def test_float32_and_int_dtypes(rng):
    a, b = T.fmatrix("a"), T.imatrix("b")
    av = rng.standard_normal((2, 3)).astype("float32")
    bv = rng.integers(-3, 3, size=(3, 2)).astype("int32")
    out = T.dot(a, b).eval({a: av, b: bv})
    assert out.dtype == np.float64  # NumPy: float32 x int32 -> float64
    np.testing.assert_allclose(out, av.astype(np.float64) @ bv, rtol=1e-6)
    assert_close(T.dot(b.T, b).eval({b: bv}), bv.T @ bv)


def test_matmul_tensordot_outer(rng):
    a, b = T.dtensor3("a"), T.dtensor3("b")
    av, bv = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 4, 5))
    assert_close(T.matmul(a, b).eval({a: av, b: bv}), av @ bv)
    assert_close((a @ b).eval({a: av, b: bv}), av @ bv)
    c = T.dmatrix("c")
    cv = rng.standard_normal((4, 5))
    assert_close(T.tensordot(a, c, axes=1).eval({a: av, c: cv}), np.tensordot(av, cv, axes=1))
    assert_close(
        T.tensordot(a, b, axes=[[0, 2], [0, 1]]).eval({a: av, b: bv}),
        np.tensordot(av, bv, axes=[[0, 2], [0, 1]]),
    )
    u, v = T.dvectors("u", "v")
    uv, vv = rng.standard_normal(3), rng.standard_normal(4)
    assert_close(T.outer(u, v).eval({u: uv, v: vv}), np.outer(uv, vv))


def test_batched_products_and_einsum(rng):
    a, b = T.dtensor3("a"), T.dtensor3("b")
    av, bv = rng.standard_normal((3, 2, 4)), rng.standard_normal((3, 4, 5))
    assert_close(T.batched_dot(a, b).eval({a: av, b: bv}), np.einsum("bij,bjk->bik", av, bv))
    assert_close(
        T.batched_tensordot(a, b, axes=[[2], [1]]).eval({a: av, b: bv}),
        np.einsum("bij,bjk->bik", av, bv),
    )
    assert_close(T.einsum("bij,bjk->bik", a, b).eval({a: av, b: bv}), np.einsum("bij,bjk->bik", av, bv))
    m = T.dmatrix("m")
    mv = rng.standard_normal((4, 4))
    assert_close(T.einsum("ii", m).eval({m: mv}), np.einsum("ii", mv))
    with pytest.raises(ValueError, match="einsum"):
        T.einsum("ij,jk->ik", m)


def test_static_shape_mismatch_names_the_line():
    a = T.tensor("float64", shape=(2, 3), name="a")
    b = T.tensor("float64", shape=(4, 2), name="b")
    with pytest.raises(ValueError, match="dot") as err:
        T.dot(a, b)
    assert "test_products.py" in str(err.value) and err.value.site.startswith(__file__)
