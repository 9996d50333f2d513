"""``scan``: loops with recurrent state (Theano's ``theano.scan``).

The step function ``fn`` is called once, on symbolic placeholders, to
build the loop's body; the engine turns the body into one ``Scan`` node
that runs the loop natively (and differentiates it by backpropagation
through time). This module only translates Theano's arguments; see
``docs/scan.md`` for what the engine does with them.
"""

from theon import _theon
from theon.compile.mode import get_mode
from theon.tensor import shared_randomstreams
from theon.scan_module.scan_utils import get_updates_and_outputs
from theon.updates import OrderedUpdates

_SEQUENCE_KEYS = {"input", "taps"}
_OUTPUT_KEYS = {"initial", "taps"}


def _as_list(x):
    if x is None:
        return []
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _taps(value, default, what):
    if value is None:
        return list(default)
    taps = _as_list(value)
    if not all(isinstance(t, int) and not isinstance(t, bool) for t in taps):
        raise TypeError(f"scan: the taps of {what} must be ints, got {value!r}")
    return taps


def _check_keys(entry, allowed, what):
    unknown = set(entry) - allowed
    if unknown:
        raise ValueError(f"scan: {what} has unknown keys {sorted(unknown)}; allowed: {sorted(allowed)}")


def _sequence(entry, i):
    """A sequence as ``(input, taps)``: a variable (taps ``[0]``) or
    ``dict(input=x, taps=[...])``."""
    if isinstance(entry, dict):
        _check_keys(entry, _SEQUENCE_KEYS, f"sequence {i}")
        if entry.get("input") is None:
            raise ValueError(f"scan: sequence {i} is a dict without 'input'")
        return entry["input"], _taps(entry.get("taps"), [0], f"sequence {i}")
    return entry, [0]


def _output_info(entry, i):
    """An ``outputs_info`` entry as ``(initial, taps)``, or None for an
    output that is not fed back."""
    if entry is None:
        return None
    if isinstance(entry, dict):
        _check_keys(entry, _OUTPUT_KEYS, f"outputs_info entry {i}")
        if entry.get("initial") is None:
            if entry.get("taps"):
                raise ValueError(f"scan: outputs_info entry {i} has taps but no 'initial' value")
            return None
        return entry["initial"], _taps(entry.get("taps"), [-1], f"outputs_info entry {i}")
    return entry, [-1]


def _step(fn, random_states=None):
    """The step the engine calls with the placeholders in Theano's order
    (sequence taps, output taps, non-sequences). Random variables the step
    draws get their generator state carried through the loop (their
    default update becomes a step update, as in Theano); their states are
    appended to ``random_states``."""

    def step(args):
        with shared_randomstreams.collect_states() as drawn:
            condition, outputs, updates = get_updates_and_outputs(fn(*args))
        pairs = list(updates.items())
        for state, new_state in drawn:
            if not any(target == state for target, _ in pairs):
                pairs.append((state, new_state))
                if random_states is not None:
                    random_states.append(state)
        return outputs, pairs, condition

    return step


def _shortest_sequence(sequences, n_steps):
    """Theano iterates over the shortest sequence: without ``n_steps``, and
    with sequences whose step counts may differ, the count is the minimum of
    ``len(seq) - (max tap - min tap)`` (the engine itself asks for equal
    counts or an explicit ``n_steps``)."""
    from theon.tensor.basic import as_tensor_variable
    from theon.tensor.elemwise import minimum

    if n_steps is not None or len(sequences) < 2:
        return sequences, n_steps
    sequences = [(as_tensor_variable(seq), taps) for seq, taps in sequences]
    static = {seq.type.shape[0] - (max(taps) - min(taps)) if seq.type.shape[0] is not None else None
              for seq, taps in sequences}
    if len(static) == 1 and None not in static:
        return sequences, None
    counts = [seq.shape[0] - (max(taps) - min(taps)) for seq, taps in sequences]
    n_steps = counts[0]
    for count in counts[1:]:
        n_steps = minimum(n_steps, count)
    return sequences, n_steps


