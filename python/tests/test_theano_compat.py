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


def test_printing_print_shows_the_value_and_passes_gradients(capsys, rng):
    x = T.dvector("x")
    px = theon.printing.Print("x is", attrs=("__str__", "shape"))(x)
    xv = rng.standard_normal(3)
    f = theon.function([x], [(px * 2).sum(), T.grad((px**2).sum(), x)])
    total, g = f(xv)
    out = capsys.readouterr().out
    assert "x is __str__ = " in out and "x is shape = (3,)" in out
    np.testing.assert_allclose(total, 2 * xv.sum(), rtol=1e-12)
    np.testing.assert_allclose(g, 2 * xv, rtol=1e-12)
    seen = []
    theon.function([x], theon.printing.Print("m", global_fn=lambda op, v: seen.append(v.sum()))(x))(xv)
    assert np.isclose(seen[0], xv.sum())


def test_theano_only_flags_read_and_set():
    assert theon.config.device == "cpu"
    with theon.change_flags(compute_test_value="raise"):
        assert theon.config.compute_test_value == "raise"
    assert theon.config.compute_test_value == "off"


def test_scan_runs_as_many_steps_as_the_shortest_sequence_allows(rng):
    a, b = T.dvector("a"), T.dvector("b")
    # b is read at taps -1 and +1: it allows len(b) - 2 steps.
    out, _ = theon.scan(lambda x, b_prev, b_next: x + b_prev * b_next, sequences=[a, dict(input=b, taps=[-1, 1])])
    f = theon.function([a, b], out)
    for n_a, n_b in [(3, 7), (6, 5), (4, 6)]:
        av, bv = rng.standard_normal(n_a), rng.standard_normal(n_b)
        n = min(n_a, n_b - 2)
        want = [av[t] + bv[t] * bv[t + 2] for t in range(n)]
        np.testing.assert_allclose(f(av, bv), want, rtol=1e-12)
