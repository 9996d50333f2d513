"""``theon.tensor``: symbolic tensors and the operations on them (Theano's
``theano.tensor``, usually imported as ``T``).

One module per op family: :mod:`.elemwise`, :mod:`.reduction`,
:mod:`.layout` (shapes), :mod:`.joining`, :mod:`.creation`,
:mod:`.products`, :mod:`.subtensor` (indexing), :mod:`.nnet`,
:mod:`.extra_ops`, :mod:`.nlinalg` and :mod:`.slinalg` (linear algebra);
constructors and constants in :mod:`.basic`.
"""

from theon import _theon
from theon.tensor.type import TensorType
from theon.tensor.var import TensorConstant, TensorVariable
from theon.tensor.sharedvar import TensorSharedVariable
from theon.tensor.basic import *  # noqa: F401,F403
from theon.tensor.elemwise import *  # noqa: F401,F403
from theon.tensor.reduction import *  # noqa: F401,F403
from theon.tensor.layout import *  # noqa: F401,F403
from theon.tensor.joining import *  # noqa: F401,F403
from theon.tensor.creation import *  # noqa: F401,F403
from theon.tensor.products import *  # noqa: F401,F403
from theon.tensor.subtensor import *  # noqa: F401,F403
from theon.tensor.extra_ops import (  # noqa: F401
    argsort,
    diag,
    diagonal,
    fill_diagonal,
    sort,
    tril,
    triu,
    where,
)
# Theano's ``theano.tensor`` re-exports the symbolic differentiation API.
from theon.gradient import (  # noqa: F401
    Lop,
    Rop,
    consider_constant,
    grad,
    hessian,
    jacobian,
    verify_grad,
)
from theon.tensor import (
    basic,
    creation,
    elemwise,
    extra_ops,
    joining,
    layout,
    nlinalg,
    nnet,
    products,
    reduction,
    shared_randomstreams,
    slinalg,
    subtensor,
)

_theon.register_variable_classes(TensorVariable, TensorConstant, TensorSharedVariable)

__all__ = [
    "TensorType",
    "TensorVariable",
    "TensorConstant",
    "TensorSharedVariable",
    "nnet",
    "shared_randomstreams",
    "extra_ops",
    "nlinalg",
    "slinalg",
    "sort",
    "argsort",
    "diag",
    "diagonal",
    "fill_diagonal",
    "tril",
    "triu",
    "where",
    "grad",
    "Rop",
    "Lop",
    "jacobian",
    "hessian",
    "consider_constant",
    "verify_grad",
    *basic.__all__,
    *elemwise.__all__,
    *reduction.__all__,
    *layout.__all__,
    *joining.__all__,
    *creation.__all__,
    *products.__all__,
    *subtensor.__all__,
]
