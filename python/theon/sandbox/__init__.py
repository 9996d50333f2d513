"""``theon.sandbox``: Theano's sandbox modules that classic programs import
(``theon.sandbox.rng_mrg.MRG_RandomStreams``)."""

from theon.sandbox import rng_mrg

__all__ = ["rng_mrg"]
