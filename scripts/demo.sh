#!/usr/bin/env bash
# Sets up an embedded SQLite database with the demo data and serves the site on http://127.0.0.1:8000
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
.venv/bin/kechuang migrate --noinput
.venv/bin/kechuang demo
exec .venv/bin/kechuang serve
