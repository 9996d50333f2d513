"""Symbolic variables: :class:`TensorVariable` and :class:`TensorConstant`.

Operators and methods build graph nodes in the engine; nothing is computed
until a function is compiled and called (or ``eval`` is used). Python
scalars are *weak* operands (NumPy 2 / NEP 50): ``x + 1`` keeps ``x``'s
dtype. As in Theano, ``==`` is identity; use ``theon.tensor.eq`` for the
elementwise comparison.
"""

from theon import _theon
from theon.tensor import extra_ops, joining, layout, products, reduction, subtensor


class TensorVariable(_theon.Var):
    """A symbolic tensor: an input, a constant, a shared variable or an op's output."""

    # NumPy hands mixed expressions (``np.float32(2) * x``) to our operators.
    __array_ufunc__ = None
    __array_priority__ = 1000

    # -- arithmetic -------------------------------------------------------
    def __add__(self, other):
        return _theon.elemwise("add", self, other)

    def __radd__(self, other):
        return _theon.elemwise("add", other, self)

    def __sub__(self, other):
        return _theon.elemwise("sub", self, other)

    def __rsub__(self, other):
        return _theon.elemwise("sub", other, self)

    def __mul__(self, other):
        return _theon.elemwise("mul", self, other)

    def __rmul__(self, other):
        return _theon.elemwise("mul", other, self)

    def __truediv__(self, other):
        return _theon.elemwise("true_div", self, other)

    def __rtruediv__(self, other):
        return _theon.elemwise("true_div", other, self)

    def __floordiv__(self, other):
        return _theon.elemwise("floor_div", self, other)

    def __rfloordiv__(self, other):
        return _theon.elemwise("floor_div", other, self)

    def __mod__(self, other):
        return _theon.elemwise("mod", self, other)

    def __rmod__(self, other):
        return _theon.elemwise("mod", other, self)

    def __pow__(self, other):
        return _theon.elemwise("pow", self, other)

    def __rpow__(self, other):
        return _theon.elemwise("pow", other, self)

    def __neg__(self):
        return _theon.elemwise("neg", self)

    def __abs__(self):
        return _theon.elemwise("abs", self)

    # -- bitwise (logical on booleans) --------------------------------------
    def __and__(self, other):
        return _theon.elemwise("bitwise_and", self, other)

    def __rand__(self, other):
        return _theon.elemwise("bitwise_and", other, self)

    def __or__(self, other):
        return _theon.elemwise("bitwise_or", self, other)

    def __ror__(self, other):
        return _theon.elemwise("bitwise_or", other, self)

    def __xor__(self, other):
        return _theon.elemwise("bitwise_xor", self, other)

    def __rxor__(self, other):
        return _theon.elemwise("bitwise_xor", other, self)

    def __invert__(self):
        return _theon.elemwise("invert", self)

    def __lshift__(self, other):
        return _theon.elemwise("left_shift", self, other)

    def __rshift__(self, other):
        return _theon.elemwise("right_shift", self, other)

    # -- comparisons (``==`` and ``!=`` stay identity, as in Theano) ---------
    def __lt__(self, other):
        return _theon.elemwise("lt", self, other)

    def __le__(self, other):
        return _theon.elemwise("le", self, other)

    def __gt__(self, other):
        return _theon.elemwise("gt", self, other)

    def __ge__(self, other):
        return _theon.elemwise("ge", self, other)

    def __bool__(self):
        raise TypeError(
            "theon variables have no truth value: a comparison builds a graph "
            "(use theon.tensor.switch for conditions in graphs)"
        )

    # -- layout -----------------------------------------------------------
    @property
    def T(self):
        """The transpose (axes reversed)."""
        return _theon.transpose(self)

    def transpose(self, *axes):
        """Permutes the axes: ``x.transpose(1, 0, 2)``; no axes reverses them."""
        if len(axes) == 1 and isinstance(axes[0], (list, tuple)):
            axes = axes[0]
        return layout.transpose(self, list(axes) if axes else None)

    @property
    def shape(self):
        """The symbolic shape: an int64 vector (``x.shape[0]`` is the first length)."""
        return _theon.shape(self)

    def reshape(self, shape, *more, ndim=None):
        """``x.reshape((2, -1))``, ``x.reshape(2, -1)`` or ``x.reshape(y.shape)``."""
        return layout.reshape(self, (shape, *more) if more else shape, ndim)

    def flatten(self, ndim=1):
        """Keeps the first ``ndim - 1`` axes and merges the rest."""
        return layout.flatten(self, ndim)

    def squeeze(self, axis=None):
        """Drops length-1 axes (every broadcastable one when ``axis`` is None)."""
        return layout.squeeze(self, axis)

    def repeat(self, repeats, axis=None):
        return joining.repeat(self, repeats, axis)

    def dimshuffle(self, *pattern):
        """Theano's ``dimshuffle``: ``x.dimshuffle(1, 'x', 0)``."""
        if len(pattern) == 1 and isinstance(pattern[0], (list, tuple)):
            pattern = pattern[0]
        return _theon.dimshuffle(self, list(pattern))

    # -- elementwise methods ------------------------------------------------
    def astype(self, dtype):
        """The variable converted to ``dtype``."""
        return _theon.cast(self, dtype)

    def clip(self, a_min, a_max):
        """Values limited to ``[a_min, a_max]``."""
        return _theon.elemwise("clip", self, a_min, a_max)

    # -- reductions ---------------------------------------------------------
    def sum(self, axis=None, dtype=None, keepdims=False):
        return reduction.sum(self, axis=axis, dtype=dtype, keepdims=keepdims)

    def prod(self, axis=None, dtype=None, keepdims=False):
        return reduction.prod(self, axis=axis, dtype=dtype, keepdims=keepdims)

    def max(self, axis=None, keepdims=False):
        return reduction.max(self, axis=axis, keepdims=keepdims)

    def min(self, axis=None, keepdims=False):
        return reduction.min(self, axis=axis, keepdims=keepdims)

    def all(self, axis=None, keepdims=False):
        return reduction.all(self, axis=axis, keepdims=keepdims)

    def any(self, axis=None, keepdims=False):
        return reduction.any(self, axis=axis, keepdims=keepdims)

    def argmax(self, axis=None, keepdims=False):
        return reduction.argmax(self, axis=axis, keepdims=keepdims)

    def argmin(self, axis=None, keepdims=False):
        return reduction.argmin(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, dtype=None, keepdims=False):
        return reduction.mean(self, axis=axis, dtype=dtype, keepdims=keepdims)

    def var(self, axis=None, ddof=0, keepdims=False):
        return reduction.var(self, axis=axis, ddof=ddof, keepdims=keepdims)

    def std(self, axis=None, ddof=0, keepdims=False):
        return reduction.std(self, axis=axis, ddof=ddof, keepdims=keepdims)

    def cumsum(self, axis=None):
        return reduction.cumsum(self, axis)

    def cumprod(self, axis=None):
        return reduction.cumprod(self, axis)

    # -- products and indexing -------------------------------------------------
    def dot(self, other):
        return products.dot(self, other)

    def __matmul__(self, other):
        return products.matmul(self, other)

    def __rmatmul__(self, other):
        return products.matmul(other, self)

    def __getitem__(self, key):
        """NumPy indexing: ints, slices (symbolic bounds and negative steps
        too), ``None``, ``...``, integer index arrays and boolean masks."""
        return _theon.getitem(self, key)

    def __iter__(self):
        raise TypeError(
            "theon variables are not iterable: index them (x[i]) or use theon.tensor functions"
        )

    def take(self, indices, axis=None, mode="raise"):
        return subtensor.take(self, indices, axis, mode)

    def sort(self, axis=-1, kind="quicksort", order=None):
        return extra_ops.sort(self, axis, kind, order)

    def argsort(self, axis=-1, kind="quicksort", order=None):
        return extra_ops.argsort(self, axis, kind, order)

    def diagonal(self, offset=0, axis1=0, axis2=1):
        return extra_ops.diagonal(self, offset, axis1, axis2)

    def trace(self, offset=0, axis1=0, axis2=1):
        return extra_ops.trace(self, offset, axis1, axis2)

    def ptp(self, axis=None, keepdims=False):
        return extra_ops.ptp(self, axis, keepdims)

    def nonzero(self, return_matrix=False):
        return subtensor.nonzero(self, return_matrix)

    # -- evaluation -----------------------------------------------------------
    def eval(self, inputs_to_values=None):
        """Computes the variable's value, given values for the inputs it needs.

        The compiled function is cached per set of inputs, as in Theano.
        """
        from theon.compile.function import function

        inputs_to_values = inputs_to_values or {}
        inputs = tuple(inputs_to_values)
        cache = self.__dict__.setdefault("_fn_cache", {})
        if inputs not in cache:
            cache[inputs] = function(list(inputs), self)
        return cache[inputs](*[inputs_to_values[v] for v in inputs])


class TensorConstant(TensorVariable):
    """A constant in a graph; ``.data`` is its value."""

    @property
    def data(self):
        """The constant's value (a new NumPy array)."""
        return self._constant_value()

    value = data


__all__ = ["TensorVariable", "TensorConstant"]

