"""``theon.gradient``: symbolic differentiation (Theano's ``theano.gradient``).

``grad`` builds the gradient graph of a scalar cost in reverse mode;
``jacobian``, ``hessian``, ``Rop`` (forward mode) and ``Lop`` build on it.
Gradients are graphs themselves, so they can be differentiated again.
``verify_grad`` checks a gradient against finite differences; the
modifiers (``consider_constant``, ``disconnected_grad``, ``zero_grad``,
``grad_clip``, ``grad_scale``) change how gradients flow through a variable.
"""

import numpy as np

from theon import _theon
from theon.exceptions import GradientError


class DisconnectedType:
    """The type of a gradient that does not depend on the cost."""

    def __repr__(self):
        return "DisconnectedType()"


class NullType:
    """The type of an undefined gradient; ``why_null`` says why."""

    def __init__(self, why_null):
        self.why_null = why_null

    def __repr__(self):
        return f"NullType({self.why_null!r})"


class _Marker:
    """A gradient that is not a variable (disconnected or undefined)."""

    def __init__(self, type_):
        self.type = type_

    def __repr__(self):
        return f"<gradient of type {self.type!r}>"


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _like(template, values):
    """``values`` shaped like ``template``: a list, a tuple or one value."""
    if isinstance(template, tuple):
        return tuple(values)
    if isinstance(template, list):
        return list(values)
    return values[0]


def grad(
    cost,
    wrt,
    consider_constant=None,
    disconnected_inputs="raise",
    add_names=True,
    known_grads=None,
    return_disconnected="zero",
    null_gradients="raise",
):
    """The gradient of the scalar ``cost`` with respect to ``wrt`` (a
    variable, or a list/tuple of them: the result has the same form).

    ``consider_constant``: variables the gradient does not flow through.
    ``disconnected_inputs``: 'raise', 'warn' or 'ignore' when a ``wrt``
    does not influence the cost; ``return_disconnected`` then gives 'zero'
    (zeros like it), 'None', or 'Disconnected' (a marker with a
    ``DisconnectedType``). ``null_gradients``: 'raise' or 'return' (a
    marker with a ``NullType``) for gradients that are undefined.
    ``known_grads``: a dict of variables to their known gradients (``cost``
    may then be None).
    """
    pairs = list((known_grads or {}).items())
    terms = _theon.grad(
        cost,
        _as_list(wrt),
        _as_list(consider_constant or []),
        disconnected_inputs,
        str(return_disconnected),
        null_gradients,
        pairs,
    )
    out = []
    for term in terms:
        if term is None and str(return_disconnected).lower() == "disconnected":
            term = _Marker(DisconnectedType())
        elif isinstance(term, str):
            term = _Marker(NullType(term))
        out.append(term)
    return _like(wrt, out)


def jacobian(expression, wrt, consider_constant=None, disconnected_inputs="raise"):
    """The Jacobian of a scalar or vector ``expression`` (of static length)
    with respect to ``wrt``: shape ``(len(expression), *wrt.shape)``."""
    _defaults_only("jacobian", consider_constant, disconnected_inputs)
    return _like(wrt, _theon.jacobian(expression, _as_list(wrt)))


def hessian(cost, wrt, consider_constant=None, disconnected_inputs="raise"):
    """The Hessian of the scalar ``cost`` with respect to each vector in
    ``wrt`` (of static length)."""
    _defaults_only("hessian", consider_constant, disconnected_inputs)
    return _like(wrt, _theon.hessian(cost, _as_list(wrt)))


def _defaults_only(name, consider_constant, disconnected_inputs):
    if consider_constant or disconnected_inputs != "raise":
        raise NotImplementedError(
            f"{name}: consider_constant and disconnected_inputs are not supported yet; "
            "wrap variables in consider_constant() instead"
        )


def Rop(f, wrt, eval_points, disconnected_outputs="raise", return_disconnected="zero"):
    """The R-operator: Jacobian of ``f`` times ``eval_points`` (forward
    mode), one result per ``f`` (same form as ``f``)."""
    return _like(f, _theon.operator("Rop", _as_list(f), _as_list(wrt), _as_list(eval_points)))


def Lop(f, wrt, eval_points, consider_constant=None, disconnected_inputs="raise"):
    """The L-operator: ``eval_points`` times the Jacobian of ``f``
    (reverse mode), one result per ``wrt`` (same form as ``wrt``)."""
    _defaults_only("Lop", consider_constant, disconnected_inputs)
    return _like(wrt, _theon.operator("Lop", _as_list(f), _as_list(wrt), _as_list(eval_points)))


def consider_constant(x):
    """``x``, through which no gradient flows (treated as a constant)."""
    return _theon.modifier("consider_constant", x)


def disconnected_grad(x):
    """``x``, through which no gradient flows (its inputs are disconnected)."""
    return _theon.modifier("disconnected_grad", x)


def zero_grad(x):
    """``x``, whose gradient is zero (still connected)."""
    return _theon.modifier("zero_grad", x)


def undefined_grad(x):
    """``x``, whose gradient is undefined (asking for it raises)."""
    return _theon.modifier("undefined_grad", x)


def grad_clip(x, lower_bound, upper_bound):
    """``x``, whose incoming gradient is clipped to ``[lower_bound, upper_bound]``."""
    return _theon.modifier("grad_clip", x, float(lower_bound), float(upper_bound))


def grad_scale(x, multiplier):
    """``x``, whose incoming gradient is multiplied by ``multiplier``."""
    return _theon.modifier("grad_scale", x, float(multiplier))


def verify_grad(
    fun,
    pt,
    n_tests=2,
    rng=None,
    eps=None,
    out_type=None,
    abs_tol=None,
    rel_tol=None,
    mode=None,
    cast_to_output_type=False,
    no_debug_ref=True,
):
    """Checks the gradient of ``fun`` (a Python function building a graph
    from one variable per array of ``pt``) against central finite
    differences, for ``n_tests`` random projections of its output.

    Raises ``verify_grad.E_grad`` (``theon.exceptions.GradientError``) on a
    mismatch. ``rng`` (a NumPy ``RandomState`` or ``Generator``) seeds the
    projections; ``eps``, ``abs_tol`` and ``rel_tol`` default per dtype.
    """
    if rng is None:
        seed = 42
    elif hasattr(rng, "integers"):
        seed = int(rng.integers(2**31))
    else:
        seed = int(rng.randint(2**31))
    points = [np.asarray(p) for p in _as_list(pt)]
    _theon.verify_grad(fun, points, n_tests, seed, eps, abs_tol, rel_tol)


verify_grad.E_grad = GradientError

__all__ = [
    "grad",
    "jacobian",
    "hessian",
    "Rop",
    "Lop",
    "verify_grad",
    "consider_constant",
    "disconnected_grad",
    "zero_grad",
    "undefined_grad",
    "grad_clip",
    "grad_scale",
    "DisconnectedType",
    "NullType",
]
