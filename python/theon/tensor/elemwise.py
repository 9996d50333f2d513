"""Elementwise operations under Theano's names (``exp``, ``switch``, ``eq``, ...).

Each applies one scalar function to every element with NumPy
broadcasting (a dim broadcasts only when it is statically 1). Python
scalars are weak operands (NEP 50): ``T.maximum(x, 0)`` keeps ``x``'s dtype.
"""

from theon import _theon


def _unary(engine_name, name, doc):
    def op(x):
        return _theon.elemwise(engine_name, x)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


def _binary(engine_name, name, doc):
    def op(a, b):
        return _theon.elemwise(engine_name, a, b)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


def _variadic(engine_name, name, doc):
    def op(*inputs):
        return _theon.elemwise(engine_name, *inputs)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


# (theano name, engine name, description)
_UNARY = [
    ("neg", "neg", "-x"),
    ("abs_", "abs", "|x|"),
    ("sgn", "sign", "the sign of x (-1, 0 or 1)"),
    ("sign", "sign", "the sign of x (-1, 0 or 1)"),
    ("exp", "exp", "e**x"),
    ("exp2", "exp2", "2**x"),
    ("expm1", "expm1", "e**x - 1, accurate near 0"),
    ("log", "log", "natural logarithm"),
    ("log2", "log2", "base-2 logarithm"),
    ("log10", "log10", "base-10 logarithm"),
    ("log1p", "log1p", "log(1 + x), accurate near 0"),
    ("sqrt", "sqrt", "square root"),
    ("sqr", "sqr", "x * x"),
    ("square", "sqr", "x * x"),
    ("inv", "reciprocal", "1 / x (a float)"),
    ("reciprocal", "reciprocal", "1 / x (a float)"),
    ("sin", "sin", "sine"),
    ("cos", "cos", "cosine"),
    ("tan", "tan", "tangent"),
    ("arcsin", "arcsin", "inverse sine"),
    ("arccos", "arccos", "inverse cosine"),
    ("arctan", "arctan", "inverse tangent"),
    ("sinh", "sinh", "hyperbolic sine"),
    ("cosh", "cosh", "hyperbolic cosine"),
    ("tanh", "tanh", "hyperbolic tangent"),
    ("arcsinh", "arcsinh", "inverse hyperbolic sine"),
    ("arccosh", "arccosh", "inverse hyperbolic cosine"),
    ("arctanh", "arctanh", "inverse hyperbolic tangent"),
    ("sigmoid", "sigmoid", "1 / (1 + exp(-x)), computed stably"),
    ("softplus", "softplus", "log(1 + exp(x)), computed stably"),
    ("erf", "erf", "the error function"),
    ("erfc", "erfc", "1 - erf(x)"),
    ("erfinv", "erfinv", "the inverse error function"),
    ("gamma", "gamma", "the gamma function"),
    ("gammaln", "gammaln", "log |gamma(x)|"),
    ("psi", "psi", "the digamma function"),
    ("floor", "floor", "round down"),
    ("ceil", "ceil", "round up"),
    ("round_half_to_even", "round", "round to nearest, ties to even (NumPy's round)"),
    ("trunc", "trunc", "round toward zero"),
    ("isnan", "isnan", "True where x is NaN"),
    ("isinf", "isinf", "True where x is infinite"),
    ("invert", "invert", "bitwise not (logical not for booleans)"),
    ("bitwise_not", "invert", "bitwise not (logical not for booleans)"),
    ("logical_not", "logical_not", "True where x is zero"),
]

_BINARY = [
    ("sub", "sub", "a - b"),
    ("true_div", "true_div", "a / b (a float)"),
    ("floor_div", "floor_div", "a // b"),
    ("int_div", "floor_div", "a // b"),
    ("mod", "mod", "a % b (sign of b, as in Python)"),
    ("pow", "pow", "a ** b"),
    ("arctan2", "arctan2", "the angle of the point (b, a)"),
    ("hypot", "hypot", "sqrt(a**2 + b**2)"),
    ("eq", "eq", "a == b elementwise"),
    ("neq", "neq", "a != b elementwise"),
    ("lt", "lt", "a < b"),
    ("le", "le", "a <= b"),
    ("gt", "gt", "a > b"),
    ("ge", "ge", "a >= b"),
    ("left_shift", "left_shift", "a << b"),
    ("right_shift", "right_shift", "a >> b"),
]

# Theano applies these to any number of inputs, folding left.
_VARIADIC = [
    ("add", "add", "a + b + ..."),
    ("mul", "mul", "a * b * ..."),
    ("maximum", "maximum", "the elementwise maximum"),
    ("minimum", "minimum", "the elementwise minimum"),
    ("and_", "bitwise_and", "bitwise and (logical and for booleans)"),
    ("or_", "bitwise_or", "bitwise or (logical or for booleans)"),
    ("xor", "bitwise_xor", "bitwise xor (logical xor for booleans)"),
    ("bitwise_and", "bitwise_and", "bitwise and"),
    ("bitwise_or", "bitwise_or", "bitwise or"),
    ("bitwise_xor", "bitwise_xor", "bitwise xor"),
    ("logical_and", "and", "True where both are nonzero"),
    ("logical_or", "or", "True where either is nonzero"),
    ("logical_xor", "xor", "True where exactly one is nonzero"),
]


def _build():
    made = {}
    for name, engine, doc in _UNARY:
        made[name] = _unary(engine, name, f"Elementwise {doc}.")
    for name, engine, doc in _BINARY:
        made[name] = _binary(engine, name, f"Elementwise {doc}.")
    for name, engine, doc in _VARIADIC:
        made[name] = _variadic(engine, name, f"Elementwise {doc}.")
    return made


_FUNCTIONS = _build()
globals().update(_FUNCTIONS)


def switch(cond, ift, iff):
    """Elements of ``ift`` where ``cond`` is true, else of ``iff``."""
    return _theon.elemwise("switch", cond, ift, iff)


where = switch


def clip(x, min, max):
    """``x`` limited to ``[min, max]``."""
    return _theon.elemwise("clip", x, min, max)


def cast(x, dtype):
    """``x`` converted to ``dtype`` (``x`` itself when it already has it)."""
    return _theon.cast(x, dtype)


__all__ = ["switch", "where", "clip", "cast", *_FUNCTIONS]
