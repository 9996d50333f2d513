"""``until``: the stop condition a scan step may return (Theano's
``theano.scan_module.until``), and the parsing of a step's return value."""

from collections import OrderedDict

from theon import _theon


class until:
    """Stops the loop after the step where ``condition`` (a scalar) is true:
    ``return h, until(h > 10)``. The outputs keep that step."""

    def __init__(self, condition):
        from theon.tensor import as_tensor_variable

        condition = as_tensor_variable(condition)
        if condition.ndim != 0:
            raise TypeError(
                f"until: the condition must be a scalar, got a variable with {condition.ndim} dimensions"
            )
        self.condition = condition


def _is_outputs(elem):
    if isinstance(elem, _theon.Var):
        return True
    return isinstance(elem, (list, tuple)) and all(isinstance(x, _theon.Var) for x in elem)


def _is_updates(elem):
    if isinstance(elem, dict):
        return True
    return isinstance(elem, (list, tuple)) and all(
        isinstance(x, (list, tuple)) and len(x) == 2 for x in elem
    )


def _allowed(x):
    """Only lists, tuples, dicts, variables and ``until`` objects."""
    if isinstance(x, (list, tuple)):
        return all(_allowed(y) for y in x)
    if isinstance(x, dict):
        return all(_allowed(y) for y in x.items())
    return isinstance(x, (_theon.Var, until))


def _list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def get_updates_and_outputs(ls):
    """Theano's parsing of a step's return value: ``(condition, outputs,
    updates)`` from outputs, updates (a dict or pairs), ``until``, or
    ``(outputs, updates)``, ``(outputs, until)``, ``(updates, until)``,
    ``(outputs, updates, until)``."""
    if not _allowed(ls):
        raise ValueError(
            "The return value of your scan lambda expression may only be made of lists, "
            "tuples, or dictionaries containing theon variables (or `theon.scan_module.until` "
            "objects for conditions). In particular if you need to use constant values, you "
            "can use `theon.tensor.constant` to turn them into theon variables."
        )
    if _is_outputs(ls):
        return None, _list(ls), OrderedDict()
    if _is_updates(ls):
        return None, [], OrderedDict(ls)
    error = f"Scan cannot parse the return value of your lambda expression, which is: {ls!r}"
    if isinstance(ls, until):
        return ls.condition, [], OrderedDict()
    if not isinstance(ls, (list, tuple)) or len(ls) not in (2, 3):
        raise ValueError(error)
    first, second = ls[0], ls[1]
    if len(ls) == 3:
        if _is_outputs(first) and _is_updates(second) and isinstance(ls[2], until):
            return ls[2].condition, _list(first), OrderedDict(second)
        raise ValueError(error)
    if _is_outputs(first) and _is_updates(second):
        return None, _list(first), OrderedDict(second)
    if _is_outputs(first) and isinstance(second, until):
        return second.condition, _list(first), OrderedDict()
    if _is_updates(first) and isinstance(second, until):
        return second.condition, [], OrderedDict(first)
    if _is_updates(first) and _is_outputs(second):
        raise ValueError(
            "The return value of the lambda function has been restricted: return first the "
            "outputs (if any), then the updates (if any), and at the end the condition"
        )
    raise ValueError(error)


__all__ = ["until", "get_updates_and_outputs"]
