"""``ifelse``: a lazy conditional (Theano's ``theano.ifelse``). Unlike
``theon.tensor.switch``, which computes both sides elementwise, only the
branch the scalar condition selects is computed."""

from theon import _theon


def ifelse(condition, then_branch, else_branch, name=None):
    """``then_branch`` if the scalar ``condition`` is true (nonzero), else
    ``else_branch``. The branches are variables, or lists of the same
    length (the result is then a list). Only the selected branch runs;
    ``name`` is accepted for compatibility."""
    single = not isinstance(then_branch, (list, tuple))
    if single != (not isinstance(else_branch, (list, tuple))):
        raise ValueError("ifelse: give both branches as variables, or both as lists")
    then_list = [then_branch] if single else list(then_branch)
    else_list = [else_branch] if single else list(else_branch)
    if len(then_list) != len(else_list):
        raise ValueError(
            "ifelse: the number of values on the `then` branch should be the same as on the "
            f"`else` branch ({len(then_list)} vs {len(else_list)})"
        )
    outputs = _theon.ifelse(condition, then_list, else_list)
    return outputs[0] if single else outputs


__all__ = ["ifelse"]
