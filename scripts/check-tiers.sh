#!/usr/bin/env bash
# Fails when a test file belongs to no test tier (it would never run) or to more than one (it
# would run twice), as jest itself matches them against jest.config.js's projects.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
find test -name '*.test.ts' | sort >"$tmp/files"
for tier in unit integration external; do
  node node_modules/jest/bin/jest.js --listTests --selectProjects "$tier" | grep '^/' | sed "s|^$PWD/||" >>"$tmp/listed"
done
sort "$tmp/listed" >"$tmp/sorted"
missing=$(comm -23 "$tmp/files" <(sort -u "$tmp/sorted"))
twice=$(uniq -d "$tmp/sorted")
[ -z "$missing" ] || { echo "check-tiers: in no test tier (see jest.config.js):" >&2; echo "$missing" >&2; }
[ -z "$twice" ] || { echo "check-tiers: in more than one test tier:" >&2; echo "$twice" >&2; }
[ -z "$missing$twice" ] || exit 1
echo "every test file is in exactly one tier ($(wc -l <"$tmp/files") files)"
