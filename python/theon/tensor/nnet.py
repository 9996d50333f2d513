"""``theon.tensor.nnet``: activations, softmax and cross-entropies
(Theano's ``theano.tensor.nnet``, convolution not yet)."""

from theon import _theon


def sigmoid(x):
    """``1 / (1 + exp(-x))``, computed stably."""
    return _theon.elemwise("sigmoid", x)


def softplus(x):
    """``log(1 + exp(x))``, computed stably."""
    return _theon.elemwise("softplus", x)


def _as_row(c, axis):
    """Theano 1.0's softmax of a vector is a one-row matrix (programs index
    it as ``s[:, 0, :]`` after a scan); other ranks, and an explicit
    ``axis=0``, pass unchanged."""
    if isinstance(c, _theon.Var) and c.ndim == 1 and axis == -1:
        from theon.tensor.layout import shape_padleft

        return shape_padleft(c, 1)
    return c


def softmax(c, axis=-1):
    """``exp(c) / sum(exp(c), axis)``, computed stably (rows of a matrix by
    default). As in Theano 1.0, a vector gives a ``(1, n)`` matrix."""
    return _theon.softmax(_as_row(c, axis), axis)


def log_softmax(c, axis=-1):
    """``log(softmax(c, axis))``, computed stably (a vector gives a
    ``(1, n)`` matrix, as in Theano 1.0)."""
    return _theon.log_softmax(_as_row(c, axis), axis)


logsoftmax = log_softmax


def relu(x, alpha=0):
    """``max(x, 0)``; with ``alpha`` the leaky form ``x if x > 0 else alpha * x``."""
    return _theon.activation("relu", x, float(alpha))


def elu(x, alpha=1):
    """``x if x > 0 else alpha * (exp(x) - 1)``."""
    return _theon.activation("elu", x, float(alpha))


def selu(x):
    """The scaled ELU of Klambauer et al. (2017)."""
    return _theon.activation("selu", x)


def softsign(x):
    """``x / (1 + |x|)``."""
    return _theon.activation("softsign", x)


def hard_sigmoid(x):
    """``clip(0.2 * x + 0.5, 0, 1)``."""
    return _theon.activation("hard_sigmoid", x)


def ultra_fast_sigmoid(x):
    """Theano's fast sigmoid approximation; here the exact, stable sigmoid."""
    return _theon.activation("ultra_fast_sigmoid", x)


def categorical_crossentropy(coding_dist, true_dist):
    """``-log(coding_dist[i, true_dist[i]])`` for integer labels, or
    ``-sum(true_dist * log(coding_dist), axis=-1)`` for distributions."""
    return _theon.categorical_crossentropy(coding_dist, true_dist)


def binary_crossentropy(output, target):
    """``-(target * log(output) + (1 - target) * log(1 - output))``."""
    return _theon.crossentropy("binary_crossentropy", output, target)


def sigmoid_binary_crossentropy(output, target):
    """``binary_crossentropy(sigmoid(output), target)``, computed stably from logits."""
    return _theon.crossentropy("sigmoid_binary_crossentropy", output, target)


__all__ = [
    "sigmoid",
    "softplus",
    "softmax",
    "log_softmax",
    "logsoftmax",
    "relu",
    "elu",
    "selu",
    "softsign",
    "hard_sigmoid",
    "ultra_fast_sigmoid",
    "categorical_crossentropy",
    "binary_crossentropy",
    "sigmoid_binary_crossentropy",
]
