"""Products: ``dot``, ``matmul``, ``tensordot``, ``outer``, ``batched_dot``,
``batched_tensordot`` and ``einsum``, with NumPy's semantics and result
dtypes (float32/float64 ``dot``/``matmul`` run on a GEMM kernel)."""

from theon import _theon


def dot(l, r):
    """NumPy's ``dot``: inner product of vectors, matrix product, and the
    sum over the last axis of ``l`` and the second-to-last of ``r``."""
    return _theon.product("dot", l, r)


def matmul(a, b):
    """NumPy's ``matmul`` (``a @ b``): batched over leading axes."""
    return _theon.product("matmul", a, b)


def outer(x, y):
    """The outer product of two vectors."""
    return _theon.product("outer", x, y)


def tensordot(a, b, axes=2):
    """Sums the last ``axes`` axes of ``a`` with the first of ``b``, or the
    pairs ``axes=(a_axes, b_axes)``."""
    return _theon.tensordot(a, b, axes)


def batched_dot(a, b):
    """``dot`` of ``a[i]`` and ``b[i]`` for each ``i`` along axis 0."""
    return _theon.product("batched_dot", a, b)


def batched_tensordot(x, y, axes=2):
    """``tensordot`` of ``x[i]`` and ``y[i]`` for each ``i`` along axis 0;
    ``axes`` counts or names axes of ``x``/``y`` other than 0."""
    return _theon.tensordot(x, y, axes, True)


def einsum(subscripts, *operands):
    """NumPy's ``einsum`` (explicit ``->`` output or the implicit form)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = operands[0]
    return _theon.einsum(subscripts, *operands)


__all__ = ["dot", "matmul", "outer", "tensordot", "batched_dot", "batched_tensordot", "einsum"]
