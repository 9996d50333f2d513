"""The call path of compiled functions: NumPy arguments of the input's
dtype are borrowed (no copy) and never written, results never alias
arguments, other arguments are converted by Theano's rules as before, and
``trust_input`` skips the conversions."""

import sys

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.compile.ops import as_op
from theon.exceptions import ArgCountError, InputError

from conftest import assert_close


def layouts(base):
    """Views of a 2-D array theon can read in place: C and Fortran order,
    strided, reversed (negative strides), broadcast (zero strides)."""
    return {
        "c": base,
        "fortran": np.asfortranarray(base),
        "transposed": base.T,
        "strided": base[1::2, ::3],
        "reversed": base[::-1, ::-2],
        "broadcast": np.broadcast_to(base[0], (4, base.shape[1])),
        "empty": base[:0],
    }


def engine_references(dtype, array):
    """References the engine holds on `array` while a one-input function of
    dtype `dtype` computes (seen from a Python op inside the graph)."""
    seen = []

    @as_op(itypes=[T.TensorType(dtype, (False,))], otypes=[T.TensorType(dtype, (False,))])
    def probe(v):
        seen.append(sys.getrefcount(array))
        return v * 2

    x = T.TensorType(dtype, (False,))("x")
    f = theon.function([x], probe(x))
    before = sys.getrefcount(array)
    f(array)
    return seen[0] - before


def test_arguments_of_the_input_dtype_are_borrowed(rng):
    a = rng.standard_normal(7)
    # The same call with an array that must be copied (byte-swapped): the
    # engine then holds no reference to it, only to its own copy.
    swapped = a.astype(">f8")
    borrowed, copied = engine_references("float64", a), engine_references("float64", swapped)
    assert borrowed == copied + 1
    # Views are borrowed too (the engine keeps the view object alive).
    view = rng.standard_normal(14)[::-2]
    assert engine_references("float64", view) == copied + 1


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "uint8", "float16"])
def test_borrowed_layouts_give_numpy_results(dtype, rng):
    x = T.TensorType(dtype, (False, False))("x")
    f = theon.function([x], x * 2 + 1, mode="FAST_RUN")
    base = (rng.standard_normal((6, 9)) * 10).astype(dtype)
    for name, view in layouts(base).items():
        before = view.copy()
        got = f(view)
        want = view * np.asarray(2, dtype) + np.asarray(1, dtype)
        assert_close(got, want)
        np.testing.assert_array_equal(view, before, err_msg=name)
        assert got.flags.c_contiguous and got.flags.writeable


def test_size_one_dims_and_scalars_are_borrowed_right(rng):
    t = T.dtensor3("t")
    f = theon.function([t], t * 2 + 1)
    base = rng.standard_normal((3, 8))
    for view in [base[:, None, ::2], base[::-1, None, :], base.reshape(3, 1, 8)]:
        assert_close(f(view), view * 2 + 1)
    s = T.dscalar("s")
    g = theon.function([s], s * 3)
    value = rng.standard_normal(())
    assert_close(g(np.asarray(value)), np.asarray(value * 3))
    assert_close(g(np.float64(value)), np.asarray(value * 3))


@pytest.mark.parametrize(
    "build",
    [
        lambda x: x * 2 + 1,
        lambda x: T.exp(x.sum(axis=0)) * 2 + x[0],
        lambda x: T.dot(x, x.T) * 2 + x.sum(),
        lambda x: x.T * 3 - x.T,
        lambda x: T.inc_subtensor(x[0], 1.0),
        lambda x: T.set_subtensor(x[1:, 2], -5.0),
        lambda x: x.flatten() * 2 + 1,
    ],
)
def test_inplace_optimized_functions_never_write_a_callers_array(build, rng):
    x = T.dmatrix("x")
    f = theon.function([x], build(x), mode="FAST_RUN")
    reference = theon.function([x], build(x), mode="FAST_COMPILE")
    base = rng.standard_normal((5, 5))
    for view in [base, base.T, base[::-1], np.asfortranarray(base)]:
        before = view.copy()
        first = f(view)
        assert_close(first, reference(before))
        np.testing.assert_array_equal(view, before)
        np.testing.assert_array_equal(f(view), first)


def test_some_inplace_rewrite_fires_next_to_a_borrowed_input():
    """The graphs above do run inplace kernels (so the test above means
    something): an intermediate is overwritten, the argument is not."""
    x = T.dmatrix("x")
    f = theon.function([x], T.exp(x.sum(axis=0)) * 2 + x[0], mode="FAST_RUN")
    assert any("inplace" in str(n.op) for n in f.maker.fgraph.toposort())


