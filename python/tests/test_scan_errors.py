"""Errors of ``theon.scan``: mapped Python exceptions that name the output
and point at the user's ``scan`` call and step function; Python
exceptions raised by the step propagate unchanged."""

import inspect

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon import exceptions, function


def here():
    """file:line of the caller."""
    frame = inspect.currentframe().f_back
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


def test_step_output_type_not_matching_outputs_info_names_both_lines():
    x0 = T.dscalar("x0")
    lines = {}

    def step(h):
        lines["step"] = here(); return (h * 2).astype("float32")  # noqa: E702

    with pytest.raises(exceptions.TheonValueError) as info:
        site = here(); theon.scan(step, outputs_info=x0, n_steps=3)  # noqa: E702
    message = str(info.value)
    assert info.value.site == site
    assert "output 0" in message and "float32" in message and "float64" in message
    assert f"the step computed it at {lines['step']}" in message
    assert f"created at {site}" in message


def test_step_output_of_another_rank_is_refused():
    h0 = T.dvector("h0")
    with pytest.raises(ValueError) as info:
        site = here(); theon.scan(lambda h: h.sum(), outputs_info=h0, n_steps=2)  # noqa: E702
    assert info.value.site == site and "output 0" in str(info.value)


def test_sequences_of_different_lengths_without_n_steps_run_the_shortest():
    # Theano iterates over the shortest sequence (the tutorial's polynomial
    # pairs its coefficients with arange(10000)).
    x, y = T.dvectors("x", "y")
    zs, _ = theon.scan(lambda a, b: a + b, sequences=[x, y])
    f = function([x, y], zs)
    np.testing.assert_allclose(f(np.arange(3.0), np.ones(3)), np.arange(3.0) + 1)
    np.testing.assert_allclose(f(np.arange(3.0), np.ones(4)), np.arange(3.0) + 1)
    np.testing.assert_allclose(f(np.arange(5.0), np.ones(2)), np.arange(2.0) + 1)


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda x, h: dict(sequences=dict(input=x, taps=[0, 0])), "distinct"),
        (lambda x, h: dict(outputs_info=dict(initial=h, taps=[-1, 1]), n_steps=2), "negative"),
        (lambda x, h: dict(outputs_info=dict(initial=h, taps=[]), n_steps=2), "non-empty"),
    ],
)
def test_bad_taps(make, words):
    x = T.dvector("x")
    h = T.dvector("h")
    with pytest.raises(ValueError) as info:
        site = here(); theon.scan(lambda *args: args[0] * 1.0, **make(x, h))  # noqa: E702
    assert words in str(info.value) and info.value.site == site


def test_non_positive_n_steps():
    h0 = T.dscalar("h0")
    with pytest.raises(ValueError) as info:
        site = here(); theon.scan(lambda h: h + 1, outputs_info=h0, n_steps=0)  # noqa: E702
    assert "n_steps" in str(info.value) and info.value.site == site
    n = T.lscalar("n")
    hs, _ = theon.scan(lambda h: h + 1, outputs_info=h0, n_steps=n); site = here()  # noqa: E702
    f = function([h0, n], hs)
    np.testing.assert_allclose(f(0.5, 3), [1.5, 2.5, 3.5])
    with pytest.raises(ValueError) as info:
        f(0.5, -2)
    assert "n_steps" in str(info.value) and info.value.site == site


def test_truncate_gradient_must_be_minus_one_or_positive():
    x = T.dvector("x")
    for bad in (0, -3):
        with pytest.raises(ValueError) as info:
            site = here(); theon.scan(lambda v: v * 2, sequences=x, truncate_gradient=bad)  # noqa: E702
        assert "truncate_gradient" in str(info.value) and info.value.site == site


def test_python_exceptions_from_the_step_propagate_unchanged():
    class Boom(Exception):
        pass

    raised = Boom("from the step")

    def step(v):
        raise raised

    with pytest.raises(Boom) as info:
        theon.scan(step, sequences=T.dvector("x"))
    assert info.value is raised
    # Errors of ops called inside the step are the ops' own, at the step's line.
    lines = {}

    def bad_axis(v):
        lines["step"] = here(); return v.sum(axis=2)  # noqa: E702

    with pytest.raises(exceptions.AxisError) as info:
        theon.scan(bad_axis, sequences=T.dmatrix("m"))
    assert info.value.site == lines["step"]


def test_bad_return_values():
    x = T.dvector("x")
    with pytest.raises(ValueError, match="may only be made of"):
        theon.scan(lambda v: 1.0, sequences=x)
    with pytest.raises(ValueError, match="restricted"):
        theon.scan(lambda v: ({}, v), sequences=x)
    with pytest.raises(TypeError, match="not a shared variable"):
        theon.scan(lambda v: (v, {v: v + 1}), sequences=x)
    with pytest.raises(ValueError, match="2 outputs but outputs_info has 1"):
        theon.scan(lambda v, h: [h + v, h], sequences=x, outputs_info=[T.dscalar("h")])
    with pytest.raises(TypeError, match="callable"):
        theon.scan(42, sequences=x)
    with pytest.raises(ValueError, match="unknown keys"):
        theon.scan(lambda v: v, sequences=dict(input=x, tap=[0]))


def test_strict_refuses_outer_variables_not_given_as_non_sequences():
    x = T.dvector("x")
    c = T.dscalar("c")
    with pytest.raises(ValueError, match="strict") as info:
        site = here(); theon.scan(lambda v: v * c, sequences=x, strict=True)  # noqa: E702
    assert info.value.site == site
