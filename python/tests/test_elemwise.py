"""Every elementwise function of theon.tensor against NumPy (or math) on random data."""

import math

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.tensor import elemwise

from conftest import RTOL, assert_close

vec_erf = np.vectorize(math.erf)
vec_erfc = np.vectorize(math.erfc)
vec_gamma = np.vectorize(math.gamma)
vec_lgamma = np.vectorize(math.lgamma)


def digamma(x):
    # psi(x) = psi(x + n) - sum 1/(x + k), then the asymptotic series
    out = np.zeros_like(x)
    y = x.copy()
    while (y < 20).any():
        small = y < 20
        out[small] -= 1 / y[small]
        y[small] += 1
    inv2 = 1 / (y * y)
    series = inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 / 240)))
    return out + np.log(y) - 0.5 / y - series


# theano name -> (reference, low, high) for the random inputs
UNARY = {
    "neg": (np.negative, -3, 3),
    "abs_": (np.abs, -3, 3),
    "sgn": (np.sign, -3, 3),
    "sign": (np.sign, -3, 3),
    "exp": (np.exp, -3, 3),
    "exp2": (np.exp2, -3, 3),
    "expm1": (np.expm1, -3, 3),
    "log": (np.log, 0.1, 5),
    "log2": (np.log2, 0.1, 5),
    "log10": (np.log10, 0.1, 5),
    "log1p": (np.log1p, -0.9, 5),
    "sqrt": (np.sqrt, 0.1, 5),
    "sqr": (np.square, -3, 3),
    "square": (np.square, -3, 3),
    "inv": (np.reciprocal, 0.5, 3),
    "reciprocal": (np.reciprocal, 0.5, 3),
    "sin": (np.sin, -3, 3),
    "cos": (np.cos, -3, 3),
    "tan": (np.tan, -1.2, 1.2),
    "arcsin": (np.arcsin, -0.99, 0.99),
    "arccos": (np.arccos, -0.99, 0.99),
    "arctan": (np.arctan, -3, 3),
    "sinh": (np.sinh, -3, 3),
    "cosh": (np.cosh, -3, 3),
    "tanh": (np.tanh, -3, 3),
    "arcsinh": (np.arcsinh, -3, 3),
    "arccosh": (np.arccosh, 1.01, 5),
    "arctanh": (np.arctanh, -0.99, 0.99),
    "sigmoid": (lambda a: 1 / (1 + np.exp(-a)), -5, 5),
    "softplus": (lambda a: np.log1p(np.exp(a)), -5, 5),
    "erf": (vec_erf, -2, 2),
    "erfc": (vec_erfc, -2, 2),
    "gamma": (vec_gamma, 0.2, 5),
    "gammaln": (vec_lgamma, 0.2, 5),
    "psi": (digamma, 0.2, 5),
    "floor": (np.floor, -3, 3),
    "ceil": (np.ceil, -3, 3),
    "round_half_to_even": (np.round, -3, 3),
    "trunc": (np.trunc, -3, 3),
}


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_unary_float(name, dtype, rng):
    ref, lo, hi = UNARY[name]
    x = T.vector("x", dtype=dtype)
    a = rng.uniform(lo, hi, size=7).astype(dtype)
    got = theon.function([x], getattr(T, name)(x))(a)
    want = ref(a.astype("float64"))
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_allclose(got, want.astype(dtype), rtol=RTOL[dtype] * 4, atol=RTOL[dtype])


def test_erfinv_inverts_erf(rng):
    x = T.dvector("x")
    a = rng.uniform(-0.95, 0.95, size=9)
    np.testing.assert_allclose(vec_erf(T.erfinv(x).eval({x: a})), a, rtol=1e-12)


def test_unary_on_integers_follows_numpy_dtypes(rng):
    i = T.bvector("i")
    a = rng.integers(-10, 10, size=6).astype("int8")
    assert_close(T.exp(i).eval({i: a}), np.exp(a))  # float16, as NumPy
    assert_close(T.neg(i).eval({i: a}), -a)
    assert_close(T.abs_(i).eval({i: a}), np.abs(a))
    l = T.lvector("l")
    b = rng.integers(1, 100, size=6)
    assert_close(T.sqrt(l).eval({l: b}), np.sqrt(b))


def test_predicates(rng):
    x = T.dvector("x")
    a = np.array([1.5, np.nan, -np.inf, 0.0, np.inf])
    assert_close(T.isnan(x).eval({x: a}), np.isnan(a))
    assert_close(T.isinf(x).eval({x: a}), np.isinf(a))
    assert_close(T.logical_not(x).eval({x: a}), np.logical_not(a))


BINARY = {
    "sub": np.subtract,
    "true_div": np.true_divide,
    "floor_div": np.floor_divide,
    "int_div": np.floor_divide,
    "mod": np.mod,
    "pow": np.power,
    "arctan2": np.arctan2,
    "hypot": np.hypot,
    "eq": np.equal,
    "neq": np.not_equal,
    "lt": np.less,
    "le": np.less_equal,
    "gt": np.greater,
    "ge": np.greater_equal,
    "add": np.add,
    "mul": np.multiply,
    "maximum": np.maximum,
    "minimum": np.minimum,
}


