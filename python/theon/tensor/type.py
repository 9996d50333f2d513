"""``TensorType``: a dtype and a static shape (Theano's broadcastable pattern).

``TensorType('float64', (False, True))`` is the type of n×1 matrices;
calling a type makes a graph input: ``TensorType('int32', ())('i')``.
PyTensor's form ``TensorType('float64', shape=(None, 1))`` works too.
"""

from theon._theon import TensorType

__all__ = ["TensorType"]
