"""Python operators and methods build graphs with NumPy's semantics."""

import operator

import numpy as np
import pytest

import theon
import theon.tensor as T

from conftest import assert_close

FLOAT_OPS = [
    operator.add,
    operator.sub,
    operator.mul,
    operator.truediv,
    operator.floordiv,
    operator.mod,
    operator.lt,
    operator.le,
    operator.gt,
    operator.ge,
]


def run(inputs, output, *values):
    return theon.function(inputs, output)(*values)


@pytest.mark.parametrize("op", FLOAT_OPS, ids=lambda o: o.__name__)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_binary_operators_match_numpy(op, dtype, rng):
    x = T.matrix("x", dtype=dtype)
    y = T.row("y", dtype=dtype)
    a = rng.standard_normal((3, 4)).astype(dtype)
    b = (rng.standard_normal((1, 4)) + 3).astype(dtype)
    assert_close(run([x, y], op(x, y), a, b), op(a, b))
    # reflected forms with a Python scalar
    assert_close(run([x], op(2.5, x), a), op(dtype_scalar(dtype, 2.5), a))
    assert_close(run([x], op(x, 1.5), a), op(a, dtype_scalar(dtype, 1.5)))


def dtype_scalar(dtype, value):
    return np.asarray(value, dtype=dtype)[()]


def test_power_and_unary_operators(rng):
    x = T.dvector("x")
    a = rng.uniform(0.5, 2.0, size=5)
    assert_close(run([x], x**2, a), a**2)
    assert_close(run([x], 2**x, a), 2**a)
    assert_close(run([x], -x, a), -a)
    assert_close(run([x], abs(x - 1.0), a), np.abs(a - 1.0))


def test_integer_and_bitwise_operators(rng):
    i, j = T.ivectors("i", "j")
    a = rng.integers(-50, 50, size=6).astype("int32")
    b = rng.integers(1, 7, size=6).astype("int32")
    for op in [operator.and_, operator.or_, operator.xor, operator.lshift, operator.rshift,
               operator.floordiv, operator.mod]:
        assert_close(run([i, j], op(i, j), a, b), op(a, b))
    assert_close(run([i], ~i, a), ~a)
    p, q = T.bvectors("p", "q")
    mask_a = T.lt(p, 0)
    mask_b = T.gt(q, 0)
    pa = rng.integers(-5, 5, size=6).astype("int8")
    qa = rng.integers(-5, 5, size=6).astype("int8")
    assert_close(run([p, q], mask_a & mask_b, pa, qa), (pa < 0) & (qa > 0))
    assert_close(run([p], ~mask_a, pa), ~(pa < 0))


def test_python_scalars_are_weak():
    f32 = T.fvector()
    assert (f32 + 2.5).dtype == "float32"
    assert (2 * f32).dtype == "float32"
    i8 = T.bvector()
    assert (i8 + 1).dtype == "int8"
    assert (i8 * 2.0).dtype == "float64"
    i32 = T.ivector()
    assert (i32 + 2.5).dtype == "float64"
    assert (i32 + True).dtype == "int32"
    # NumPy scalars and arrays are strong, as in NumPy 2.
    assert (f32 + np.float64(2.5)).dtype == "float64"
    assert (i8 + np.int16(1)).dtype == "int16"
    assert (np.float64(2.0) * f32).dtype == "float64"
    u8 = T.TensorType("uint8", (False,))()
    assert (u8 * np.float32(2.0)).dtype == "float32"


def test_python_ints_out_of_range_raise_like_numpy():
    i8 = T.bvector()
    with pytest.raises(OverflowError, match="300 out of bounds for int8"):
        i8 + 300
    u8 = T.TensorType("uint8", (False,))()
    with pytest.raises(OverflowError):
        u8 * -1
    assert (i8 + 127).dtype == "int8"
    assert (T.lvector() + (2**63 - 1)).dtype == "int64"
    with pytest.raises(OverflowError):
        T.lvector() + 2**63


def test_weak_scalars_compute_in_the_variable_dtype():
    x = T.bvector("x")
    out = run([x], x + 100, np.array([100, -100], dtype="int8"))
    assert out.dtype == np.int8
    np.testing.assert_array_equal(out, np.array([100, -100], dtype="int8") + np.int8(100))


def test_comparisons_build_graphs_and_have_no_truth_value(rng):
    x, y = T.dvectors("x", "y")
    cond = x < y
    assert cond.dtype == "bool"
    with pytest.raises(TypeError, match="truth value"):
        bool(cond)
    with pytest.raises(TypeError):
        if x > 0:
            pass
    a, b = rng.standard_normal(5), rng.standard_normal(5)
    assert_close(run([x, y], T.eq(x, y), a, a), np.ones(5, dtype=bool))
    assert_close(run([x, y], T.neq(x, y), a, b), a != b)


def test_transpose_and_dimshuffle(rng):
    x = T.dtensor3("x")
    a = rng.standard_normal((2, 3, 4))
    assert_close(run([x], x.T, a), a.T)
    assert_close(run([x], x.transpose(1, 0, 2), a), a.transpose(1, 0, 2))
    assert_close(run([x], x.transpose([2, 0, 1]), a), a.transpose(2, 0, 1))
    assert_close(run([x], T.transpose(x, (0, 2, 1)), a), a.transpose(0, 2, 1))
    assert_close(run([x], T.transpose(x, (-1, 0, 1)), a), a.transpose(2, 0, 1))
    d = x.dimshuffle(2, "x", 0, 1)
    assert d.broadcastable == (False, True, False, False)
    assert_close(run([x], d, a), a.transpose(2, 0, 1)[:, None])
    assert_close(run([x], x.dimshuffle([0, 1, 2, "x"]), a), a[..., None])
    r = T.drow("r")
    assert r.dimshuffle(1).ndim == 1
    with pytest.raises(ValueError, match="static size 1"):
        x.dimshuffle(0, 1)
    with pytest.raises(ValueError):
        x.dimshuffle(0, 1, "y")


def test_methods(rng):
    x = T.dmatrix("x")
    a = rng.standard_normal((3, 4))
    assert_close(run([x], x.astype("float32"), a), a.astype("float32"))
    assert_close(run([x], x.clip(-0.5, 0.5), a), np.clip(a, -0.5, 0.5))
    assert x.astype("float64") is x
    assert_close(run([x], x.sum(axis=0), a), a.sum(axis=0))
    assert_close(run([x], x.prod(axis=-1, keepdims=True), a), a.prod(axis=-1, keepdims=True))
    assert_close(run([x], x.max(), a), a.max())
    assert_close(run([x], x.min(axis=[0, 1]), a), a.min(axis=(0, 1)))
    assert_close(run([x], (x > 0).all(axis=1), a), (a > 0).all(axis=1))
    assert_close(run([x], (x > 0).any(axis=0), a), (a > 0).any(axis=0))


def test_eval(rng):
    x, y = T.dvectors("x", "y")
    z = x * 2 + y
    a, b = rng.standard_normal(3), rng.standard_normal(3)
    assert_close(z.eval({x: a, y: b}), a * 2 + b)
    # the compiled function is reused
    assert_close(z.eval({x: b, y: a}), b * 2 + a)
    assert len(z._fn_cache) == 1
    assert_close(T.constant(np.arange(3.0)).sum().eval(), np.float64(3.0))
