"""Variable constructors, TensorType, constants and variable attributes."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.tensor import TensorConstant, TensorType, TensorVariable

PATTERNS = {
    "scalar": (),
    "vector": (False,),
    "row": (True, False),
    "col": (False, True),
    "matrix": (False, False),
    "tensor3": (False, False, False),
    "tensor4": (False, False, False, False),
}
PREFIXES = {"b": "int8", "w": "int16", "i": "int32", "l": "int64", "f": "float32", "d": "float64"}


@pytest.mark.parametrize("kind", PATTERNS)
@pytest.mark.parametrize("prefix", PREFIXES)
def test_prefixed_constructors_fix_dtype_and_pattern(kind, prefix):
    x = getattr(T, prefix + kind)("x")
    assert isinstance(x, TensorVariable)
    assert x.dtype == PREFIXES[prefix]
    assert x.broadcastable == PATTERNS[kind]
    assert x.ndim == len(PATTERNS[kind])
    assert x.name == "x"
    assert x.type == TensorType(PREFIXES[prefix], PATTERNS[kind])


@pytest.mark.parametrize("kind", PATTERNS)
def test_plain_constructors_use_floatx_or_dtype(kind):
    make = getattr(T, kind)
    assert make().dtype == theon.config.floatX
    assert make("a", dtype="int16").dtype == "int16"
    with theon.config.change_flags(floatX="float32"):
        assert make().dtype == "float32"
        assert theon.config.floatX == "float32"
    assert make().dtype == "float64"


def test_plural_constructors():
    x, y = T.dmatrices("x", "y")
    assert (x.name, y.name, x.dtype, y.ndim) == ("x", "y", "float64", 2)
    assert T.fvectors("v").name == "v"
    many = T.iscalars(3)
    assert len(many) == 3 and all(v.dtype == "int32" and v.ndim == 0 for v in many)
    a, b = T.matrices("a", "b")
    assert a.dtype == theon.config.floatX
    assert len({a, b}) == 2


def test_tensor_type_forms():
    t = TensorType("float32", (False, True))
    assert t.dtype == "float32" and t.broadcastable == (False, True) and t.ndim == 2
    assert t.shape == (None, 1)
    assert repr(t) == "TensorType(float32, col)"
    assert TensorType("float32", shape=(None, 1)) == t
    assert TensorType(np.float32, (False, True)) == t
    assert hash(TensorType("float32", (False, True))) == hash(t)
    assert TensorType("float64", (False,)) != TensorType("float32", (False,))
    assert repr(TensorType("int8", shape=(3, None))) == "TensorType(int8, shape=(3, ?))"
    x = t("x")
    assert x.type == t and x.name == "x"
    with pytest.raises(TypeError):
        TensorType("float32")
    with pytest.raises(TypeError, match="complex128"):
        TensorType("complex128", ())
    with pytest.raises(ValueError):
        TensorType("float32", broadcastable=(True,), shape=(None,))


def test_tensor_constructor():
    x = T.tensor("float32", (False, True), name="x")
    assert x.dtype == "float32" and x.broadcastable == (False, True) and x.name == "x"
    y = T.tensor("int64", shape=(2, None, 1))
    assert y.type.shape == (2, None, 1) and y.broadcastable == (False, False, True)
    assert T.tensor(shape=(None,)).dtype == theon.config.floatX
    with pytest.raises(TypeError):
        T.tensor("float32")


def test_names_are_settable():
    x = T.dvector()
    assert x.name is None
    x.name = "renamed"
    assert x.name == "renamed" and repr(x) == "renamed"
    x.name = None
    assert repr(x) == "<TensorType(float64, vector)>"


def test_repr_shows_the_expression():
    x, y = T.dvectors("x", "y")
    assert repr(T.exp(x + y * 2)) == "exp(add(x, mul(y, 2.)))"
    assert str(x.sum(axis=0)) == "sum{axis=(0)}(x)"


def test_constants(rng):
    value = rng.standard_normal((2, 3)).astype("float32")
    c = T.constant(value, name="c")
    assert isinstance(c, TensorConstant)
    assert c.dtype == "float32" and c.ndim == 2 and c.name == "c"
    np.testing.assert_array_equal(c.data, value)
    assert T.constant([1, 2, 3]).dtype == "int64"
    assert T.constant(1.5).dtype == theon.config.floatX
    assert T.constant(7, dtype="int8").dtype == "int8"
    assert T.constant(True).dtype == "bool"
    with theon.config.change_flags(floatX="float32"):
        assert T.constant(1.5).dtype == "float32"
    with pytest.raises(ValueError):
        T.constant([1.0, 2.0], ndim=2)


def test_as_tensor_variable(rng):
    x = T.dmatrix("x")
    assert T.as_tensor_variable(x) is x
    v = T.as_tensor_variable(rng.integers(1, 9, size=4).astype("uint16"))
    assert isinstance(v, TensorConstant) and v.dtype == "uint16" and v.ndim == 1
    assert T.as_tensor_variable([[1.0, 2.0]]).broadcastable == (True, False)  # as Theano
    with pytest.raises(ValueError):
        T.as_tensor_variable(x, ndim=1)
    with pytest.raises(TypeError, match="dtype"):
        T.as_tensor_variable(["a", "b"])


def test_identity_equality_and_hashing():
    x, y = T.dvectors("x", "y")
    assert (x == x) is True
    assert (x == y) is False
    assert (x == 1.0) is False
    assert x != y
    d = {x: 1, y: 2}
    assert d[x] == 1 and d[y] == 2
    # A variable reached again through the graph is the same variable.
    z = x + y
    first_input = z.op_inputs[0]
    assert first_input == x and hash(first_input) == hash(x) and d[first_input] == 1
