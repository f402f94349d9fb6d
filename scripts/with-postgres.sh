#!/usr/bin/env bash
# Runs a command with REFAPP_TEST_POSTGRES_DSN set, so the PostgreSQL store tests and the two-instance
# specs run instead of skipping. When the variable is already set (CI sets it) the command runs as is;
# otherwise a throw-away PostgreSQL is started on 127.0.0.1 (installed from Debian when missing) and
# stopped afterwards. Without root and without PostgreSQL, the command runs without it and those
# tests say plainly why they skip.
#
#   bash scripts/with-postgres.sh go test ./...
set -uo pipefail
cd "$(dirname "$0")/.."

if [ -n "${REFAPP_TEST_POSTGRES_DSN:-}" ]; then
  exec "$@"
fi
dir=$(mktemp -d)
if dsn=$(bash scripts/start-postgres.sh "$dir"); then
  trap 'bash scripts/start-postgres.sh --stop "$dir"' EXIT
  export REFAPP_TEST_POSTGRES_DSN="$dsn"
else
  echo "with-postgres: no PostgreSQL could be started; its tests will skip" >&2
  rm -rf "$dir"
fi
"$@"
