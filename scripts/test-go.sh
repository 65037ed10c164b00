#!/usr/bin/env bash
# Vets and tests the Go client (clients/go). Its integration tests start this repository's
# service (node dist/main.js, built here from the current sources when they changed) on ephemeral
# loopback ports, so node_modules and the model weights must be in place: `npm ci`, then
# scripts/setup.sh models (`npm run test:go` and the external tier do both). Go modules come from
# the Go module proxy.
# Usage: scripts/test-go.sh [go test flags, e.g. -run Stream -v]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v go >/dev/null || { echo "test-go: Go is required (see README)" >&2; exit 1; }
node scripts/ensure-dist.js
export TAISHANG_AI_MAIN=dist/main.js
cd clients/go
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
  echo "test-go: not gofmt-formatted:" >&2
  echo "$unformatted" >&2
  exit 1
fi
go vet ./...
go test -count=1 -timeout 5m "$@" ./...
