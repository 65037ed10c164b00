#!/usr/bin/env bash
# Installs grpcurl (a real gRPC CLI; it needs the server's reflection) into .tools/bin, pinned,
# from the Go module proxy: these machines cannot download GitHub release binaries.
# Usage: scripts/install-grpcurl.sh && .tools/bin/grpcurl -plaintext localhost:50051 list
set -euo pipefail
cd "$(dirname "$0")/.."
version="${GRPCURL_VERSION:-v1.9.4}"
bin="$PWD/.tools/bin"
# `go install` leaves -version at "dev build", so read the module version from the binary.
if [ -x "$bin/grpcurl" ] && go version -m "$bin/grpcurl" | grep -Eq "^\s+mod\s+github.com/fullstorydev/grpcurl\s+$version\b"; then
  echo "grpcurl $version already in $bin"
  exit 0
fi
command -v go >/dev/null || { echo "install-grpcurl: Go is required (go install)" >&2; exit 1; }
mkdir -p "$bin"
GOBIN="$bin" go install "github.com/fullstorydev/grpcurl/cmd/grpcurl@$version"
go version -m "$bin/grpcurl" | grep -E "^\s+mod\s"
