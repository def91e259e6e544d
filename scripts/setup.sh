#!/usr/bin/env bash
# Installs what this workspace needs on a fresh Debian machine, skipping what is already there:
# Debian's Chromium, the wasm32 Rust target, rustfmt and clippy. (wasm-bindgen-cli of the pinned version is
# installed and cached by scripts/build-extension.sh.)
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ -n "${CHROME_PATH:-}" ] && [ -x "${CHROME_PATH}" ]; then
  echo "setup: browser: $CHROME_PATH"
elif [ -x /usr/lib/chromium/chromium ]; then
  echo "setup: browser: /usr/lib/chromium/chromium"
else
  echo "setup: installing Debian's chromium"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  echo "setup: adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
# The native host and the relay's named-pipe bridge are type-checked for Windows (scripts/test.sh).
if ! rustup target list --installed | grep -qx x86_64-pc-windows-gnu; then
  echo "setup: adding the x86_64-pc-windows-gnu target"
  rustup target add x86_64-pc-windows-gnu
fi
for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^${component}"; then
    rustup component add "$component"
  fi
done
echo "setup: ok"
