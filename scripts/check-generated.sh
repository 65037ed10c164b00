#!/usr/bin/env bash
# Fails when src/gen or clients/go/gen differs from what `npm run generate` would write (generated
# code is never edited by hand), and checks the contract with buf lint and buf breaking against
# the seed. Two parts, so each runs in the test tier that has its tools:
#   ts   buf lint, buf breaking, src/gen (buf and ts-proto come with npm ci)
#   go   clients/go/gen (the pinned Go plugins in .tools/bin: scripts/setup.sh go-plugins)
# Usage: scripts/check-generated.sh [ts|go]      (both when no part is named)
set -euo pipefail
cd "$(dirname "$0")/.."
part="${1:-all}"
case "$part" in ts | go | all) ;; *) echo "usage: scripts/check-generated.sh [ts|go]" >&2; exit 2 ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ "$part" != go ]; then
  npx --no-install buf lint
  npx --no-install buf breaking proto --against proto-seed
  npx --no-install buf generate --output "$tmp"
  npx --no-install buf build proto --as-file-descriptor-set -o "$tmp/src/gen/descriptor-set.binpb"
  if ! diff -r "$tmp/src/gen" src/gen; then
    echo "src/gen is stale: run 'npm run generate' and commit the result" >&2
    exit 1
  fi
  echo "src/gen is fresh; buf lint and buf breaking pass"
fi

if [ "$part" != ts ]; then
  for plugin in protoc-gen-go protoc-gen-go-grpc; do
    [ -x ".tools/bin/$plugin" ] || { echo "check-generated: .tools/bin/$plugin is missing: run scripts/setup.sh go-plugins" >&2; exit 1; }
  done
  npx --no-install buf generate --template clients/go/buf.gen.yaml --output "$tmp"
  if ! diff -r "$tmp/clients/go/gen" clients/go/gen; then
    echo "clients/go/gen is stale: run 'npm run generate' and commit the result" >&2
    exit 1
  fi
  echo "clients/go/gen is fresh"
fi
