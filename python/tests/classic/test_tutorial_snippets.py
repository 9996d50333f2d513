"""Snippets of Theano's tutorial ("More examples", "Derivatives",
"Using random numbers", "Printing") not covered by docs/tutorial.md,
run as written for Theano 1.0."""

import numpy

import pytest

import theon as theano
import theon.tensor as T
from theon import In, function, shared
from theon.tensor.shared_randomstreams import RandomStreams


def test_default_values_and_names_with_In():
    x, y = T.dscalars("x", "y")
    z = x + y
    f = function([x, In(y, value=1)], z)
    assert f(33) == 34.0
    assert f(33, 2) == 35.0

    x, y, w = T.dscalars("x", "y", "w")
    z = (x + y) * w
    f = function([x, In(y, value=1), In(w, value=2, name="w_by_name")], z)
    assert f(33) == 68.0
    assert f(33, 2) == 70.0
    assert f(33, 0, 1) == 33.0
    assert f(33, w_by_name=1) == 34.0
    assert f(33, w_by_name=1, y=0) == 33.0


def test_copying_functions_with_swapped_shared_variables():
    state = shared(0)
    inc = T.iscalar("inc")
    accumulator = function([inc], state, updates=[(state, state + inc)])
    accumulator(10)
    assert state.get_value() == 10

    new_state = shared(0)
    new_accumulator = accumulator.copy(swap={state: new_state})
    new_accumulator(100)
    assert new_state.get_value() == 100
    assert state.get_value() == 10

    null_accumulator = accumulator.copy(delete_updates=True)
    null_accumulator(9000)
    assert state.get_value() == 10


def test_using_random_numbers():
    srng = RandomStreams(seed=234)
    rv_u = srng.uniform((2, 2))
    rv_n = srng.normal((2, 2))
    f = function([], rv_u)
    g = function([], rv_n, no_default_updates=True)  # not updating rv_n.rng
    nearly_zeros = function([], rv_u + rv_u - 2 * rv_u)

    f_val0, f_val1 = f(), f()
    assert f_val0.shape == (2, 2) and not numpy.array_equal(f_val0, f_val1)
    assert numpy.all((0 <= f_val0) & (f_val0 < 1))
    g_val0, g_val1 = g(), g()
    assert numpy.array_equal(g_val0, g_val1)  # the same numbers each time
    assert numpy.allclose(nearly_zeros(), 0.0)

    # Seeding streams: one variable, or all of a stream's.
    rng_val = rv_u.rng.get_value(borrow=True)
    f_next = f()
    rv_u.rng.set_value(rng_val, borrow=True)
    assert numpy.array_equal(f(), f_next)
    srng.seed(902340)
    first = f()
    srng.seed(902340)
    assert numpy.array_equal(f(), first)

    # Sharing streams between functions: both advance one state.
    state_after_v0 = rv_u.rng.get_value().copy()
    nearly_zeros()  # advances rv_u's state too
    v1 = f()
    rv_u.rng.set_value(state_after_v0)
    nearly_zeros()
    assert numpy.array_equal(f(), v1)


class Graph:
    """Two graphs with their own streams (the tutorial's example of copying
    random state between graphs)."""

    def __init__(self, seed=123):
        self.rng = RandomStreams(seed)
        self.y = self.rng.uniform(size=(1,))


def test_copying_random_state_between_graphs():
    g1 = Graph(seed=123)
    f1 = theano.function([], g1.y)
    g2 = Graph(seed=987)
    f2 = theano.function([], g2.y)
    assert f1() != f2()

    def copy_random_state(g1, g2):
        for (su1, su2) in zip(g1.rng.state_updates, g2.rng.state_updates):
            su2[0].set_value(su1[0].get_value())

    copy_random_state(g1, g2)
    assert f1() == f2()


def test_floatX_and_change_flags():
    assert theano.config.floatX in ("float32", "float64")
    assert T.matrix("m").dtype == theano.config.floatX
    with theano.change_flags(floatX="float32"):
        assert T.matrix("m").dtype == "float32"
        assert theano.shared(numpy.zeros(2, dtype=theano.config.floatX)).dtype == "float32"


