#!/usr/bin/env bash
# Creates ./.venv (nothing system-wide), installs the build and test tools
# from PyPI, and builds + installs the `theon` Python package into it.
#
#   bash scripts/setup-python.sh            # optimized build (default)
#   THEON_PY_PROFILE=dev bash scripts/setup-python.sh   # faster, unoptimized build
#
# Afterwards: .venv/bin/python -m pytest python/tests
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV=.venv
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet "maturin>=1.8,<2" "numpy>=1.22" "pytest>=7"

PROFILE_FLAG=--release
if [ "${THEON_PY_PROFILE:-release}" = "dev" ]; then
    PROFILE_FLAG=
fi
# maturin develop builds the extension and installs python/theon in
# editable mode into the active virtualenv.
VIRTUAL_ENV="$PWD/$VENV" PATH="$PWD/$VENV/bin:$PATH" \
    "$VENV/bin/maturin" develop $PROFILE_FLAG --manifest-path crates/theon-py/Cargo.toml
echo "theon installed into $VENV"
