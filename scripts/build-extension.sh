#!/usr/bin/env bash
# Builds the MV3 extension into dist/extension (or $ODB_DIST_DIR):
#   wasm32 target + the exact wasm-bindgen CLI of Cargo.lock (cached under $ODB_TOOLS_DIR),
#   cargo build --release for wasm32, wasm-bindgen --target web, then manifest/* copied beside pkg/.
# No wasm-opt: Debian's binaryen silently breaks wasm-bindgen 0.2.130 output (spec/BUILD.md).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DIST="${ODB_DIST_DIR:-$ROOT/dist/extension}"
TOOLS="${ODB_TOOLS_DIR:-$HOME/.cache/opendevbrowser/tools}"
TARGET=wasm32-unknown-unknown

# The wasm-bindgen version pinned in Cargo.lock: the CLI must match it exactly.
WB_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)"
if [[ -z "$WB_VERSION" ]]; then
  echo "build-extension: no wasm-bindgen entry in Cargo.lock" >&2
  exit 1
fi

if ! rustup target list --installed | grep -qx "$TARGET"; then
  echo "build-extension: adding rust target $TARGET"
  rustup target add "$TARGET"
fi

WB_ROOT="$TOOLS/wasm-bindgen-$WB_VERSION"
WB="$WB_ROOT/bin/wasm-bindgen"
if [[ ! -x "$WB" ]]; then
  echo "build-extension: installing wasm-bindgen-cli $WB_VERSION into $WB_ROOT (a few minutes)"
  # No --locked: a locked dependency of the CLI is missing from the registry (spec/BUILD.md).
  cargo install wasm-bindgen-cli --version "$WB_VERSION" --root "$WB_ROOT"
fi
if [[ "$("$WB" --version)" != "wasm-bindgen $WB_VERSION" ]]; then
  echo "build-extension: $WB is not version $WB_VERSION" >&2
  exit 1
fi

cargo build -p odb-extension --release --target "$TARGET"
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
WASM_IN="$TARGET_DIR/$TARGET/release/odb_extension.wasm"

rm -rf "$DIST"
mkdir -p "$DIST/pkg"
"$WB" --target web --out-dir "$DIST/pkg" --out-name odb_extension "$WASM_IN"
cp -R "$ROOT/manifest/." "$DIST/"

WASM_OUT="$DIST/pkg/odb_extension_bg.wasm"
BYTES="$(wc -c < "$WASM_OUT" | tr -d ' ')"
KIB="$(awk -v b="$BYTES" 'BEGIN { printf "%.1f", b / 1024 }')"
echo "extension: $DIST"
echo "wasm: $BYTES bytes ($KIB KiB)"
