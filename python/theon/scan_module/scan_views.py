"""``map``, ``reduce``, ``foldl`` and ``foldr``: Theano's shorthands built
on ``scan`` (``theano.scan_module.scan_views``)."""

from theon.scan_module.scan import _scan, scan


def map(fn, sequences, non_sequences=None, truncate_gradient=-1, go_backwards=False,
        mode=None, name=None):
    """``fn`` applied to each element of ``sequences``: ``(outputs, updates)``."""
    return scan(fn, sequences=sequences, outputs_info=None, non_sequences=non_sequences,
                truncate_gradient=truncate_gradient, go_backwards=go_backwards,
                mode=mode, name=name or "map")


def reduce(fn, sequences, outputs_info, non_sequences=None, go_backwards=False,
           mode=None, name=None):
    """A scan that keeps only each output's final value: ``(results,
    updates)`` (one variable for a single output)."""
    outputs, last, updates = _scan(fn, sequences, outputs_info, non_sequences, None, -1,
                                   go_backwards, mode, name or "reduce", False)
    # A recurrent output's final state comes straight from the loop (its
    # history is then dropped by the optimizer); others keep their last row.
    results = [final if final is not None else out[-1] for out, final in zip(outputs, last)]
    if len(results) == 1:
        return results[0], updates
    return results, updates


def foldl(fn, sequences, outputs_info, non_sequences=None, mode=None, name=None):
    """``reduce`` from the first element."""
    return reduce(fn, sequences, outputs_info, non_sequences, go_backwards=False,
                  mode=mode, name=name or "foldl")


def foldr(fn, sequences, outputs_info, non_sequences=None, mode=None, name=None):
    """``reduce`` from the last element."""
    return reduce(fn, sequences, outputs_info, non_sequences, go_backwards=True,
                  mode=mode, name=name or "foldr")


__all__ = ["map", "reduce", "foldl", "foldr"]
