"""Theano 1.0 behaviours classic programs rely on: the softmax of a vector
is a one-row matrix, ``theano.tensor`` re-exports the gradient API, and
the module paths of random streams, ``In`` and ``pydotprint`` exist."""

import numpy as np

import theon
import theon.tensor as T


def test_softmax_of_a_vector_is_a_row(rng):
    v = T.dvector("v")
    vv = rng.standard_normal(5)
    sm, lsm, sm0 = theon.function([v], [T.nnet.softmax(v), T.nnet.log_softmax(v), T.nnet.softmax(v, axis=0)])(vv)
    want = np.exp(vv - vv.max()) / np.exp(vv - vv.max()).sum()
    assert sm.shape == (1, 5) and lsm.shape == (1, 5) and sm0.shape == (5,)
    np.testing.assert_allclose(sm[0], want, rtol=1e-12)
    np.testing.assert_allclose(lsm[0], np.log(want), rtol=1e-12)
    np.testing.assert_allclose(sm0, want, rtol=1e-12)


def test_module_paths_of_classic_programs():
    import theon.sandbox.rng_mrg
    import theon.tensor.shared_randomstreams

    assert T.grad is theon.gradient.grad and T.Rop is theon.gradient.Rop and T.Lop is theon.gradient.Lop
    assert T.jacobian is theon.gradient.jacobian and T.hessian is theon.gradient.hessian
    assert theon.In is theon.compile.io.In and theon.Out is theon.compile.io.Out
    assert callable(theon.printing.pydotprint)
    assert theon.tensor.shared_randomstreams.RandomStreams
    assert theon.sandbox.rng_mrg.MRG_RandomStreams


def test_pydotprint_of_variables_names_inputs_and_ops(tmp_path):
    x = T.dvector("x")
    w = theon.shared(np.ones(2), name="w")
    text = theon.printing.pydotprint([T.exp(x) * w], format="dot", return_image=True).decode()
    assert 'label="x"' in text and 'label="w"' in text and "exp" in text and "mul" in text
    assert text.count("->") == 4  # x->exp, exp->mul, w->mul, mul->out