def _scan(fn, sequences, outputs_info, non_sequences, n_steps, truncate_gradient,
          go_backwards, mode, name, strict):
    """The engine's scan: ``(outputs, last states, updates)``."""
    if not callable(fn):
        raise TypeError(f"scan: fn must be callable, got {type(fn).__name__}")
    engine_mode = None if mode is None else get_mode(mode)._engine_mode()
    random_states = []
    sequences, n_steps = _shortest_sequence(
        [_sequence(s, i) for i, s in enumerate(_as_list(sequences))], n_steps
    )
    outputs, last, updates = _theon.scan(
        _step(fn, random_states),
        sequences,
        [_output_info(o, i) for i, o in enumerate(_as_list(outputs_info))],
        _as_list(non_sequences),
        n_steps,
        int(truncate_gradient),
        bool(go_backwards),
        name,
        bool(strict),
        engine_mode,
    )
    # A state drawn from inside the loop advances by the loop's final state
    # after each call, also in functions not given the returned updates.
    for state in random_states:
        for target, value in updates:
            if target == state:
                state.default_update = value
                # Inside an outer scan's step, the outer loop carries it on.
                shared_randomstreams.record_draw(state, value)
    return outputs, last, OrderedUpdates(updates)


def scan(
    fn,
    sequences=None,
    outputs_info=None,
    non_sequences=None,
    n_steps=None,
    truncate_gradient=-1,
    go_backwards=False,
    mode=None,
    name=None,
    profile=False,
    allow_gc=None,
    strict=False,
    return_list=False,
):
    """Theano's ``scan``: iterates ``fn`` over ``sequences``, feeding back
    the outputs named in ``outputs_info``.

    ``fn`` receives, in order: each sequence at each of its taps, each
    recurrent output at each of its taps, then the ``non_sequences``. It
    returns the step's outputs, optionally with a dict of shared-variable
    updates and/or ``theon.scan_module.until(condition)``.

    ``sequences``: variables, or ``dict(input=x, taps=[-1, 0, 1])``.
    ``outputs_info``: per output, an initial value (taps ``[-1]``),
    ``dict(initial=x0, taps=[-2, -1])`` (``x0`` holds the ``2`` states
    before step 0, oldest first), or None (not fed back).
    ``n_steps``: an int or integer scalar (default: the sequences' length).
    ``truncate_gradient``: backpropagate through at most this many steps
    (-1: all). ``go_backwards``: iterate the sequences from their end.
    ``mode``: compile mode of the body. ``strict``: refuse outer variables
    the body reads that are not ``non_sequences``.
    ``profile`` and ``allow_gc`` are accepted for compatibility (the body
    is profiled with the function; its buffers are managed by the engine).

    Returns ``(outputs, updates)``: the stacked per-step values of each
    output (one variable when there is a single output, unless
    ``return_list``; None when there is none) and an ``OrderedUpdates`` of
    the shared variables the steps updated, for ``theon.function``.
    """
    outputs, _, updates = _scan(fn, sequences, outputs_info, non_sequences, n_steps,
                                truncate_gradient, go_backwards, mode, name, strict)
    if not return_list and len(outputs) == 1:
        return outputs[0], updates
    if not outputs:
        return None, updates
    return outputs, updates


def scan_checkpoints(fn, sequences=None, outputs_info=None, non_sequences=None,
                     name="checkpointscan_fn", n_steps=None, save_every_N=10, padding=True):
    """Theano's ``scan_checkpoints``: a scan whose gradient keeps the
    states of every ``save_every_N``-th step only and recomputes the others
    (memory for states drops from ``T`` to about ``T/N + N``).

    Sequences are read one row per step (taps ``[0]``) and every
    ``outputs_info`` entry is an initial value (taps ``[-1]``). Returns
    ``(outputs, updates)`` as ``scan`` does, except that ``outputs`` holds
    the state after every ``save_every_N``-th step and after the last one.
    ``padding`` is accepted for compatibility: the engine runs a shorter
    last block instead of padding the sequences.
    """
    if not callable(fn):
        raise TypeError(f"scan_checkpoints: fn must be callable, got {type(fn).__name__}")
    if isinstance(save_every_N, bool) or not isinstance(save_every_N, int) or save_every_N < 1:
        raise ValueError(f"scan_checkpoints: save_every_N must be an int >= 1, got {save_every_N!r}")
    infos = _as_list(outputs_info)
    if any(o is None or isinstance(o, dict) for o in infos):
        raise ValueError("scan_checkpoints: every outputs_info entry must be an initial value (taps [-1])")
    outputs, _, updates = _theon.scan_checkpoints(
        _step(fn), _as_list(sequences), infos, _as_list(non_sequences), n_steps,
        save_every_N, name)
    if len(outputs) == 1:
        return outputs[0], OrderedUpdates(updates)
    return outputs, OrderedUpdates(updates)


__all__ = ["scan", "scan_checkpoints"]
