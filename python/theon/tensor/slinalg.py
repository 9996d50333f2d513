"""``theon.tensor.slinalg``: Theano's SciPy-style linear algebra —
``cholesky``, ``solve`` (SciPy's ``assume_a`` or Theano's
``A_structure``), ``solve_triangular`` and Theano's
``solve_lower_triangular`` / ``solve_upper_triangular`` /
``solve_symmetric``, ``eigvalsh``, ``expm``, ``kron`` and ``lstsq``.

Ops that assume a structure read only the triangle they are told to
(``lower``), as SciPy's do, and so do their gradients. A matrix that is
singular (or not positive definite for ``cholesky`` and ``assume_a='pos'``)
is an error naming the op (SciPy's ``LinAlgError``).
"""

from theon import _theon
from theon.tensor.basic import as_tensor_variable
from theon.tensor.nlinalg import kron, lstsq

# SciPy's assume_a and Theano's A_structure names -> (structure, lower or None).
_STRUCTURES = {
    "gen": ("general", None),
    "general": ("general", None),
    "sym": ("symmetric", None),
    "symmetric": ("symmetric", None),
    "her": ("symmetric", None),
    "pos": ("positive_definite", None),
    "positive_definite": ("positive_definite", None),
    "lower_triangular": ("triangular", True),
    "upper_triangular": ("triangular", False),
}


def cholesky(a, lower=True):
    """The Cholesky factor of a symmetric positive-definite matrix (read
    from its lower triangle): ``L`` with ``a = L @ L.T``, or ``U = L.T``."""
    return _theon.cholesky(a, bool(lower))


def solve(a, b, assume_a="gen", lower=False, A_structure=None):
    """``x`` with ``a @ x = b``. ``assume_a`` is SciPy's ('gen', 'sym',
    'pos'); Theano's ``A_structure`` ('general', 'symmetric',
    'lower_triangular', 'upper_triangular') takes precedence."""
    name = A_structure if A_structure is not None else assume_a
    if name not in _STRUCTURES:
        raise ValueError(f"solve: unknown matrix structure {name!r}")
    structure, triangle = _STRUCTURES[name]
    return _theon.solve(a, b, structure, bool(lower if triangle is None else triangle))


def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False):
    """``x`` with ``a @ x = b`` for a triangular ``a`` (its ``lower`` or
    upper triangle is read); ``trans`` 1/'T' solves ``a.T @ x = b``."""
    if unit_diagonal:
        raise ValueError("solve_triangular: unit_diagonal=True is not supported")
    if trans in (1, "T"):
        a = as_tensor_variable(a)
        axes = [*range(a.ndim - 2), a.ndim - 1, a.ndim - 2]
        a, lower = _theon.transpose(a, axes), not lower
    elif trans not in (0, "N"):
        raise ValueError(f"solve_triangular: trans must be 0/'N' or 1/'T', got {trans!r}")
    return _theon.solve(a, b, "triangular", bool(lower))


def solve_lower_triangular(a, b):
    """Theano's name for ``solve_triangular(a, b, lower=True)``."""
    return _theon.solve(a, b, "triangular", True)


def solve_upper_triangular(a, b):
    """Theano's name for ``solve_triangular(a, b, lower=False)``."""
    return _theon.solve(a, b, "triangular", False)


def solve_symmetric(a, b):
    """Theano's name for ``solve(a, b, assume_a='sym')`` (lower triangle)."""
    return _theon.solve(a, b, "symmetric", True)


def eigvalsh(a, b=None, lower=True):
    """The ascending eigenvalues of a symmetric matrix (its ``lower`` or
    upper triangle). The generalized problem (``b``) is not supported."""
    if b is not None:
        raise ValueError("eigvalsh: the generalized problem (b) is not supported")
    return _theon.eigh(a, bool(lower), False)[0]


def expm(A):
    """The matrix exponential (Padé approximation with scaling and squaring)."""
    return _theon.expm(A)


__all__ = [
    "cholesky",
    "solve",
    "solve_triangular",
    "solve_lower_triangular",
    "solve_upper_triangular",
    "solve_symmetric",
    "eigvalsh",
    "expm",
    "kron",
    "lstsq",
]
