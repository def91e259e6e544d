#!/usr/bin/env bash
# Runs every check and test: formatting, clippy, the shared crates compiled for wasm32, unit and integration tests,
# then the end-to-end tests in headless Chromium with the freshly built extension (serially: 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
echo "== format"
cargo fmt --all -- --check
echo "== docs/COMMANDS.md: every /ops command has an end-to-end test, and the table is current"
python3 scripts/commands-table.py --check
echo "== clippy (native)"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== clippy + check (wasm32: protocol, snapshot, ops, extension)"
cargo clippy --locked --target wasm32-unknown-unknown -p odb-protocol -p odb-snapshot -p odb-ops -p odb-extension -- -D warnings
echo "== clippy (x86_64-pc-windows-gnu: the native host and the relay's named-pipe bridge; compiled, not run)"
if rustup target list --installed | grep -qx x86_64-pc-windows-gnu; then
  cargo clippy --locked --target x86_64-pc-windows-gnu -p odb-native-host -p odb-relay --all-targets -- -D warnings
else
  echo "skipped: the x86_64-pc-windows-gnu target is not installed (rustup target add x86_64-pc-windows-gnu)"
fi
echo "== build the extension"
bash scripts/build-extension.sh
echo "== build the CLI"
cargo build --locked -p opendevbrowser -p odb-native-host
echo "== unit and integration tests"
cargo test --locked --workspace --exclude odb-e2e
echo "== end-to-end tests (headless Chromium, real extension)"
cargo test --locked -p odb-e2e --test e2e -- --test-threads=1 --nocapture
