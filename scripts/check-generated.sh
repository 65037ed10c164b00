#!/usr/bin/env bash
# Fails when src/gen or clients/go/gen differs from what `npm run generate` would write (generated
# code is never edited by hand), and checks the contract with buf lint and buf breaking against
# the seed.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npx --no-install buf lint
npx --no-install buf breaking proto --against proto-seed
npx --no-install buf generate --output "$tmp"
npx --no-install buf build proto --as-file-descriptor-set -o "$tmp/src/gen/descriptor-set.binpb"
if ! diff -r "$tmp/src/gen" src/gen; then
  echo "src/gen is stale: run 'npm run generate' and commit the result" >&2
  exit 1
fi
# The Go client's stubs, from the pinned Go plugins (installed from the Go module proxy).
bash scripts/install-go-plugins.sh >/dev/null
npx --no-install buf generate --template clients/go/buf.gen.yaml --output "$tmp"
if ! diff -r "$tmp/clients/go/gen" clients/go/gen; then
  echo "clients/go/gen is stale: run 'npm run generate' and commit the result" >&2
  exit 1
fi
echo "generated code is fresh; buf lint and buf breaking pass"