def test_gradient_of_the_logistic_function():
    x = T.dmatrix("x")
    s = T.sum(1 / (1 + T.exp(-x)))
    gs = T.grad(s, x)
    dlogistic = theano.function([x], gs)
    data = numpy.array([[0, 1], [-1, -2]], dtype="float64")
    sig = 1 / (1 + numpy.exp(-data))
    numpy.testing.assert_allclose(dlogistic(data), sig * (1 - sig), rtol=1e-12)


def test_jacobian_and_hessian_by_scan_and_by_helper():
    x = T.dvector("x")
    y = x ** 2
    J, updates = theano.scan(lambda i, y, x: T.grad(y[i], x), sequences=T.arange(y.shape[0]), non_sequences=[y, x])
    f = theano.function([x], J, updates=updates)
    numpy.testing.assert_allclose(f([4, 4]), [[8, 0], [0, 8]])
    numpy.testing.assert_allclose(theano.function([x], theano.gradient.jacobian(y, x))([1, 3]), [[2, 0], [0, 6]])

    cost = (x ** 3).sum()
    gy = T.grad(cost, x)
    H, updates = theano.scan(lambda i, gy, x: T.grad(gy[i], x), sequences=T.arange(gy.shape[0]), non_sequences=[gy, x])
    f = theano.function([x], H, updates=updates)
    numpy.testing.assert_allclose(f([4, 5]), [[24, 0], [0, 30]])
    numpy.testing.assert_allclose(theano.function([x], theano.gradient.hessian(cost, x))([1, 2]), [[6, 0], [0, 12]])


def test_rop_and_lop():
    W = T.dmatrix("W")
    V = T.dmatrix("V")
    x = T.dvector("x")
    y = T.dot(x, W)
    JV = T.Rop(y, W, V)
    # x . V does not read W: Theano's unused-input check refuses W as an input.
    f = theano.function([V, x], JV)
    rng = numpy.random.RandomState(3)
    Vv, xv = rng.randn(3, 2), rng.randn(3)
    numpy.testing.assert_allclose(f(Vv, xv), xv.dot(Vv), rtol=1e-12)

    v = T.dvector("v")
    VJ = T.Lop(y, W, v)
    f = theano.function([v, x], VJ)
    vv = rng.randn(2)
    numpy.testing.assert_allclose(f(vv, xv), numpy.outer(xv, vv), rtol=1e-12)

    # Hessian times a vector, both ways.
    x = T.dvector("x")
    v = T.dvector("v")
    y = T.sum(x ** 2)
    gy = T.grad(y, x)
    vH = T.grad(T.sum(gy * v), x)
    Hv = T.Rop(gy, x, v)
    f = theano.function([x, v], [vH, Hv])
    out = f([4, 4], [2, 2])
    numpy.testing.assert_allclose(out[0], [4, 4])
    numpy.testing.assert_allclose(out[1], [4, 4])


def test_pydotprint(tmp_path):
    a = T.vector("a")
    b = a + a ** 10
    f = theano.function([a], b)
    outfile = tmp_path / "graph.dot"
    theano.printing.pydotprint(f, outfile=str(outfile), format="dot", var_with_name_simple=True)
    text = outfile.read_text()
    assert text.startswith("digraph") and "label=\"a\"" in text
    text = theano.printing.pydotprint(b, return_image=True, format="dot").decode()
    assert "->" in text and "pow" in text.lower()
    import shutil

    if shutil.which("dot") is None:
        with pytest.raises(RuntimeError, match="graphviz"):
            theano.printing.pydotprint(f, outfile=str(tmp_path / "g.png"))
    else:
        theano.printing.pydotprint(f, outfile=str(tmp_path / "g.png"))
        assert (tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"


def test_scan_polynomial_iterates_over_the_shortest_sequence():
    coefficients = theano.tensor.vector("coefficients")
    x = T.scalar("x")
    max_coefficients_supported = 10000
    components, updates = theano.scan(
        fn=lambda coefficient, power, free_variable: coefficient * (free_variable ** power),
        outputs_info=None,
        sequences=[coefficients, theano.tensor.arange(max_coefficients_supported)],
        non_sequences=x,
    )
    polynomial = components.sum()
    calculate_polynomial = theano.function(inputs=[coefficients, x], outputs=polynomial)
    test_coefficients = numpy.asarray([1, 0, 2], dtype=theano.config.floatX)
    assert calculate_polynomial(test_coefficients, 3) == 19.0
