#!/usr/bin/env bash
# Installs ghz (a gRPC load generator; bench:overhead drives both sides with it) into .tools/bin,
# pinned, from the Go module proxy: these machines cannot download GitHub release binaries.
# Usage: scripts/install-ghz.sh && .tools/bin/ghz --insecure --call grpc.health.v1.Health/Check ...
set -euo pipefail
cd "$(dirname "$0")/.."
version="${GHZ_VERSION:-v0.120.0}"
bin="$PWD/.tools/bin"
# `go install` leaves --version at "dev", so read the module version from the binary.
if [ -x "$bin/ghz" ] && go version -m "$bin/ghz" | grep -Eq "^\s+mod\s+github.com/bojand/ghz\s+$version\b"; then
  echo "ghz $version already in $bin"
  exit 0
fi
command -v go >/dev/null || { echo "install-ghz: Go is required (go install)" >&2; exit 1; }
mkdir -p "$bin"
GOBIN="$bin" go install "github.com/bojand/ghz/cmd/ghz@$version"
go version -m "$bin/ghz" | grep -E "^\s+mod\s"
