"""``MRG_RandomStreams``: Theano's ``theano.sandbox.rng_mrg`` random streams,
with its argument names and defaults.

The variables are the engine's ``RandomVariable`` nodes, exactly as with
:class:`theon.tensor.shared_randomstreams.RandomStreams`: one generator
state per variable (a shared ``uint64`` array ``[key, counter]`` whose
``default_update`` advances it), seeded from the stream's seed. Theano's
MRG31k3a generator and its ``nstreams`` are not reproduced: ``nstreams``
is accepted and ignored, and the numbers differ from Theano's.
``multinomial`` draws per row of a probability matrix (the engine's
``MultinomialVariable``).
"""

from theon.tensor.shared_randomstreams import RandomStreams


class MRG_RandomStreams(RandomStreams):
    """Random variables seeded from ``seed`` (an int; Theano's default 12345)."""

    def __init__(self, seed=12345):
        if not isinstance(seed, int) or seed < 0:
            raise ValueError(f"MRG_RandomStreams: seed must be a non-negative int, got {seed!r}")
        super().__init__(seed)

    def uniform(self, size, low=0.0, high=1.0, ndim=None, dtype=None, nstreams=None, **kwargs):
        """Uniform values in ``[low, high)``."""
        return super().uniform(size, low, high, ndim, dtype)

    def normal(self, size, avg=0.0, std=1.0, ndim=None, dtype=None, nstreams=None, truncate=False, **kwargs):
        """Normal values with mean ``avg`` and standard deviation ``std``."""
        if truncate:
            raise NotImplementedError("MRG_RandomStreams.normal: truncate=True is not available in theon")
        return super().normal(size, avg, std, ndim, dtype)

    def binomial(self, size=None, p=0.5, ndim=None, dtype="int64", nstreams=None, n=1, **kwargs):
        """Numbers of successes in ``n`` trials of probability ``p``."""
        return super().binomial(size, n, p, ndim, dtype)

    def multinomial(self, size=None, n=1, pvals=None, ndim=None, dtype="int64", nstreams=None, **kwargs):
        """Per row of the probability matrix ``pvals``, the counts of ``n``
        draws among its columns (one-hot rows for ``n=1``)."""
        from theon import _theon
        from theon.tensor.basic import as_tensor_variable

        if pvals is None:
            raise TypeError("MRG_RandomStreams.multinomial: pvals is required")
        pvals = as_tensor_variable(pvals)
        if size is not None or ndim not in (None, 2):
            raise NotImplementedError(
                "MRG_RandomStreams.multinomial: the shape follows pvals; size and ndim are not supported"
            )
        state = self._new_state("multinomial")
        new_state, counts = _theon.multinomial_variable(state, n, pvals, dtype)
        return self._attach(state, new_state, counts)


__all__ = ["MRG_RandomStreams"]
