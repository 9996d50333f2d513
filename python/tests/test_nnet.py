"""theon.tensor.nnet against NumPy: activations, softmax/log_softmax,
cross-entropies (integer labels and distributions)."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.tensor import nnet
from conftest import assert_close


def np_softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def test_activations(rng):
    x = T.dmatrix("x")
    xv = rng.standard_normal((4, 5)) * 3
    sig = 1 / (1 + np.exp(-xv))
    cases = [
        (nnet.sigmoid(x), sig),
        (T.nnet.softplus(x), np.log1p(np.exp(xv))),
        (nnet.relu(x), np.maximum(xv, 0)),
        (nnet.relu(x, alpha=0.1), np.where(xv > 0, xv, 0.1 * xv)),
        (nnet.elu(x), np.where(xv > 0, xv, np.expm1(xv))),
        (nnet.selu(x), 1.0507009873554805 * np.where(xv > 0, xv, 1.6732632423543772 * np.expm1(xv))),
        (nnet.softsign(x), xv / (1 + np.abs(xv))),
        (nnet.hard_sigmoid(x), np.clip(0.2 * xv + 0.5, 0, 1)),
        (nnet.ultra_fast_sigmoid(x), sig),
    ]
    out = theon.function([x], [c[0] for c in cases])(xv)
    for got, (_, want) in zip(out, cases):
        assert_close(got, want)
    with pytest.raises(TypeError, match="relu"):
        nnet.relu(T.imatrix("i"))


def test_softmax_and_log_softmax(rng):
    x = T.fmatrix("x")
    xv = (rng.standard_normal((3, 6)) * 50).astype("float32")
    sm, lsm, sm0 = theon.function([x], [nnet.softmax(x), nnet.log_softmax(x), nnet.softmax(x, axis=0)])(xv)
    np.testing.assert_allclose(sm, np_softmax(xv.astype(np.float64)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(lsm, np.log(np_softmax(xv.astype(np.float64))), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(sm0, np_softmax(xv.astype(np.float64), 0), rtol=1e-5, atol=1e-6)
    assert sm.dtype == np.float32 and np.isfinite(lsm).all()


def test_crossentropies(rng):
    p = T.dmatrix("p")
    y = T.ivector("y")
    t = T.dmatrix("t")
    pv = np_softmax(rng.standard_normal((4, 3)))
    yv = rng.integers(0, 3, size=4).astype("int32")
    tv = np_softmax(rng.standard_normal((4, 3)))
    f = theon.function([p, y, t], [nnet.categorical_crossentropy(p, y), nnet.categorical_crossentropy(p, t)])
    a, b = f(pv, yv, tv)
    assert_close(a, -np.log(pv[np.arange(4), yv]))
    assert_close(b, -(tv * np.log(pv)).sum(axis=1))
    o, g = T.dmatrices("o", "g")
    ov, gv = rng.uniform(0.05, 0.95, (2, 3)), rng.uniform(0, 1, (2, 3))
    f = theon.function([o, g], [nnet.binary_crossentropy(o, g), nnet.sigmoid_binary_crossentropy(o, g)])
    bce, sbce = f(ov, gv)
    assert_close(bce, -(gv * np.log(ov) + (1 - gv) * np.log(1 - ov)))
    s = 1 / (1 + np.exp(-ov))
    assert_close(sbce, -(gv * np.log(s) + (1 - gv) * np.log(1 - s)))
    with pytest.raises(ValueError, match="categorical_crossentropy"):
        nnet.categorical_crossentropy(p, T.dvector("bad"))
