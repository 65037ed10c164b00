#!/usr/bin/env bash
# Installs schemathesis, pinned, into .venv-schemathesis (git-ignored) from PyPI, for
# scripts/schemathesis.sh. Skips the install when the pinned version is already there.
# Usage: scripts/install-schemathesis.sh   (through scripts/setup.sh schemathesis)
set -euo pipefail
cd "$(dirname "$0")/.."
version="${SCHEMATHESIS_VERSION:-4.32.5}"
venv=.venv-schemathesis
if [ -x "$venv/bin/st" ] && "$venv/bin/st" --version 2>/dev/null | grep -q "$version"; then
  echo "schemathesis $version already in $venv"
  exit 0
fi
command -v python3 >/dev/null || { echo "install-schemathesis: python3 is required (venv + pip)" >&2; exit 1; }
python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$version"
"$venv/bin/st" --version
