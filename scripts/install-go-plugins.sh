#!/usr/bin/env bash
# Installs the Go code generators for clients/go (protoc-gen-go, protoc-gen-go-grpc) into
# .tools/bin, pinned, from the Go module proxy; buf runs them as local plugins
# (clients/go/buf.gen.yaml). Skips a plugin whose binary already has the pinned module version.
# Usage: scripts/install-go-plugins.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# Keep these in step with the runtime versions in clients/go/go.mod.
protoc_gen_go="${PROTOC_GEN_GO_VERSION:-v1.36.12}"
protoc_gen_go_grpc="${PROTOC_GEN_GO_GRPC_VERSION:-v1.6.2}"
bin="$PWD/.tools/bin"
command -v go >/dev/null || { echo "install-go-plugins: Go is required (go install)" >&2; exit 1; }
mkdir -p "$bin"

# install NAME MODULE PACKAGE VERSION
install() {
  local name=$1 module=$2 package=$3 version=$4
  # `go install` stamps the module version into the binary; read it rather than run the plugin.
  if [ -x "$bin/$name" ] && go version -m "$bin/$name" | grep -Eq "^\s+mod\s+$module\s+$version\b"; then
    echo "$name $version already in $bin"
    return
  fi
  GOBIN="$bin" go install "$package@$version"
  go version -m "$bin/$name" | grep -E "^\s+mod\s"
}

install protoc-gen-go google.golang.org/protobuf google.golang.org/protobuf/cmd/protoc-gen-go "$protoc_gen_go"
install protoc-gen-go-grpc google.golang.org/grpc/cmd/protoc-gen-go-grpc google.golang.org/grpc/cmd/protoc-gen-go-grpc "$protoc_gen_go_grpc"
