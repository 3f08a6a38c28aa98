#!/usr/bin/env bash
# Installs what the test suite needs beyond Go and PostgreSQL: headless
# Chromium for the staff console's end-to-end tests. Quick when present.
set -euo pipefail
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v chromium >/dev/null 2>&1; then
  echo "test-deps: installing Debian's chromium for the console's browser tests" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
