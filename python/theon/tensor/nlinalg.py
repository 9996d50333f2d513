"""``theon.tensor.nlinalg``: Theano's NumPy-style linear algebra —
``matrix_inverse``, ``pinv``, ``det``, ``slogdet``, ``eig``, ``eigh``,
``eigvalsh``, ``svd``, ``qr``, ``lstsq``, ``matrix_power``, ``norm``,
``kron``, ``trace`` and ``diag`` / ``extract_diag`` / ``alloc_diag``.

Matrices may carry leading batch dims (``(..., m, n)``) except in
``lstsq`` and ``kron``. Integer inputs compute in float64; float32 stays
float32. A singular matrix in ``matrix_inverse`` is an error (NumPy's
``LinAlgError``) and its ``det`` is 0. ``eig`` supports matrices whose
eigenvalues are all real (theon has no complex dtype yet). Every op is
differentiable where the result is (distinct eigenvalues and singular
values for the vectors).
"""

from theon import _theon
from theon.tensor.extra_ops import diag, diagonal


def matrix_inverse(x):
    """The inverse of each square matrix."""
    return _theon.matrix_inverse(x)


def pinv(x, hermitian=False, rcond=1e-15):
    """The Moore-Penrose pseudo-inverse (singular values at most
    ``rcond * largest`` count as zero); ``hermitian`` changes nothing."""
    return _theon.pinv(x, float(rcond))


def det(x):
    """The determinant of each square matrix."""
    return _theon.det(x)


def slogdet(x):
    """``(sign, log|det|)`` of each square matrix (NumPy's ``slogdet``)."""
    sign, logabsdet = _theon.slogdet(x)
    return sign, logabsdet


def eig(x):
    """``(w, v)``: eigenvalues and unit right eigenvectors (columns) of a
    matrix whose eigenvalues are all real."""
    w, v = _theon.eig(x)
    return w, v


def _lower(uplo):
    if uplo not in ("L", "U"):
        raise ValueError(f"UPLO must be 'L' or 'U', got {uplo!r}")
    return uplo == "L"


def eigh(a, UPLO="L"):
    """``(w, v)`` of a symmetric matrix, reading its ``UPLO`` triangle:
    ascending eigenvalues and orthonormal eigenvectors (columns)."""
    w, v = _theon.eigh(a, _lower(UPLO), True)
    return w, v


def eigvalsh(a, UPLO="L"):
    """The ascending eigenvalues of a symmetric matrix (its ``UPLO`` triangle)."""
    return _theon.eigh(a, _lower(UPLO), False)[0]


def svd(a, full_matrices=1, compute_uv=1):
    """``(u, s, vh)`` with ``a = u @ diag(s) @ vh`` (descending ``s``), or
    only ``s`` when ``compute_uv`` is false."""
    outs = _theon.svd(a, bool(full_matrices), bool(compute_uv))
    return tuple(outs) if compute_uv else outs[0]


def qr(a, mode="reduced"):
    """``(q, r)`` with ``a = q @ r`` (NumPy's modes 'reduced', 'complete';
    'r' returns only ``r``)."""
    outs = _theon.qr(a, mode)
    return outs[0] if mode == "r" else tuple(outs)


def lstsq(a, b, rcond=None):
    """``[x, residuals, rank, s]`` of ``min ||a @ x - b||`` (NumPy's
    ``lstsq``); ``rcond`` None or negative takes NumPy 2's default cutoff."""
    if rcond is not None and rcond < 0:
        rcond = None
    return _theon.lstsq(a, b, None if rcond is None else float(rcond))


def matrix_power(M, n):
    """``M`` raised to the integer power ``n`` (negative: of the inverse)."""
    return _theon.matrix_power(M, int(n))


def norm(x, ord=None, axis=None, keepdims=False):
    """NumPy's ``linalg.norm``: vector norms over one axis, matrix norms
    ('fro', 'nuc', ±1, ±2, ±inf) over two; ``ord=None`` the 2-norm of the
    reduced elements."""
    if isinstance(axis, int):
        axis = [axis]
    return _theon.norm(x, ord, None if axis is None else list(axis), keepdims)


def kron(a, b):
    """The Kronecker product (NumPy's ``kron``)."""
    return _theon.kron(a, b)


def trace(X):
    """The sum of the main diagonal of a matrix."""
    return _theon.diagonal(X, 0, 0, 1, True)


def extract_diag(x):
    """The main diagonal of a matrix (Theano's ``ExtractDiag``)."""
    return diagonal(x, 0, 0, 1)


def alloc_diag(x):
    """The square matrix with the vector ``x`` on its diagonal."""
    return diag(x, 0)


__all__ = [
    "matrix_inverse",
    "pinv",
    "det",
    "slogdet",
    "eig",
    "eigh",
    "eigvalsh",
    "svd",
    "qr",
    "lstsq",
    "matrix_power",
    "norm",
    "kron",
    "trace",
    "diag",
    "extract_diag",
    "alloc_diag",
]
