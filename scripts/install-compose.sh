#!/usr/bin/env bash
# Builds Docker Compose v2 (the real one) from the Go module proxy into .tools/docker/cli-plugins,
# pinned, for scripts/check-compose.sh: these machines have the docker client but not the Compose
# plugin, and no engine, which validating the file does not need. Skips the build when the binary
# already has the pinned module version.
# Usage: scripts/install-compose.sh   (through scripts/setup.sh compose)
set -euo pipefail
cd "$(dirname "$0")/.."
version="${COMPOSE_VERSION:-v2.29.7}"
plugin="$PWD/.tools/docker/cli-plugins/docker-compose"
if [ -x "$plugin" ] && go version -m "$plugin" 2>/dev/null | grep -Eq "^\s+mod\s+github.com/docker/compose/v2\s+$version\b"; then
  echo "docker compose $version already in $(dirname "$plugin")"
  exit 0
fi
command -v go >/dev/null || { echo "install-compose: Go is required to build Docker Compose" >&2; exit 1; }
mkdir -p "$(dirname "$plugin")"
# The module's main package is cmd/, so the binary comes out as `cmd`.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
GOBIN="$tmp" go install "github.com/docker/compose/v2/cmd@$version"
mv "$tmp/cmd" "$plugin"
go version -m "$plugin" | grep -E "^\s+mod\s"
