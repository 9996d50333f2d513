"""Shared fixtures: seeded random data (never zeros) and tolerances per dtype."""

import numpy as np
import pytest

#: Relative tolerance of results computed in each float dtype.
RTOL = {"float16": 2e-3, "float32": 2e-6, "float64": 1e-12}


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


def assert_close(got, want, dtype=None):
    """Values, dtype and shape match NumPy's within the dtype's tolerance."""
    want = np.asarray(want)
    got = np.asarray(got)
    assert got.shape == want.shape, (got.shape, want.shape)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    kind = str(dtype or want.dtype)
    if kind in RTOL:
        np.testing.assert_allclose(got, want, rtol=RTOL[kind], atol=RTOL[kind])
    else:
        np.testing.assert_array_equal(got, want)
