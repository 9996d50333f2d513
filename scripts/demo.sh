#!/usr/bin/env bash
# Runs theon's demo: sets up ./.venv with the Python package
# (scripts/setup-python.sh), then trains logistic regression and an MLP on
# the UCI digits with classic Theano code (demo.py). Arguments go to demo.py
# (e.g. --epochs 5). The Rust engine's own demo: cargo run --release --example demo
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-python.sh
.venv/bin/python demo.py "$@"
