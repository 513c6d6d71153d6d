#!/usr/bin/env bash
# Set up a virtual environment (once) with the test extras and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q -e '.[test]'
.venv/bin/python -m pytest -q -n 2 "$@"
