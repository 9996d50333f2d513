#!/usr/bin/env bash
# Runs theon's demo: sets up ./.venv with the Python package
# (scripts/setup-python.sh), then trains logistic regression and an MLP on
# the UCI digits with classic Theano code (demo.py). Arguments go to demo.py
# (e.g. --epochs 5). The same models through the Rust API: cargo run --release --example digits
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-python.sh
.venv/bin/python demo.py "$@"
