#!/usr/bin/env bash
# Builds the ssoconform/refapp, ssoconform/mockidp and ssoconform/ssoconform images FROM scratch: static
# binaries (CGO off) and, because each makes HTTPS calls, the build machine's CA certificates; the
# mockidp image also holds the org fixtures in /fixtures. Nothing is pulled. Each image is tagged with the
# version (internal/version/VERSION) and latest. Prints the images and their sizes at the end.
#
#   bash scripts/build-images.sh        # what `make images` runs; needs a Docker daemon
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(tr -d '[:space:]' < internal/version/VERSION)
certs=/etc/ssl/certs/ca-certificates.crt
if ! docker info >/dev/null 2>&1; then
  echo "build-images: no Docker daemon answered (docker info failed); install Docker or start its daemon" >&2
  exit 3
fi
if [ ! -s "$certs" ]; then
  echo "build-images: $certs is missing; install Debian's ca-certificates package" >&2
  exit 1
fi

ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
ms() { echo $(($(date +%s%N) / 1000000)); }
start=$(ms)
CGO_ENABLED=0 ${GO:-go} build -trimpath -ldflags '-s -w' -o "$ctx/bin/" ./cmd/refapp ./cmd/mockidp ./cmd/ssoconform
built=$(ms)
# one small build context per image: its binary, the CA certificates, its empty writable directories
for name in refapp mockidp ssoconform; do
  dir="$ctx/$name"
  mkdir -p "$dir/rootfs/data" "$dir/rootfs/tmp" "$dir/rootfs/work"
  mv "$ctx/bin/$name" "$dir/$name"
  cp "$certs" "$dir/ca-certificates.crt"
done
mkdir -p "$ctx/mockidp/fixtures"
cp fixtures/orgs/*.yaml "$ctx/mockidp/fixtures/"
for name in refapp mockidp ssoconform; do
  # the legacy builder's deprecation notice is noise: show docker's output only when a build fails
  if ! docker build --quiet --build-arg "VERSION=$version" -f "build/images/$name.Dockerfile" \
      -t "ssoconform/$name:$version" -t "ssoconform/$name:latest" "$ctx/$name" >"$ctx/build.log" 2>&1; then
    cat "$ctx/build.log" >&2
    echo "build-images: building ssoconform/$name failed" >&2
    exit 1
  fi
done
# the images these tags pointed at before, now untagged, are only disk
for title in "ssoconform refapp" "ssoconform mockidp" "ssoconform"; do
  docker image prune --force --filter "label=org.opencontainers.image.title=$title" >/dev/null
done
done_at=$(ms)
echo "build-images: version $version; binaries in $((built - start)) ms, images in $((done_at - built)) ms" >&2
docker images --format '{{.Repository}}:{{.Tag}}\t{{.Size}}' | grep "^ssoconform/.*:$version" >&2
