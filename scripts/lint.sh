#!/usr/bin/env bash
# Runs golangci-lint with .golangci.yml, installing the pinned version from
# the Go module proxy (go install) when it is missing or another version.
# Pinned, so every machine and CI lints alike; bump it on purpose.
set -euo pipefail
VERSION=v2.15.0
cd "$(dirname "$0")/.."

bin_dir=$(go env GOBIN)
[ -n "$bin_dir" ] || bin_dir="$(go env GOPATH)/bin"
lint="$bin_dir/golangci-lint"
if ! { [ -x "$lint" ] && "$lint" version 2>/dev/null | grep -q "version ${VERSION#v} "; }; then
  echo "lint: installing golangci-lint $VERSION into $bin_dir (once; a few minutes)" >&2
  GOBIN="$bin_dir" go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$VERSION"
fi
"$lint" run ./...
# The binary must keep building off Linux (staff laptops are often Macs):
# vet type-checks it for macOS without the cost of a full build.
GOOS=darwin go vet ./cmd/safetynet
