"""``theon.tensor``: symbolic tensors and the operations on them (Theano's
``theano.tensor``, usually imported as ``T``).

One module per op family: :mod:`.elemwise`, :mod:`.reduction`,
:mod:`.shape`; constructors and constants in :mod:`.basic`.
"""

from theon import _theon
from theon.tensor.type import TensorType
from theon.tensor.var import TensorConstant, TensorVariable
from theon.tensor.sharedvar import TensorSharedVariable
from theon.tensor.basic import *  # noqa: F401,F403
from theon.tensor.elemwise import *  # noqa: F401,F403
from theon.tensor.reduction import *  # noqa: F401,F403
from theon.tensor.shape import *  # noqa: F401,F403
from theon.tensor import basic, elemwise, reduction, shape

_theon.register_variable_classes(TensorVariable, TensorConstant, TensorSharedVariable)

__all__ = [
    "TensorType",
    "TensorVariable",
    "TensorConstant",
    "TensorSharedVariable",
    *basic.__all__,
    *elemwise.__all__,
    *reduction.__all__,
    *shape.__all__,
]
