#!/usr/bin/env bash
# Sets up everything and runs the whole test suite: lint, then every test on SQLite and on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/browser.sh

.venv/bin/ruff check .

# Both cores: pytest-xdist runs the tests in two processes, each with its own test database.
WORKERS=${KECHUANG_TEST_WORKERS:-2}
started=$SECONDS
echo "== 测试：SQLite =="
env -u DATABASE_URL .venv/bin/pytest -n "$WORKERS" "$@"
echo "== SQLite 用时 $((SECONDS - started)) 秒 =="

PG_URL=${KECHUANG_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/kechuang}
if ! ./scripts/postgres.sh; then
  echo "== 跳过 PostgreSQL：127.0.0.1:5432 上找不到可用的 PostgreSQL 服务 =="
  exit 0
fi
started=$SECONDS
echo "== 测试：PostgreSQL =="
DATABASE_URL="$PG_URL" .venv/bin/pytest -n "$WORKERS" "$@"
echo "== PostgreSQL 用时 $((SECONDS - started)) 秒 =="
