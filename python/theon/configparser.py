"""``theon.config``: the engine's configuration (``floatX``, ``mode``, ...).

Values live in the Rust engine, which reads ``THEON_FLAGS`` (or, for
drop-in use, ``THEANO_FLAGS``) on first use, e.g.
``THEON_FLAGS=floatX=float32,mode=FAST_COMPILE``. Flags can be changed at
run time (``theon.config.floatX = 'float32'``) or for a block with
``theon.config.change_flags(floatX='float32')``; changes affect graphs and
functions built afterwards.
"""

import contextlib

from theon import _theon


def _flag_text(value):
    """A Python value in the text form the flags use."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (list, tuple)):
        return ":".join(str(v) for v in value)
    return str(value)


#: Theano flags that classic programs read but that change nothing in theon
#: (one CPU backend, no test values, no C compiler): their values are kept
#: here so reading and setting them works.
_COMPAT_FLAGS = {
    "device": "cpu",
    "optimizer": "fast_run",
    "compute_test_value": "off",
    "exception_verbosity": "low",
    "warn_float64": "ignore",
    "cast_policy": "custom",
    "cxx": "",
    "openmp": False,
}


class TheonConfigParser:
    """Attribute access to the engine's flags (plus Theano flags that have
    no effect in theon, such as ``device``, kept in ``_COMPAT_FLAGS``)."""

    def __getattr__(self, key):
        if key.startswith("__"):
            raise AttributeError(key)
        if key in _COMPAT_FLAGS:
            return _COMPAT_FLAGS[key]
        return _theon.config_get(key)

    def __setattr__(self, key, value):
        if key in _COMPAT_FLAGS:
            _COMPAT_FLAGS[key] = value
            return
        _theon.config_set(key, _flag_text(value))

    def __dir__(self):
        return sorted(set(_theon.config_keys()) | set(type(self).__dict__))

    @contextlib.contextmanager
    def change_flags(self, **flags):
        """Sets flags for the duration of a ``with`` block."""
        old = {key: getattr(self, key) for key in flags}
        try:
            for key, value in flags.items():
                setattr(self, key, value)
            yield self
        finally:
            for key, value in old.items():
                setattr(self, key, value)

    def __repr__(self):
        flags = ", ".join(f"{k}={_theon.config_get(k)!r}" for k in _theon.config_keys())
        return f"theon.config({flags})"


config = TheonConfigParser()
change_flags = config.change_flags

__all__ = ["config", "change_flags", "TheonConfigParser"]
