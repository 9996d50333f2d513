"""Theano's rules for converting call arguments to input dtypes."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.exceptions import InputError


def test_exact_dtype_and_safe_upcasts_are_accepted(rng):
    x = T.dvector("x")
    f = theon.function([x], x * 1)
    for dtype in ["float64", "float32", "float16", "int32", "uint8", "bool"]:
        a = rng.integers(0, 2, size=3).astype(dtype)
        out = f(a)
        assert out.dtype == np.float64
        np.testing.assert_array_equal(out, a.astype("float64"))


def test_downcasts_need_allow_input_downcast(rng):
    x = T.fvector("xf")
    f = theon.function([x], x * 1)
    a = rng.standard_normal(3)
    with pytest.raises(TypeError, match="xf") as info:
        f(a)
    assert isinstance(info.value, InputError)
    assert "float64" in str(info.value) and "allow_input_downcast" in str(info.value)
    g = theon.function([x], x * 1, allow_input_downcast=True)
    np.testing.assert_array_equal(g(a), a.astype("float32"))
    i = T.ivector("i")
    with pytest.raises(TypeError, match="'i'"):
        theon.function([i], i + 1)(np.array([1, 2], dtype="int64"))


def test_python_values_are_converted_when_exact():
    x = T.fvector("x")
    f = theon.function([x], x + 0)
    np.testing.assert_array_equal(f([1, 2, 3]), np.float32([1, 2, 3]))
    np.testing.assert_array_equal(f([0.5, 0.25]), np.float32([0.5, 0.25]))
    with pytest.raises(TypeError, match="cannot store"):
        f([0.1])  # 0.1 is not exact in float32 (and floatX is float64)
    b = T.bscalar("b")
    g = theon.function([b], b * 1)
    assert g(100) == 100 and g(100).dtype == np.int8
    with pytest.raises(TypeError, match="'b'"):
        g(300)
    with pytest.raises(TypeError):
        g(1.5)
    assert g(np.int64(7)) == 7  # NumPy scalars convert when exact
    with pytest.raises(TypeError):
        theon.function([x], x + 0)(np.float64([0.1]))  # arrays never downcast


def test_python_float_converts_to_floatx():
    with theon.config.change_flags(floatX="float32"):
        s = T.scalar("s")
        assert s.dtype == "float32"
        f = theon.function([s], s * 2)
        out = f(0.1)
        assert out.dtype == np.float32 and out == np.float32(0.1) * 2
        with pytest.raises(TypeError):
            theon.function([s], s * 2, allow_input_downcast=False)(0.1)


def test_wrong_rank_names_the_input():
    x = T.dmatrix("mat")
    f = theon.function([x], x + 1)
    with pytest.raises(TypeError, match="'mat' expects rank 2"):
        f(np.ones(3))
    r = T.drow("r")
    g = theon.function([r], r + 1)
    with pytest.raises(TypeError, match="'r' expects size 1 on axis 0"):
        g(np.ones((2, 3)))


def test_unsupported_values():
    x = T.dvector("x")
    f = theon.function([x], x + 1)
    with pytest.raises(TypeError, match="complex128"):
        f(np.ones(2, dtype=complex))
    with pytest.raises(TypeError):
        f(["a", "b"])
