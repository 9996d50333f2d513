#!/usr/bin/env bash
# Runs theon's whole test suite from a fresh clone: sets up ./.venv with the
# Python package (scripts/setup-python.sh), then runs the Rust tests and the
# Python tests.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== Setting up the Python package in ./.venv"
bash scripts/setup-python.sh
echo "== Rust tests"
cargo test --workspace --quiet
echo "== Python tests"
.venv/bin/python -m pytest -q python/tests
