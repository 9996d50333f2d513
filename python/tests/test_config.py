"""theon.config over the engine configuration, and THEON_FLAGS / THEANO_FLAGS."""

import os
import subprocess
import sys

import pytest

import theon


def test_reading_and_setting_flags():
    assert theon.config.floatX in ("float16", "float32", "float64")
    assert isinstance(theon.config.profile, bool)
    old = theon.config.mode
    theon.config.mode = "FAST_COMPILE"
    assert theon.config.mode == "FAST_COMPILE"
    theon.config.mode = old
    with theon.config.change_flags(optimizer_excluding=["fusion", "inplace"], profile=True):
        assert theon.config.optimizer_excluding == "fusion:inplace"
        assert theon.config.profile is True
    assert theon.config.optimizer_excluding == ""
    assert theon.config.profile is False
    assert "floatX" in dir(theon.config)


def test_bad_flags():
    with pytest.raises(ValueError, match="floatX"):
        theon.config.floatX = "int8"
    with pytest.raises(AttributeError):
        theon.config.no_such_flag
    with pytest.raises(AttributeError):
        theon.config.no_such_flag = 1


def flag_in_fresh_python(env_updates):
    env = {k: v for k, v in os.environ.items() if k not in ("THEON_FLAGS", "THEANO_FLAGS")}
    env.update(env_updates)
    code = "import theon, theon.tensor as T; print(theon.config.floatX, T.matrix().dtype)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True)
    return out.stdout.split()


def test_environment_flags():
    assert flag_in_fresh_python({"THEON_FLAGS": "floatX=float32"}) == ["float32", "float32"]
    assert flag_in_fresh_python({"THEANO_FLAGS": "floatX=float16"}) == ["float16", "float16"]
    both = {"THEON_FLAGS": "floatX=float32", "THEANO_FLAGS": "floatX=float16"}
    assert flag_in_fresh_python(both) == ["float32", "float32"]
    assert flag_in_fresh_python({}) == ["float64", "float64"]
