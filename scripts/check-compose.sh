#!/usr/bin/env bash
# Validates docker-compose.yml with the real Docker Compose (v2, `docker compose config`), built by
# scripts/install-compose.sh into .tools/docker/cli-plugins and handed to the docker client through
# DOCKER_CONFIG. No engine is needed to validate. Prints nothing but errors unless -v.
# Usage: scripts/setup.sh compose && scripts/check-compose.sh [-v]
set -euo pipefail
cd "$(dirname "$0")/.."
config="$PWD/.tools/docker"
command -v docker >/dev/null || { echo "check-compose: the docker client is required" >&2; exit 1; }
[ -x "$config/cli-plugins/docker-compose" ] || { echo "check-compose: Docker Compose is not built: run scripts/setup.sh compose" >&2; exit 1; }
if [ "${1:-}" = "-v" ]; then
  DOCKER_CONFIG="$config" docker compose -f docker-compose.yml config
else
  DOCKER_CONFIG="$config" docker compose -f docker-compose.yml config --quiet
fi
