#!/usr/bin/env bash
# Makes a Docker daemon answer for the container path (`make images`, `ssoconform scim --image` and its
# test), the way start-postgres.sh does for PostgreSQL:
#
#   dir=$(mktemp -d)
#   bash scripts/start-docker.sh "$dir"
#   trap 'bash scripts/start-docker.sh --stop "$dir"' EXIT
#
# When a daemon already answers (`docker info`), it is used and left alone. Otherwise Debian's docker.io
# is installed when dockerd is missing (root only), and dockerd is started in the background with host
# networking only (--bridge=none --iptables=false --ip6tables=false: containers share this machine's
# loopback, nothing goes over a bridge), its PID in DIR/dockerd.pid and its log in DIR/dockerd.log; the
# script returns once the daemon answers. `--stop DIR` stops the daemon started in DIR by that PID (SIGTERM,
# then waits up to 20 s) and removes DIR.
set -euo pipefail

log() { echo "start-docker: $*" >&2; }

if [ "${1:-}" = "--stop" ]; then
  dir=${2:?usage: start-docker.sh --stop DIR}
  if [ -f "$dir/dockerd.pid" ]; then
    pid=$(cat "$dir/dockerd.pid")
    if kill "$pid" 2>/dev/null; then
      for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
      done
      kill -0 "$pid" 2>/dev/null && log "dockerd (pid $pid) is still running after 20 s"
    fi
  fi
  rm -rf "$dir"
  exit 0
fi

dir=${1:?usage: start-docker.sh DIR}
mkdir -p "$dir"
if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  log "a Docker daemon already answers; using it"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  log "no Docker daemon answers and only root can start one; the container tests will skip"
  exit 1
fi
if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
  log "installing docker.io from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends docker.io >/dev/null
fi
setsid dockerd --bridge=none --iptables=false --ip6tables=false --pidfile "$dir/dockerd.pid" \
  >"$dir/dockerd.log" 2>&1 </dev/null &
for _ in $(seq 1 150); do
  docker info >/dev/null 2>&1 && break
  sleep 0.2
done
if ! docker info >/dev/null 2>&1; then
  log "dockerd did not answer within 30 s; its log:"
  tail -n 20 "$dir/dockerd.log" >&2 || true
  [ -f "$dir/dockerd.pid" ] && kill "$(cat "$dir/dockerd.pid")" 2>/dev/null
  exit 1
fi
log "$(dockerd --version) started (pid $(cat "$dir/dockerd.pid")), host networking only"
