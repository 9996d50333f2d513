"""Engine errors become Python exceptions naming the user's file and line."""

import inspect

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon import exceptions


def here():
    """file:line of the caller."""
    frame = inspect.currentframe().f_back
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


def test_runtime_shape_error_names_the_python_line():
    x, y = T.dvectors("x", "y")
    z = x * y; site = here()  # noqa: E702  (the node and the site share the line)
    f = theon.function([x, y], z)
    with pytest.raises(ValueError) as info:
        f(np.ones(3), np.ones(4))
    message = str(info.value)
    assert "mul" in message and "[3]" in message and "[4]" in message
    assert f"created at {site}" in message
    assert isinstance(info.value, exceptions.TheonError)
    assert info.value.site == site


def test_static_shape_error_at_build_time():
    a = T.tensor("float64", shape=(3,), name="a")
    b = T.tensor("float64", shape=(4,), name="b")
    with pytest.raises(exceptions.ShapeError) as info:
        site = here(); a + b  # noqa: E702
    assert isinstance(info.value, ValueError)
    assert "cannot be broadcast" in str(info.value)
    assert info.value.site == site


def test_dtype_error_is_a_type_error_with_site():
    x = T.fvector("x")
    with pytest.raises(exceptions.DTypeError) as info:
        site = here(); T.invert(x)  # noqa: E702
    assert isinstance(info.value, TypeError)
    assert "invert" in str(info.value) and "float32" in str(info.value)
    assert info.value.site == site


def test_input_errors_point_at_the_input_definition():
    v = T.fvector("v"); site = here()  # noqa: E702
    f = theon.function([v], v + 1)
    with pytest.raises(exceptions.InputError) as info:
        f(np.ones((2, 2), dtype="float32"))
    assert "'v'" in str(info.value) and info.value.site == site


def test_axis_error_through_methods_reports_the_user_line():
    x = T.dmatrix("x")
    with pytest.raises(exceptions.AxisError) as info:
        site = here(); x.sum(axis=3)  # noqa: E702
    assert info.value.site == site


def test_exception_classes():
    pairs = {
        exceptions.ShapeError: ValueError,
        exceptions.AxisError: IndexError,
        exceptions.DTypeError: TypeError,
        exceptions.TheonIndexError: IndexError,
        exceptions.TheonValueError: ValueError,
        exceptions.ArgCountError: TypeError,
        exceptions.InputError: TypeError,
        exceptions.GradientError: ValueError,
        exceptions.TheonNotImplementedError: NotImplementedError,
    }
    for cls, builtin in pairs.items():
        assert issubclass(cls, exceptions.TheonError) and issubclass(cls, builtin)
    assert issubclass(exceptions.AxisError, ValueError)
