"""``theon.scan_checkpoints``: the states every ``save_every_N`` steps,
and gradients equal to plain ``scan``'s (which the engine recomputes
block by block)."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon import function

from test_scan import rnn_data, rnn_numpy, rnn_step
from test_scan_grad import symbols


@pytest.mark.parametrize("every", [1, 3, 4, 7, 10])
def test_states_are_kept_every_n_steps(every):
    data = rnn_data(np.random.default_rng(11), steps=7)
    x, h0, W, U, b = symbols(data)
    h, updates = theon.scan_checkpoints(rnn_step, sequences=[x], outputs_info=[h0],
                                        non_sequences=[W, U, b], save_every_N=every)
    assert len(updates) == 0
    got = function([x, h0, W, U, b], h)(*data)
    states = rnn_numpy(*data)
    kept = sorted({min(k, 7) - 1 for k in range(every, 7 + every, every)})
    np.testing.assert_allclose(got, states[kept], rtol=1e-12, atol=1e-12)


def test_gradients_match_scan():
    data = rnn_data(np.random.default_rng(12), steps=9)
    x, h0, W, U, b = symbols(data)
    h_ck, _ = theon.scan_checkpoints(rnn_step, sequences=[x], outputs_info=[h0],
                                     non_sequences=[W, U, b], save_every_N=4)
    h_sc, _ = theon.scan(rnn_step, sequences=[x], outputs_info=[h0], non_sequences=[W, U, b])
    wrt = [x, h0, W, U, b]
    g_ck = theon.grad(T.sum(h_ck[-1] ** 2), wrt)
    g_sc = theon.grad(T.sum(h_sc[-1] ** 2), wrt)
    got = function(wrt, g_ck)(*data)
    want = function(wrt, g_sc)(*data)
    for name, a, e in zip(["x", "h0", "W", "U", "b"], got, want):
        np.testing.assert_allclose(a, e, rtol=1e-10, atol=1e-12, err_msg=name)


def test_n_steps_and_top_level_name():
    xs = T.dvector("xs")
    acc0 = T.dscalar("acc0")
    total, _ = theon.scan_module.scan_checkpoints(lambda x, acc: acc + x, sequences=[xs],
                                                  outputs_info=[acc0], n_steps=5,
                                                  save_every_N=2)
    values = np.random.default_rng(13).standard_normal(8)
    got = function([xs, acc0], total)(values, 0.5)
    sums = 0.5 + np.cumsum(values[:5])
    np.testing.assert_allclose(got, sums[[1, 3, 4]], rtol=1e-12)


def test_bad_arguments_are_refused():
    xs = T.dvector("xs")
    acc0 = T.dscalar("acc0")
    with pytest.raises(ValueError, match="save_every_N"):
        theon.scan_checkpoints(lambda x, a: a + x, sequences=[xs], outputs_info=[acc0],
                               save_every_N=0)
    with pytest.raises(ValueError, match="outputs_info"):
        theon.scan_checkpoints(lambda x, a: a + x, sequences=[xs], outputs_info=[None])


def test_step_exceptions_come_through():
    xs = T.dvector("xs")
    acc0 = T.dscalar("acc0")

    def step(x, acc):
        raise KeyError("from the step")

    with pytest.raises(KeyError, match="from the step"):
        theon.scan_checkpoints(step, sequences=[xs], outputs_info=[acc0])
