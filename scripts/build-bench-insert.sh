#!/usr/bin/env bash
# Builds bench/.bin/bench-insert, the Go side of `npm run bench:ingest`: Insert calls through this
# repository's Go client (clients/go/internal/cmd/bench-insert). Go modules come from the Go
# module proxy; the binary is rebuilt only when Go's build cache says something changed.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v go >/dev/null || { echo "build-bench-insert: Go is required (see README)" >&2; exit 1; }
mkdir -p bench/.bin
(cd clients/go && go build -o ../../bench/.bin/bench-insert ./internal/cmd/bench-insert)
echo "build-bench-insert: bench/.bin/bench-insert ready"
