#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks for the suites: Chromium from Debian (never a downloaded
# browser). Quick and quiet when everything is already there. Called by make and by .ci/run.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/lib/chromium/chromium ] || need+=(chromium)
# The headless shell is Debian's build of Chromium's lightweight headless mode: the suites use it when
# present (it signs in about twice as fast as the full browser run headless).
[ -x /usr/lib/chromium/chromium-headless-shell ] || need+=(chromium-headless-shell)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing ${need[*]}; run as root or install them: apt-get install -y ${need[*]}" >&2
  exit 1
fi

echo "install-deps: installing ${need[*]} from Debian" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
