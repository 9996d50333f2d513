"""``In`` and ``Out``: Theano's descriptions of a compiled function's inputs
and outputs (``theano.In``, ``theano.Out``; ``theano.compile.io``).

``function([x, In(y, value=1), In(w, value=2, name='w_by_name')], z)``
gives ``y`` and ``w`` defaults used when a call omits them, and lets ``w``
be passed as ``w_by_name=...``. With ``update``, the value is state: each
call replaces it by the update computed from the value used in that call.
"""


class In:
    """A function input with options.

    ``name``: the keyword it is passed by (default: the variable's name).
    ``value``: the default used when the caller omits the argument (state,
    with ``update``). ``mutable``: the function may overwrite the argument.
    ``borrow``: the function may keep the caller's value as state.
    ``strict``: only the exact dtype is accepted. ``allow_downcast``: values
    of other dtypes are converted even with a loss of precision (``None``
    follows the function's ``allow_input_downcast``). ``implicit`` is
    accepted for Theano compatibility.
    """

    def __init__(
        self,
        variable,
        name=None,
        value=None,
        update=None,
        mutable=None,
        strict=False,
        allow_downcast=None,
        autoname=True,
        implicit=None,
        borrow=None,
        shared=False,
    ):
        if shared:
            raise TypeError("In: shared=True is not supported; use a shared variable instead")
        self.variable = variable
        self.name = name if name is not None else (getattr(variable, "name", None) if autoname else None)
        self.value = value
        self.update = update
        self.mutable = bool(mutable)
        self.strict = strict
        self.allow_downcast = allow_downcast
        self.implicit = implicit
        self.borrow = borrow

    def __repr__(self):
        return f"In({self.variable!r}, name={self.name!r}, value={self.value!r})"


class Out:
    """A function output; ``borrow=True`` lets the function return its own
    buffer (theon returns a value the caller owns either way)."""

    def __init__(self, variable, borrow=False):
        self.variable = variable
        self.borrow = borrow

    def __repr__(self):
        return f"Out({self.variable!r}, borrow={self.borrow})"


__all__ = ["In", "Out"]
