"""NumPy arrays in and out for every dtype, layout and byte order."""

import numpy as np
import pytest

import theon
import theon.tensor as T

DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float16", "float32", "float64"]


def random_array(rng, dtype, shape):
    if dtype == "bool":
        return rng.integers(0, 2, size=shape).astype(bool)
    if dtype.startswith(("int", "uint")):
        info = np.iinfo(dtype)
        return rng.integers(max(info.min, -1000), min(info.max, 1000), size=shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_round_trip_every_dtype(dtype, rng):
    x = T.TensorType(dtype, (False, False))("x")
    f = theon.function([x], x)
    a = random_array(rng, dtype, (3, 4))
    out = f(a)
    assert out.dtype == np.dtype(dtype) and out.shape == (3, 4)
    np.testing.assert_array_equal(out, a)
    assert not np.shares_memory(out, a)
    assert out.flags.writeable


@pytest.mark.parametrize("dtype", ["float16", "int32", "bool", "uint64"])
def test_non_contiguous_and_reversed_inputs(dtype, rng):
    x = T.TensorType(dtype, (False, False))("x")
    f = theon.function([x], x)
    base = random_array(rng, dtype, (6, 8))
    for view in [base.T, base[1::2, ::3], base[::-1, ::-2], np.asfortranarray(base)]:
        np.testing.assert_array_equal(f(view), view)


def test_byte_order_and_special_shapes(rng):
    x = T.dvector("x")
    f = theon.function([x], x * 2)
    big = rng.standard_normal(5).astype(">f8")
    np.testing.assert_array_equal(f(big), big.astype("<f8") * 2)
    np.testing.assert_array_equal(f(np.empty(0)), np.empty(0))
    s = T.dscalar("s")
    out = theon.function([s], s + 1)(np.float64(2.5))
    assert out.shape == () and out == 3.5
    m = T.dtensor3("m")
    empty = theon.function([m], m + 1)(np.empty((2, 0, 3)))
    assert empty.shape == (2, 0, 3)


def test_bool_arrays_with_non_canonical_bytes_read_as_true():
    raw = np.array([0, 1, 2, 255], dtype=np.uint8).view(bool)
    b = T.TensorType("bool", (False,))("b")
    out = theon.function([b], b)(raw)
    np.testing.assert_array_equal(out.view(np.uint8), [0, 1, 1, 1])


def test_constants_and_shared_values_of_every_dtype(rng):
    for dtype in DTYPES:
        a = random_array(rng, dtype, (2, 3))
        np.testing.assert_array_equal(T.constant(a).data, a)
        np.testing.assert_array_equal(theon.shared(a).get_value(), a)
