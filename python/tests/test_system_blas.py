"""theon.config.blas__ldflags: products on a system BLAS (here the OpenBLAS
that NumPy's wheel bundles) agree with NumPy; bad libraries are refused.

Tolerances: float32 rtol 1e-5, float64 rtol 1e-12 (atol alike); a dot of
C-contiguous matrices makes the very call NumPy makes, so it must match
NumPy's result exactly."""

import glob
import os

import numpy as np
import pytest

import theon
import theon.tensor as T


def numpy_openblas():
    """The OpenBLAS bundled in NumPy's wheel, or None."""
    libs = os.path.join(os.path.dirname(os.path.dirname(np.__file__)), "numpy.libs")
    found = sorted(glob.glob(os.path.join(libs, "*openblas*.so*")))
    return found[0] if found else None


@pytest.fixture
def openblas():
    path = numpy_openblas()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("NumPy's wheel bundles no OpenBLAS here")
        pytest.skip("NumPy's wheel bundles no OpenBLAS here")
    return path


TOL = {"float32": 1e-5, "float64": 1e-12}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dot_and_gemv_on_numpys_openblas(openblas, dtype):
    rng = np.random.default_rng(7)
    a = rng.standard_normal((33, 130)).astype(dtype)
    b = rng.standard_normal((130, 65)).astype(dtype)
    bt = rng.standard_normal((65, 130)).astype(dtype).T
    v = rng.standard_normal(260).astype(dtype)[::2]
    x, y, z = T.matrix(dtype=dtype), T.matrix(dtype=dtype), T.vector(dtype=dtype)
    with theon.config.change_flags(blas__ldflags=openblas):
        assert theon.config.blas__ldflags == openblas
        f = theon.function([x, y, z], [T.dot(x, y), T.dot(x, z), 0.5 * T.dot(x, y).T])
        ab, av, abt = f(a, bt, v)
        exact = theon.function([x, y], T.dot(x, y))(a, b)
    assert theon.config.blas__ldflags == ""
    tol = TOL[dtype]
    np.testing.assert_array_equal(exact, a @ b)
    np.testing.assert_allclose(ab, a @ bt, rtol=tol, atol=tol)
    np.testing.assert_allclose(av, a @ v, rtol=tol, atol=tol)
    np.testing.assert_allclose(abt, 0.5 * (a @ bt).T, rtol=tol, atol=tol)


def test_a_library_that_is_not_a_blas_is_refused():
    with pytest.raises(ValueError, match="cannot load '/nonexistent/libnoblas.so'"):
        theon.config.blas__ldflags = "/nonexistent/libnoblas.so"
    with pytest.raises(ValueError, match="'libm.so.6' is not a CBLAS library.*cblas_sgemm"):
        theon.config.blas__ldflags = "libm.so.6"
    assert theon.config.blas__ldflags == ""
    assert "blas__ldflags" in dir(theon.config)
