"""``theon.function``: compiles graphs into callable functions."""

from collections.abc import Mapping

from theon import _theon

Function = _theon.Function

#: Modes a function can be compiled in. Both run the engine's reference
#: executor until the optimizer lands; they differ only in name for now.
MODES = ("FAST_RUN", "FAST_COMPILE")


def _pairs(value, what):
    """Updates or givens as a list of pairs (from a dict or a sequence)."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        return list(value.items())
    pairs = []
    for item in value:
        try:
            target, replacement = item
        except (TypeError, ValueError):
            raise TypeError(f"{what} must be (variable, value) pairs, got {item!r}") from None
        pairs.append((target, replacement))
    return pairs


def function(
    inputs,
    outputs=None,
    mode=None,
    updates=None,
    givens=None,
    name=None,
    allow_input_downcast=None,
    on_unused_input="raise",
):
    """Compiles ``outputs`` as a function of ``inputs``.

    ``outputs`` is a variable (the function returns one array) or a list
    (it returns a list). ``updates`` gives new values of shared variables,
    computed from the old ones and applied together after each call;
    ``givens`` substitutes variables in the graph before compiling.
    ``on_unused_input`` ('raise', 'warn' or 'ignore') says what to do with an
    input no output depends on.
    Arguments are converted with Theano's casting rules: a value whose
    dtype would lose precision raises ``TypeError`` unless
    ``allow_input_downcast=True``.
    """
    if not isinstance(inputs, (list, tuple)):
        raise TypeError(
            "the inputs of a theon function must be a list or tuple of variables, "
            f"got {type(inputs).__name__}"
        )
    if mode is not None and mode not in MODES:
        raise ValueError(f"mode must be one of {MODES} or None, got {mode!r}")
    single = outputs is not None and not isinstance(outputs, (list, tuple))
    outputs = [outputs] if single else list(outputs or [])
    return _theon.compile_function(
        list(inputs),
        outputs,
        _pairs(updates, "updates"),
        _pairs(givens, "givens"),
        name,
        on_unused_input or "raise",
        allow_input_downcast,
        single,
    )


__all__ = ["function", "Function"]
