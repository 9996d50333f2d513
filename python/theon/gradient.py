"""``theon.gradient``: symbolic differentiation (Theano's ``theano.gradient``).

The names (``grad``, ``jacobian``, ``hessian``, ``Rop``, ``Lop``,
``verify_grad``, ...) are exported here as the engine's ``grad`` module
provides them; nothing is exported before it does.
"""

__all__ = []
