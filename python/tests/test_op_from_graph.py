"""``theon.compile.builders.OpFromGraph``: subgraphs as ops, called on
new variables, with shared variables, inlined or not, with derived and
overridden gradients."""

import inspect

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon import function
from theon.compile.builders import OpFromGraph
from theon.gradient import verify_grad


def here():
    frame = inspect.currentframe().f_back
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


@pytest.mark.parametrize("inline", [False, True])
def test_called_like_an_op(rng, inline):
    x, y, z = T.dscalars("x", "y", "z")
    op = OpFromGraph([x, y, z], [x + y * z], inline=inline)
    e2 = op(x, y, z) + op(z, y, x)
    fn = function([x, y, z], e2)
    a, b, c = rng.standard_normal(3)
    np.testing.assert_allclose(fn(a, b, c), (a + b * c) + (c + b * a), rtol=1e-14)
    assert theon.OpFromGraph is OpFromGraph and op.is_inline == inline


def test_reads_shared_variables_and_returns_several_outputs(rng):
    x, y = T.dmatrices("x", "y")
    s = theon.shared(rng.standard_normal((2, 2)), name="s")
    op = OpFromGraph([x, y], [x + y + s, T.dot(x, y)], name="pair")
    assert str(op) == "pair"
    a, b = T.dmatrices("a", "b")
    total, prod = op(a, b)
    f = function([a, b], [total, prod])
    av, bv = rng.standard_normal((2, 2)), rng.standard_normal((2, 2))
    got_total, got_prod = f(av, bv)
    np.testing.assert_allclose(got_total, av + bv + s.get_value(), rtol=1e-14)
    np.testing.assert_allclose(got_prod, av @ bv, rtol=1e-14)
    s.set_value(np.ones((2, 2)))
    np.testing.assert_allclose(f(av, bv)[0], av + bv + 1.0, rtol=1e-14)


def test_derived_gradient_matches_finite_differences(rng):
    x, y = T.dvectors("x", "y")
    op = OpFromGraph([x, y], [T.exp(x) * T.tanh(y)])
    verify_grad(lambda a, b: op(a, b), [rng.standard_normal(3), rng.standard_normal(3)],
                rng=np.random.default_rng(3))


def test_grad_overrides_callable_and_per_input_list(rng):
    x, y, z = T.dscalars("x", "y", "z")
    e = x + y * z

    def rescale_dy(inps, grads):
        x, y, z = inps
        (g,) = grads
        return z * 2

    op = OpFromGraph([x, y, z], [e], grad_overrides=["default", rescale_dy, "default"])
    out = 2.0 * op(x, y, z)
    dx, dy, dz = theon.grad(out, [x, y, z])
    f = function([x, y, z], [dx, dy, dz])
    a, b, c = rng.standard_normal(3)
    got = f(a, b, c)
    np.testing.assert_allclose(got, [2.0, c * 2, 2.0 * b], rtol=1e-14)

    whole = OpFromGraph([x, y], [x * y], grad_overrides=lambda inps, grads: [grads[0] * 10, None])
    gx, gy = theon.grad(whole(x, y), [x, y])
    got = function([x, y], [gx, gy], on_unused_input="ignore")(a, b)
    np.testing.assert_allclose(got, [10.0, 0.0], rtol=1e-15)

    grad_op = OpFromGraph([x, y, z], [z * y * 3, z * x * 3])
    via_op = OpFromGraph([x, y], [x * y], grad_overrides=grad_op)
    gx, gy = theon.grad(via_op(x, y), [x, y])
    np.testing.assert_allclose(function([x, y], [gx, gy])(a, b), [3 * b, 3 * a], rtol=1e-14)


def test_errors(rng):
    x, y = T.dvectors("x", "y")
    with pytest.raises(ValueError, match="not among the inputs") as info:
        site = here(); OpFromGraph([x], [x + y])  # noqa: E702
    assert info.value.site == site
    op = OpFromGraph([x], [x * 2])
    with pytest.raises(ValueError, match="takes 1 inputs, got 2") as info:
        site = here(); op(x, y)  # noqa: E702
    assert info.value.site == site
    with pytest.raises(ValueError, match="float32") as info:
        site = here(); op(T.fvector("f"))  # noqa: E702
    assert info.value.site == site
    with pytest.raises(NotImplementedError):
        OpFromGraph([x], [x * 2], rop_overrides=lambda *a: a)
    with pytest.raises(ValueError, match="2 entries for 1 inputs"):
        OpFromGraph([x], [x * 2], grad_overrides=["default", "default"])

    def failing(inps, grads):
        raise KeyError("no gradient here")

    bad = OpFromGraph([x], [x * 2], grad_overrides=failing)
    with pytest.raises(theon.exceptions.GradientError, match="KeyError"):
        theon.grad(bad(x).sum(), x)
