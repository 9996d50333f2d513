#!/usr/bin/env bash
# Runs theon's whole test suite from a fresh clone: sets up ./.venv with the
# Python package (scripts/setup-python.sh), then runs the Rust tests and the
# Python tests.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== Setting up the Python package in ./.venv"
bash scripts/setup-python.sh
# NumPy's wheel bundles OpenBLAS: the system-blas tests load it (they skip
# without it, or fail under CI=true).
THEON_TEST_BLAS="$(.venv/bin/python -c 'import glob, os, numpy
libs = os.path.join(os.path.dirname(os.path.dirname(numpy.__file__)), "numpy.libs")
print(min(glob.glob(os.path.join(libs, "*openblas*.so*")), default=""))')"
export THEON_TEST_BLAS
echo "== Rust tests"
cargo test --workspace --quiet
echo "== Python tests"
.venv/bin/python -m pytest -q python/tests
