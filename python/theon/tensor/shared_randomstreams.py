"""``RandomStreams``: Theano's symbolic random streams
(``theano.tensor.shared_randomstreams``).

Each call (``uniform``, ``normal``, ``binomial``, ``random_integers``)
makes a new random variable with its own generator state, a shared
variable seeded from the stream's seed generator. The state's
``default_update`` is the advanced state, so every compiled function that
draws from it advances it after each call (unless compiled with
``no_default_updates``), and the same variable drawn twice in one graph is
one sample (``u + u - 2 * u`` is zero). ``seed(s)`` reseeds every state the
stream made, which replays the same numbers.

Differences from Theano: a state is a ``uint64`` array ``[key, counter]``
(the engine's counter-based generator), not a ``numpy.random.RandomState``,
so ``rv.rng.get_value()`` is that array and the numbers differ from
Theano's; copying states between graphs with ``get_value``/``set_value``
works as in Theano.
"""

import contextlib

import numpy as np

from theon import _theon
from theon.configparser import config


#: Lists collecting the ``(state, new_state)`` pairs made while a ``scan``
#: step is being built (innermost last): the step's random states must be
#: carried through the loop, as Theano's scan does with default updates.
_collectors = []


@contextlib.contextmanager
def collect_states():
    """Within the block, records every random variable's ``(state,
    new_state)`` in the list it yields (nested blocks record in the
    innermost only)."""
    pairs = []
    _collectors.append(pairs)
    try:
        yield pairs
    finally:
        _collectors.pop()


def record_draw(state, new_state):
    """Tells the innermost ``scan`` step being built (if any) that its graph
    advances ``state`` to ``new_state`` (a draw, or an inner scan's final
    state)."""
    if _collectors:
        _collectors[-1].append((state, new_state))


def _size_variable(size, ndim):
    """The size as an int64 vector operand: a tuple of ints and/or symbolic
    scalars, or a symbolic vector such as ``x.shape``."""
    from theon.tensor.elemwise import cast
    from theon.tensor.joining import stack

    if size is None:
        size = ()
    if isinstance(size, _theon.Var):
        length = size.type.shape[0] if size.ndim == 1 else None
        if ndim is not None and length is not None and length != ndim:
            raise ValueError(f"size {size} has {length} dims but ndim={ndim}")
        return cast(size, "int64")
    if not isinstance(size, (tuple, list)):
        size = (size,)
    if ndim is not None and len(size) != ndim:
        raise ValueError(f"size {tuple(size)} has {len(size)} dims but ndim={ndim}")
    if any(isinstance(s, _theon.Var) for s in size):
        return stack([cast(s, "int64") for s in size])
    return np.asarray(size, dtype="int64").reshape(len(size))


def _float_dtype(*params):
    """``floatX``, widened to the dtype of any float parameter that is wider
    (Theano's upcast of ``floatX`` with the parameters)."""
    dtype = np.dtype(config.floatX)
    for p in params:
        p_dtype = np.dtype(getattr(p, "dtype", "float64")) if not isinstance(p, (int, float)) else None
        if p_dtype is not None and p_dtype.kind == "f":
            dtype = np.promote_types(dtype, p_dtype)
    return dtype.name


class RandomStreams:
    """A source of random variables seeded from ``seed`` (Theano's
    ``RandomStreams(seed=None)``)."""

    def __init__(self, seed=None):
        #: ``(state, new_state)`` pairs of every variable made, in order.
        self.state_updates = []
        self.default_instance_seed = seed
        self.gen_seedgen = np.random.RandomState(seed)

    def _next_seed(self):
        return int(self.gen_seedgen.randint(2**30))

    def seed(self, seed=None):
        """Reseeds the seed generator and, from it, every state this stream
        made (in creation order); ``None`` reuses the constructor's seed."""
        if seed is None:
            seed = self.default_instance_seed
        self.gen_seedgen = np.random.RandomState(seed)
        for state, _ in self.state_updates:
            state.set_value(_theon.random_state(self._next_seed()))

    def updates(self):
        """The ``(state, new_state)`` pairs, for an explicit ``updates=``."""
        return list(self.state_updates)

    def gen(self, dist, size, a, b, ndim, dtype):
        """A new random variable of distribution ``dist`` with its own state."""
        size = _size_variable(size, ndim)
        state = self._new_state(dist)
        new_state, sample = _theon.random_variable(dist, state, size, a, b, dtype)
        return self._attach(state, new_state, sample)

    def _new_state(self, dist):
        """A shared generator state seeded from the stream's seed generator."""
        from theon.compile.sharedvalue import shared

        return shared(_theon.random_state(self._next_seed()), name=f"{dist}_rng")

    def _attach(self, state, new_state, sample):
        """Makes ``new_state`` the state's default update and records it."""
        state.default_update = new_state
        sample.rng = state
        sample.update = (state, new_state)
        self.state_updates.append((state, new_state))
        record_draw(state, new_state)
        return sample

    def uniform(self, size=(), low=0.0, high=1.0, ndim=None, dtype=None):
        """Uniform values in ``[low, high)``."""
        dtype = dtype or _float_dtype(low, high)
        return self.gen("uniform", size, low, high, ndim, dtype)

    def normal(self, size=(), avg=0.0, std=1.0, ndim=None, dtype=None):
        """Normal values with mean ``avg`` and standard deviation ``std``."""
        dtype = dtype or _float_dtype(avg, std)
        return self.gen("normal", size, avg, std, ndim, dtype)

    def binomial(self, size=(), n=1, p=0.5, ndim=None, dtype="int64", prob=None):
        """Numbers of successes in ``n`` trials of probability ``p``
        (``prob`` is Theano's older name for ``p``)."""
        if prob is not None:
            p = prob
        return self.gen("binomial", size, n, p, ndim, dtype)

    def random_integers(self, size=(), low=0, high=1, ndim=None, dtype="int64"):
        """Uniform integers in ``[low, high]``, both included."""
        return self.gen("random_integers", size, low, high, ndim, dtype)


__all__ = ["RandomStreams"]
