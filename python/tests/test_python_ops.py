"""Ops written in Python: ``theon.Op`` subclasses (make_node / perform /
grad / infer_shape) and ``theon.compile.ops.as_op``, used in compiled
functions, gradients and merged by the optimizer."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.compile.ops import as_op
from theon.exceptions import GradientError

from conftest import assert_close


class CumMax(theon.Op):
    """Cumulative maximum along ``axis`` (NumPy's ``maximum.accumulate``)."""

    __props__ = ("axis",)

    def __init__(self, axis):
        self.axis = axis
        self.calls = 0

    def make_node(self, x):
        x = T.as_tensor_variable(x)
        if x.ndim != 2:
            raise TypeError("CumMax takes a matrix")
        return theon.Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        (x,) = inputs
        self.calls += 1
        out = np.empty_like(x)
        # Plain loops, independent of the NumPy reference in the tests.
        for i in range(x.shape[0]):
            for j in range(x.shape[1]):
                if self.axis == 1:
                    prev = out[i, j - 1] if j > 0 else -np.inf
                else:
                    prev = out[i - 1, j] if i > 0 else -np.inf
                out[i, j] = max(prev, x[i, j])
        output_storage[0][0] = out

    def infer_shape(self, node, input_shapes):
        return [input_shapes[0]]


class ScaledSquare(theon.Op):
    """``scale * x**2`` with a symbolic gradient."""

    __props__ = ("scale",)

    def __init__(self, scale):
        self.scale = scale

    def make_node(self, x):
        x = T.as_tensor_variable(x)
        return theon.Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        (x,) = inputs
        output_storage[0][0] = (self.scale * x * x).astype(node.outputs[0].dtype)

    def grad(self, inputs, output_grads):
        (x,) = inputs
        (g,) = output_grads
        return [g * (2.0 * self.scale) * x]


class NoGrad(theon.Op):
    __props__ = ()

    def make_node(self, x):
        x = T.as_tensor_variable(x)
        return theon.Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0] + 1


class Broken(theon.Op):
    __props__ = ()

    def make_node(self, x):
        x = T.as_tensor_variable(x)
        return theon.Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        raise ValueError("the kernel is not ready")


@pytest.mark.parametrize("axis", [0, 1])
def test_cummax_in_compiled_function(rng, axis):
    x = T.dmatrix("x")
    op = CumMax(axis)
    y = op(x) * 2.0 + 1.0
    f = theon.function([x], y)
    value = rng.standard_normal((5, 7))
    assert_close(f(value), np.maximum.accumulate(value, axis=axis) * 2.0 + 1.0)
    # Non-contiguous input and a size-0 dimension.
    assert_close(f(value.T), np.maximum.accumulate(value.T, axis=axis) * 2.0 + 1.0)
    empty = np.empty((0, 3))
    assert f(empty).shape == (0, 3)


def test_cummax_float32_keeps_dtype(rng):
    x = T.fmatrix("x")
    f = theon.function([x], CumMax(1)(x))
    value = rng.standard_normal((4, 6)).astype("float32")
    assert_close(f(value), np.maximum.accumulate(value, axis=1))


def test_make_node_type_error_and_input_count():
    with pytest.raises(TypeError, match="CumMax takes a matrix"):
        CumMax(1)(T.dvector("v"))


def test_as_op_decorated_function(rng):
    @as_op(itypes=[T.dmatrix, T.dvector], otypes=[T.dvector])
    def row_dot(a, b):
        return a @ b

    assert str(row_dot) == "FromFunctionOp{row_dot}"
    a, b = T.dmatrix("a"), T.dvector("b")
    f = theon.function([a, b], row_dot(a, b) + 1.0)
    av, bv = rng.standard_normal((4, 3)), rng.standard_normal(3)
    want = np.array([sum(av[i, k] * bv[k] for k in range(3)) for i in range(4)]) + 1.0
    assert_close(f(av, bv), want)
    with pytest.raises(TypeError, match="input 1"):
        row_dot(a, T.fvector("c"))


def test_as_op_with_theano_types_and_two_outputs(rng):
    @as_op(itypes=[T.TensorType("float64", (False,))], otypes=[T.dvector, T.lvector])
    def sort_with_order(v):
        order = np.argsort(v, kind="stable")
        return v[order], order

    v = T.dvector("v")
    s, o = sort_with_order(v)
    f = theon.function([v], [s, o])
    value = rng.standard_normal(9)
    got_s, got_o = f(value)
    assert_close(got_s, np.sort(value))
    assert_close(got_o, np.argsort(value, kind="stable").astype("int64"))


def test_python_grad_in_theon_grad_and_verify_grad(rng):
    x = T.dvector("x")
    op = ScaledSquare(1.5)
    cost = op(T.sin(x)).sum()
    gx = theon.grad(cost, x)
    f = theon.function([x], gx)
    value = rng.standard_normal(6)
    assert_close(f(value), 2.0 * 1.5 * np.sin(value) * np.cos(value))
    theon.gradient.verify_grad(lambda a: op(a), [rng.standard_normal((3, 4))], rng=rng)


def test_verify_grad_catches_a_wrong_python_grad(rng):
    class WrongGrad(ScaledSquare):
        def grad(self, inputs, output_grads):
            return [output_grads[0] * inputs[0]]  # misses the factor 2*scale

    with pytest.raises(theon.gradient.verify_grad.E_grad):
        theon.gradient.verify_grad(lambda a: WrongGrad(1.5)(a), [rng.standard_normal(5)], rng=rng)


def test_op_without_grad_names_the_op():
    x = T.dvector("x")
    y = NoGrad()(x).sum()
    with pytest.raises(GradientError, match="NoGrad"):
        theon.grad(y, x)


def test_exception_in_perform_names_the_op(rng):
    x = T.dvector("x")
    f = theon.function([x], Broken()(x))
    with pytest.raises(ValueError, match=r"Broken.*ValueError: the kernel is not ready"):
        f(rng.standard_normal(3))


def test_perform_with_wrong_output_dtype_is_an_error(rng):
    class WrongDtype(NoGrad):
        def perform(self, node, inputs, output_storage):
            output_storage[0][0] = inputs[0].astype("float32")

    x = T.dvector("x")
    f = theon.function([x], WrongDtype()(x))
    with pytest.raises(ValueError, match=r"WrongDtype.*float32"):
        f(rng.standard_normal(3))


def test_props_equality_and_hash():
    assert CumMax(1) == CumMax(1)
    assert hash(CumMax(1)) == hash(CumMax(1))
    assert CumMax(1) != CumMax(0)
    assert str(CumMax(1)) == "CumMax{axis=1}"


def test_equal_props_nodes_merge(rng):
    x = T.dmatrix("x")
    a, b = CumMax(1), CumMax(1)
    f = theon.function([x], a(x) + b(x))
    names = [str(n.op) for n in f.maker.fgraph.toposort()]
    assert names.count("CumMax{axis=1}") == 1, names
    value = rng.standard_normal((3, 4))
    assert_close(f(value), 2.0 * np.maximum.accumulate(value, axis=1))

    g = theon.function([x], CumMax(1)(x) + CumMax(0)(x))
    names = [str(n.op) for n in g.maker.fgraph.toposort()]
    assert names.count("CumMax{axis=1}") == 1 and names.count("CumMax{axis=0}") == 1, names


def test_infer_shape_avoids_perform(rng):
    x = T.dmatrix("x")
    op = CumMax(1)
    f = theon.function([x], op(x).shape)
    assert list(f(rng.standard_normal((3, 5)))) == [3, 5]
    assert op.calls == 0
