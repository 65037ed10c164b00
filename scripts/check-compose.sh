#!/usr/bin/env bash
# Validates docker-compose.yml with the real Docker Compose (v2, `docker compose config`), which
# these machines lack as a plugin: it is built once from the Go module proxy into
# .tools/docker/cli-plugins and handed to the docker client through DOCKER_CONFIG. No engine is
# needed to validate. Prints nothing but errors unless -v.
# Usage: scripts/check-compose.sh [-v]
set -euo pipefail
cd "$(dirname "$0")/.."
version="${COMPOSE_VERSION:-v2.29.7}"
config="$PWD/.tools/docker"
plugin="$config/cli-plugins/docker-compose"
command -v docker >/dev/null || { echo "check-compose: the docker client is required" >&2; exit 1; }
if ! { [ -x "$plugin" ] && go version -m "$plugin" 2>/dev/null | grep -Eq "^\s+mod\s+github.com/docker/compose/v2\s+$version\b"; }; then
  command -v go >/dev/null || { echo "check-compose: Go is required to build Docker Compose" >&2; exit 1; }
  mkdir -p "$config/cli-plugins"
  # The module's main package is cmd/, so the binary comes out as `cmd`.
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  GOBIN="$tmp" go install "github.com/docker/compose/v2/cmd@$version"
  mv "$tmp/cmd" "$plugin"
fi
if [ "${1:-}" = "-v" ]; then
  DOCKER_CONFIG="$config" docker compose -f docker-compose.yml config
else
  DOCKER_CONFIG="$config" docker compose -f docker-compose.yml config --quiet
fi
