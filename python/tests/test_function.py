"""theon.function: outputs, updates, givens, unused inputs, keyword arguments."""

import threading
from collections import OrderedDict

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.exceptions import ArgCountError, InputError

from conftest import assert_close


def test_single_output_is_returned_bare_and_lists_as_lists(rng):
    x = T.dvector("x")
    a = rng.standard_normal(4)
    assert isinstance(theon.function([x], x * 2)(a), np.ndarray)
    out = theon.function([x], [x * 2])(a)
    assert isinstance(out, list) and len(out) == 1
    both = theon.function([x], [x + 1, x.sum()])(a)
    assert_close(both[0], a + 1)
    assert_close(both[1], a.sum())
    assert both[1].shape == ()


def test_inputs_must_be_a_list():
    x = T.dvector("x")
    with pytest.raises(TypeError, match="list"):
        theon.function(x, x)


def test_updates_swap_atomically(rng):
    a0, b0 = rng.standard_normal(3), rng.standard_normal(3)
    a = theon.shared(a0, "a")
    b = theon.shared(b0, "b")
    swap = theon.function([], [], updates=[(a, b), (b, a)])
    assert swap() == []
    assert_close(a.get_value(), b0)
    assert_close(b.get_value(), a0)
    swap()
    assert_close(a.get_value(), a0)
    assert_close(b.get_value(), b0)


def test_updates_from_ordered_dict_and_outputs_read_old_values(rng):
    w0 = rng.standard_normal(4)
    w = theon.shared(w0, "w")
    count = theon.shared(np.int64(0), "count")
    x = T.dvector("x")
    step = theon.function(
        [x],
        w.sum(),
        updates=OrderedDict([(w, w - 0.5 * x), (count, count + 1)]),
    )
    g = rng.standard_normal(4)
    assert_close(step(g), w0.sum())
    assert_close(w.get_value(), w0 - 0.5 * g)
    step(g)
    assert count.get_value() == 2


def test_update_with_python_value_is_converted_to_the_shared_type():
    s = theon.shared(np.float32(3.0), "s")
    reset = theon.function([], [], updates=[(s, 0)])
    reset()
    v = s.get_value()
    assert v.dtype == np.float32 and v == 0


def test_update_type_mismatch_is_a_type_error():
    s = theon.shared(np.zeros(3, dtype="float32"), "s")
    x = T.dvector("x")
    with pytest.raises(TypeError, match="s"):
        theon.function([x], [], updates=[(s, x)])
    with pytest.raises(TypeError, match="shared"):
        theon.function([x], [], updates=[(x, x + 1)])
    with pytest.raises(ValueError, match="updated twice"):
        theon.function([], [], updates=[(s, s + 1), (s, s * 2)])


def test_givens_replace_inputs(rng):
    x, y = T.dvectors("x", "y")
    data = theon.shared(rng.standard_normal(5), "data")
    f = theon.function([y], x * y, givens={x: data})
    b = rng.standard_normal(5)
    assert_close(f(b), data.get_value() * b)
    g = theon.function([y], x + 1, givens=[(x, y * 2)])
    assert_close(g(b), b * 2 + 1)
    h = theon.function([], x.sum(), givens={x: np.arange(4.0)})
    assert_close(h(), np.float64(6.0))
    with pytest.raises(TypeError):
        theon.function([y], x + 1, givens={x: T.fvector()})


def test_unused_and_missing_inputs():
    x, y = T.dvectors("x", "y")
    with pytest.raises(InputError, match="'y' is not used"):
        theon.function([x, y], x + 1)
    f = theon.function([x, y], x + 1, on_unused_input="ignore")
    assert_close(f(np.ones(2), np.ones(3)), np.full(2, 2.0))
    with pytest.raises(InputError, match="'y' is needed"):
        theon.function([x], x + y)
    with pytest.raises(ValueError, match="on_unused_input"):
        theon.function([x], x, on_unused_input="sometimes")


def test_keyword_arguments_and_argument_count(rng):
    x, y = T.dvectors("x", "y")
    f = theon.function([x, y], x - y, name="diff")
    a, b = rng.standard_normal(3), rng.standard_normal(3)
    assert_close(f(y=b, x=a), a - b)
    assert_close(f(a, y=b), a - b)
    with pytest.raises(ArgCountError, match="diff: expected 2 argument"):
        f(a)
    with pytest.raises(TypeError, match="expected 2"):
        f(a, b, a)
    with pytest.raises(TypeError, match="no input is named 'z'"):
        f(a, z=b)
    with pytest.raises(TypeError, match="given twice"):
        f(a, b, x=a)
    assert f.name == "diff"
    assert "diff(x, y)" in repr(f)


def test_shared_and_constant_outputs(rng):
    s = theon.shared(rng.standard_normal(2), "s")
    f = theon.function([], [s, T.constant(np.arange(3))])
    got_s, got_c = f()
    assert_close(got_s, s.get_value())
    assert_close(got_c, np.arange(3))


def test_failed_call_leaves_shared_unchanged(rng):
    s = theon.shared(rng.standard_normal(3), "s")
    before = s.get_value()
    x = T.dvector("x")
    f = theon.function([x], [], updates=[(s, s + x)])
    with pytest.raises(ValueError):
        f(np.ones(4))
    assert_close(s.get_value(), before)


def test_mode_argument():
    x = T.dvector("x")
    for mode in [None, "FAST_RUN", "FAST_COMPILE"]:
        assert_close(theon.function([x], x + 1, mode=mode)(np.ones(2)), np.full(2, 2.0))
    with pytest.raises(ValueError, match="mode"):
        theon.function([x], x + 1, mode="DebugMode")


def test_calls_from_threads_are_correct(rng):
    x = T.dvector("x")
    f = theon.function([x], T.exp(x).sum())
    arrays = [rng.standard_normal(2000) for _ in range(4)]
    results = [None] * 4

    def work(i):
        for _ in range(3):
            results[i] = f(arrays[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for a, r in zip(arrays, results):
        assert_close(r, np.exp(a).sum())


def test_function_classes_are_exported():
    x = T.dvector("x")
    assert isinstance(theon.function([x], x), theon.Function)
    assert theon.compile.function is theon.function
