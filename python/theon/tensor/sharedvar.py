"""``TensorSharedVariable``: a shared variable that is also a tensor variable."""

from theon.compile.sharedvalue import SharedVariable
from theon.tensor.var import TensorVariable


class TensorSharedVariable(SharedVariable, TensorVariable):
    """Shared storage usable in graphs like any tensor variable."""


__all__ = ["TensorSharedVariable"]
