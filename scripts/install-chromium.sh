#!/usr/bin/env bash
# Installs Debian's chromium for the Swagger UI browser test (playwright-core drives it; these
# machines cannot download Playwright's own browser builds). Runs as root, as CI does.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "chromium already at /usr/bin/chromium"
  exit 0
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
/usr/bin/chromium --version
