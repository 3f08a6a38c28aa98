#!/usr/bin/env bash
# Installs what the test suite needs beyond Go and PostgreSQL: headless
# Chromium for the browser tests of the console and the web chat, and a CJK
# font so their screenshots show Chinese rather than boxes. Quick when present.
set -euo pipefail
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qi 'noto.*cjk' || need+=(fonts-noto-cjk)
if [ ${#need[@]} -gt 0 ]; then
  echo "test-deps: installing ${need[*]} for the browser tests" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
