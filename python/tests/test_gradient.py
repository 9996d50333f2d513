"""theon.gradient against hand-derived NumPy gradients and finite
differences: grad's argument forms and options, jacobian, hessian, Rop,
Lop, verify_grad, and the gradient modifiers, over elementwise ops,
reductions, products, softmax, cross-entropies and shape ops."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon import gradient
from theon.exceptions import GradientError
from conftest import assert_close


def test_grad_matches_hand_derivative(rng):
    x = T.dvector("x")
    cost = (T.tanh(x) ** 2).sum()
    g = theon.grad(cost, x)
    xv = rng.standard_normal(5)
    t = np.tanh(xv)
    assert_close(theon.function([x], g)(xv), 2 * t * (1 - t**2))
    assert gradient.grad is theon.grad


def test_wrt_forms_follow_the_argument(rng):
    x, y = T.dscalars("x", "y")
    cost = x * y**2
    assert isinstance(theon.grad(cost, [x, y]), list)
    assert isinstance(theon.grad(cost, (x, y)), tuple)
    gx, gy = theon.grad(cost, (x, y))
    f = theon.function([x, y], [gx, gy])
    out = f(1.5, -2.0)
    assert_close(out[0], np.array(4.0))
    assert_close(out[1], np.array(2 * 1.5 * -2.0))


def test_broadcasting_and_matrix_graph(rng):
    x = T.dmatrix("x")
    b = T.dvector("b")
    cost = T.sum(T.exp(x + b.dimshuffle("x", 0)) * x)
    gx, gb = theon.grad(cost, [x, b])
    xv, bv = rng.standard_normal((3, 4)), rng.standard_normal(4)
    e = np.exp(xv + bv)
    out = theon.function([x, b], [gx, gb])(xv, bv)
    assert_close(out[0], e * xv + e)
    assert_close(out[1], (e * xv).sum(axis=0))


def test_consider_constant_and_modifiers(rng):
    x = T.dvector("x")
    xv = rng.standard_normal(4)
    y = x**2
    g = theon.grad((y * x).sum(), x, consider_constant=[y])
    assert_close(g.eval({x: xv}), xv**2)
    for modifier, want in [
        (gradient.consider_constant, np.zeros(4)),
        (gradient.disconnected_grad, np.zeros(4)),
        (gradient.zero_grad, np.zeros(4)),
    ]:
        cost = (modifier(x) * x).sum()
        assert_close(theon.grad(cost, x).eval({x: xv}), modifier(x).eval({x: xv}) + want)
    scaled = theon.grad((gradient.grad_scale(x, 3.0) ** 2).sum(), x)
    assert_close(scaled.eval({x: xv}), 6 * xv)
    clipped = theon.grad((gradient.grad_clip(x, -0.5, 0.5) * 10.0).sum(), x)
    assert_close(clipped.eval({x: xv}), np.full(4, 0.5))
    with pytest.raises(ValueError, match="grad_clip"):
        gradient.grad_clip(x, 1.0, -1.0)
    with pytest.raises(GradientError):
        theon.grad(gradient.undefined_grad(x).sum(), x)


def test_disconnected_inputs_options(rng):
    x, z = T.dvectors("x", "z")
    cost = (x**2).sum()
    with pytest.raises(GradientError, match="z"):
        theon.grad(cost, [x, z])
    gx, gz = theon.grad(cost, [x, z], disconnected_inputs="ignore")
    zv = rng.standard_normal(3)
    assert_close(gz.eval({z: zv}), np.zeros(3))
    assert theon.grad(cost, [x, z], disconnected_inputs="ignore", return_disconnected="None")[1] is None
    marker = theon.grad(cost, z, disconnected_inputs="ignore", return_disconnected="Disconnected")
    assert isinstance(marker.type, gradient.DisconnectedType)
    with pytest.raises(ValueError, match="disconnected_inputs"):
        theon.grad(cost, x, disconnected_inputs="sometimes")
    null = theon.grad(gradient.undefined_grad(x).sum(), x, null_gradients="return")
    assert isinstance(null.type, gradient.NullType)


def test_known_grads(rng):
    x = T.dvector("x")
    y = T.exp(x)
    gy = T.dvector("gy")
    g = theon.grad(None, x, known_grads={y: gy})
    xv, gv = rng.standard_normal(3), rng.standard_normal(3)
    assert_close(theon.function([x, gy], g)(xv, gv), gv * np.exp(xv))


def test_jacobian_hessian(rng):
    x = T.tensor("float64", shape=(3,), name="x")
    xv = rng.standard_normal(3)
    J = gradient.jacobian(T.sin(x) * x, x)
    want = np.diag(np.cos(xv) * xv + np.sin(xv))
    assert_close(J.eval({x: xv}), want)
    H = gradient.hessian((x**3).sum(), x)
    assert_close(H.eval({x: xv}), np.diag(6 * xv))
    with pytest.raises(GradientError, match="jacobian"):
        gradient.jacobian(T.dvector("v") * 2.0, x)


def test_rop_lop(rng):
    x = T.dvector("x")
    v = T.dvector("v")
    y = T.exp(x) * 2.0
    xv, vv = rng.standard_normal(4), rng.standard_normal(4)
    rop = gradient.Rop(y, x, v)
    lop = gradient.Lop(y, x, v)
    assert_close(theon.function([x, v], rop)(xv, vv), 2 * np.exp(xv) * vv)
    assert_close(theon.function([x, v], lop)(xv, vv), 2 * np.exp(xv) * vv)
    out = gradient.Rop([y, y.sum()], [x], [v])
    assert isinstance(out, list) and out[1].ndim == 0


def test_verify_grad(rng):
    pt = [rng.uniform(0.5, 1.5, (3, 2)), rng.standard_normal(2)]
    gradient.verify_grad(lambda a, b: T.log(a) * T.tanh(b), pt, rng=np.random.RandomState(0))
    gradient.verify_grad(lambda a: (a**2).sum(axis=0), [pt[0]], n_tests=3, rng=rng)
    wrong = lambda a: gradient.grad_scale(a, 2.0) * 1.0  # noqa: E731 (gradient doubled: wrong)
    with pytest.raises(gradient.verify_grad.E_grad):
        gradient.verify_grad(wrong, [pt[0]], rng=rng)

    def raises(a):
        raise RuntimeError("user bug")

    with pytest.raises(RuntimeError, match="user bug"):
        gradient.verify_grad(raises, [pt[0]])


def test_second_derivative(rng):
    x = T.dscalar("x")
    g = theon.grad(T.sin(x) * x, x)
    gg = theon.grad(g, x)
    assert_close(gg.eval({x: 0.7}), np.array(2 * np.cos(0.7) - 0.7 * np.sin(0.7)))


def test_gradients_of_products_softmax_and_statistics(rng):
    """verify_grad through the ops whose gradients landed with grad2."""
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
    labels = np.array([1, 0, 1], dtype="int32")
    gradient.verify_grad(lambda x, w: T.dot(x, w), [a, b], rng=rng)
    gradient.verify_grad(lambda x, w: T.tanh(x @ w).sum(axis=1), [a, b], rng=rng)
    gradient.verify_grad(lambda x: T.nnet.softmax(x), [a], rng=rng)
    gradient.verify_grad(lambda x: T.nnet.log_softmax(x, axis=0), [a], rng=rng)
    gradient.verify_grad(
        lambda x, w: T.nnet.categorical_crossentropy(T.nnet.softmax(T.dot(x, w)), labels).mean(),
        [a, b],
        rng=rng,
    )
    gradient.verify_grad(lambda x: x.mean(axis=0) + x.var(axis=0) + x.std(axis=0, ddof=1), [a], rng=rng)
    gradient.verify_grad(lambda x: x.reshape((2, 6))[:, ::-2] * 3.0, [a], rng=rng)
    gradient.verify_grad(lambda x: T.concatenate([x, x[:1]]).cumsum(axis=0), [a], rng=rng)


def test_mlp_cost_gradient_matches_numpy(rng):
    x = T.dmatrix("x")
    y = T.ivector("y")
    W = T.dmatrix("W")
    cost = T.nnet.categorical_crossentropy(T.nnet.softmax(T.dot(x, W)), y).mean()
    g = theon.grad(cost, W)
    xv, Wv = rng.standard_normal((5, 3)), rng.standard_normal((3, 4))
    yv = rng.integers(0, 4, size=5).astype("int32")
    z = xv @ Wv
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(5), yv] -= 1.0
    assert_close(theon.function([x, y, W], g)(xv, yv, Wv), xv.T @ p / 5)
