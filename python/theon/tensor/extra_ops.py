"""``theon.tensor.extra_ops``: Theano's extra ops that the engine has
(``cumsum``, ``cumprod``, ``repeat``, ``squeeze``, plus ``flip``, ``roll``)."""

from theon.tensor.joining import flip, repeat, roll
from theon.tensor.layout import squeeze
from theon.tensor.reduction import cumprod, cumsum

__all__ = ["cumsum", "cumprod", "repeat", "squeeze", "flip", "roll"]
