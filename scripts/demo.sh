#!/usr/bin/env bash
# Set up a virtual environment (once) and run the main example.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q -e .
.venv/bin/python examples/quickstart.py