@pytest.mark.parametrize("name", BINARY)
def test_binary_float_with_broadcasting(name, rng):
    x = T.dmatrix("x")
    y = T.drow("y")
    a = rng.uniform(0.5, 3, size=(3, 4))
    b = rng.uniform(0.5, 3, size=(1, 4))
    got = theon.function([x, y], getattr(T, name)(x, y))(a, b)
    assert_close(got, BINARY[name](a, b))


INT_BINARY = {
    "and_": np.bitwise_and,
    "or_": np.bitwise_or,
    "xor": np.bitwise_xor,
    "bitwise_and": np.bitwise_and,
    "bitwise_or": np.bitwise_or,
    "bitwise_xor": np.bitwise_xor,
    "left_shift": np.left_shift,
    "right_shift": np.right_shift,
    "floor_div": np.floor_divide,
    "mod": np.mod,
    "logical_and": np.logical_and,
    "logical_or": np.logical_or,
    "logical_xor": np.logical_xor,
}


@pytest.mark.parametrize("name", INT_BINARY)
def test_binary_integer(name, rng):
    i, j = T.wvectors("i", "j")
    a = rng.integers(-100, 100, size=8).astype("int16")
    b = rng.integers(1, 6, size=8).astype("int16")
    b[::3] *= -1
    if "shift" in name:
        b = np.abs(b)
    got = theon.function([i, j], getattr(T, name)(i, j))(a, b)
    assert_close(got, INT_BINARY[name](a, b))


def test_invert_and_bitwise_not(rng):
    i = T.lvector("i")
    a = rng.integers(-100, 100, size=5)
    assert_close(T.invert(i).eval({i: a}), ~a)
    assert_close(T.bitwise_not(i).eval({i: a}), ~a)


def test_variadic_add_and_mul(rng):
    x, y, z = T.dvectors("x", "y", "z")
    a, b, c = (rng.standard_normal(4) for _ in range(3))
    f = theon.function([x, y, z], [T.add(x, y, z), T.mul(x, y, z), T.maximum(x, y, z)])
    s, p, m = f(a, b, c)
    assert_close(s, a + b + c)
    assert_close(p, a * b * c)
    assert_close(m, np.maximum(np.maximum(a, b), c))
    with pytest.raises(TypeError):
        T.sub(x, y, z)


def test_switch_where_clip_cast(rng):
    c = T.bvector("c")
    x, y = T.fvectors("x", "y")
    cond = rng.integers(0, 2, size=6).astype("int8")
    a = rng.standard_normal(6).astype("float32")
    b = rng.standard_normal(6).astype("float32")
    f = theon.function([c, x, y], [T.switch(c, x, y), T.where(T.gt(x, y), x, 0.0)])
    sw, wh = f(cond, a, b)
    assert_close(sw, np.where(cond, a, b))
    assert_close(wh, np.where(a > b, a, np.float32(0)))
    assert_close(T.clip(x, -0.5, 0.5).eval({x: a}), np.clip(a, np.float32(-0.5), np.float32(0.5)))
    assert_close(T.cast(x, "int32").eval({x: a * 10}), (a * 10).astype("int32"))
    assert T.cast(x, "float32") is x


def test_functions_take_python_and_numpy_values(rng):
    assert_close(T.exp(1.0).eval(), np.exp(1.0))
    assert_close(T.add([1, 2], 3).eval(), np.array([4, 5]))
    assert_close(T.maximum(np.float32([1, 5]), 2).eval(), np.float32([2, 5]))


def test_every_engine_op_has_a_theano_name():
    unary, binary, other = theon._theon.elemwise_names()
    exported = {
        "neg", "abs", "sign", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt",
        "sqr", "reciprocal", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh",
        "tanh", "arcsinh", "arccosh", "arctanh", "sigmoid", "softplus", "erf", "erfc", "erfinv",
        "gamma", "gammaln", "psi", "floor", "ceil", "round", "trunc", "isnan", "isinf",
        "logical_not", "invert", "add", "sub", "mul", "true_div", "floor_div", "mod", "pow",
        "maximum", "minimum", "arctan2", "hypot", "eq", "neq", "lt", "le", "gt", "ge", "and",
        "or", "xor", "bitwise_and", "bitwise_or", "bitwise_xor", "left_shift", "right_shift",
        "switch", "clip",
    }
    engine = set(unary) | set(binary) | set(other)
    used = {engine_name for _, engine_name, _ in elemwise._UNARY + elemwise._BINARY + elemwise._VARIADIC}
    used |= {"switch", "clip"}
    assert engine == exported
    assert engine == used


def test_unknown_engine_op_name():
    with pytest.raises(ValueError, match="no elementwise op"):
        theon._theon.elemwise("frobnicate", T.dvector())
