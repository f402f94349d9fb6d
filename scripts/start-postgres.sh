#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server for the tests and prints its DSN on stdout (logs go to stderr).
#
#   dir=$(mktemp -d)
#   export REFAPP_TEST_POSTGRES_DSN=$(bash scripts/start-postgres.sh "$dir")
#   trap 'bash scripts/start-postgres.sh --stop "$dir"' EXIT
#
# It installs Debian's postgresql package when no server binaries are there (quick when they are),
# initdb's a cluster under DIR/data (trust authentication: the server listens on 127.0.0.1 only and on a
# socket in DIR/sock), starts it on a free port, creates the database refapp_test and prints
# postgres://postgres@127.0.0.1:PORT/refapp_test?sslmode=disable. As root, the server runs as the
# postgres user (PostgreSQL refuses to run as root) and DIR is handed to that user.
# `--stop DIR` stops the server started in DIR and removes DIR.
set -euo pipefail

log() { echo "start-postgres: $*" >&2; }

pgbin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
    echo "$d"
  fi
}

# as_pg runs a command as the postgres user when we are root, else as ourselves.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

if [ "${1:-}" = "--stop" ]; then
  dir=${2:?usage: start-postgres.sh --stop DIR}
  bin=$(pgbin)
  if [ -n "$bin" ] && [ -f "$dir/data/postmaster.pid" ]; then
    as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || log "pg_ctl stop failed"
  fi
  rm -rf "$dir"
  exit 0
fi

dir=${1:-$(mktemp -d)}
mkdir -p "$dir"

bin=$(pgbin)
if [ -z "$bin" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    log "PostgreSQL is not installed; run as root or: apt-get install -y postgresql"
    exit 1
  fi
  log "installing postgresql from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  bin=$(pgbin)
  if [ -z "$bin" ]; then
    log "postgresql installed but no server binaries under /usr/lib/postgresql/*/bin"
    exit 1
  fi
fi

mkdir -p "$dir/sock"
if [ "$(id -u)" -eq 0 ]; then
  chown -R postgres: "$dir"
fi
as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 || {
  log "initdb failed:"; cat "$dir/initdb.log" >&2; exit 1
}

# free_port picks a random port in 20000-39999 that nothing on 127.0.0.1 answers on.
free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

started=
for _ in 1 2 3 4 5; do
  port=$(free_port) || { log "no free port found"; exit 1; }
  if as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-k $dir/sock -p $port -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null; then
    started=1
    break
  fi
  log "start on port $port failed; retrying"
done
if [ -z "$started" ]; then
  log "could not start PostgreSQL; server log:"; tail -n 20 "$dir/server.log" >&2 || true
  exit 1
fi

as_pg "$bin/createdb" -h "$dir/sock" -p "$port" -U postgres refapp_test
log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, data in $dir/data"
echo "postgres://postgres@127.0.0.1:$port/refapp_test?sslmode=disable"
