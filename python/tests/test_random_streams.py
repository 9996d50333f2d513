"""theon's random streams (``RandomStreams``, ``MRG_RandomStreams``):
sizes given as tuples, symbolic shapes or mixed, dtypes, parameters as
variables, default updates and ``no_default_updates``, and errors."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.sandbox.rng_mrg import MRG_RandomStreams
from theon.tensor.shared_randomstreams import RandomStreams


def test_symbolic_and_mixed_sizes():
    srng = RandomStreams(1)
    x = T.dmatrix("x")
    n = T.lscalar("n")
    like_x = srng.normal(size=x.shape)
    mixed = srng.uniform(size=(n, 3))
    f = theon.function([x, n], [like_x, mixed])
    a, b = f(np.ones((4, 2)), 5)
    assert a.shape == (4, 2) and b.shape == (5, 3)
    assert srng.uniform(size=(1, 5)).broadcastable == (True, False)


def test_parameters_broadcast_and_may_be_variables():
    srng = RandomStreams(2)
    low = T.dvector("low")
    u = srng.uniform(size=(2000, 3), low=low, high=low + 1.0)
    lv = np.array([-5.0, 0.0, 10.0])
    out = theon.function([low], u)(lv)
    assert np.all(out >= lv) and np.all(out < lv + 1)
    np.testing.assert_allclose(out.mean(axis=0), lv + 0.5, atol=0.05)


def test_random_integers_and_binomial_trials():
    srng = RandomStreams(3)
    k = srng.random_integers(size=(3000,), low=-2, high=2)
    b = srng.binomial(size=(3000,), n=5, p=0.4, dtype="int32")
    kv, bv = theon.function([], [k, b])()
    assert kv.dtype == np.int64 and set(np.unique(kv)) == {-2, -1, 0, 1, 2}
    assert bv.dtype == np.int32 and bv.min() >= 0 and bv.max() <= 5
    assert abs(bv.mean() - 2.0) < 0.1


def test_default_update_property_and_no_default_updates_list():
    srng = RandomStreams(4)
    u, v = srng.uniform((3,)), srng.uniform((3,))
    assert u.rng.default_update is not None
    f = theon.function([], [u, v], no_default_updates=[u.rng])
    u0, v0 = f()
    u1, v1 = f()
    assert np.array_equal(u0, u1) and not np.array_equal(v0, v1)
    del v.rng.default_update
    assert v.rng.default_update is None
    g = theon.function([], v)
    assert np.array_equal(g(), g())
    # An explicit update wins over no default update: srng.updates() lists them.
    h = theon.function([], v, updates=[pair for pair in srng.updates() if pair[0] is v.rng])
    assert not np.array_equal(h(), h())


def test_default_update_must_match_the_type():
    s = theon.shared(np.zeros(3))
    with pytest.raises(Exception, match="default_update"):
        s.default_update = T.lscalar()


def test_streams_with_equal_seeds_agree_and_reseeding_replays():
    a, b = MRG_RandomStreams(seed=99), MRG_RandomStreams(seed=99)
    fa = theon.function([], a.normal((5,)))
    fb = theon.function([], b.normal((5,)))
    first = fa()
    assert np.array_equal(first, fb())
    fa()
    a.seed(99)
    assert np.array_equal(fa(), first)


def test_bad_random_variables_are_refused_with_the_callers_line():
    srng = RandomStreams(5)
    with pytest.raises(ValueError, match="float dtype") as info:
        srng.uniform((2,), dtype="int32")
    assert "test_random_streams.py" in str(info.value)
    with pytest.raises(ValueError, match="ndim=3"):
        srng.normal((2, 2), ndim=3)
    with pytest.raises(TypeError, match="integer n"):
        srng.binomial((2,), n=1.5)
    with pytest.raises(NotImplementedError, match="truncate"):
        MRG_RandomStreams(1).normal((2,), truncate=True)
    p = T.dscalar("p")
    g = theon.function([p], srng.binomial((3,), p=p))
    with pytest.raises(ValueError, match="p=1.5"):
        g(1.5)


def test_random_variables_drawn_inside_scan_are_carried_through_the_loop():
    srng = RandomStreams(6)
    x0 = T.dvector("x0")

    def step(x):
        return x + srng.normal(size=x.shape)

    walk, updates = theon.scan(step, outputs_info=[x0], n_steps=5)
    assert len(updates) == 1
    f = theon.function([x0], walk, updates=updates)
    g = theon.function([x0], walk)  # the state's default update is the loop's final state
    first = f(np.zeros(3))
    steps = np.diff(np.vstack([np.zeros(3), first]), axis=0)
    assert len({tuple(s) for s in steps}) == 5  # a new draw at every step
    assert not np.array_equal(g(np.zeros(3)), first)
    srng.seed(6)
    assert np.array_equal(f(np.zeros(3)), first)


def test_random_draws_in_nested_scans_advance_per_inner_step():
    srng = RandomStreams(8)

    def inner_step(acc):
        return acc + srng.uniform(())

    def outer_step(start):
        sums, _ = theon.scan(inner_step, outputs_info=[start], n_steps=3)
        return sums[-1]

    x0 = T.dscalar("x0")
    totals, updates = theon.scan(outer_step, outputs_info=[x0], n_steps=4)
    f = theon.function([x0], totals, updates=updates)
    first = f(0.0)
    increments = np.diff(np.concatenate([[0.0], first]))
    assert np.all((increments > 0) & (increments < 3)) and len(set(increments)) == 4
    assert not np.array_equal(f(0.0), first)


def test_mrg_multinomial_rows_follow_their_probabilities():
    srng = MRG_RandomStreams(seed=10)
    logits = T.dmatrix("logits")
    probs = T.nnet.softmax(logits)
    one_hot = srng.multinomial(pvals=probs)
    many = srng.multinomial(n=4000, pvals=probs, dtype="int32")
    f = theon.function([logits], [one_hot, many, probs])
    lv = np.array([[0.0, 1.0, 2.0], [3.0, 0.0, -1.0]])
    a, b, p = f(lv)
    assert a.dtype == np.int64 and a.shape == (2, 3) and np.array_equal(a.sum(axis=1), [1, 1])
    assert b.dtype == np.int32 and np.array_equal(b.sum(axis=1), [4000, 4000])
    np.testing.assert_allclose(b / 4000.0, p, atol=0.03)
    with pytest.raises(ValueError, match="row 0 of pvals"):
        theon.function([], srng.multinomial(pvals=np.array([[0.9, 0.9]])))()
