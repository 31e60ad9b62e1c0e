#!/usr/bin/env bash
# Installs everything Kechuang needs into this checkout: a virtualenv with the Python packages and the
# front-end assets from the npm registry. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"
(cd frontend && npm ci --no-audit --no-fund --loglevel=error)
