#!/usr/bin/env bash
# Runs theon's whole test suite (Rust, then Python) from a fresh clone.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== Rust tests"
cargo test --workspace --quiet
