"""Compile modes (Theano's ``Mode``): which graph rewrites ``function`` runs.

``'FAST_RUN'`` (the default) runs every rewrite (merging, constant folding,
canonicalization, stabilization, specialization, elementwise fusion);
``'FAST_COMPILE'`` only the cheap ones. ``Mode(optimizer=None)`` runs the
graph as written. ``mode.including('name')`` / ``excluding('fusion')``
add or remove rewrites and tags by name.
"""

from theon.configparser import config

#: Theano's optimizer names to the engine's base rule sets.
_OPTIMIZERS = {
    "fast_run": "FAST_RUN",
    "default": "FAST_RUN",
    "fast_compile": "FAST_COMPILE",
    "none": "NONE",
    "None": "NONE",
    None: "NONE",
}


class Mode:
    """A compile mode: a base optimizer plus rewrites included/excluded by name."""

    def __init__(self, linker=None, optimizer="default", including=(), excluding=()):
        key = optimizer.lower() if isinstance(optimizer, str) and optimizer != "None" else optimizer
        if key not in _OPTIMIZERS:
            raise ValueError(
                f"Mode: unknown optimizer {optimizer!r} (expected 'fast_run', "
                "'fast_compile' or None)"
            )
        self.linker = linker
        self.optimizer = optimizer
        self._base = _OPTIMIZERS[key]
        self._including = tuple(including)
        self._excluding = tuple(excluding)

    def including(self, *tags):
        """A copy of this mode that also runs the named rewrites/tags."""
        return Mode(self.linker, self.optimizer, self._including + tags, self._excluding)

    def excluding(self, *tags):
        """A copy of this mode without the named rewrites/tags."""
        return Mode(self.linker, self.optimizer, self._including, self._excluding + tags)

    def _engine_mode(self):
        return (self._base, list(self._including), list(self._excluding))

    def __repr__(self):
        return (
            f"Mode(optimizer={self.optimizer!r}, including={list(self._including)}, "
            f"excluding={list(self._excluding)})"
        )


FAST_RUN = Mode(optimizer="fast_run")
FAST_COMPILE = Mode(optimizer="fast_compile")

#: Modes by Theano's names.
predefined_modes = {
    "FAST_RUN": FAST_RUN,
    "FAST_COMPILE": FAST_COMPILE,
    "NONE": Mode(optimizer=None),
}


def get_mode(mode):
    """A ``Mode`` from a ``Mode``, a name ('FAST_RUN', 'FAST_COMPILE') or
    None (``config.mode``)."""
    if mode is None:
        mode = config.mode
    if isinstance(mode, Mode):
        return mode
    if mode in predefined_modes:
        return predefined_modes[mode]
    raise ValueError(
        f"mode must be a Mode or one of {sorted(predefined_modes)}, got {mode!r}"
    )


__all__ = ["Mode", "FAST_RUN", "FAST_COMPILE", "get_mode", "predefined_modes"]