@pytest.mark.parametrize("build", [lambda x: x, lambda x: x[::2], lambda x: x.T, lambda x: x[1]])
def test_results_never_alias_arguments(build, rng):
    x = T.dmatrix("x")
    f = theon.function([x], build(x))
    a = rng.standard_normal((4, 3))
    out = f(a)
    np.testing.assert_array_equal(out, build(a))
    assert not np.shares_memory(out, a)
    out[...] = 0.0
    assert np.all(a != 0.0)


@pytest.mark.parametrize("build", [lambda x: x, lambda x: x[::-1], lambda x: x.T])
def test_shared_updates_from_an_argument_do_not_alias_it(build, rng):
    x = T.dvector("x")
    s = theon.shared(rng.standard_normal(4), "s")
    f = theon.function([x], [], updates=[(s, build(x))])
    a = rng.standard_normal(4)
    kept = a.copy()
    f(a)
    a[:] = 100.0
    np.testing.assert_array_equal(s.get_value(), build(kept))


def test_misaligned_and_bool_arguments_are_copied(rng):
    raw = np.zeros(8 * 5 + 1, dtype=np.uint8)[1:].view(np.float64)  # misaligned
    raw[:] = rng.standard_normal(5)
    assert not raw.flags.aligned
    x = T.dvector("x")
    np.testing.assert_array_equal(theon.function([x], x + 1)(raw), raw + 1)
    flags = np.array([0, 1, 7, 255], dtype=np.uint8).view(bool)
    b = T.TensorType("bool", (False,))("b")
    np.testing.assert_array_equal(theon.function([b], b)(flags), [False, True, True, True])


def test_other_dtypes_are_still_converted_by_the_casting_rules(rng):
    x = T.dvector("x")
    f = theon.function([x], x * 2)
    ints = rng.integers(-50, 50, size=6).astype("int32")[::-1]
    assert_close(f(ints), ints.astype("float64") * 2)
    y = T.fvector("y")
    g = theon.function([y], y * 2)
    doubles = rng.standard_normal(4)
    with pytest.raises(InputError, match="y"):
        g(doubles)
    lenient = theon.function([y], y * 2, allow_input_downcast=True)
    assert_close(lenient(doubles[::-1]), doubles[::-1].astype("float32") * 2)
    assert_close(g([1.0, 2.5]), np.float32([2.0, 5.0]))


def test_keyword_and_default_argument_paths(rng):
    x, y = T.dvector("x"), T.dvector("y")
    f = theon.function([x, y], x - y)
    a, b = rng.standard_normal(3), rng.standard_normal(3)
    np.testing.assert_array_equal(f(a, y=b), a - b)
    np.testing.assert_array_equal(f(y=b, x=a), a - b)
    with pytest.raises(ArgCountError):
        f(a)
    with pytest.raises(ArgCountError):
        f(a, b, a)


def test_shared_borrow_true_still_copies_in_and_out(rng):
    """Theano lets ``borrow=True`` alias; theon copies shared values (only
    function arguments are borrowed, for the duration of a call)."""
    a = rng.standard_normal(4)
    kept = a.copy()
    s = theon.shared(a, borrow=True)
    f = theon.function([], s * 2)
    a[0] = 100.0
    assert_close(f(), kept * 2)
    s.set_value(a, borrow=True)
    a[1] = -100.0
    assert_close(f(), np.concatenate([[200.0], kept[1:] * 2]))
    got = s.get_value(borrow=True)
    got[2] = 0.5
    assert_close(f(), np.concatenate([[200.0], kept[1:] * 2]))


def test_trust_input_takes_exact_arrays_only(rng):
    x, y = T.fmatrix("x"), T.fvector("y")
    f = theon.function([x, y], x + y)
    assert f.trust_input is False
    f.trust_input = True
    assert f.trust_input is True
    a = rng.standard_normal((3, 4)).astype("float32")
    b = rng.standard_normal(4).astype("float32")
    assert_close(f(a[::-1], b), a[::-1] + b)
    with pytest.raises(TypeError, match="trust_input"):
        f(a, b.astype("float64"))
    with pytest.raises(TypeError, match="trust_input"):
        f(a, [1.0, 2.0, 3.0, 4.0])
    with pytest.raises(TypeError, match="trust_input"):
        f(a, y=b)
    with pytest.raises(InputError, match="rank"):  # still checked
        f(b, b)
    f.trust_input = False
    assert_close(f(a, [1.0, 2.0, 3.0, 4.0]), a + np.float32([1, 2, 3, 4]))
