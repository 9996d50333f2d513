#!/usr/bin/env bash
# Runs theon's demo: defines, optimizes, differentiates and trains a model.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release --quiet --example demo
