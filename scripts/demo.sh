#!/usr/bin/env bash
# Sets up an embedded SQLite database with the demo data and serves the site on http://127.0.0.1:8000
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
# The demo runs like production (DEBUG off: the Chinese error pages, never Django's technical pages with
# the URL list) but over plain HTTP on loopback, with a random key kept in the data directory.
export KECHUANG_DEBUG="${KECHUANG_DEBUG:-0}"
export KECHUANG_SECURE_COOKIES="${KECHUANG_SECURE_COOKIES:-0}"
export KECHUANG_SSL_REDIRECT="${KECHUANG_SSL_REDIRECT:-0}"
export KECHUANG_HSTS_SECONDS="${KECHUANG_HSTS_SECONDS:-0}"
if [ -z "${KECHUANG_SECRET_KEY:-}" ]; then
  data_dir="${KECHUANG_DATA_DIR:-data}"
  mkdir -p "$data_dir"
  if [ ! -s "$data_dir/secret_key" ]; then
    (umask 077 && .venv/bin/python -c "import secrets; print(secrets.token_urlsafe(50))" > "$data_dir/secret_key")
  fi
  KECHUANG_SECRET_KEY="$(cat "$data_dir/secret_key")"
  export KECHUANG_SECRET_KEY
fi
.venv/bin/kechuang migrate --noinput
.venv/bin/kechuang demo
exec .venv/bin/kechuang serve
